"""The HTTP load process: concurrent workers, each on one keep-alive connection.

Run by the orchestrator as `python -m bench.load_http` (see `harness.run_load`): the
config comes as JSON on stdin, the raw results go out as one JSON line on stdout.

Config:

    {"duration_s": 30, "warmup_s": 1, "timeout_s": 10,
     "workers": [{"base_url": "http://127.0.0.1:8000", "token": "...",   # token optional
                  "requests": [{"label": "page 0", "method": "GET", "path": "/api/v4/..."}],
                  "post": {"channel_id": "...", "user_id": "..."}}],    # optional
     "corpus": {"seed": "...", "mention_names": ["bench00001", ...], "pool": 2000},
     "expect": [200, 201]}

A worker sends its `requests` in turn, or, with `post`, creates posts in that channel as
Mattermost's clients do (`POST /api/v4/posts` with a message from `bench.corpus` and a
`pending_post_id`), each as soon as the previous one is answered, until the time is up.
Only requests that start after the warm-up and finish within `duration_s` after it count.
"""

from __future__ import annotations

import asyncio
import json
import math
import resource
import sys
import time
from collections import Counter, defaultdict

import httpx

from bench.harness import percentile

POST_PATH = "/api/v4/posts"


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Recorder:
    """Latencies of the requests inside the measured window, by label, and the failures."""

    def __init__(self, *, window_start: float, window_end: float, expect: set[int]) -> None:
        self.window_start = window_start
        self.window_end = window_end
        self.expect = expect
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.statuses: Counter[str] = Counter()
        self.errors = 0
        self.error_samples: list[str] = []
        self.total = 0  # every answer, in the window or not (for CPU per request)

    def record(self, label: str, began: float, ended: float, status: int | str, body=b"") -> None:
        self.total += 1
        if began < self.window_start or ended > self.window_end:
            return
        self.statuses[str(status)] += 1
        if status in self.expect:
            self.latencies[label].append(round((ended - began) * 1000, 3))
            return
        self.errors += 1
        if len(self.error_samples) < 5:
            text = body.decode(errors="replace")[:300] if isinstance(body, bytes) else str(body)
            self.error_samples.append(f"{label}: {status} {text}")


def _messages(corpus: dict | None) -> list[str]:
    from bench.corpus import Corpus

    corpus = corpus or {}
    source = Corpus(corpus.get("seed", "load_http"), mention_names=corpus.get("mention_names", ()))
    return source.messages(int(corpus.get("pool", 2000)))


async def _worker(
    number: int, spec: dict, recorder: Recorder, end: float, messages: list[str], timeout: float
) -> None:
    headers = {"Authorization": f"Bearer {spec['token']}"} if spec.get("token") else {}
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    async with httpx.AsyncClient(
        base_url=spec["base_url"], headers=headers, limits=limits, timeout=timeout
    ) as client:
        post = spec.get("post")
        requests = spec.get("requests") or []
        sent = 0
        while time.perf_counter() < end:
            if post:
                label, method, path = "post", "POST", POST_PATH
                # Mattermost's clients name a pending post `<user id>:<time in ms>`.
                body = {
                    "channel_id": post["channel_id"],
                    "message": messages[(number * 7919 + sent) % len(messages)],
                    "pending_post_id": f"{post.get('user_id', number)}:{time.time_ns()}",
                }
            else:
                request = requests[sent % len(requests)]
                label, method, path = (
                    request.get("label", "request"),
                    request["method"],
                    request["path"],
                )
                body = request.get("json")
            sent += 1
            began = time.perf_counter()
            try:
                answer = await client.request(method, path, json=body)
                content = answer.content
                status: int | str = answer.status_code
            except httpx.HTTPError as error:
                content, status = repr(error).encode(), type(error).__name__
            recorder.record(label, began, time.perf_counter(), status, content)


async def run(config: dict) -> dict:
    duration = float(config["duration_s"])
    warmup = float(config.get("warmup_s", 1.0))
    timeout = float(config.get("timeout_s", 10.0))
    workers = config["workers"]
    messages = _messages(config.get("corpus")) if any(w.get("post") for w in workers) else []
    started = time.perf_counter()
    recorder = Recorder(
        window_start=started + warmup,
        window_end=started + warmup + duration,
        expect=set(config.get("expect", [200, 201])),
    )
    cpu_before = _cpu_seconds()
    await asyncio.gather(
        *(
            _worker(number, spec, recorder, recorder.window_end, messages, timeout)
            for number, spec in enumerate(workers)
        )
    )
    wall = time.perf_counter() - started
    return {
        "duration_s": duration,
        "warmup_s": warmup,
        "workers": len(workers),
        "latencies_ms": dict(recorder.latencies),
        "statuses": dict(recorder.statuses),
        "errors": recorder.errors,
        "total_requests": recorder.total,
        "error_samples": recorder.error_samples,
        # How busy the load process itself was: near 1.0 means the client is the limit.
        "load_cpu_share": round((_cpu_seconds() - cpu_before) / wall, 3) if wall else 0.0,
    }


# --- figures from the raw results (used by the orchestrating process) ---------------------------


def summarize(raw: dict, label: str | None = None) -> dict:
    """Requests per second, latency percentiles (ms) and errors of one label, or of all."""
    if label is None:
        samples = [s for values in raw["latencies_ms"].values() for s in values]
    else:
        samples = list(raw["latencies_ms"].get(label, []))
    duration = float(raw["duration_s"])
    return {
        "n": len(samples),
        "per_s": round(len(samples) / duration, 1) if duration else math.nan,
        "p50_ms": round(percentile(samples, 50), 2),
        "p95_ms": round(percentile(samples, 95), 2),
        "p99_ms": round(percentile(samples, 99), 2),
        "max_ms": round(max(samples), 2) if samples else math.nan,
        "errors": int(raw.get("errors", 0)),
        "total_requests": int(raw.get("total_requests", len(samples))),
        "load_cpu_share": raw.get("load_cpu_share"),
    }


def ratio(value: float, floor: float) -> float:
    """`value / floor`, NaN when either is missing or the floor is zero."""
    if not floor or value is None or floor is None or math.isnan(value) or math.isnan(floor):
        return math.nan
    return round(value / floor, 3)


def main() -> int:
    config = json.loads(sys.stdin.read())
    result = asyncio.run(run(config))
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
