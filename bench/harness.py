"""What every server benchmark shares: Confab started the way production runs it, a
seeded world of users with tokens, and figures summarised, printed and saved.

The servers are daphne processes on `config.settings.prod` (DEBUG off, PostgreSQL,
Redis for realtime, cache and jobs), listening on 127.0.0.1 only. Load comes from other
processes; this module runs in the orchestrating one.
"""

from __future__ import annotations

import json
import math
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "var" / "bench"
SERVER_LOGS = RESULTS_DIR / "logs"  # each server's stderr, by server and port
PG_SERVER_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/3")
DATABASE_NAME = "confab_bench_rt"
# A fixed key for the benchmark's own throwaway database; never a real server's.
SECRET_KEY = "bench-" + "k3y-for-the-benchmark-servers-only-never-deployed-0123456789"


def log(message: str) -> None:
    print(message, flush=True)


# --- the database ------------------------------------------------------------------------------


def database_url(name: str = DATABASE_NAME) -> str:
    return f"{PG_SERVER_URL}/{name}"


def server_environment(name: str = DATABASE_NAME) -> dict[str, str]:
    """The environment of a production process, pointed at the benchmark's services."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.prod",
        DJANGO_SECRET_KEY=SECRET_KEY,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=database_url(name),
        REDIS_URL=REDIS_URL,
        # The load is many users at once from one address; limits would measure themselves.
        CONFAB_RATE_LIMIT_ENABLED="false",
        CONFAB_SECURE_COOKIES="false",
        CONFAB_LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    return env


def ensure_database(name: str = DATABASE_NAME, *, fresh: bool = False) -> None:
    """Create the benchmark database (dropped first when `fresh`) and migrate it."""
    with psycopg.connect(f"{PG_SERVER_URL}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and fresh:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=server_environment(name),
        check=True,
    )


def setup_django(name: str = DATABASE_NAME) -> None:
    """Use Django in this process against the benchmark database (for seeding)."""
    for key, value in server_environment(name).items():
        os.environ[key] = value
    import django

    django.setup()


# --- servers -------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    process: subprocess.Popen
    port: int
    kind: str = "daphne"  # which ASGI server

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/api/v4/websocket"

    def rss_bytes(self) -> int:
        return rss_bytes(self.process.pid)


def rss_bytes(pid: int) -> int:
    """Resident memory of a process, from /proc (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def _wait_ready(server: Server, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(
                f"{server.kind} on port {server.port} exited ({server.process.returncode})"
            )
        try:
            with urllib.request.urlopen(f"{server.url}/healthz", timeout=2) as answer:  # noqa: S310
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{server.kind} on port {server.port} did not answer within {timeout} s")


SERVERS = ("daphne", "uvicorn")


def server_command(server: str, app: str, port: int) -> list[str]:
    """The command line of one ASGI server process: daphne (production's) or, to compare,
    uvicorn with one worker and the `websockets` implementation."""
    if server == "daphne":
        return [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), app]
    if server == "uvicorn":
        return [
            sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port),
            "--no-access-log", "--log-level", "warning", "--ws", "websockets",
        ]  # fmt: skip
    raise ValueError(f"unknown ASGI server {server!r}; one of {', '.join(SERVERS)}")


@contextmanager
def servers(
    count: int = 1,
    *,
    name: str = DATABASE_NAME,
    app: str = "config.asgi:application",
    server: str = "daphne",
    extra_env: dict[str, str] | None = None,
):
    """`count` processes of the ASGI `server` (daphne, as production starts it, or
    uvicorn) serving `app`, with `extra_env` over the production environment."""
    started: list[Server] = []
    try:
        for _ in range(count):
            port = free_port()
            # To a file, not a pipe nobody reads: a full pipe would stall the server on its
            # next log line (an error's traceback, say).
            SERVER_LOGS.mkdir(parents=True, exist_ok=True)
            command = server_command(server, app, port)
            with (SERVER_LOGS / f"{server}-{port}.log").open("wb") as log_file:
                process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
                    command,
                    cwd=ROOT,
                    env={**server_environment(name), **(extra_env or {})},
                    stdout=subprocess.DEVNULL,
                    stderr=log_file,
                )
            started.append(Server(process, port, server))
        for each in started:
            _wait_ready(each)
        yield started
    finally:
        for each in started:
            each.process.terminate()
        for each in started:
            try:
                each.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                each.process.kill()


def run_load(module: str, config: dict, *, timeout: float) -> dict:
    """Run a load generator (`python -m bench.<module>`) in its own process: the config goes
    in as JSON on stdin, the figures come back as JSON on the last line of stdout."""
    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", module],
        cwd=ROOT,
        input=json.dumps(config),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{module} failed ({done.returncode}):\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- figures ---------------------------------------------------------------------------------


def percentile(samples: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile: the smallest sample with `pct`% of samples at or below."""
    if not samples:
        return math.nan
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


def summary_ms(samples: Sequence[float]) -> dict[str, float]:
    """p50/p95/p99/max of samples in milliseconds, with their count."""
    return {
        "n": len(samples),
        "p50": round(percentile(samples, 50), 2),
        "p95": round(percentile(samples, 95), 2),
        "p99": round(percentile(samples, 99), 2),
        "max": round(max(samples), 2) if samples else math.nan,
    }


def save_results(name: str, data: dict) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    return path


def print_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    cells = [[str(h) for h in headers]] + [[_cell(v) for v in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    for index, row in enumerate(cells):
        log(
            "  ".join(
                c.ljust(w) if i == 0 else c.rjust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )
        if index == 0:
            log("  ".join("-" * w for w in widths))


def _cell(value: object) -> str:
    if isinstance(value, float):
        return "—" if math.isnan(value) else f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def new_run_id() -> str:
    return secrets.token_hex(4)


def iter_chunks(items: Sequence, size: int) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
