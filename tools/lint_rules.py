"""The layering rules of STYLE.md §5, checked with plain regexes (run by `make lint`)."""

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
    ("use .id, not .pk", "apps/**/*.py", re.compile(r"\.pk\b"), None),
    (
        "no bare .save() in services: pass update_fields (or force_insert for new rows)",
        "apps/*/services/*.py",  # services split into a package by area
        re.compile(r"\.save\(\s*\)"),
        None,
    ),
    (
        "no bare .save() in services: pass update_fields (or force_insert for new rows)",
        "apps/*/services.py",
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


def main() -> int:
    failures = []
    for description, glob, pattern, exempt in RULES:
        for path in sorted(ROOT.glob(glob)):
            if "migrations" in path.parts or _exempt(path, exempt):
                continue
            for lineno, line in enumerate(path.read_text().splitlines(), start=1):
                if pattern.search(line):
                    failures.append(f"{path.relative_to(ROOT)}:{lineno}: {description}")
    for failure in failures:
        print(failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
