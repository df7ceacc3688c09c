"""Teams and team members over Mattermost's API v4."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from apps.core.api.base import (
    AuthenticatedRequest,
    BaseApi,
    body_object,
    paged,
    query_flag,
    resolve_user_id,
    scheme_admin_from_roles,
    status_ok,
    text_field,
)
from apps.core.api.schema import (
    PAGING,
    STATUS_OK,
    RolesRequestSerializer,
    errors,
    flag_param,
    query_param,
)
from apps.core.errors import InvalidInput
from apps.core.ids import is_valid_id
from apps.teams.api.schema import (
    TeamCreateRequestSerializer,
    TeamListResponseSerializer,
    TeamMemberAddRequestSerializer,
    TeamMemberSerializer,
    TeamPatchRequestSerializer,
    TeamSerializer,
)
from apps.teams.permissions import access_team, access_team_by_name, can_manage_team
from apps.teams.selectors import (
    team_list_for_user,
    team_list_visible,
    team_member_get,
    team_member_list,
    team_member_list_for_user,
)
from apps.teams.services import (
    team_create,
    team_join_by_invite,
    team_member_add,
    team_member_remove,
    team_member_set_admin,
    team_update,
)
from apps.teams.wire import team_list_to_wire, team_member_to_wire, team_to_wire

# The fields of Mattermost's TeamPatch (plus `type`, which Confab keeps in sync with
# `allow_open_invite`); anything else a client sends along is ignored, as Go's decoder does.
TEAM_PATCH_FIELDS = (
    "display_name",
    "description",
    "company_name",
    "allowed_domains",
    "allow_open_invite",
    "type",
)


class TeamListCreateApi(BaseApi):
    """`GET /teams`: the teams the caller may see, paged; `POST /teams`: create one (201)."""

    @extend_schema(
        operation_id="GetAllTeams",
        tags=["teams"],
        summary="The teams the caller may see",
        responses={
            200: TeamListResponseSerializer,
            **errors(401),
        },
        parameters=[
            *PAGING,
            flag_param("include_total_count", "Answer {teams, total_count} instead of a list."),
        ],
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        teams = team_list_visible(actor=request.user)
        listed = team_list_to_wire(paged(teams, request))
        if query_flag(request, "include_total_count"):
            return Response({"teams": listed, "total_count": teams.count()})
        return Response(listed)

    @extend_schema(
        operation_id="CreateTeam",
        tags=["teams"],
        request=TeamCreateRequestSerializer,
        responses={201: TeamSerializer, **errors(400, 401, 403)},
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        body = body_object(request)
        team = team_create(
            actor=request.user,
            name=text_field(body, "name"),
            display_name=text_field(body, "display_name"),
            team_type=text_field(body, "type"),
            description=text_field(body, "description"),
            allowed_domains=text_field(body, "allowed_domains"),
        )
        return Response(team_to_wire(team, can_manage=True), status=201)


class TeamDetailApi(BaseApi):
    """`GET /teams/{team_id}`."""

    @extend_schema(
        operation_id="GetTeam",
        tags=["teams"],
        responses={200: TeamSerializer, **errors(401, 404)},
    )
    def get(self, request: AuthenticatedRequest, team_id: str) -> Response:
        team, membership = access_team(actor=request.user, team_id=team_id)
        return Response(team_to_wire(team, can_manage=can_manage_team(request.user, membership)))


class TeamByNameApi(BaseApi):
    """`GET /teams/name/{name}`."""

    @extend_schema(
        operation_id="GetTeamByName",
        tags=["teams"],
        responses={200: TeamSerializer, **errors(401, 404)},
    )
    def get(self, request: AuthenticatedRequest, name: str) -> Response:
        team, membership = access_team_by_name(actor=request.user, name=name)
        return Response(team_to_wire(team, can_manage=can_manage_team(request.user, membership)))


class TeamPatchApi(BaseApi):
    """`PUT /teams/{team_id}/patch`: team and system admins change a team's settings."""

    @extend_schema(
        operation_id="PatchTeam",
        tags=["teams"],
        summary="Change a team's settings (team and system admins)",
        request=TeamPatchRequestSerializer,
        responses={200: TeamSerializer, **errors(400, 401, 403, 404)},
    )
    def put(self, request: AuthenticatedRequest, team_id: str) -> Response:
        body = body_object(request)
        patch = {k: body[k] for k in TEAM_PATCH_FIELDS if body.get(k) is not None}
        team = team_update(actor=request.user, team_id=team_id, patch=patch)
        return Response(team_to_wire(team, can_manage=True))


class UserTeamListApi(BaseApi):
    """`GET /users/{user_id}/teams`: your teams (anyone's for system admins)."""

    @extend_schema(
        operation_id="GetTeamsForUser",
        tags=["teams"],
        responses={200: TeamSerializer(many=True), **errors(401, 403, 404)},
    )
    def get(self, request: AuthenticatedRequest, user_id: str) -> Response:
        teams = team_list_for_user(actor=request.user, user_id=resolve_user_id(request, user_id))
        return Response(team_list_to_wire(teams))


class UserTeamMemberListApi(BaseApi):
    """`GET /users/{user_id}/teams/members`: your team memberships."""

    @extend_schema(
        operation_id="GetTeamMembersForUser",
        tags=["teams"],
        responses={200: TeamMemberSerializer(many=True), **errors(401, 403, 404)},
    )
    def get(self, request: AuthenticatedRequest, user_id: str) -> Response:
        members = team_member_list_for_user(
            actor=request.user, user_id=resolve_user_id(request, user_id)
        )
        return Response([team_member_to_wire(m) for m in members])


class TeamMemberListAddApi(BaseApi):
    """`GET /teams/{team_id}/members` (paged); `POST` adds `{team_id, user_id}` (201)."""

    @extend_schema(
        operation_id="GetTeamMembers",
        tags=["teams"],
        responses={200: TeamMemberSerializer(many=True), **errors(401, 404)},
        parameters=PAGING,
    )
    def get(self, request: AuthenticatedRequest, team_id: str) -> Response:
        members = paged(team_member_list(actor=request.user, team_id=team_id), request)
        return Response([team_member_to_wire(m) for m in members])

    @extend_schema(
        operation_id="AddTeamMember",
        tags=["teams"],
        request=TeamMemberAddRequestSerializer,
        responses={201: TeamMemberSerializer, **errors(400, 401, 403, 404)},
    )
    def post(self, request: AuthenticatedRequest, team_id: str) -> Response:
        body = body_object(request)
        if text_field(body, "team_id") != team_id:
            raise InvalidInput(
                "team_id in the body must be the team of the URL.",
                error_id="api.context.invalid_body_param.app_error",
            )
        user_id = text_field(body, "user_id")
        if not is_valid_id(user_id):
            raise InvalidInput("A valid user_id is required.")
        member = team_member_add(actor=request.user, team_id=team_id, user_id=user_id)
        return Response(team_member_to_wire(member), status=201)


class TeamMemberDetailApi(BaseApi):
    """`GET /teams/{team_id}/members/{user_id}`; `DELETE` leaves or removes from the team."""

    @extend_schema(
        operation_id="GetTeamMember",
        tags=["teams"],
        responses={200: TeamMemberSerializer, **errors(401, 404)},
    )
    def get(self, request: AuthenticatedRequest, team_id: str, user_id: str) -> Response:
        member = team_member_get(
            actor=request.user, team_id=team_id, user_id=resolve_user_id(request, user_id)
        )
        return Response(team_member_to_wire(member))

    @extend_schema(
        operation_id="RemoveTeamMember",
        tags=["teams"],
        summary="Leave a team, or remove a member",
        responses={200: STATUS_OK, **errors(400, 401, 403, 404)},
    )
    def delete(self, request: AuthenticatedRequest, team_id: str, user_id: str) -> Response:
        team_member_remove(
            actor=request.user, team_id=team_id, user_id=resolve_user_id(request, user_id)
        )
        return status_ok()


class TeamMemberRolesApi(BaseApi):
    """`PUT /teams/{team_id}/members/{user_id}/roles` `{roles: "team_user team_admin"}`."""

    @extend_schema(
        operation_id="UpdateTeamMemberRoles",
        tags=["teams"],
        request=RolesRequestSerializer,
        responses={200: STATUS_OK, **errors(400, 401, 403, 404)},
    )
    def put(self, request: AuthenticatedRequest, team_id: str, user_id: str) -> Response:
        admin = scheme_admin_from_roles(body_object(request), scope="team")
        team_member_set_admin(
            actor=request.user,
            team_id=team_id,
            user_id=resolve_user_id(request, user_id),
            admin=admin,
        )
        return status_ok()


class TeamJoinByInviteApi(BaseApi):
    """`POST /teams/members/invite?invite_id=`: join the team of an invite link (201)."""

    @extend_schema(
        operation_id="AddTeamMemberFromInvite",
        tags=["teams"],
        summary="Join the team of an invite link",
        request=None,
        responses={201: TeamMemberSerializer, **errors(400, 401, 403, 404)},
        parameters=[query_param("invite_id", "The team's invite id.", required=True)],
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        invite_id = request.query_params.get("invite_id", "")
        if not invite_id:
            raise InvalidInput(
                "invite_id is required.", error_id="api.context.invalid_url_param.app_error"
            )
        member = team_join_by_invite(actor=request.user, invite_id=invite_id)
        return Response(team_member_to_wire(member), status=201)
