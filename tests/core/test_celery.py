"""Background jobs run in a real Celery worker, on the embedded filesystem queue and on
Redis, and the daily session purge is scheduled."""

import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from celery import Celery
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.utils import timezone

from config.celery import app as confab_celery

ROOT = Path(__file__).resolve().parents[2]
PURGE_TASK = "apps.accounts.tasks.session_purge_expired_task"


def test_session_purge_is_scheduled_daily():
    entry = settings.CELERY_BEAT_SCHEDULE["purge-expired-sessions"]
    assert entry["task"] == PURGE_TASK
    schedule = entry["schedule"]
    assert schedule.hour == {3} and schedule.minute == {17}
    confab_celery.loader.import_default_modules()
    assert PURGE_TASK in confab_celery.tasks


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or "postgres"
    if db.get("PASSWORD"):
        user = f"{user}:{db['PASSWORD']}"
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}@{host}:{port}/{db['NAME']}"


def _make_sessions() -> tuple[str, str]:
    expired = SessionStore()
    expired["n"] = 1
    expired.create()
    Session.objects.filter(session_key=expired.session_key).update(
        expire_date=timezone.now() - timedelta(days=1)
    )
    live = SessionStore()
    live["n"] = 2
    live.create()
    return expired.session_key, live.session_key


def _wait_until(predicate, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.25)
    return False


def _run_purge_through_worker(broker_url: str, var_dir: Path, transport_options: dict) -> None:
    expired_key, live_key = _make_sessions()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": broker_url,
        "CONFAB_VAR_DIR": str(var_dir),
        "CONFAB_ENV": "development",
    }
    env.pop("REDIS_URL", None)
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "-Q",
            f"confab-test-{os.getpid()}",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        # Not the current app: it would take over every shared task of this test process
        # (with no eager setting), and later tests' tasks would go to this broker unrun.
        sender = Celery("confab-test-sender", broker=broker_url, set_as_current=False)
        sender.conf.broker_transport_options = transport_options
        sender.send_task(PURGE_TASK, queue=f"confab-test-{os.getpid()}")
        purged = _wait_until(lambda: not Session.objects.filter(session_key=expired_key).exists())
    finally:
        worker.terminate()
        output, _ = worker.communicate(timeout=30)
    assert purged, f"The worker did not purge the expired session:\n{output}"
    assert Session.objects.filter(session_key=live_key).exists()
    assert "succeeded" in output


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_embedded_worker_runs_jobs_from_the_filesystem_queue(tmp_path):
    folders = {name: tmp_path / "celery" / name for name in ("queue", "processed", "control")}
    for folder in folders.values():
        folder.mkdir(parents=True)
    options = {
        "data_folder_in": str(folders["queue"]),
        "data_folder_out": str(folders["queue"]),
        "processed_folder": str(folders["processed"]),
        "control_folder": str(folders["control"]),
    }
    _run_purge_through_worker("filesystem://", tmp_path, options)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_worker_runs_jobs_from_the_redis_broker(redis_url, tmp_path):
    _run_purge_through_worker(redis_url, tmp_path, {})
