"""Every event of the catalogue is covered by a test that captures it (issue 13 §1; the
idea of Zulip's test_events.py).

A `capture_events` test publishes the event through the service that sends it, and the
capture checks its payload against the catalogue's type (tests/conftest.py). An event
that no such test names can change shape, audience or existence unseen. The scan reads
the tests' source: inside a test that uses `capture_events`, an event counts as covered
where the test picks it out by name, `events.named("posted")`, or compares an event's
name with it, `event.event == "posted"` or `[e.event for e in events] == ["posted"]`.
"""

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from apps.realtime.catalogue import catalogue

TESTS = Path(__file__).resolve().parents[1]

# Built and sent by the realtime app itself, never by a service through publish_event,
# so no capture_events test can see them; the consumer tests named here cover them on
# a socket, with their payload checked key by key.
COVERED_ON_A_SOCKET = {
    # The consumer writes `hello` first on every new connection (its payload's keys:
    # test_a_bearer_token_on_the_upgrade_gets_hello_first_with_seq_0, same file).
    "hello": ("realtime/test_consumers.py", "test_an_authentication_challenge_gets_hello_then_ok"),
    # The consumer publishes `typing` straight to its hub, from a client's action.
    "typing": (
        "realtime/test_delivery.py",
        "test_typing_reaches_the_other_members_not_the_typist",
    ),
}


def _tests(tree: ast.AST) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith(
            "test"
        ):
            yield node


def _uses_capture(test: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return any(isinstance(n, ast.Name) and n.id == "capture_events" for n in ast.walk(test)) or any(
        a.arg == "capture_events" for a in test.args.args + test.args.kwonlyargs
    )


def _strings(node: ast.AST) -> set[str]:
    """The string constants of a literal: "x", or a list, tuple or set of them."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return set().union(*(_strings(e) for e in node.elts))
    return set()


def _is_event_name(node: ast.AST) -> bool:
    """`x.event`, or a comprehension of them: `[e.event for e in events]`."""
    if isinstance(node, ast.Attribute) and node.attr == "event":
        return True
    return isinstance(node, ast.ListComp | ast.SetComp) and _is_event_name(node.elt)


def names_in_test(test: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    """The event names a test picks out or compares with."""
    names: set[str] = set()
    for node in ast.walk(test):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "named"
            and node.args
        ):
            names |= _strings(node.args[0])
        elif isinstance(node, ast.Compare):
            sides = [node.left, *node.comparators]
            if any(_is_event_name(side) for side in sides):
                for side in sides:
                    names |= _strings(side)
    return names


def covered_events(root: Path = TESTS) -> dict[str, list[str]]:
    """Event name -> the capture_events tests that name it."""
    covered: dict[str, list[str]] = {}
    for path in sorted(root.rglob("test_*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for test in _tests(tree):
            if not _uses_capture(test):
                continue
            for name in names_in_test(test):
                covered.setdefault(name, []).append(f"{path.relative_to(root)}::{test.name}")
    return covered


def test_every_catalogue_event_is_covered_by_a_capture_events_test():
    covered = covered_events()
    missing = sorted(set(catalogue()) - set(covered) - set(COVERED_ON_A_SOCKET))
    assert not missing, (
        f"No capture_events test names {missing}: add one in the tests of the app that "
        "sends it, triggering it through its service and picking it out with "
        "events.named(...)."
    )


def test_the_events_covered_on_a_socket_are_catalogue_events_with_their_tests():
    """The exemptions hold: each is a catalogue event no service publishes, and its
    consumer test exists and names it."""
    assert set(COVERED_ON_A_SOCKET) <= set(catalogue())
    for event, (file, test_name) in COVERED_ON_A_SOCKET.items():
        path = TESTS / file
        assert path.exists(), f"{event}: {file} is gone"
        tests = {t.name: t for t in _tests(ast.parse(path.read_text()))}
        assert test_name in tests, f"{event}: {file} has no {test_name}"
        constants = {
            n.value
            for n in ast.walk(tests[test_name])
            if isinstance(n, ast.Constant) and isinstance(n.value, str)
        }
        assert event in constants, f"{file}::{test_name} does not look at {event!r}"
    assert not set(COVERED_ON_A_SOCKET) & set(covered_events()), (
        "An event covered by a capture_events test needs no exemption: remove it from "
        "COVERED_ON_A_SOCKET"
    )


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "def test_a(capture_events):\n"
            "    with capture_events() as events:\n        pass\n"
            "    assert events.named('posted')\n",
            {"posted"},
        ),
        (
            "def test_b(capture_events):\n"
            "    assert [e.event for e in events] == ['posted', 'typing']\n"
            "    assert event.event == 'user_added'\n",
            {"posted", "typing", "user_added"},
        ),
        # Not a capture_events test: the name does not count.
        ("def test_c(delivered):\n    assert delivered.named('posted')\n", set()),
        # A string that is not compared with an event's name does not count.
        ("def test_d(capture_events):\n    assert message == 'posted'\n", set()),
    ],
)
def test_the_scan_counts_what_a_capture_events_test_names(tmp_path, source, expected):
    (tmp_path / "test_sample.py").write_text(source)
    assert set(covered_events(tmp_path)) == expected
