"""tools/lint_rules.py: events come from their app's builders (the catalogue), never as a
name and an inline dict (issue 13, §1)."""

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _rules():
    spec = importlib.util.spec_from_file_location("lint_rules", ROOT / "tools" / "lint_rules.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return {description: pattern for description, _glob, pattern, _exempt in module.RULES}


RULES = _rules()
BUILT_ELSEWHERE = next(p for d, p in RULES.items() if d.startswith("events are built"))
NAME_AND_DICT = next(p for d, p in RULES.items() if d.startswith("publish_event takes"))


@pytest.mark.parametrize(
    "line",
    [
        'event = Event("posted", data, Broadcast(channel_id=c))',
        "publish_event(POSTED.build(data, Broadcast(channel_id=c)))",
    ],
)
def test_an_event_made_outside_its_events_module_is_flagged(line):
    assert BUILT_ELSEWHERE.search(line)


@pytest.mark.parametrize(
    "line",
    [
        'publish_event("posted", {"post": p}, broadcast=b)',
        'publish_event(f"{name}", data, broadcast=b)',
        "publish_event(name, data, broadcast=b)",
    ],
)
def test_a_name_and_a_dict_are_flagged(line):
    assert NAME_AND_DICT.search(line)


@pytest.mark.parametrize(
    "line",
    [
        "publish_event(events.posted(post=post, channel=channel, author=actor))",
        "for event in events.user_removed(channel=channel, user=target, remover=actor):",
        "    publish_event(event)",
        "self._ready = asyncio.Event()",
        "done = threading.Event()",
    ],
)
def test_builders_and_other_events_pass(line):
    assert not BUILT_ELSEWHERE.search(line)
    assert not NAME_AND_DICT.search(line)
