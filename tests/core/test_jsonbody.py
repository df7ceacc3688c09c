"""`parse_json`, the one decoder of JSON from clients and integrations: its depth and size
bounds, and the values Mattermost's Go decoder refuses."""

import json
import re
from pathlib import Path

import pytest

from apps.core.jsonbody import JSON_MAX_DEPTH, JSONInvalid, JSONTooLarge, parse_json

LIMIT = 1_000_000


def nested(depth: int, opener: str = "[", closer: str = "]") -> str:
    return opener * depth + closer * depth


def test_nesting_up_to_the_limit_is_decoded():
    assert parse_json(nested(JSON_MAX_DEPTH), max_bytes=LIMIT) is not None
    mixed = (
        '{"a":' * (JSON_MAX_DEPTH // 2)
        + "[" * (JSON_MAX_DEPTH // 2)
        + "]" * (JSON_MAX_DEPTH // 2)
        + "}" * (JSON_MAX_DEPTH // 2)
    )
    assert parse_json(mixed, max_bytes=LIMIT) is not None


@pytest.mark.parametrize(
    "text",
    [
        nested(JSON_MAX_DEPTH + 1),
        '{"a":' * (JSON_MAX_DEPTH + 1) + "1" + "}" * (JSON_MAX_DEPTH + 1),
        "[{" * (JSON_MAX_DEPTH // 2 + 1) + "}]" * (JSON_MAX_DEPTH // 2 + 1),
        "[" * 100_000,
        "[]" * 100 + "[" * 1000,  # extra data first: still never handed to the decoder
    ],
)
def test_nesting_past_the_limit_is_refused_without_recursing(text):
    with pytest.raises(JSONInvalid) as refused:
        parse_json(text, max_bytes=LIMIT)
    assert refused.value.status_code == 400
    assert not isinstance(refused.value.__cause__, RecursionError)


def test_many_siblings_are_not_depth():
    wide = json.dumps([[i] for i in range(50_000)])
    assert len(parse_json(wide, max_bytes=LIMIT)) == 50_000


def test_brackets_inside_strings_do_not_count():
    text = json.dumps({"text": "[" * 5000 + '\\"{' * 100, "list": ["]]]", "{{{"]})
    assert parse_json(text, max_bytes=LIMIT)["list"] == ["]]]", "{{{"]


def test_an_escaped_quote_does_not_end_a_string_for_the_depth_check():
    # If `\"` ended the string, the brackets after it would look like nesting and the
    # real nesting after the string could hide; both must be read as the decoder reads them.
    text = '["\\"' + "[" * 200 + '"' + "]"
    assert parse_json(text, max_bytes=LIMIT) == ['"' + "[" * 200]
    hidden = '["\\"", ' + "[" * (JSON_MAX_DEPTH + 1) + "]" * (JSON_MAX_DEPTH + 2)
    with pytest.raises(JSONInvalid):
        parse_json(hidden, max_bytes=LIMIT)


@pytest.mark.parametrize("raw", [b"x" * 101, "é" * 51])
def test_a_body_over_the_size_limit_is_a_413(raw):
    with pytest.raises(JSONTooLarge) as refused:
        parse_json(raw, max_bytes=100)
    assert refused.value.status_code == 413


@pytest.mark.parametrize(
    "text", ["NaN", "[Infinity]", '{"a": -Infinity}', "1e999", "[-1e400]", "{", "", "[1,]"]
)
def test_what_go_refuses_is_invalid(text):
    with pytest.raises(JSONInvalid):
        parse_json(text, max_bytes=LIMIT)


def test_raw_control_characters_only_where_allowed():
    text = '{"text": "two\nlines"}'
    with pytest.raises(JSONInvalid):
        parse_json(text, max_bytes=LIMIT)
    assert parse_json(text, max_bytes=LIMIT, allow_control_characters=True) == {
        "text": "two\nlines"
    }


def test_bytes_are_decoded_as_named_or_detected():
    assert parse_json('{"a": "é"}'.encode("utf-16"), max_bytes=LIMIT) == {"a": "é"}
    assert parse_json('["é"]'.encode("latin-1"), max_bytes=LIMIT, encoding="latin-1") == ["é"]
    with pytest.raises(JSONInvalid):
        parse_json(b'["\xff"]', max_bytes=LIMIT, encoding="utf-8")


# --- the callers: every decoder of JSON from outside goes through parse_json ------------------


def test_a_stored_theme_nested_too_deeply_is_no_theme():
    """A preference value is any text up to 2,000 characters a client stored."""
    from apps.web.prefs import parse_theme

    assert parse_theme("[" * 2000) == {}


def test_an_integration_answer_nested_too_deeply_is_a_failed_call():
    from apps.core.errors import InvalidInput
    from apps.integrations.errors import OutboundFailed
    from apps.integrations.outbound import OutboundResponse
    from apps.integrations.services_custom_commands import command_response_parse

    deep = b"[" * 100_000
    with pytest.raises(OutboundFailed):
        OutboundResponse(status=200, body=deep).json()
    with pytest.raises(InvalidInput):
        command_response_parse(
            content_type="application/json", body=deep, max_bytes=LIMIT, error=InvalidInput
        )


def test_json_from_outside_is_decoded_in_one_place():
    """`json.loads` elsewhere would be a second, unbounded path. transport.py decodes only
    the messages Confab itself put on Redis."""
    root = Path(__file__).resolve().parents[2]
    allowed = {"apps/core/jsonbody.py", "apps/realtime/transport.py"}
    decoding = re.compile(r"\bjson\.loads?\(|\bfrom json import\b.*\bloads?\b")
    offenders = [
        f"{path.relative_to(root)}:{number}"
        for path in sorted((root / "apps").rglob("*.py"))
        if str(path.relative_to(root)) not in allowed
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if decoding.search(line)
    ]
    assert offenders == []
