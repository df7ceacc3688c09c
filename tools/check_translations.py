"""Check the web client's translation catalogues: every message translated, none fuzzy,
and every translation keeping its message's placeholders.

gettext's own tools would let an empty or fuzzy message through silently (the page just
shows English), and a dropped `%(name)s` only fails when that page renders; this makes all
three fail CI instead. Standard library only, so it runs before anything is installed:

    python tools/check_translations.py [catalogue.po ...]
"""

import ast
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = "apps/web/locale/*/LC_MESSAGES/*.po"

# %(name)s, %s, %d ... (not %%), and {name} (not {{ }}).
_PLACEHOLDER = re.compile(r"%\([^)]+\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|%[sdifr]|(?<!\{)\{\w+\}(?!\})")
_KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(\".*\")\s*$")


@dataclass
class Entry:
    """One message of a .po file (the header is the entry whose msgid is empty)."""

    line: int
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)


def _unquote(literal: str) -> str:
    # A .po string is a C string; Python's literal syntax reads the same escapes.
    return ast.literal_eval(literal)


def parse_po(text: str) -> list[Entry]:
    """The entries of a .po file, in order; obsolete (`#~`) entries are left out."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int] | None = None  # which string a continuation line extends
    pending_flags: set[str] = set()

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            target = None
            continue
        if line.startswith("#,"):
            pending_flags |= {f.strip() for f in line[2:].split(",") if f.strip()}
            continue
        if line.startswith("#"):
            continue
        if line.startswith('"'):
            if current is not None and target is not None:
                _append(current, target, _unquote(line))
            continue
        match = _KEYWORD.match(line)
        if match is None:
            raise ValueError(f"line {number}: cannot read {raw!r}")
        keyword, index, literal = match.groups()
        # A msgctxt starts an entry; so does a msgid, unless it follows that entry's msgctxt.
        after_context = target is not None and target[0] == "msgctxt"
        if keyword == "msgctxt" or (keyword == "msgid" and not after_context):
            current = Entry(line=number, flags=pending_flags)
            entries.append(current)
            pending_flags = set()
        if current is None:
            raise ValueError(f"line {number}: {keyword} before any msgid")
        slot = int(index) if index is not None else 0
        target = (keyword.split("[")[0], slot)
        _set(current, target, _unquote(literal))
    return entries


def _set(entry: Entry, target: tuple[str, int], value: str) -> None:
    keyword, slot = target
    if keyword == "msgstr":
        entry.msgstr[slot] = value
    else:
        setattr(entry, keyword, value)


def _append(entry: Entry, target: tuple[str, int], value: str) -> None:
    keyword, slot = target
    if keyword == "msgstr":
        entry.msgstr[slot] += value
    else:
        setattr(entry, keyword, (getattr(entry, keyword) or "") + value)


def placeholders(text: str) -> set[str]:
    return set(_PLACEHOLDER.findall(text))


def _header_problems(header: str) -> list[str]:
    fields = dict(line.split(":", 1) for line in header.splitlines() if ":" in line)
    fields = {k.strip(): v.strip() for k, v in fields.items()}
    problems = [f"the header has no {k}" for k in ("Language", "Plural-Forms") if not fields.get(k)]
    if "charset=UTF-8" not in fields.get("Content-Type", ""):
        problems.append("the header's Content-Type is not charset=UTF-8")
    return problems


def check_file(path: Path) -> list[str]:
    """What is wrong with one catalogue, one line per problem."""
    try:
        entries = parse_po(path.read_text(encoding="utf-8"))
    except (ValueError, SyntaxError, UnicodeDecodeError) as error:
        return [f"{path}: unreadable: {error}"]
    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    problems: list[str] = []
    for entry in entries:
        where = f"{shown}:{entry.line}"
        if not entry.msgid:  # the header
            if "fuzzy" in entry.flags:
                problems.append(f"{where}: the header is marked fuzzy")
            problems += [f"{where}: {p}" for p in _header_problems(entry.msgstr.get(0, ""))]
            continue
        name = repr(entry.msgid)
        if "fuzzy" in entry.flags:
            problems.append(f"{where}: fuzzy: {name}")
        if not entry.msgstr or any(not s for s in entry.msgstr.values()):
            problems.append(f"{where}: untranslated: {name}")
            continue
        expected = placeholders(entry.msgid) | placeholders(entry.msgid_plural or "")
        for slot, translation in sorted(entry.msgstr.items()):
            found = placeholders(translation)
            if found != expected:
                problems.append(
                    f"{where}: placeholders differ in msgstr[{slot}] of {name}: "
                    f"expected {sorted(expected)}, found {sorted(found)}"
                )
    return problems


def catalogues(root: Path = ROOT) -> list[Path]:
    return sorted(root.glob(CATALOGUES))


def check(paths: list[Path] | None = None) -> list[str]:
    """Every problem in the given catalogues (by default, all of the web client's)."""
    paths = catalogues() if paths is None else paths
    if not paths:
        return [f"no catalogues found under {ROOT / CATALOGUES}"]
    return [problem for path in paths for problem in check_file(path)]


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or None
    problems = check(paths)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} translation problem(s)", file=sys.stderr)
        return 1
    print(f"{len(paths or catalogues())} catalogue(s) complete")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
