"""`make bench`: every benchmark in one run, one table, and var/bench/summary.json.

Floors first (what this machine does without Confab), then the HTTP scenarios, the
realtime ones and search. Each scenario prints its own details as it goes; the summary
table at the end puts every headline figure beside its target and its floor.
`--quick` (`make bench QUICK=1`) runs the small versions, in under two minutes.
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import time
from collections.abc import Sequence

from bench import harness
from bench.harness import log, print_table, save_results

SEARCH_QUICK_ARGS = [
    "--posts", "20000", "--users", "200", "--teams", "4", "--channels", "100",
    "--samples", "10", "--warmup", "2", "--database", "confab_bench_search_quick",
    "--output", str(harness.RESULTS_DIR / "search-quick.json"),
]  # fmt: skip


def _search(quick: bool) -> dict:
    """The search benchmark runs in its own process (its own settings and database)."""
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.bench"
    env.setdefault("DATABASE_URL", harness.database_url("confab_bench_search"))
    args = SEARCH_QUICK_ARGS if quick else []
    subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "bench.search", *args], cwd=harness.ROOT, env=env, check=True
    )
    name = "search-quick.json" if quick else "search.json"
    import json

    return json.loads((harness.RESULTS_DIR / name).read_text())


def _get(data: dict, *path: str, default: float = math.nan):
    for key in path:
        if not isinstance(data, dict) or key not in data:
            return default
        data = data[key]
    return data


def _ratio(value: float, floor: float) -> str:
    if not floor or math.isnan(value) or math.isnan(floor):
        return "—"
    return f"{value / floor:,.2f}x"


def _verdict(ok: bool | None) -> str:
    return "—" if ok is None else ("met" if ok else "MISSED")


def summary_rows(
    floors: dict, http: dict, realtime: dict, search: dict, uploads: dict | None = None
) -> list[list[object]]:
    """The headline figures: (scenario, figure, value, target, verdict, floor, ratio)."""
    rows: list[list[object]] = []
    fan_floor = _get(floors, "fanout_floor_ms", "p50")
    for run in realtime.get("fanout", []):
        p99 = _get(run, "latency_ms", "p99")
        processes = "1 process" if run["servers"] == 1 else f"{run['servers']} processes"
        label = f"fan-out {run['clients']:,} clients, {processes}"
        target = run["clients"] >= 1000 and run["servers"] == 1
        rows.append(
            [
                label,
                "p50 / p99 ms",
                f"{_get(run, 'latency_ms', 'p50'):.1f} / {p99:.1f}",
                "p99 < 50" if target else "",
                _verdict(p99 < 50 and run["lost"] == 0) if target else "—",
                f"{fan_floor:.2f}",
                _ratio(_get(run, "latency_ms", "p50"), fan_floor),
            ]
        )
        rows.append([label, "deliveries/s, lost", f"{run['deliveries_per_s']:,.0f}, {run['lost']}",
                     "0 lost", _verdict(run["lost"] == 0), "", ""])  # fmt: skip
    two = realtime.get("two_processes")
    if two:
        rows.append(
            [
                f"fan-out {two['clients']:,} clients, 2 processes",
                "p50 / p99 ms, lost",
                f"{_get(two, 'latency_ms', 'p50'):.1f} / {_get(two, 'latency_ms', 'p99'):.1f}, "
                f"{two['lost']}",
                "0 lost",
                _verdict(two["lost"] == 0),
                f"{fan_floor:.2f}",
                _ratio(_get(two, "latency_ms", "p50"), fan_floor),
            ]
        )
    insert_floor = _get(floors, "insert", "per_s")
    posts_per_s = _get(http, "post_1", "per_s")
    rows.append(["post throughput, 16 senders", "posts/s", posts_per_s, "≥ 1,000",
                 _verdict(posts_per_s >= 1000), insert_floor,
                 _ratio(posts_per_s, insert_floor)])  # fmt: skip
    http_floor = _get(floors, "http", "p50_ms")
    read_p50 = _get(http, "read_page0", "p50_ms")
    rows.append(["history read, 16 readers", "p50 / p99 ms",
                 f"{read_p50:.1f} / {_get(http, 'read_page0', 'p99_ms'):.1f}", "p50 < 10",
                 _verdict(read_p50 < 10), http_floor, _ratio(read_p50, http_floor)])  # fmt: skip
    reads, http_rate = _get(http, "read_page0", "per_s"), _get(floors, "http", "per_s")
    rows.append(["history read, 16 readers", "requests/s", reads, "", "—", http_rate,
                 _ratio(reads, http_rate)])  # fmt: skip
    per_1000 = _get(realtime, "memory", "mb_per_1000")
    rows.append(["memory, idle sockets", "MB per 1,000", per_1000, "< 50",
                 _verdict(per_1000 < 50), "", ""])  # fmt: skip
    per_post = _get(http, "storage", "posts_post", "bytes_per_post")
    rows.append(["storage, posts table + indexes", "bytes/post", per_post, "≤ 1,536",
                 _verdict(per_post <= 1536), "", ""])  # fmt: skip
    worst = max((c["p95_ms"] for c in search.get("classes", {}).values()), default=math.nan)
    rows.append(["search, 10 query classes", "worst p95 ms", worst, "< 50",
                 _verdict(worst < 50), "", ""])  # fmt: skip
    rows.extend(_upload_rows(uploads or {}))
    return rows


def _upload_rows(uploads: dict) -> list[list[object]]:
    size, cases = uploads.get("size_mb"), uploads.get("cases", {})
    signed_in, anonymous = cases.get("signed in"), cases.get("anonymous")
    if not signed_in or not anonymous:
        return []
    growth, ping = signed_in["rss_growth_mb"], _get(signed_in, "ping", "max")
    return [
        [f"upload {size} MB, signed in", "server RSS growth MB", growth, "< 50",
         _verdict(growth < 50), "", ""],
        [f"upload {size} MB, signed in", "ping during it, max ms", ping, "< 200",
         _verdict(ping < 200), "", ""],
        [f"upload {size} MB, anonymous", "status, MB sent before it",
         f"{anonymous['status']}, {anonymous['sent_mb']:,.1f}", "401 from headers",
         _verdict(anonymous["status"] == 401 and anonymous["sent_mb"] < size / 4), "", ""],
    ]  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small versions, under 2 minutes")
    args = parser.parse_args(argv)
    began = time.perf_counter()

    harness.ensure_database()
    harness.setup_django()
    from bench import floors, http, realtime, uploads

    log("== floors")
    floor_figures = floors.run(quick=args.quick)
    log("== HTTP: post throughput, history read, storage")
    http_figures = http.run(quick=args.quick, floors=floor_figures)
    log("== realtime: fan-out, memory, two processes")
    realtime_figures = realtime.run(quick=args.quick)
    log("== uploads: memory, pings and early refusals")
    upload_figures = uploads.run(size_mb=50 if args.quick else 200)
    log("== search")
    search_figures = _search(args.quick)

    rows = summary_rows(
        floor_figures, http_figures, realtime_figures, search_figures, upload_figures
    )
    log("")
    log(f"== summary{' (quick)' if args.quick else ''}")
    print_table(["scenario", "figure", "value", "target", "", "floor", "ratio"], rows)
    wall = time.perf_counter() - began
    path = save_results(
        "summary-quick" if args.quick else "summary",
        {
            "quick": args.quick,
            "wall_s": round(wall, 1),
            "rows": [[str(c) for c in row] for row in rows],
            "floors": floor_figures,
            "http": http_figures,
            "realtime": realtime_figures,
            "search_classes": search_figures.get("classes", {}),
            "uploads": upload_figures,
        },
    )
    log(f"Wrote {path} ({wall:,.0f} s in all)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
