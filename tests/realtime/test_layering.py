"""Presence lives in the realtime app (issue 13 §3): realtime reads and writes accounts'
data through accounts' models, selectors and permissions, never through its services,
and no chain of imports (those inside functions included) leads from one app back to
itself through the other."""

import ast
from pathlib import Path

APPS = Path(__file__).resolve().parents[2] / "apps"


def _module_name(path: Path) -> str:
    parts = path.relative_to(APPS.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _import_graph() -> dict[str, set[str]]:
    """Module -> the apps modules it imports, at any depth of its syntax tree."""
    modules = {_module_name(p): p for p in APPS.rglob("*.py") if "migrations" not in p.parts}

    def resolve(target: str) -> str | None:
        while target and target not in modules:
            target = target.rpartition(".")[0]
        return target or None

    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                targets.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                targets.add(node.module)
                targets.update(f"{node.module}.{a.name}" for a in node.names)
        resolved = {resolve(t) for t in targets if t.startswith("apps.")}
        graph[name] = {m for m in resolved if m and m != name}
    return graph


def _reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for nxt in graph[todo.pop()] - seen:
            seen.add(nxt)
            todo.append(nxt)
    return seen


def test_realtime_imports_no_accounts_service() -> None:
    graph = _import_graph()
    offenders = {
        module: sorted(t for t in targets if t.startswith("apps.accounts.services"))
        for module, targets in graph.items()
        if module.startswith("apps.realtime")
    }
    assert not {m: t for m, t in offenders.items() if t}


def test_no_import_cycle_runs_through_accounts_and_realtime() -> None:
    graph = _import_graph()
    reachable = {module: _reachable(graph, module) for module in graph}
    cycles = [
        (start, middle)
        for start in graph
        if start.startswith("apps.accounts")
        for middle in reachable[start]
        if middle.startswith("apps.realtime") and start in reachable[middle]
    ]
    assert not cycles
