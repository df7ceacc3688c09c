"""`manage.py search_reindex`: the index rebuilt from the posts table alone."""

import io

import pytest
from django.core.management import CommandError, call_command

from apps.posts.models import Post
from apps.posts.services import post_create_system, post_delete
from apps.search.management.commands import search_reindex as command
from apps.search.models import PostSearchEntry
from apps.search.services import search_clear, search_index_new_posts, search_index_posts
from tests.channels.world import say

pytestmark = pytest.mark.django_db


def reindex(*args: str) -> str:
    out = io.StringIO()
    call_command("search_reindex", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def unindexed(world):
    """Posts written without their after-commit indexing: the index knows none of them."""
    say(world.alice, world.lobby, "Release notes for 2.0 #release")
    say(world.bob, world.lobby, "Release party on Friday")
    say(world.bob, world.secret, "Release the secret budget")
    say(world.alice, world.dm, "Release the pizza order")
    doomed = say(world.alice, world.lobby, "Release this retracted message")
    post_delete(actor=world.alice, post_id=doomed.id)
    post_create_system(
        actor=world.alice,
        channel=world.lobby,
        post_type="system_header_change",
        message="alice set the header to Release day",
    )
    assert not PostSearchEntry.objects.exists()
    return world


def test_reindex_makes_unindexed_posts_searchable(unindexed, search):
    w = unindexed
    assert search(w.bob, "release") == []
    output = reindex()
    assert search(w.bob, "release") == [
        "Release the pizza order",
        "Release the secret budget",
        "Release party on Friday",
        "Release notes for 2.0 #release",
    ]
    assert search(w.carol, "#release") == ["Release notes for 2.0 #release"]
    # Who may find what still follows membership, not the rebuild.
    assert search(w.carol, "release") == [
        "Release party on Friday",
        "Release notes for 2.0 #release",
    ]
    assert output.strip().splitlines()[-1] == "Reindexed 4 posts."


def test_deleted_and_system_posts_stay_out_of_the_index(unindexed, search):
    reindex()
    assert search(unindexed.alice, "retracted") == []
    assert search(unindexed.alice, "header") == []
    assert PostSearchEntry.objects.count() == 4


def test_reindex_replaces_a_stale_index_and_runs_again_safely(unindexed, search):
    reindex()
    PostSearchEntry.objects.filter(post__message__startswith="Release party").update(
        body="stale words"
    )
    assert search(unindexed.bob, "stale") == ["Release party on Friday"]
    reindex()
    reindex()
    assert search(unindexed.bob, "stale") == []
    assert search(unindexed.bob, "party") == ["Release party on Friday"]
    assert search(unindexed.bob, "#release") == ["Release notes for 2.0 #release"]
    assert PostSearchEntry.objects.count() == 4


def test_batches_report_progress_and_cover_every_post(unindexed, search):
    output = reindex("--batch-size", "3").strip().splitlines()
    assert output == ["Indexed 3 posts…", "Indexed 4 posts…", "Reindexed 4 posts."]
    assert len(search(unindexed.bob, "release")) == 4


def test_posts_indexed_by_their_own_task_during_the_run_are_kept(unindexed, search, monkeypatch):
    """A post indexed after the clear (a new post's task) is neither duplicated nor lost,
    whether it was indexed before its batch was read or while the batch was written."""
    posts = list(Post.objects.filter(message__startswith="Release", delete_at=0).order_by("id"))

    def clear_then_index_one() -> None:
        search_clear()
        search_index_posts(post_ids=[posts[0].id])

    def index_one_first(batch):
        search_index_posts(post_ids=[batch[-1].id])  # commits before the bulk insert
        return search_index_new_posts(batch)

    monkeypatch.setattr(command, "search_clear", clear_then_index_one)
    monkeypatch.setattr(command, "search_index_new_posts", index_one_first)
    assert reindex("--batch-size", "2").strip().splitlines()[-1] == "Reindexed 4 posts."
    assert sorted(PostSearchEntry.objects.values_list("post_id", flat=True)) == sorted(
        p.id for p in posts
    )
    assert len(search(unindexed.bob, "release")) == 4


def test_a_batch_size_below_one_is_refused(db):
    with pytest.raises(CommandError, match="at least 1"):
        reindex("--batch-size", "0")
