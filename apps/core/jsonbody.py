"""The one JSON decoder for everything a client or an integration sends: API bodies (through
DRF's parser), incoming and command webhooks, WebSocket frames, integration answers.

Python's decoder recurses once per `[` or `{`, so `[[[[…` a few thousand deep raises
RecursionError (a 500) and a document just under the interpreter's limit would be stored
and then break every later walk of it (serializing, rendering). `parse_json` refuses a body
over its size limit or nested deeper than `JSON_MAX_DEPTH` before decoding it, and refuses
what Mattermost's Go decoder refuses (NaN, Infinity, numbers beyond a double), so every
caller answers the same 400 or 413 AppError.
"""

import json
import math
import re
from typing import Any

from django.conf import settings

from apps.core.errors import ConfabError, InvalidInput

# Mattermost payloads nest about 6 levels (props → attachments → actions → integration →
# context); 64 leaves room for any real client, and stays far below the interpreter's
# recursion limit (1000) minus the frames of a request, for decoding and for later walks.
JSON_MAX_DEPTH = 64
# For API bodies when DATA_UPLOAD_MAX_MEMORY_SIZE is unset (None); Django's own default.
API_BODY_MAX_BYTES_FALLBACK = 2_621_440

# A JSON string, escapes included; what is left outside strings are the brackets that nest.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_ONE_KIND = str.maketrans("{}", "[]")


class JSONRefused(ConfabError):
    """A JSON body that is not decoded; the subclass says why."""


class JSONInvalid(JSONRefused, InvalidInput):
    """Not JSON, a value Mattermost's decoder refuses, or nested too deeply (HTTP 400)."""

    default_id = "api.context.invalid_body_param.app_error"


class JSONTooLarge(JSONRefused):
    """Over the size limit of where it was sent (HTTP 413)."""

    status_code = 413
    default_id = "api.context.request_body_too_large.app_error"


def api_body_max_bytes() -> int:
    """The largest JSON body the REST API reads: Django's request body limit."""
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE or API_BODY_MAX_BYTES_FALLBACK


def parse_json(
    raw: bytes | str,
    *,
    max_bytes: int,
    encoding: str | None = None,
    max_depth: int = JSON_MAX_DEPTH,
    allow_control_characters: bool = False,
) -> Any:
    """Decode `raw` (bytes in `encoding`, else as `json.loads` detects it) within the limits.

    `allow_control_characters` takes raw newlines and tabs inside strings, which Mattermost
    tolerates in webhook payloads.

    Raises:
        JSONTooLarge: `raw` is over `max_bytes` bytes.
        JSONInvalid: it is not JSON, nests deeper than `max_depth`, or holds NaN, Infinity
            or a number too large for a double.
    """
    size = len(raw) if isinstance(raw, bytes) else len(raw.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise JSONTooLarge(f"A JSON body can be at most {max_bytes} bytes.")
    try:
        text = raw if isinstance(raw, str) else raw.decode(encoding or json.detect_encoding(raw))
    except (UnicodeDecodeError, LookupError) as exc:
        raise JSONInvalid(f"The body is not valid JSON: {exc}") from exc
    if not _nests_within(text, max_depth):
        raise JSONInvalid(f"The body is not JSON, or nests deeper than {max_depth} levels.")
    try:
        return json.loads(
            text,
            strict=not allow_control_characters,
            parse_constant=_refuse_constant,
            parse_float=_finite_float,
        )
    except ValueError as exc:
        raise JSONInvalid(f"The body is not valid JSON: {exc}") from exc


def _nests_within(text: str, max_depth: int) -> bool:
    """True when decoding `text` cannot recurse more than `max_depth` levels.

    A text with few brackets cannot nest deeply (the common case, one `count` each). Else
    strings are removed, leaving only brackets, and each pass removes the innermost pairs
    `[]`: a document nested `d` deep is empty after exactly `d` passes. Anything left after
    `max_depth` passes is deeper, or unbalanced and so not JSON either.
    """
    if text.count("[") + text.count("{") <= max_depth:
        return True
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text)).translate(_ONE_KIND)
    for _ in range(max_depth):
        if not brackets:
            return True
        peeled = brackets.replace("[]", "")
        if len(peeled) == len(brackets):
            return False
        brackets = peeled
    return not brackets


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is out of range for a number")
    return value
