"""The right-hand panel's fragments: a thread, pinned, saved, members and the emoji data.

Each is a read of the same selectors the API uses, so a private channel's outsider gets
the same 404 here as there (SECURITY.md 1), and saved lists are the viewer's own.
"""

import pytest
from django.test import Client

from apps.accounts.services.preferences import preference_save
from apps.channels.selectors import channel_get_by_name
from apps.channels.services import channel_member_add, channel_member_remove
from apps.posts.services import post_create, post_set_pinned, reaction_add
from apps.teams.services import team_join
from tests.factories import UserFactory, make_channel, make_team
from tests.web.clients import signed_in_client

pytestmark = pytest.mark.django_db


def save(user, post) -> None:
    preference_save(
        actor=user,
        user=user,
        preferences=[{"category": "flagged_post", "name": post.id, "value": "true"}],
    )


@pytest.fixture
def world():
    alice = UserFactory(username="alice")
    bob = UserFactory(username="bob")
    eve = UserFactory(username="eve")
    team = make_team(alice)
    team_join(actor=bob, team_id=team.id)
    team_join(actor=eve, team_id=team.id)
    secret = make_channel(alice, team, "secret", channel_type="P")
    channel_member_add(actor=alice, channel_id=secret.id, user_id=bob.id)
    town = channel_get_by_name(actor=alice, team_id=team.id, name="town-square")
    return {"alice": alice, "bob": bob, "eve": eve, "team": team, "secret": secret, "town": town}


def test_thread_shows_root_replies_and_a_reply_box(world):
    alice, bob, secret = world["alice"], world["bob"], world["secret"]
    root = post_create(actor=alice, channel=secret, message="Root of the plan")
    post_create(actor=bob, channel=secret, message="First reply", root_id=root.id)
    reply = post_create(actor=alice, channel=secret, message="Second reply", root_id=root.id)
    reaction_add(actor=bob, post_id=reply.id, emoji_name="tada")

    # Asking by a reply's id opens the same thread.
    response = signed_in_client(bob).get(f"/_/rhs/threads/{reply.id}")

    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("Root of the plan") < html.index("First reply") < html.index("Second reply")
    assert "2 replies" in html
    assert f'id="rhs-post-{root.id}"' in html
    assert f'id="post-{root.id}"' not in html
    assert 'id="rhs-composer"' in html
    assert f'data-root-id="{root.id}"' in html
    assert 'aria-label="Close"' in html
    assert "🎉" in html


def test_thread_reply_count_part(world):
    alice, town = world["alice"], world["town"]
    root = post_create(actor=alice, channel=town, message="Solo")
    client = signed_in_client(alice)

    assert 'data-count="0"' in client.get(f"/_/rhs/threads/{root.id}?part=count").content.decode()
    post_create(actor=alice, channel=town, message="Me again", root_id=root.id)
    part = client.get(f"/_/rhs/threads/{root.id}?part=count").content.decode()
    assert 'data-count="1"' in part and "1 reply" in part


def test_a_reader_who_is_not_a_member_gets_no_reply_box(world):
    alice, eve, town = world["alice"], world["eve"], world["town"]
    public = make_channel(alice, world["team"], "announcements")
    root = post_create(actor=alice, channel=public, message="News")
    assert town  # eve is in town-square, not in announcements

    response = signed_in_client(eve).get(f"/_/rhs/threads/{root.id}")

    assert response.status_code == 200
    assert "News" in response.content.decode()
    assert 'id="rhs-composer"' not in response.content.decode()


@pytest.mark.parametrize("kind", ["thread", "pinned", "members"])
def test_outsiders_of_a_private_channel_get_404(world, kind):
    alice, secret = world["alice"], world["secret"]
    root = post_create(actor=alice, channel=secret, message="Top secret")
    post_set_pinned(actor=alice, post_id=root.id, pinned=True)
    url = {
        "thread": f"/_/rhs/threads/{root.id}",
        "pinned": f"/_/rhs/channels/{secret.id}/pinned",
        "members": f"/_/rhs/channels/{secret.id}/members",
    }[kind]

    response = signed_in_client(world["eve"]).get(url)

    assert response.status_code == 404
    assert "Top secret" not in response.content.decode()
    assert "bob" not in response.content.decode()


@pytest.mark.parametrize("kind", ["thread", "pinned", "members"])
def test_a_removed_member_is_refused_at_once(world, kind):
    alice, bob, secret = world["alice"], world["bob"], world["secret"]
    root = post_create(actor=alice, channel=secret, message="Before you left")
    url = {
        "thread": f"/_/rhs/threads/{root.id}",
        "pinned": f"/_/rhs/channels/{secret.id}/pinned",
        "members": f"/_/rhs/channels/{secret.id}/members",
    }[kind]
    client = signed_in_client(bob)
    assert client.get(url).status_code == 200

    channel_member_remove(actor=alice, channel_id=secret.id, user_id=bob.id)

    assert client.get(url).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(world):
    root = post_create(actor=world["alice"], channel=world["town"], message="Hi")

    response = Client().get(f"/_/rhs/threads/{root.id}")

    assert response.status_code == 302
    assert response["Location"].startswith("/login")


def test_pinned_lists_the_channels_pins_with_jump_links(world):
    alice, secret = world["alice"], world["secret"]
    pinned = post_create(actor=alice, channel=secret, message="Pinned rule")
    post_create(actor=alice, channel=secret, message="Not pinned chatter")
    post_set_pinned(actor=alice, post_id=pinned.id, pinned=True)

    html = (
        signed_in_client(world["bob"]).get(f"/_/rhs/channels/{secret.id}/pinned").content.decode()
    )

    assert "Pinned rule" in html
    assert "Not pinned chatter" not in html
    assert f'href="/pl/{pinned.id}"' in html
    assert 'data-action="toggle-pin"' in html


def test_pinned_list_when_empty(world):
    html = signed_in_client(world["alice"]).get(f"/_/rhs/channels/{world['town'].id}/pinned")
    assert "No pinned messages yet" in html.content.decode()


def test_saved_shows_only_the_viewers_own_saved_posts(world):
    alice, bob, secret, town = world["alice"], world["bob"], world["secret"], world["town"]
    mine = post_create(actor=alice, channel=town, message="Alice keeps this")
    theirs = post_create(actor=alice, channel=secret, message="Bob keeps that")
    save(alice, mine)
    save(bob, theirs)
    team = world["team"]

    html_alice = signed_in_client(alice).get(f"/_/rhs/teams/{team.id}/saved").content.decode()
    html_bob = signed_in_client(bob).get(f"/_/rhs/teams/{team.id}/saved").content.decode()

    assert "Alice keeps this" in html_alice and "Bob keeps that" not in html_alice
    assert "Bob keeps that" in html_bob and "Alice keeps this" not in html_bob
    assert f'href="/pl/{mine.id}"' in html_alice
    assert "Town Square" in html_alice


def test_saved_posts_of_a_channel_left_are_hidden(world):
    alice, bob, secret = world["alice"], world["bob"], world["secret"]
    post = post_create(actor=alice, channel=secret, message="Saved then left")
    save(bob, post)
    channel_member_remove(actor=alice, channel_id=secret.id, user_id=bob.id)

    html = signed_in_client(bob).get(f"/_/rhs/teams/{world['team'].id}/saved").content.decode()

    assert "Saved then left" not in html


def test_saved_of_another_team_is_refused(world):
    other_owner = UserFactory(username="olga")
    other = make_team(other_owner, name="other", display_name="Other")

    response = signed_in_client(world["eve"]).get(f"/_/rhs/teams/{other.id}/saved")

    assert response.status_code in (403, 404)


def test_members_lists_people_with_presence_and_message_links(world):
    html = (
        signed_in_client(world["alice"])
        .get(f"/_/rhs/channels/{world['secret'].id}/members")
        .content.decode()
    )

    assert "@bob" in html or ">bob<" in html
    assert "eve" not in html
    assert f'data-presence-user="{world["bob"].id}"' in html
    assert 'href="/acme/messages/@bob"' in html
    # Nobody is offered a DM with themselves.
    assert 'href="/acme/messages/@alice"' not in html
    assert "2 members" in html


def test_emoji_picker_fragment_has_the_categories(world):
    html = signed_in_client(world["alice"]).get("/_/rhs/emoji-picker").content.decode()

    assert "data-emoji-picker" in html
    assert 'data-emoji-name="grinning"' in html
    assert 'aria-label=":+1:"' in html
    assert "Smileys &amp; emotion" in html
    assert "<script" not in html


def test_emoji_search_endpoint(world):
    client = signed_in_client(world["alice"])

    found = client.get("/_/rhs/emoji", {"q": "tad"}).json()["results"]
    nothing = client.get("/_/rhs/emoji", {"q": "zzzzqqq"}).json()["results"]
    empty = client.get("/_/rhs/emoji", {"q": ""}).json()["results"]

    assert {"name": "tada", "char": "🎉"} in found
    assert found[0]["name"].startswith("tad")
    assert nothing == [] and empty == []


def test_the_chat_page_carries_the_panels_strings(world):
    html = signed_in_client(world["alice"]).get("/acme/channels/town-square").content.decode()

    assert 'id="rhs-strings"' in html
    assert 'data-string="load-failed"' in html


def test_a_long_thread_shows_its_latest_replies(world, monkeypatch):
    from apps.web import views_rhs

    monkeypatch.setattr(views_rhs, "THREAD_REPLIES_SHOWN", 2)
    alice, town = world["alice"], world["town"]
    root = post_create(actor=alice, channel=town, message="Long one")
    for n in range(4):
        post_create(actor=alice, channel=town, message=f"reply number {n}", root_id=root.id)

    html = signed_in_client(alice).get(f"/_/rhs/threads/{root.id}").content.decode()

    assert "Long one" in html and "4 replies" in html
    assert "reply number 1" not in html
    assert "reply number 2" in html and "reply number 3" in html
    assert "2 earlier replies are not shown." in html


def test_members_of_a_direct_message_link_within_the_pages_team(world):
    from apps.channels.services import channel_get_or_create_direct

    alice, bob = world["alice"], world["bob"]
    dm = channel_get_or_create_direct(actor=alice, other_user_id=bob.id)

    response = signed_in_client(alice).get(f"/_/rhs/channels/{dm.id}/members", {"team": "acme"})
    outsider = signed_in_client(world["eve"]).get(f"/_/rhs/channels/{dm.id}/members")

    assert 'href="/acme/messages/@bob"' in response.content.decode()
    assert outsider.status_code == 404


# --- bounded work for big channels and busy threads -------------------------------------------


def _crowd(channel, count: int, prefix: str = "member") -> list:
    """`count` more members of `channel` (direct rows: the panel only reads them)."""
    from apps.channels.models import ChannelMember

    people = [UserFactory(username=f"{prefix}{n:03d}") for n in range(count)]
    ChannelMember.objects.bulk_create(ChannelMember(channel=channel, user=u) for u in people)
    return people


def _members_html(client, channel) -> tuple[str, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/_/rhs/channels/{channel.id}/members")
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def test_a_big_channels_members_panel_draws_the_first_hundred_and_counts_the_rest(
    world, monkeypatch
):
    from apps.accounts.models import Status
    from apps.web import views_rhs

    alice, secret = world["alice"], world["secret"]
    _crowd(secret, 147)  # with alice and bob: 149 members
    (late,) = _crowd(secret, 1, prefix="zzz-late")  # last by name, but online
    Status.objects.update_or_create(user=late, defaults={"status": "online"})
    asked = []
    real_status_list = views_rhs.status_list_by_ids

    def spy(*, actor, user_ids):
        asked.append(list(user_ids))
        return real_status_list(actor=actor, user_ids=user_ids)

    monkeypatch.setattr(views_rhs, "status_list_by_ids", spy)

    html, _queries = _members_html(signed_in_client(alice), secret)

    assert html.count('class="member-row"') == 100
    assert "150 members" in html
    assert "and 50 more" in html and 'data-more-count="50"' in html
    # Online people come first: the one online member is drawn first, though last by name.
    assert html.index(f'data-user-id="{late.id}"') < html.index(f'data-user-id="{alice.id}"')
    assert "member096" in html and "member097" not in html  # late, alice, bob and 97 more
    assert [len(ids) for ids in asked] == [100]  # statuses only for the drawn rows


def test_the_members_panels_queries_do_not_grow_with_the_channel(world):
    alice = world["alice"]
    small = make_channel(alice, world["team"], "small")
    _crowd(small, 3, prefix="few")
    big = make_channel(alice, world["team"], "big")
    _crowd(big, 150, prefix="many")
    client = signed_in_client(alice)

    small_html, small_queries = _members_html(client, small)
    big_html, big_queries = _members_html(client, big)

    assert "data-more-count" not in small_html and "4 members" in small_html
    assert 'data-more-count="51"' in big_html
    assert big_queries == small_queries
    assert big_queries <= 20


def test_the_reply_count_part_counts_without_loading_the_thread(world, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from apps.posts.services import post_delete
    from apps.web import views_rhs

    def refuse(**kwargs):
        raise AssertionError("the count part must not load the thread")

    monkeypatch.setattr(views_rhs, "post_get_thread", refuse)
    alice, bob, secret = world["alice"], world["bob"], world["secret"]
    root = post_create(actor=alice, channel=secret, message="Counted")
    replies = [
        post_create(actor=bob, channel=secret, message=f"r{n}", root_id=root.id) for n in range(5)
    ]
    post_delete(actor=bob, post_id=replies[0].id)
    client = signed_in_client(bob)

    with CaptureQueriesContext(connection) as captured:
        part = client.get(f"/_/rhs/threads/{root.id}?part=count")
    queries = [q["sql"] for q in captured]  # before the next request resets the log
    by_reply = client.get(f"/_/rhs/threads/{replies[1].id}?part=count")
    outsider = signed_in_client(world["eve"]).get(f"/_/rhs/threads/{root.id}?part=count")

    assert part.status_code == 200
    assert 'data-count="4"' in part.content.decode() and "4 replies" in part.content.decode()
    assert 'data-count="4"' in by_reply.content.decode()
    assert outsider.status_code == 404  # the access check comes first
    # One COUNT over the replies, and no query that fetches them.
    assert len([sql for sql in queries if "COUNT(" in sql.upper()]) == 1
    assert not any(
        '"posts_post"."root_id" = ' in sql and "COUNT(" not in sql.upper() for sql in queries
    )
