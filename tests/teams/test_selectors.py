"""Team reads: which teams an actor belongs to, may see, and whose members they may list."""

import pytest
from django.contrib.auth.models import AnonymousUser

from apps.accounts.services.users import user_deactivate
from apps.core.errors import NotAuthenticated, NotFound
from apps.core.ids import new_id
from apps.teams.models import TEAM_INVITE, Team
from apps.teams.selectors import team_list_for_user, team_list_visible, team_member_list
from apps.teams.services import team_join, team_member_remove
from tests.factories import UserFactory, make_team

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_team(outsider):
    """An invite-only team that only `outsider` belongs to."""
    return make_team(outsider, name="zeta", display_name="Zeta", team_type=TEAM_INVITE)


# --- team_list_for_user -----------------------------------------------------------------------


def test_team_list_for_user_returns_the_teams_they_belong_to(team, private_team, member):
    assert list(team_list_for_user(actor=member)) == [team, private_team]


def test_team_list_for_user_is_empty_for_an_outsider(team, private_team, outsider):
    assert list(team_list_for_user(actor=outsider)) == []


def test_team_list_for_user_drops_a_team_they_left(team, private_team, member):
    team_member_remove(actor=member, team_id=team.id, user_id=member.id)

    assert list(team_list_for_user(actor=member)) == [private_team]


def test_team_list_for_user_skips_deleted_teams(team, private_team, member):
    Team.objects.filter(id=private_team.id).update(delete_at=1)

    assert list(team_list_for_user(actor=member)) == [team]


def test_team_list_for_user_ignores_other_users_memberships(team, member, other_team, outsider):
    """A join on the membership table must match the actor's own active row."""
    team_join(actor=outsider, team_id=team.id)
    team_member_remove(actor=member, team_id=team.id, user_id=member.id)

    assert list(team_list_for_user(actor=member)) == []
    assert list(team_list_for_user(actor=outsider)) == [team, other_team]


# --- team_list_visible ------------------------------------------------------------------------


def test_invite_only_team_is_hidden_from_non_members(team, private_team, outsider):
    visible = list(team_list_visible(actor=outsider))

    assert team in visible
    assert private_team not in visible


def test_invite_only_team_is_visible_to_its_members(team, private_team, other_team, member):
    assert list(team_list_visible(actor=member)) == [team, private_team]


def test_system_admin_sees_every_team(team, private_team, other_team, admin):
    assert list(team_list_visible(actor=admin)) == [team, private_team, other_team]


def test_team_list_visible_hides_invite_only_team_from_a_former_member(private_team, member):
    team_member_remove(actor=member, team_id=private_team.id, user_id=member.id)

    assert private_team not in team_list_visible(actor=member)


def test_team_list_visible_lists_each_team_once(team, member, outsider):
    for n in range(3):
        team_join(actor=UserFactory(username=f"extra{n}"), team_id=team.id)

    assert list(team_list_visible(actor=member)) == [team]


def test_team_list_visible_skips_deleted_teams(team, private_team, admin):
    Team.objects.filter(id=team.id).update(delete_at=1)

    assert list(team_list_visible(actor=admin)) == [private_team]


# --- team_member_list -------------------------------------------------------------------------


def test_team_member_list_lists_active_members_by_username(team, owner, member, outsider):
    team_join(actor=outsider, team_id=team.id)
    team_member_remove(actor=owner, team_id=team.id, user_id=member.id)

    members = team_member_list(actor=owner, team_id=team.id)

    assert [m.user.username for m in members] == ["outsider", "owner"]


def test_team_member_list_of_an_open_team_is_visible_to_non_members(team, outsider):
    members = team_member_list(actor=outsider, team_id=team.id)

    assert {m.user.username for m in members} == {"owner", "member"}


def test_team_member_list_of_invite_only_team_is_not_found_for_non_member(private_team, outsider):
    with pytest.raises(NotFound) as exc:
        team_member_list(actor=outsider, team_id=private_team.id)

    assert exc.value.error_id == "app.team.get.find.app_error"


def test_hidden_and_missing_teams_give_the_same_answer(private_team, outsider):
    with pytest.raises(NotFound) as hidden:
        team_member_list(actor=outsider, team_id=private_team.id)
    with pytest.raises(NotFound) as missing:
        team_member_list(actor=outsider, team_id=new_id())

    assert (hidden.value.error_id, hidden.value.message) == (
        missing.value.error_id,
        missing.value.message,
    )


def test_team_member_list_of_invite_only_team_is_hidden_again_after_leaving(private_team, member):
    team_member_remove(actor=member, team_id=private_team.id, user_id=member.id)

    with pytest.raises(NotFound):
        team_member_list(actor=member, team_id=private_team.id)


def test_system_admin_lists_members_of_an_invite_only_team(private_team, admin):
    members = team_member_list(actor=admin, team_id=private_team.id)

    assert {m.user.username for m in members} == {"owner", "member"}


def test_team_member_list_loads_users_in_one_query(team, owner, django_assert_num_queries):
    for n in range(5):
        team_join(actor=UserFactory(username=f"extra{n}"), team_id=team.id)
    members = team_member_list(actor=owner, team_id=team.id)

    with django_assert_num_queries(1):
        usernames = [m.user.username for m in members]

    assert len(usernames) == 7


# --- deactivated and anonymous actors ---------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda actor, team: team_list_for_user(actor=actor),
        lambda actor, team: team_list_visible(actor=actor),
        lambda actor, team: team_member_list(actor=actor, team_id=team.id),
    ],
    ids=["team_list_for_user", "team_list_visible", "team_member_list"],
)
def test_team_selectors_refuse_deactivated_and_anonymous_actors(team, member, call):
    user_deactivate(actor=member, user=member)
    member.refresh_from_db()

    with pytest.raises(NotAuthenticated):
        call(member, team)
    with pytest.raises(NotAuthenticated):
        call(AnonymousUser(), team)
