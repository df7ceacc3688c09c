"""The teams API (reference §a.2): teams, team members, roles and invitations."""

from dataclasses import dataclass

import pytest

from apps.accounts.models import User
from apps.core.ids import new_id
from apps.teams.models import TEAM_INVITE, Team, TeamMember
from apps.teams.services import team_member_add
from tests.factories import UserFactory, make_team

pytestmark = pytest.mark.django_db

TEAM_KEYS = {
    "id",
    "create_at",
    "update_at",
    "delete_at",
    "display_name",
    "name",
    "description",
    "email",
    "type",
    "company_name",
    "allowed_domains",
    "invite_id",
    "allow_open_invite",
    "scheme_id",
    "group_constrained",
    "policy_id",
    "cloud_limits_archived",
}
TEAM_MEMBER_KEYS = {
    "team_id",
    "user_id",
    "roles",
    "delete_at",
    "scheme_guest",
    "scheme_user",
    "scheme_admin",
    "explicit_roles",
}


@dataclass
class Cast:
    admin: User  # system admin, in no team
    owner: User  # created both teams: their team admin
    member: User  # a plain member of both teams
    outsider: User  # in no team
    team: Team  # open
    private: Team  # invite only


@pytest.fixture
def cast() -> Cast:
    admin = UserFactory(username="root")
    owner = UserFactory(username="owner")
    member = UserFactory(username="member")
    outsider = UserFactory(username="outsider")
    team = make_team(owner, name="acme", display_name="Acme")
    private = make_team(owner, name="hidden", display_name="Hidden", team_type=TEAM_INVITE)
    for t in (team, private):
        team_member_add(actor=owner, team_id=t.id, user_id=member.id)
    return Cast(admin, owner, member, outsider, team, private)


def _names(teams: list[dict]) -> list[str]:
    return [t["name"] for t in teams]


# --- teams ----------------------------------------------------------------------------------


def test_teams_list_holds_the_visible_teams_in_the_wire_format(cast: Cast, api_as) -> None:
    listed = api_as(cast.member).get("teams")
    assert _names(listed) == ["acme", "hidden"]
    assert set(listed[0]) == TEAM_KEYS
    assert _names(api_as(cast.outsider).get("teams")) == ["acme"]
    assert _names(api_as(cast.admin).get("teams")) == ["acme", "hidden"]


def test_teams_list_pages_and_counts(cast: Cast, api_as) -> None:
    api = api_as(cast.member)
    assert _names(api.get("teams", page=1, per_page=1)) == ["hidden"]
    assert api.get("teams", page=2, per_page=1) == []
    counted = api.get("teams", include_total_count="true", per_page=1)
    assert set(counted) == {"teams", "total_count"}
    assert (_names(counted["teams"]), counted["total_count"]) == (["acme"], 2)


def test_invite_id_and_email_are_shown_to_team_admins_only(cast: Cast, api_as) -> None:
    owner_view = api_as(cast.owner).get(f"teams/{cast.team.id}")
    assert owner_view["invite_id"] == cast.team.invite_id
    assert owner_view["email"] == cast.owner.email
    assert api_as(cast.admin).get(f"teams/{cast.team.id}")["invite_id"] == cast.team.invite_id
    member_view = api_as(cast.member).get(f"teams/{cast.team.id}")
    assert (member_view["invite_id"], member_view["email"]) == ("", "")
    assert {t["invite_id"] for t in api_as(cast.member).get("teams")} == {""}
    owned = api_as(cast.owner).get("users/me/teams")
    assert {t["invite_id"] for t in owned} == {cast.team.invite_id, cast.private.invite_id}


def test_creating_a_team_answers_201_and_makes_the_creator_its_admin(cast: Cast, api_as) -> None:
    body = {"name": "Launch", "display_name": "Launch", "type": "I", "description": "go"}
    team = api_as(cast.outsider).post("teams", body, status=201)
    assert set(team) == TEAM_KEYS
    assert (team["name"], team["type"], team["allow_open_invite"]) == ("launch", "I", False)
    assert team["invite_id"]  # the creator administers it
    me = api_as(cast.outsider).get(f"teams/{team['id']}/members/me")
    assert me["roles"] == "team_user team_admin"


@pytest.mark.parametrize(
    "body",
    [
        {"name": "acme", "display_name": "Again", "type": "O"},  # taken
        {"name": "x", "display_name": "Short", "type": "O"},
        {"name": "admin-team", "display_name": "Reserved", "type": "O"},
        {"name": "fine", "display_name": "", "type": "O"},
        {"name": "fine", "display_name": "Fine", "type": "Z"},
        {"name": "fine", "display_name": "Fine"},  # type is required
        {"name": 5, "display_name": "Fine", "type": "O"},
        ["not", "an", "object"],
    ],
)
def test_an_invalid_team_is_refused_and_nothing_is_created(cast: Cast, api_as, body) -> None:
    before = Team.objects.count()
    error = api_as(cast.member).post("teams", body, status=400)
    assert error["message"]
    assert Team.objects.count() == before


@pytest.mark.parametrize("how", ["id", "name"])
def test_a_team_is_read_by_id_or_name(cast: Cast, api_as, how: str) -> None:
    path = f"teams/{cast.private.id}" if how == "id" else "teams/name/HIDDEN"
    assert api_as(cast.member).get(path)["id"] == cast.private.id


@pytest.mark.parametrize(
    "path",
    ["teams/{private}", "teams/name/hidden", "teams/{missing}", "teams/nonsense", "teams/name/x"],
)
def test_hidden_and_missing_teams_are_alike_not_found(cast: Cast, api_as, path: str) -> None:
    path = path.format(private=cast.private.id, missing=new_id())
    error = api_as(cast.outsider).get(path, status=404)
    assert error["id"] == "app.team.get.find.app_error"


def test_team_admins_patch_a_team(cast: Cast, api_as) -> None:
    patched = api_as(cast.owner).put(
        f"teams/{cast.team.id}/patch",
        {
            "display_name": "Acme Inc",
            "company_name": "Acme",
            "allow_open_invite": False,
            "name": "ignored",
            "description": None,
        },
    )
    assert (patched["display_name"], patched["company_name"]) == ("Acme Inc", "Acme")
    assert (patched["type"], patched["allow_open_invite"], patched["name"]) == ("I", False, "acme")


def test_patching_a_team_is_refused_to_members_and_hidden_from_outsiders(
    cast: Cast, api_as
) -> None:
    api_as(cast.member).put(f"teams/{cast.team.id}/patch", {"display_name": "Mine"}, status=403)
    api_as(cast.outsider).put(f"teams/{cast.private.id}/patch", {"display_name": "x"}, status=404)
    api_as(cast.owner).put(f"teams/{cast.team.id}/patch", {"display_name": ""}, status=400)
    api_as(cast.owner).put(f"teams/{cast.team.id}/patch", {"type": "Q"}, status=400)
    assert Team.objects.get(id=cast.team.id).display_name == "Acme"


# --- a user's teams ------------------------------------------------------------------------


def test_a_user_lists_their_teams_and_memberships(cast: Cast, api_as) -> None:
    api = api_as(cast.member)
    assert _names(api.get("users/me/teams")) == ["acme", "hidden"]
    assert _names(api.get(f"users/{cast.member.id}/teams")) == ["acme", "hidden"]
    members = api.get("users/me/teams/members")
    assert {m["team_id"] for m in members} == {cast.team.id, cast.private.id}
    assert set(members[0]) == TEAM_MEMBER_KEYS
    assert api_as(cast.outsider).get("users/me/teams") == []


def test_only_system_admins_list_another_users_teams(cast: Cast, api_as) -> None:
    for path in (f"users/{cast.member.id}/teams", f"users/{cast.member.id}/teams/members"):
        api_as(cast.outsider).get(path, status=403)
        assert len(api_as(cast.admin).get(path)) == 2


# --- team members ---------------------------------------------------------------------------


def test_team_members_are_paged_until_empty(cast: Cast, api_as) -> None:
    api = api_as(cast.member)
    pages = [api.get(f"teams/{cast.team.id}/members", page=n, per_page=1) for n in range(3)]
    assert [len(p) for p in pages] == [1, 1, 0]
    assert {pages[0][0]["user_id"], pages[1][0]["user_id"]} == {cast.owner.id, cast.member.id}
    api_as(cast.outsider).get(f"teams/{cast.private.id}/members", status=404)


def test_one_team_member_is_read_and_a_non_member_is_not_found(cast: Cast, api_as) -> None:
    api = api_as(cast.member)
    owner = api.get(f"teams/{cast.team.id}/members/{cast.owner.id}")
    assert owner["roles"] == "team_user team_admin"
    assert api.get(f"teams/{cast.team.id}/members/me")["roles"] == "team_user"
    api.get(f"teams/{cast.team.id}/members/{cast.outsider.id}", status=404)


def test_members_add_others_with_201(cast: Cast, api_as, capture_events) -> None:
    body = {"team_id": cast.private.id, "user_id": cast.outsider.id}
    with capture_events() as events:
        added = api_as(cast.member).post(f"teams/{cast.private.id}/members", body, status=201)
    assert set(added) == TEAM_MEMBER_KEYS
    assert (added["user_id"], added["roles"]) == (cast.outsider.id, "team_user")
    assert events.named("added_to_team")[0].broadcast.user_id == cast.outsider.id


def test_adding_a_member_is_refused_to_outsiders_and_on_bad_input(cast: Cast, api_as) -> None:
    newcomer = UserFactory(username="newcomer")
    path = f"teams/{cast.team.id}/members"
    outsider = api_as(cast.outsider)
    outsider.post(path, {"team_id": cast.team.id, "user_id": newcomer.id}, status=403)
    outsider.post(
        f"teams/{cast.private.id}/members",
        {"team_id": cast.private.id, "user_id": newcomer.id},
        status=404,
    )
    owner = api_as(cast.owner)
    owner.post(path, {"team_id": cast.private.id, "user_id": newcomer.id}, status=400)
    owner.post(path, {"user_id": newcomer.id}, status=400)
    owner.post(path, {"team_id": cast.team.id, "user_id": "nope"}, status=400)
    owner.post(path, {"team_id": cast.team.id, "user_id": new_id()}, status=404)
    assert not TeamMember.objects.filter(user=newcomer).exists()


def test_anyone_joins_an_open_team_by_adding_themselves(cast: Cast, api_as) -> None:
    body = {"team_id": cast.team.id, "user_id": cast.outsider.id}
    joined = api_as(cast.outsider).post(f"teams/{cast.team.id}/members", body, status=201)
    assert joined["team_id"] == cast.team.id


def test_team_admins_remove_members_and_members_leave(cast: Cast, api_as) -> None:
    api_as(cast.member).delete(f"teams/{cast.team.id}/members/{cast.owner.id}", status=403)
    assert api_as(cast.member).delete(f"teams/{cast.private.id}/members/me") == {"status": "OK"}
    assert api_as(cast.owner).delete(f"teams/{cast.team.id}/members/{cast.member.id}") == {
        "status": "OK"
    }
    assert api_as(cast.member).get("users/me/teams") == []
    api_as(cast.member).get(f"teams/{cast.private.id}", status=404)


def test_team_admins_grant_and_revoke_the_team_admin_role(cast: Cast, api_as) -> None:
    path = f"teams/{cast.team.id}/members/{cast.member.id}/roles"
    owner = api_as(cast.owner)
    assert owner.put(path, {"roles": "team_user team_admin"}) == {"status": "OK"}
    assert api_as(cast.member).get(f"teams/{cast.team.id}")["invite_id"] == cast.team.invite_id
    owner.put(path, {"roles": "team_user"})
    assert TeamMember.objects.get(team=cast.team, user=cast.member).scheme_admin is False


@pytest.mark.parametrize("roles", ["team_admin", "team_user system_admin", "", None, ["team_user"]])
def test_invalid_team_roles_are_refused(cast: Cast, api_as, roles) -> None:
    path = f"teams/{cast.team.id}/members/{cast.member.id}/roles"
    api_as(cast.owner).put(path, {"roles": roles}, status=400)
    assert TeamMember.objects.get(team=cast.team, user=cast.member).scheme_admin is False


def test_members_cannot_change_team_roles(cast: Cast, api_as) -> None:
    path = f"teams/{cast.team.id}/members/{cast.member.id}/roles"
    api_as(cast.member).put(path, {"roles": "team_user team_admin"}, status=403)
    assert TeamMember.objects.get(team=cast.team, user=cast.member).scheme_admin is False


def test_an_invite_id_lets_anyone_join_an_invite_only_team(cast: Cast, api_as) -> None:
    api = api_as(cast.outsider)
    joined = api.post("teams/members/invite", invite_id=cast.private.invite_id, status=201)
    assert (joined["team_id"], joined["user_id"]) == (cast.private.id, cast.outsider.id)
    assert api.get(f"teams/{cast.private.id}")["id"] == cast.private.id


def test_a_missing_or_unknown_invite_id_is_refused(cast: Cast, api_as) -> None:
    api = api_as(cast.outsider)
    api.post("teams/members/invite", status=400)
    api.post("teams/members/invite", invite_id=new_id(), status=404)
    assert not TeamMember.objects.filter(user=cast.outsider).exists()
