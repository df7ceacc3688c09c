"""SECURITY 23 for search: a post is found whatever happened to its index task. A task the
broker refuses is replaced by indexing inline; a task the broker took and then lost is
made good by the catch-up job that beat runs."""

import pytest
from django.conf import settings
from kombu.exceptions import OperationalError

from apps.core.timeutils import now_ms
from apps.posts.models import Post
from apps.posts.services import post_create_system, post_delete, post_edit
from apps.search import receivers
from apps.search.tasks import search_catch_up_task, search_index_posts_task

pytestmark = pytest.mark.django_db


def _refuse_tasks(monkeypatch) -> list[list[str]]:
    """From now on the broker refuses every task (as Celery does when Redis is unreachable);
    returns the tasks it was asked to take."""
    asked: list[list[str]] = []

    def refuse(args, **options):
        asked.append(args[0])
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(search_index_posts_task, "apply_async", refuse)
    monkeypatch.setattr(receivers, "_broker_quiet_until", 0.0)
    return asked


@pytest.fixture
def broker_down(monkeypatch) -> list[list[str]]:
    return _refuse_tasks(monkeypatch)


@pytest.fixture
def broker_loses(monkeypatch) -> list[list[str]]:
    """The broker takes every task and then loses it (a Redis that restarted empty)."""
    taken: list[list[str]] = []
    monkeypatch.setattr(
        search_index_posts_task, "apply_async", lambda args, **options: taken.append(args[0])
    )
    return taken


def test_a_post_the_broker_refuses_is_indexed_inline(world, posted, search, broker_down):
    w = world
    first = posted(w.alice, w.lobby, "Outage drill at noon")
    assert search(w.bob, "drill") == ["Outage drill at noon"]
    assert broker_down == [[first.id]]

    # For a while the broker is not asked again: one timeout per outage, not one per post.
    posted(w.alice, w.lobby, "Drill over")
    assert search(w.bob, "drill") == ["Drill over", "Outage drill at noon"]
    assert broker_down == [[first.id]]


def test_an_edit_or_deletion_the_broker_refuses_reaches_the_index(
    world, posted, search, monkeypatch, django_capture_on_commit_callbacks
):
    w = world
    edited = posted(w.alice, w.lobby, "Drill at noon")
    deleted = posted(w.alice, w.lobby, "Drill at one")
    assert search(w.bob, "drill") == ["Drill at one", "Drill at noon"]

    _refuse_tasks(monkeypatch)
    with django_capture_on_commit_callbacks(execute=True):
        post_edit(actor=w.alice, post_id=edited.id, message="Evacuation at noon")
    with django_capture_on_commit_callbacks(execute=True):
        post_delete(actor=w.alice, post_id=deleted.id)
    assert search(w.bob, "drill") == []
    assert search(w.bob, "evacuation") == ["Evacuation at noon"]


def test_the_catch_up_job_indexes_recent_posts_whose_task_was_lost(
    world, posted, search, broker_loses
):
    w = world
    posted(w.alice, w.lobby, "Lost in the outage")
    posted(w.bob, w.dm, "Also lost in the outage")
    gone = posted(w.alice, w.lobby, "Lost and then deleted")
    posted(w.alice, w.lobby, "Lost long ago")
    Post.objects.filter(message="Lost long ago").update(create_at=now_ms() - 2 * 86_400_000)
    post_delete(actor=w.alice, post_id=gone.id)
    post_create_system(
        actor=w.alice, channel=w.lobby, post_type="system_header_change", message="lost header"
    )
    assert len(broker_loses) == 4
    assert search(w.alice, "lost", everywhere=True) == []

    assert search_catch_up_task() == 2
    assert search(w.alice, "lost", everywhere=True) == [
        "Also lost in the outage",
        "Lost in the outage",
    ]
    # Idempotent: a second run finds nothing left to do.
    assert search_catch_up_task() == 0


def test_beat_runs_the_catch_up_job():
    entry = settings.CELERY_BEAT_SCHEDULE["search-catch-up"]
    assert entry["task"] == search_catch_up_task.name
    assert entry["schedule"].minute == set(range(0, 60, 10))
