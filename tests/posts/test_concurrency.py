"""Writes racing each other on a real database keep counters exact and never deadlock.

Each scenario starts its writers together behind a barrier, several rounds over, on the
database the suite runs on (PostgreSQL in CI).
"""

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from apps.channels.models import Channel, ChannelMember
from apps.channels.services import channel_join, channel_member_remove
from apps.core.errors import NotFound
from apps.posts.models import Post
from apps.posts.services import post_create, post_delete
from apps.teams.services import team_member_add, team_member_remove
from tests.channels.world import World, build_world, fresh

pytestmark = pytest.mark.django_db(transaction=True)
ROUNDS = 5


def _race(*writers: Callable[[], object]) -> list[object]:
    """Run the writers at once, each on its own connection; return results or errors."""
    barrier = threading.Barrier(len(writers))
    results: list[object] = [None] * len(writers)

    def run(index: int, writer: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = writer()
        except Exception as exc:  # the test inspects every outcome
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, w)) for i, w in enumerate(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.fixture
def world() -> World:
    return build_world()


def test_a_resent_post_with_the_same_pending_id_is_stored_once(world: World):
    for round_number in range(ROUNDS):
        pending = f"{world.alice.id}:{round_number}"

        def send(pending: str = pending) -> Post:
            return post_create(
                actor=world.alice,
                channel=fresh(world.lobby),
                message="once",
                pending_post_id=pending,
            )

        first, second = _race(send, send)
        assert isinstance(first, Post) and isinstance(second, Post), (first, second)
        assert first.id == second.id
        assert Post.objects.filter(pending_post_id=pending).count() == 1


def test_deleting_the_same_reply_twice_at_once_counts_it_once(world: World):
    root = post_create(actor=world.alice, channel=fresh(world.lobby), message="root")
    for _ in range(ROUNDS):
        keep = post_create(
            actor=world.bob, channel=fresh(world.lobby), message="keep", root_id=root.id
        )
        doomed = post_create(
            actor=world.bob, channel=fresh(world.lobby), message="doomed", root_id=root.id
        )

        def delete(post_id: str = doomed.id) -> Post:
            return post_delete(actor=world.bob, post_id=post_id)

        outcomes = _race(delete, delete)
        assert sorted(type(o).__name__ for o in outcomes) == ["NotFound", "Post"], outcomes
        assert isinstance(next(o for o in outcomes if not isinstance(o, Post)), NotFound)
        live_replies = Post.objects.filter(root=root, delete_at=0).count()
        assert Post.objects.get(id=root.id).reply_count == live_replies
        assert keep.id in set(
            Post.objects.filter(root=root, delete_at=0).values_list("id", flat=True)
        )


def test_removing_a_member_while_someone_mentions_them_does_not_deadlock(world: World):
    for _ in range(ROUNDS):
        channel_join(actor=world.carol, channel_id=world.lobby.id)

        def mention() -> Post:
            return post_create(
                actor=world.bob, channel=fresh(world.lobby), message="@carol and @alice, look"
            )

        def remove() -> None:
            channel_member_remove(
                actor=world.alice, channel_id=world.lobby.id, user_id=world.carol.id
            )

        posted, removed = _race(mention, remove)
        assert isinstance(posted, Post), posted
        assert removed is None, removed
        assert not ChannelMember.objects.filter(channel=world.lobby, user=world.carol).exists()


def test_concurrent_posts_keep_channel_counters_exact(world: World):
    before = fresh(world.lobby).total_msg_count

    def burst(actor) -> int:
        for n in range(10):
            post_create(actor=actor, channel=fresh(world.lobby), message=f"message {n}")
        return 10

    assert _race(lambda: burst(world.alice), lambda: burst(world.bob)) == [10, 10]
    channel = Channel.objects.get(id=world.lobby.id)
    assert channel.total_msg_count == before + 20
    assert ChannelMember.objects.get(channel=channel, user=world.carol).mention_count == 0


def test_a_member_leaving_the_team_while_mentioned_in_town_square_does_not_deadlock(
    world: World,
):
    for _ in range(ROUNDS):

        def mention() -> Post:
            return post_create(
                actor=world.bob, channel=fresh(world.town_square), message="@carol @dave hi"
            )

        def leave() -> None:
            team_member_remove(actor=world.carol, team_id=world.team.id, user_id=world.carol.id)

        posted, left = _race(mention, leave)
        assert isinstance(posted, Post), posted
        assert left is None, left
        team_member_add(actor=world.owner, team_id=world.team.id, user_id=world.carol.id)
