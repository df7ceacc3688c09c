"""The web client answers every realtime event of the catalogue (issue 13 §1).

apps/web/static/web/js/events.js holds HANDLERS (event name -> the handlers the socket
runs) and IGNORED (events the page leaves alone on purpose, each with its reason in a
comment). A catalogue event in neither list is one the browser receives and drops without
anyone having decided so; a name in them that the catalogue lacks is a handler for an
event the server never sends (a typo, or an event since removed).
"""

import re
from pathlib import Path

import pytest

from apps.realtime.catalogue import catalogue

JS = Path(__file__).resolve().parents[2] / "apps" / "web" / "static" / "web" / "js"
EVENTS_JS = JS / "events.js"

_TOKEN = re.compile(
    r"""
      (?P<comment>//[^\n]*|/\*.*?\*/)
    | (?P<string>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
    | (?P<name>[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)
    | (?P<open>[{\[(])
    | (?P<close>[}\])])
    | (?P<punct>[,:;=])
    | (?P<space>\s+)
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


def _tokens(source: str) -> list[tuple[str, str]]:
    """(kind, text) of the source, without comments and white space."""
    return [
        (m.lastgroup, m.group())
        for m in _TOKEN.finditer(source)
        if m.lastgroup not in ("comment", "space")
    ]


def _literal(source: str, name: str, opening: str) -> list[tuple[str, str]]:
    """The tokens inside `export const <name> = <opening> ... <closing>;`, brackets
    matched (so a nested array or call cannot end it early)."""
    tokens = _tokens(source)
    head = [("name", "export"), ("name", "const"), ("name", name), ("punct", "=")]
    for start in range(len(tokens) - len(head)):
        if tokens[start : start + len(head)] == head:
            break
    else:
        raise AssertionError(f"events.js has no `export const {name} = ...`")
    first = start + len(head)
    assert tokens[first] == ("open", opening), f"{name} must be a plain {opening} literal"
    depth = 0
    for index in range(first, len(tokens)):
        kind, _text = tokens[index]
        depth += {"open": 1, "close": -1}.get(kind, 0)
        if depth == 0:
            return tokens[first + 1 : index]
    raise AssertionError(f"{name}: unbalanced brackets")


def _split_top_level(tokens: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    """The entries of a literal's body: split at the commas outside nested brackets."""
    entries: list[list[tuple[str, str]]] = [[]]
    depth = 0
    for kind, text in tokens:
        if kind == "punct" and text == "," and depth == 0:
            entries.append([])
            continue
        depth += {"open": 1, "close": -1}.get(kind, 0)
        entries[-1].append((kind, text))
    return [entry for entry in entries if entry]


def _unquote(kind: str, text: str) -> str:
    return text[1:-1] if kind == "string" else text


def handler_table(source: str) -> dict[str, list[str]]:
    """HANDLERS as {event name: the handler references in its array}."""
    table: dict[str, list[str]] = {}
    for entry in _split_top_level(_literal(source, "HANDLERS", "{")):
        assert (
            len(entry) >= 2
            and entry[0][0] in ("name", "string")
            and entry[1]
            == (
                "punct",
                ":",
            )
        ), f"HANDLERS: not a `name: [handlers]` entry: {entry}"
        key = _unquote(*entry[0])
        assert key not in table, f"HANDLERS lists {key!r} twice (JavaScript keeps the last)"
        value = entry[2:]
        assert value[0] == ("open", "[") and value[-1] == ("close", "]"), (
            f"HANDLERS[{key!r}] must be an array of handlers"
        )
        table[key] = [text for kind, text in value if kind == "name"]
    return table


def ignored_list(source: str) -> list[str]:
    names: list[str] = []
    for entry in _split_top_level(_literal(source, "IGNORED", "[")):
        assert len(entry) == 1 and entry[0][0] == "string", (
            f"IGNORED holds only event names as strings: {entry}"
        )
        names.append(_unquote(*entry[0]))
    return names


def _exports(path: Path) -> set[str]:
    source = path.read_text()
    return set(
        re.findall(r"^export\s+(?:async\s+)?(?:function\*?|const|let)\s+([\w$]+)", source, re.M)
    )


def _imports(source: str) -> dict[str, Path]:
    """What events.js may refer to: `ns.` for `import * as ns`, or a named import."""
    known: dict[str, Path] = {}
    for namespace, path in re.findall(r'import \* as (\w+) from "\./([\w-]+\.js)"', source):
        known[namespace + "."] = JS / path
    for names, path in re.findall(r'import \{([^}]*)\} from "\./([\w-]+\.js)"', source):
        for name in names.split(","):
            if name.strip():
                known[name.strip()] = JS / path
    return known


# --- the tests ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def source() -> str:
    return EVENTS_JS.read_text()


def test_every_catalogue_event_is_handled_or_ignored_on_purpose(source):
    handled = set(handler_table(source))
    ignored = set(ignored_list(source))
    unanswered = sorted(set(catalogue()) - handled - ignored)
    assert not unanswered, (
        f"The web client receives {unanswered} and has no handler for them: add one to "
        "HANDLERS in apps/web/static/web/js/events.js, or list the event in IGNORED with why."
    )


def test_the_web_client_names_only_catalogue_events(source):
    names = set(handler_table(source)) | set(ignored_list(source))
    unknown = sorted(names - set(catalogue()))
    assert not unknown, f"events.js names events the catalogue does not have: {unknown}"


def test_an_event_is_either_handled_or_ignored_not_both(source):
    ignored = ignored_list(source)
    assert len(ignored) == len(set(ignored)), ignored
    both = sorted(set(handler_table(source)) & set(ignored))
    assert not both, f"Handled and ignored at once: {both}"


def test_every_handler_is_exported_by_the_module_it_names(source):
    """A misspelt handler is `undefined` in the table, and the socket would throw on
    each frame of that event."""
    imports = _imports(source)
    missing = []
    for event, handlers in handler_table(source).items():
        assert handlers, f"HANDLERS[{event!r}] is empty: list the event in IGNORED instead"
        for ref in handlers:
            namespace, _, name = ref.rpartition(".")
            module = imports.get(f"{namespace}." if namespace else name)
            if module is None or (name if namespace else ref) not in _exports(module):
                missing.append(f"{event}: {ref}")
    assert not missing, f"Handlers that no imported module exports: {missing}"


def test_the_socket_dispatches_through_the_table_alone():
    """The table is the whole list only if nothing else listens to the socket."""
    app = (JS / "app.js").read_text()
    assert re.search(r'^import \{ HANDLERS \} from "\./events\.js";$', app, re.M)
    assert "connect(HANDLERS)" in app
    for path in JS.glob("*.js"):
        text = path.read_text()
        if path.name != "socket.js":
            assert "new WebSocket" not in text, path.name
        assert "onEvent(" not in text and "confab:ws" not in text, path.name


def test_the_reader_sees_what_a_table_would_hide():
    """The parser itself: keys of nested objects and strings in comments do not count,
    and an entry it cannot read fails instead of being skipped."""
    source = """
        export const HANDLERS = {
          // not_a_key: [],
          posted: [channel.posted, rhs.posted],
          "typing": [presence.typing], /* fake: [x] */
          hello: [greeted],
        };
        export const IGNORED = [
          "new_user", // "user_updated"
        ];
    """
    assert handler_table(source) == {
        "posted": ["channel.posted", "rhs.posted"],
        "typing": ["presence.typing"],
        "hello": ["greeted"],
    }
    assert ignored_list(source) == ["new_user"]
    with pytest.raises(AssertionError):
        handler_table("export const HANDLERS = { posted: [a], posted: [b] };")
    with pytest.raises(AssertionError):
        handler_table("export const HANDLERS = { ...others, posted: [a] };")
    with pytest.raises(AssertionError):
        ignored_list("export const IGNORED = [...MORE];")
