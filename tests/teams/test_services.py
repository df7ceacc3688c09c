"""Team writes: create, join, invite, add, leave/remove, roles, settings."""

import json

import pytest

from apps.accounts.models import User
from apps.accounts.services.users import user_create, user_deactivate
from apps.channels.models import CHANNEL_OPEN, OFF_TOPIC, TOWN_SQUARE, Channel, ChannelMember
from apps.core.errors import (
    AlreadyExists,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
)
from apps.core.ids import new_id
from apps.posts import models as post_types
from apps.posts.models import Post
from apps.posts.services import post_create
from apps.realtime.publish import Broadcast
from apps.teams.models import TEAM_INVITE, TEAM_OPEN, Team, TeamMember
from apps.teams.services import (
    team_create,
    team_join,
    team_join_by_invite,
    team_member_add,
    team_member_remove,
    team_member_set_admin,
    team_regenerate_invite_id,
    team_update,
)
from apps.teams.wire import team_to_wire
from tests.factories import UserFactory, make_channel, make_team

pytestmark = pytest.mark.django_db


def _channel(team: Team, name: str) -> Channel:
    return Channel.objects.get(team=team, name=name)


def _channel_names(user: User, team: Team) -> set[str]:
    """Names of the team's channels the user is a member of."""
    return set(
        ChannelMember.objects.filter(user=user, channel__team=team).values_list(
            "channel__name", flat=True
        )
    )


def _is_member(user: User, team: Team) -> bool:
    return TeamMember.objects.filter(team=team, user=user, delete_at=0).exists()


def _system_posts(team: Team, post_type: str) -> list[Post]:
    return list(Post.objects.filter(channel__team=team, type=post_type).order_by("create_at", "id"))


def _counts() -> tuple[int, int, int, int]:
    """Rows a team creation writes, to prove a refused one wrote nothing."""
    return (
        Team.objects.count(),
        TeamMember.objects.count(),
        Channel.objects.count(),
        Post.objects.count(),
    )


@pytest.fixture
def corp_user(admin) -> User:
    """A user whose e-mail is at corp.org rather than example.com."""
    return UserFactory(username="corpie", email="corpie@corp.org")


# --- team_create ------------------------------------------------------------------------------


def test_team_create_makes_town_square_and_off_topic(owner):
    team = make_team(owner)

    channels = Channel.objects.filter(team=team).order_by("name")
    assert [(c.name, c.display_name, c.type) for c in channels] == [
        (OFF_TOPIC, "Off-Topic", CHANNEL_OPEN),
        (TOWN_SQUARE, "Town Square", CHANNEL_OPEN),
    ]


def test_team_creator_is_team_admin_and_member_of_both_default_channels(owner):
    team = make_team(owner)

    membership = TeamMember.objects.get(team=team, user=owner)
    assert membership.is_active
    assert membership.scheme_admin
    assert membership.roles == "team_user team_admin"
    assert _channel_names(owner, team) == {TOWN_SQUARE, OFF_TOPIC}


def test_team_create_posts_joined_the_team_in_town_square_only(owner):
    team = make_team(owner)

    [post] = _system_posts(team, post_types.POST_TYPE_JOIN_TEAM)
    assert post.channel == _channel(team, TOWN_SQUARE)
    assert post.user == owner
    assert post.message == "@owner joined the team."


def test_team_create_stores_the_given_settings(owner):
    team = make_team(
        owner,
        name="Acme-Corp",
        display_name="  Acme Corp ",
        description="Widgets",
        allowed_domains="example.com",
    )

    team.refresh_from_db()
    assert (team.name, team.display_name, team.description) == ("acme-corp", "Acme Corp", "Widgets")
    assert team.type == TEAM_OPEN
    assert team.email == owner.email
    assert team.allowed_domain_list == ["example.com"]


def test_team_create_publishes_the_creators_arrival(owner, capture_events):
    with capture_events() as events:
        team = make_team(owner)

    [added] = events.named("added_to_team")
    assert added.data == {"team_id": team.id, "user_id": owner.id}
    assert added.broadcast == Broadcast(user_id=owner.id)
    assert {e.data["channel_id"] for e in events.named("user_added")} == {
        _channel(team, TOWN_SQUARE).id,
        _channel(team, OFF_TOPIC).id,
    }
    [posted] = events.named("posted")
    assert posted.broadcast == Broadcast(channel_id=_channel(team, TOWN_SQUARE).id)


@pytest.mark.parametrize(
    "name",
    ["a", "", "-acme", "acme-", "ac_me", "ac me", "acme!", "a" * 65, "ácme", None, 42],
)
def test_invalid_team_name_is_refused_and_nothing_is_created(owner, name):
    before = _counts()

    with pytest.raises(InvalidInput) as exc:
        team_create(actor=owner, name=name, display_name="Acme")

    assert exc.value.error_id == "model.team.is_valid.name.app_error"
    assert _counts() == before


@pytest.mark.parametrize("name", ["admin", "api", "signup", "hooks", "Static", "administrators"])
def test_reserved_team_name_is_refused_and_nothing_is_created(owner, name):
    before = _counts()

    with pytest.raises(InvalidInput) as exc:
        team_create(actor=owner, name=name, display_name="Acme")

    assert exc.value.error_id == "model.team.is_valid.reserved.app_error"
    assert _counts() == before


def test_duplicate_team_name_is_refused_and_nothing_is_created(team, outsider):
    before = _counts()

    with pytest.raises(AlreadyExists) as exc:
        team_create(actor=outsider, name="ACME", display_name="Other Acme")

    assert exc.value.error_id == "store.sql_team.save_team.existing.app_error"
    assert _counts() == before
    assert not TeamMember.objects.filter(user=outsider).exists()


@pytest.mark.parametrize(
    "kwargs",
    [
        {"display_name": ""},
        {"display_name": "   "},
        {"display_name": "x" * 65},
        {"description": "x" * 256},
        {"team_type": "P"},
    ],
)
def test_team_create_refuses_bad_settings_and_creates_nothing(owner, kwargs):
    before = _counts()
    kwargs.setdefault("display_name", "Acme")

    with pytest.raises(InvalidInput):
        team_create(actor=owner, name="acme", **kwargs)

    assert _counts() == before


def test_deactivated_user_cannot_create_a_team(owner):
    user_deactivate(actor=owner, user=owner)
    owner.refresh_from_db()

    with pytest.raises(NotAuthenticated):
        make_team(owner)

    assert not Team.objects.exists()


# --- team_join --------------------------------------------------------------------------------


def test_user_joins_an_open_team_and_its_default_channels(team, outsider, capture_events):
    with capture_events() as events:
        membership = team_join(actor=outsider, team_id=team.id)

    assert membership.is_active
    assert not membership.scheme_admin
    assert _channel_names(outsider, team) == {TOWN_SQUARE, OFF_TOPIC}
    joined = [p.message for p in _system_posts(team, post_types.POST_TYPE_JOIN_TEAM)]
    assert "@outsider joined the team." in joined
    [added] = events.named("added_to_team")
    assert added.data == {"team_id": team.id, "user_id": outsider.id}
    assert added.broadcast == Broadcast(user_id=outsider.id)
    assert {e.data["user_id"] for e in events.named("user_added")} == {outsider.id}
    assert len(events.named("user_added")) == 2


def test_joining_a_team_twice_changes_nothing(team, member, capture_events):
    first = TeamMember.objects.get(team=team, user=member)
    posts_before = Post.objects.count()

    with capture_events() as events:
        again = team_join(actor=member, team_id=team.id)

    assert again.id == first.id
    assert TeamMember.objects.filter(team=team, user=member).count() == 1
    assert Post.objects.count() == posts_before
    assert events == []


def test_invite_only_team_is_not_found_for_a_user_joining_it(private_team, outsider):
    with pytest.raises(NotFound):
        team_join(actor=outsider, team_id=private_team.id)

    assert not _is_member(outsider, private_team)
    assert _channel_names(outsider, private_team) == set()


def test_system_admin_may_join_an_invite_only_team(private_team, admin):
    team_join(actor=admin, team_id=private_team.id)

    assert _is_member(admin, private_team)
    assert _channel_names(admin, private_team) == {TOWN_SQUARE, OFF_TOPIC}


@pytest.mark.parametrize("team_id", ["ybndrfg8ejkmcpqxot1uwisza3", "not-an-id", ""])
def test_joining_an_unknown_team_is_not_found(outsider, team_id):
    with pytest.raises(NotFound):
        team_join(actor=outsider, team_id=team_id)


def test_joining_a_deleted_team_is_not_found(team, outsider):
    Team.objects.filter(id=team.id).update(delete_at=1)

    with pytest.raises(NotFound):
        team_join(actor=outsider, team_id=team.id)


def test_allowed_domains_keep_other_domains_out_of_an_open_team(owner, outsider, corp_user):
    team = make_team(owner, allowed_domains="corp.org, @partner.net")

    with pytest.raises(PermissionDenied) as exc:
        team_join(actor=outsider, team_id=team.id)
    team_join(actor=corp_user, team_id=team.id)

    assert exc.value.error_id == "api.team.join_user_to_team.allowed_domains.app_error"
    assert not _is_member(outsider, team)
    assert _is_member(corp_user, team)


def test_allowed_domains_do_not_apply_to_bots(owner):
    team = make_team(owner, allowed_domains="corp.org")
    bot = user_create(username="helperbot", email="bot@bots.local", password=None, is_bot=True)

    team_join(actor=bot, team_id=team.id)

    assert _is_member(bot, team)


# --- team_join_by_invite ----------------------------------------------------------------------


def test_invite_id_lets_a_user_into_an_invite_only_team(private_team, outsider, capture_events):
    with capture_events() as events:
        membership = team_join_by_invite(actor=outsider, invite_id=private_team.invite_id)

    assert membership.team == private_team
    assert not membership.scheme_admin
    assert _channel_names(outsider, private_team) == {TOWN_SQUARE, OFF_TOPIC}
    assert [e.data["user_id"] for e in events.named("added_to_team")] == [outsider.id]


@pytest.mark.parametrize("invite_id", ["ybndrfg8ejkmcpqxot1uwisza3", "garbage", ""])
def test_unknown_invite_id_is_not_found(private_team, outsider, invite_id):
    with pytest.raises(NotFound) as exc:
        team_join_by_invite(actor=outsider, invite_id=invite_id)

    assert exc.value.error_id == "api.team.add_user_to_team.invalid_invite_id.app_error"
    assert not TeamMember.objects.filter(user=outsider).exists()


def test_regenerated_invite_id_invalidates_the_old_one(private_team, owner, outsider):
    old = private_team.invite_id
    team_regenerate_invite_id(actor=owner, team_id=private_team.id)

    with pytest.raises(NotFound):
        team_join_by_invite(actor=outsider, invite_id=old)

    private_team.refresh_from_db()
    team_join_by_invite(actor=outsider, invite_id=private_team.invite_id)
    assert _is_member(outsider, private_team)


def test_invite_of_a_deleted_team_is_not_found(private_team, outsider):
    Team.objects.filter(id=private_team.id).update(delete_at=1)

    with pytest.raises(NotFound):
        team_join_by_invite(actor=outsider, invite_id=private_team.invite_id)


def test_invite_still_obeys_allowed_domains(owner, outsider, corp_user):
    team = make_team(owner, team_type=TEAM_INVITE, allowed_domains="corp.org")

    with pytest.raises(PermissionDenied):
        team_join_by_invite(actor=outsider, invite_id=team.invite_id)
    team_join_by_invite(actor=corp_user, invite_id=team.invite_id)

    assert not _is_member(outsider, team)
    assert _is_member(corp_user, team)


# --- team_member_add --------------------------------------------------------------------------


def test_member_adds_someone_to_the_team(team, member, outsider, capture_events):
    with capture_events() as events:
        added = team_member_add(actor=member, team_id=team.id, user_id=outsider.id)

    assert added.user == outsider
    assert _is_member(outsider, team)
    assert _channel_names(outsider, team) == {TOWN_SQUARE, OFF_TOPIC}
    [event] = events.named("added_to_team")
    assert event.data == {"team_id": team.id, "user_id": outsider.id}
    assert event.broadcast == Broadcast(user_id=outsider.id)
    assert {e.broadcast.channel_id for e in events.named("user_added")} == {
        _channel(team, TOWN_SQUARE).id,
        _channel(team, OFF_TOPIC).id,
    }


def test_member_adds_someone_to_an_invite_only_team(private_team, member, outsider):
    team_member_add(actor=member, team_id=private_team.id, user_id=outsider.id)

    assert _is_member(outsider, private_team)


def test_non_member_cannot_add_others_to_an_open_team(team, outsider, admin):
    with pytest.raises(PermissionDenied):
        team_member_add(actor=outsider, team_id=team.id, user_id=admin.id)

    assert not _is_member(admin, team)


def test_non_member_cannot_see_an_invite_only_team_to_add_to_it(private_team, outsider, admin):
    with pytest.raises(NotFound):
        team_member_add(actor=outsider, team_id=private_team.id, user_id=admin.id)

    assert not _is_member(admin, private_team)


def test_adding_yourself_to_an_open_team_is_joining_it(team, outsider):
    team_member_add(actor=outsider, team_id=team.id, user_id=outsider.id)

    assert _is_member(outsider, team)


def test_system_admin_adds_people_to_an_invite_only_team_without_joining(
    private_team, admin, outsider
):
    team_member_add(actor=admin, team_id=private_team.id, user_id=outsider.id)

    assert _is_member(outsider, private_team)
    assert not _is_member(admin, private_team)


def test_deactivated_user_cannot_be_added(team, member, outsider, admin):
    user_deactivate(actor=admin, user=outsider)

    with pytest.raises(PermissionDenied):
        team_member_add(actor=member, team_id=team.id, user_id=outsider.id)

    assert not _is_member(outsider, team)


@pytest.mark.parametrize("user_id", ["ybndrfg8ejkmcpqxot1uwisza3", "bogus"])
def test_adding_an_unknown_user_is_not_found(team, member, user_id):
    with pytest.raises(NotFound):
        team_member_add(actor=member, team_id=team.id, user_id=user_id)


def test_added_user_must_match_allowed_domains(owner, outsider, corp_user):
    team = make_team(owner, allowed_domains="corp.org")

    with pytest.raises(PermissionDenied):
        team_member_add(actor=owner, team_id=team.id, user_id=outsider.id)
    team_member_add(actor=owner, team_id=team.id, user_id=corp_user.id)

    assert not _is_member(outsider, team)
    assert _is_member(corp_user, team)


def test_new_member_starts_with_nothing_unread(team, owner, outsider):
    town_square, off_topic = _channel(team, TOWN_SQUARE), _channel(team, OFF_TOPIC)
    for channel in (town_square, off_topic):
        post_create(actor=owner, channel=channel, message="hello @outsider and @all")
        post_create(actor=owner, channel=channel, message="second")

    team_member_add(actor=owner, team_id=team.id, user_id=outsider.id)

    for channel in (town_square, off_topic):
        channel.refresh_from_db()
        membership = ChannelMember.objects.get(channel=channel, user=outsider)
        assert channel.total_msg_count >= 2
        assert membership.msg_count == channel.total_msg_count
        assert membership.msg_count_root == channel.total_msg_count_root
        assert membership.mention_count == 0
        assert membership.last_viewed_at > 0


# --- team_member_remove -----------------------------------------------------------------------


@pytest.fixture
def member_in_private_channel(team, member):
    """`member` also belongs to a private channel of the team."""
    make_channel(member, team, "plans", channel_type="P")
    return member


def test_member_leaves_the_team_and_all_its_channels(
    team, member_in_private_channel, capture_events
):
    member = member_in_private_channel
    assert _channel_names(member, team) == {TOWN_SQUARE, OFF_TOPIC, "plans"}

    with capture_events() as events:
        team_member_remove(actor=member, team_id=team.id, user_id=member.id)

    assert not _is_member(member, team)
    assert TeamMember.objects.get(team=team, user=member).delete_at > 0
    assert _channel_names(member, team) == set()
    [left] = _system_posts(team, post_types.POST_TYPE_LEAVE_TEAM)
    assert (left.channel.name, left.user, left.message) == (
        TOWN_SQUARE,
        member,
        "@member left the team.",
    )
    payload = {"team_id": team.id, "user_id": member.id, "remover_id": member.id}
    leave = events.named("leave_team")
    assert [e.data for e in leave] == [payload, payload]
    assert {e.broadcast for e in leave} == {
        Broadcast(team_id=team.id),
        Broadcast(user_id=member.id),
    }
    # Each channel left is announced to the channel and to the leaver, as leaving one
    # channel is (the hub drops the leaver from the channel before delivering its copy).
    left_ids = {
        c.id for c in Channel.objects.filter(team=team, name__in=(TOWN_SQUARE, OFF_TOPIC, "plans"))
    }
    removed = events.named("user_removed")
    assert len(removed) == 2 * len(left_ids)
    assert {(e.data["channel_id"], e.broadcast) for e in removed} == {
        (c, audience)
        for c in left_ids
        for audience in (Broadcast(channel_id=c), Broadcast(user_id=member.id))
    }
    assert all((e.data["user_id"], e.data["remover_id"]) == (member.id, member.id) for e in removed)


def test_team_admin_removes_a_member(team, owner, member, capture_events):
    with capture_events() as events:
        team_member_remove(actor=owner, team_id=team.id, user_id=member.id)

    assert not _is_member(member, team)
    assert _channel_names(member, team) == set()
    assert {e.data["remover_id"] for e in events.named("leave_team")} == {owner.id}
    assert _system_posts(team, post_types.POST_TYPE_LEAVE_TEAM)[0].user == member


def test_member_cannot_remove_others_from_team(team, owner, member, outsider):
    team_join(actor=outsider, team_id=team.id)

    with pytest.raises(PermissionDenied):
        team_member_remove(actor=member, team_id=team.id, user_id=outsider.id)
    with pytest.raises(PermissionDenied):
        team_member_remove(actor=member, team_id=team.id, user_id=owner.id)

    assert _is_member(outsider, team)
    assert _is_member(owner, team)
    assert _channel_names(outsider, team) == {TOWN_SQUARE, OFF_TOPIC}
    assert _system_posts(team, post_types.POST_TYPE_LEAVE_TEAM) == []


def test_system_admin_removes_a_member_of_an_invite_only_team(private_team, admin, member):
    team_member_remove(actor=admin, team_id=private_team.id, user_id=member.id)

    assert not _is_member(member, private_team)
    assert _channel_names(member, private_team) == set()


@pytest.mark.parametrize("who", ["outsider", "unknown"])
def test_removing_a_non_member_is_not_found(team, owner, outsider, who):
    user_id = outsider.id if who == "outsider" else new_id()

    with pytest.raises(NotFound):
        team_member_remove(actor=owner, team_id=team.id, user_id=user_id)

    assert _system_posts(team, post_types.POST_TYPE_LEAVE_TEAM) == []


def test_leaving_one_team_keeps_the_other_teams_channels(team, private_team, member):
    team_member_remove(actor=member, team_id=team.id, user_id=member.id)

    assert _is_member(member, private_team)
    assert _channel_names(member, private_team) == {TOWN_SQUARE, OFF_TOPIC}


def test_leaving_twice_is_not_found(team, member):
    team_member_remove(actor=member, team_id=team.id, user_id=member.id)

    with pytest.raises(NotFound):
        team_member_remove(actor=member, team_id=team.id, user_id=member.id)


def test_rejoining_restores_the_membership_and_default_channels(team, member, capture_events):
    original = TeamMember.objects.get(team=team, user=member)
    team_member_remove(actor=member, team_id=team.id, user_id=member.id)

    with capture_events() as events:
        rejoined = team_join(actor=member, team_id=team.id)

    assert rejoined.id == original.id
    assert rejoined.delete_at == 0
    assert _is_member(member, team)
    assert _channel_names(member, team) == {TOWN_SQUARE, OFF_TOPIC}
    joins = [p.message for p in _system_posts(team, post_types.POST_TYPE_JOIN_TEAM)]
    assert joins.count("@member joined the team.") == 2
    assert [e.data["user_id"] for e in events.named("added_to_team")] == [member.id]


def test_removed_team_admin_rejoins_as_a_plain_member(team, owner, admin):
    team_member_remove(actor=admin, team_id=team.id, user_id=owner.id)

    rejoined = team_join(actor=owner, team_id=team.id)

    assert not rejoined.scheme_admin


def test_removed_member_of_an_invite_only_team_can_come_back_only_by_invite(
    private_team, owner, member
):
    team_member_remove(actor=owner, team_id=private_team.id, user_id=member.id)

    with pytest.raises(NotFound):
        team_join(actor=member, team_id=private_team.id)
    team_join_by_invite(actor=member, invite_id=private_team.invite_id)

    assert _is_member(member, private_team)


# --- team_member_set_admin --------------------------------------------------------------------


def test_team_admin_makes_a_member_team_admin(team, owner, member, capture_events):
    with capture_events() as events:
        promoted = team_member_set_admin(
            actor=owner, team_id=team.id, user_id=member.id, admin=True
        )

    assert promoted.scheme_admin
    assert TeamMember.objects.get(team=team, user=member).scheme_admin
    [event] = events.named("memberrole_updated")
    # Mattermost sends the member as a JSON string, which clients json-decode.
    assert set(event.data) == {"member"}
    assert isinstance(event.data["member"], str)
    assert json.loads(event.data["member"]) == {
        "team_id": team.id,
        "user_id": member.id,
        "roles": "team_user team_admin",
        "delete_at": 0,
        "scheme_guest": False,
        "scheme_user": True,
        "scheme_admin": True,
        "explicit_roles": "",
    }
    assert event.broadcast == Broadcast(user_id=member.id)


def test_member_cannot_change_team_roles(team, owner, member):
    with pytest.raises(PermissionDenied):
        team_member_set_admin(actor=member, team_id=team.id, user_id=member.id, admin=True)
    with pytest.raises(PermissionDenied):
        team_member_set_admin(actor=member, team_id=team.id, user_id=owner.id, admin=False)

    assert not TeamMember.objects.get(team=team, user=member).scheme_admin
    assert TeamMember.objects.get(team=team, user=owner).scheme_admin


def test_system_admin_changes_team_roles_without_being_a_member(private_team, admin, owner):
    team_member_set_admin(actor=admin, team_id=private_team.id, user_id=owner.id, admin=False)

    assert not TeamMember.objects.get(team=private_team, user=owner).scheme_admin


def test_setting_the_role_a_member_already_has_publishes_nothing(team, owner, capture_events):
    with capture_events() as events:
        team_member_set_admin(actor=owner, team_id=team.id, user_id=owner.id, admin=True)

    assert events == []


def test_team_roles_of_a_non_member_are_not_found(team, owner, outsider):
    with pytest.raises(NotFound):
        team_member_set_admin(actor=owner, team_id=team.id, user_id=outsider.id, admin=True)

    assert not TeamMember.objects.filter(user=outsider).exists()


def test_former_team_admin_loses_the_power_to_manage(team, owner, member):
    team_member_set_admin(actor=owner, team_id=team.id, user_id=member.id, admin=True)
    team_member_set_admin(actor=member, team_id=team.id, user_id=owner.id, admin=False)

    with pytest.raises(PermissionDenied):
        team_member_remove(actor=owner, team_id=team.id, user_id=member.id)


# --- team_update / team_regenerate_invite_id --------------------------------------------------


def test_team_admin_updates_the_team(team, owner, capture_events):
    with capture_events() as events:
        updated = team_update(
            actor=owner,
            team_id=team.id,
            patch={"display_name": " Acme Inc ", "description": "We make things"},
        )

    team.refresh_from_db()
    assert (team.display_name, team.description) == ("Acme Inc", "We make things")
    assert updated.update_at == team.update_at
    [event] = events.named("update_team")
    assert set(event.data) == {"team_id", "team"}
    assert event.data["team_id"] == team.id
    # A JSON string, as Mattermost sends it, and sanitized: every member receives it.
    assert isinstance(event.data["team"], str)
    assert json.loads(event.data["team"]) == team_to_wire(team, can_manage=False)
    wire_team = json.loads(event.data["team"])
    assert (wire_team["id"], wire_team["display_name"]) == (team.id, "Acme Inc")
    assert wire_team["description"] == "We make things"
    assert team.invite_id and team.email
    assert wire_team["invite_id"] == wire_team["email"] == ""
    assert event.broadcast == Broadcast(team_id=team.id)


def test_member_cannot_update_the_team(team, member, capture_events):
    with capture_events() as events, pytest.raises(PermissionDenied):
        team_update(actor=member, team_id=team.id, patch={"display_name": "Hijacked"})

    team.refresh_from_db()
    assert team.display_name == "Acme"
    assert events == []


def test_non_member_cannot_update_an_open_team(team, outsider):
    with pytest.raises(PermissionDenied):
        team_update(actor=outsider, team_id=team.id, patch={"display_name": "Hijacked"})

    team.refresh_from_db()
    assert team.display_name == "Acme"


def test_system_admin_updates_any_team(private_team, admin):
    team_update(actor=admin, team_id=private_team.id, patch={"allowed_domains": "corp.org"})

    private_team.refresh_from_db()
    assert private_team.allowed_domain_list == ["corp.org"]


@pytest.mark.parametrize(
    "patch, expected_type",
    [
        ({"allow_open_invite": False}, TEAM_INVITE),
        ({"allow_open_invite": True}, TEAM_OPEN),
        ({"type": TEAM_INVITE}, TEAM_INVITE),
    ],
)
def test_team_update_switches_between_open_and_invite_only(team, owner, patch, expected_type):
    team_update(actor=owner, team_id=team.id, patch=patch)

    team.refresh_from_db()
    assert team.type == expected_type


@pytest.mark.parametrize(
    "patch",
    [
        {"name": "renamed"},
        {"invite_id": new_id()},
        {"display_name": ""},
        {"display_name": "x" * 65},
        {"description": "x" * 256},
        {"type": "P"},
        {"display_name": 5},
    ],
)
def test_team_update_refuses_bad_patches_and_changes_nothing(team, owner, patch):
    before = Team.objects.filter(id=team.id).values().get()

    with pytest.raises(InvalidInput):
        team_update(actor=owner, team_id=team.id, patch=patch)

    assert Team.objects.filter(id=team.id).values().get() == before


def test_team_update_without_changes_publishes_nothing(team, owner, capture_events):
    with capture_events() as events:
        team_update(actor=owner, team_id=team.id, patch={"display_name": "Acme"})

    assert events == []


def test_team_admin_regenerates_the_invite_id(team, owner):
    old = team.invite_id

    regenerated = team_regenerate_invite_id(actor=owner, team_id=team.id)

    team.refresh_from_db()
    assert team.invite_id == regenerated.invite_id != old


def test_system_admin_regenerates_the_invite_id(private_team, admin):
    old = private_team.invite_id

    team_regenerate_invite_id(actor=admin, team_id=private_team.id)

    private_team.refresh_from_db()
    assert private_team.invite_id != old


def test_member_cannot_regenerate_the_invite_id(private_team, member):
    old = private_team.invite_id

    with pytest.raises(PermissionDenied):
        team_regenerate_invite_id(actor=member, team_id=private_team.id)

    private_team.refresh_from_db()
    assert private_team.invite_id == old


def test_outsider_cannot_see_an_invite_only_team_to_regenerate_its_invite(private_team, outsider):
    with pytest.raises(NotFound):
        team_regenerate_invite_id(actor=outsider, team_id=private_team.id)


# --- deactivated actors -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda actor, team, other: team_join(actor=actor, team_id=team.id),
        lambda actor, team, other: team_join_by_invite(actor=actor, invite_id=team.invite_id),
        lambda actor, team, other: team_member_add(actor=actor, team_id=team.id, user_id=other.id),
        lambda actor, team, other: team_member_remove(
            actor=actor, team_id=team.id, user_id=actor.id
        ),
        lambda actor, team, other: team_member_set_admin(
            actor=actor, team_id=team.id, user_id=other.id, admin=True
        ),
        lambda actor, team, other: team_update(
            actor=actor, team_id=team.id, patch={"display_name": "Gone"}
        ),
        lambda actor, team, other: team_regenerate_invite_id(actor=actor, team_id=team.id),
    ],
    ids=["join", "join_by_invite", "member_add", "member_remove", "set_admin", "update", "invite"],
)
def test_deactivated_team_admin_can_do_nothing_in_the_team(team, owner, member, admin, call):
    user_deactivate(actor=admin, user=owner)
    owner.refresh_from_db()
    before = (
        list(TeamMember.objects.order_by("id").values()),
        Team.objects.filter(id=team.id).values().get(),
    )

    with pytest.raises(NotAuthenticated):
        call(owner, team, member)

    after = (
        list(TeamMember.objects.order_by("id").values()),
        Team.objects.filter(id=team.id).values().get(),
    )
    assert after == before
