"""The layering rules of STYLE.md §5, checked with plain regexes (run by `make lint`),
and one syntax-tree check where a regex cannot follow a queryset through a name."""

import ast
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# (description, file glob, pattern, glob of files exempt)
RULES = [
    (
        "no Channel/Post .objects.get in API views; use access_* instead",
        "apps/*/api/**/*.py",
        re.compile(r"\b(Channel|Post)\.objects\.get\("),
        None,
    ),
    (
        "no channel layer or group_send outside apps/realtime",
        "apps/**/*.py",
        re.compile(r"\bgroup_send\b|\bget_channel_layer\b"),
        "apps/realtime/**",
    ),
    (
        "publish_event is called from services only",
        "apps/**/*.py",
        re.compile(r"\bpublish_event\("),
        ("apps/*/services.py", "apps/*/services/*.py", "apps/realtime/**"),
    ),
    (
        "events are built by their app's events.py builders (the catalogue), never inline",
        "apps/**/*.py",
        # An Event made by hand, or an EventType's build() called outside its events.py.
        re.compile(r"(?<![.\w])Event\(|\b[A-Z][A-Z_]+\.build\("),
        ("apps/*/events.py", "apps/realtime/catalogue.py"),
    ),
    (
        "publish_event takes an event from a builder, not a name and a dict",
        "apps/**/*.py",
        re.compile(r"\bpublish_event\(\s*(f?[\"']|\w+\s*,)"),
        None,
    ),
    ("use .id, not .pk", "apps/**/*.py", re.compile(r"\.pk\b"), None),
    (
        "no bare .save() in services: pass update_fields (or force_insert for new rows)",
        "apps/*/services/*.py",  # services split into a package by area
        re.compile(r"\.save\(\s*\)"),
        None,
    ),
    (
        "no bare .save() in services: pass update_fields (or force_insert for new rows)",
        "apps/*/services*.py",  # services.py and its siblings (integrations' services_*.py)
        re.compile(r"\.save\(\s*\)"),
        None,
    ),
]


def _exempt(path: Path, exempt) -> bool:
    if exempt is None:
        return False
    patterns = (exempt,) if isinstance(exempt, str) else exempt
    rel = path.relative_to(ROOT)
    return any(rel.match(p) or str(rel).startswith(p.rstrip("*")) for p in patterns)


# Membership rows and the one app that writes them (issue 13 §2): another app calls the
# owner's service (teams: channels.services.channel_memberships_end_for_team_leave).
MEMBERSHIP_OWNERS = {"ChannelMember": "apps/channels/", "TeamMember": "apps/teams/"}
# Related managers that reach membership rows from a channel, a team or a user; `members`
# is the name on both Channel and Team, so only the two owners may write through it.
MEMBERSHIP_MANAGERS = {
    "channel_memberships": ("apps/channels/",),
    "team_memberships": ("apps/teams/",),
    "members": ("apps/channels/", "apps/teams/"),
}
# Queryset and instance methods that write rows. The owners' own queryset methods that
# move counters (ChannelMember.objects...mark_read, defined in apps/channels/models.py)
# are theirs to define, so they are not listed.
WRITE_METHODS = frozenset(
    {
        "create",
        "bulk_create",
        "get_or_create",
        "update_or_create",
        "bulk_update",
        "update",
        "delete",
        "save",
    }
)
MEMBERSHIP_RULE = (
    "membership rows are written by their own app only: ChannelMember in apps/channels, "
    "TeamMember in apps/teams; call the owner's service"
)


def _membership_owners(node: ast.AST, bound: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """The apps allowed to write what `node` reaches, if it reaches membership rows:
    `ChannelMember.objects...`, a related manager (`user.channel_memberships...`), or a
    name bound to one of those (`left = ChannelMember.objects.filter(...)`)."""
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Subscript):
            node = node.value
        elif isinstance(node, ast.Attribute):
            value = node.value
            if node.attr == "objects" and isinstance(value, ast.Name):
                owner = MEMBERSHIP_OWNERS.get(value.id)
                return (owner,) if owner else ()
            if node.attr in MEMBERSHIP_MANAGERS:
                return MEMBERSHIP_MANAGERS[node.attr]
            node = value
        elif isinstance(node, ast.Name):
            return bound.get(node.id, ())
        else:
            return ()


def _bindings(scope: ast.AST) -> dict[str, tuple[str, ...]]:
    """Names in `scope` bound to membership querysets or rows (assignments and loop
    variables), followed through chains of names."""
    bound: dict[str, tuple[str, ...]] = {}
    changed = True
    while changed:
        changed = False
        for node in ast.walk(scope):
            if isinstance(node, (ast.Assign, ast.AnnAssign, ast.For, ast.comprehension)):
                value = node.iter if isinstance(node, (ast.For, ast.comprehension)) else node.value
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                owners = _membership_owners(value, bound) if value is not None else ()
                names = [n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)]
                for name in names:
                    if owners and bound.get(name) != owners:
                        bound[name] = owners
                        changed = True
    return bound


def membership_write_failures(rel: str, source: str) -> list[str]:
    """Writes to membership rows in the module at `rel` (a path from the repository's
    root) outside their owner app: a write method called on what reaches those rows,
    or a row built by hand (`ChannelMember(...)`)."""
    tree = ast.parse(source, filename=rel)
    scopes = [tree] + [
        n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
    ]
    lines: set[int] = set()
    for scope in scopes:
        bound = _bindings(scope)
        for node in ast.walk(scope):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in WRITE_METHODS:
                owners = _membership_owners(func.value, bound)
            elif isinstance(func, ast.Name) and func.id in MEMBERSHIP_OWNERS:
                owners = (MEMBERSHIP_OWNERS[func.id],)
            else:
                continue
            if owners and not rel.startswith(owners):
                lines.add(node.lineno)
    return [f"{rel}:{lineno}: {MEMBERSHIP_RULE}" for lineno in sorted(lines)]


def main() -> int:
    failures = []
    for description, glob, pattern, exempt in RULES:
        for path in sorted(ROOT.glob(glob)):
            if "migrations" in path.parts or _exempt(path, exempt):
                continue
            for lineno, line in enumerate(path.read_text().splitlines(), start=1):
                if pattern.search(line):
                    failures.append(f"{path.relative_to(ROOT)}:{lineno}: {description}")
    for path in sorted(ROOT.glob("apps/**/*.py")):
        if "migrations" not in path.parts:
            rel = str(path.relative_to(ROOT))
            failures.extend(membership_write_failures(rel, path.read_text()))
    for failure in failures:
        print(failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
