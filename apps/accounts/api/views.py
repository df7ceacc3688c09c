"""Users and sign-in over Mattermost's API v4."""

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.authentication import BaseAuthentication
from rest_framework.request import Request
from rest_framework.response import Response

from apps.accounts.api.params import (
    page_slice,
    query_int,
    string_list,
    target_user,
)
from apps.accounts.api.schema import (
    LoginRequestSerializer,
    PasswordUpdateRequestSerializer,
    UserActiveRequestSerializer,
    UserAutocompleteSerializer,
    UserCreateRequestSerializer,
    UserPatchRequestSerializer,
    UserSerializer,
    UserUpdateRequestSerializer,
)
from apps.accounts.cookies import clear_session_cookies, set_session_cookies
from apps.accounts.models import Session, User
from apps.accounts.selectors import (
    AUTOCOMPLETE_LIMIT_DEFAULT,
    user_autocomplete,
    user_get_by_email,
    user_get_by_username,
    user_list,
    user_list_by_ids,
    user_list_by_usernames,
)
from apps.accounts.services.sessions import session_end, session_login, user_set_password
from apps.accounts.services.users import (
    user_activate,
    user_create,
    user_deactivate,
    user_update_profile,
    user_update_roles,
)
from apps.accounts.wire import user_to_wire
from apps.channels.permissions import access_channel
from apps.core.addresses import client_address
from apps.core.api.base import (
    AuthenticatedRequest,
    BaseApi,
    PublicApi,
    body_object,
    paging,
    query_flag,
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
    string_array,
)
from apps.core.errors import InvalidInput
from apps.teams.permissions import access_team

if TYPE_CHECKING:
    from rest_framework.permissions import _SupportsHasPermission

    from apps.channels.models import Channel
    from apps.teams.models import Team

# What PUT /users/{id} takes from the full user object a client sends back; the rest
# (ids, times, roles...) is not the caller's to set that way.
UPDATABLE_USER_FIELDS = (
    "username",
    "email",
    "nickname",
    "first_name",
    "last_name",
    "position",
    "locale",
    "timezone",
    "notify_props",
    "props",
)


def _users(users: Iterable[User], viewer: User) -> Response:
    return Response([user_to_wire(user, viewer=viewer) for user in users])


class LoginApi(PublicApi):
    """`POST /users/login`: 200, the user, and the session token in the `Token` header."""

    @extend_schema(
        operation_id="Login",
        tags=["users"],
        summary="Sign in",
        description="Answers the user; the session token is in the `Token` header and the "
        "MMAUTHTOKEN, MMUSERID and MMCSRF cookies are set.",
        request=LoginRequestSerializer,
        responses={200: UserSerializer, **errors(400, 401, 429)},
        parameters=[
            OpenApiParameter(
                "Token",
                str,
                OpenApiParameter.HEADER,
                response=[200],
                description="The new session token.",
            )
        ],
    )
    def post(self, request: Request) -> Response:
        body = body_object(request)
        user, session, token = session_login(
            login_id=text_field(body, "login_id"),
            password=text_field(body, "password"),
            address=client_address(request),
            device_id=text_field(body, "device_id"),
        )
        response = Response(user_to_wire(user, viewer=user))
        response["Token"] = token
        set_session_cookies(response, user=user, session=session, token=token)
        return response


class LogoutApi(BaseApi):
    """`POST /users/logout`: ends the calling session."""

    @extend_schema(
        operation_id="Logout",
        tags=["users"],
        summary="End the calling session",
        request=None,
        responses={200: STATUS_OK, **errors(401)},
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        # A personal access token authenticates as an unsaved Session with no expiry: it
        # has no session to end. A browser session (SessionAuthentication) has no auth.
        session = request.auth
        if isinstance(session, Session) and session.expires_at:
            session_end(session=session)
        return clear_session_cookies(status_ok())


class UserListCreateApi(BaseApi):
    """`GET /users`: list accounts (signed in). `POST /users`: sign up (open).

    Sign-up reads no credentials at all, so a stale token cannot make it fail.
    """

    def _is_sign_up(self) -> bool:
        request = getattr(self, "request", None)
        return request is not None and request.method == "POST"

    def get_authenticators(self) -> list[BaseAuthentication]:
        return [] if self._is_sign_up() else super().get_authenticators()

    def get_permissions(self) -> "Sequence[_SupportsHasPermission]":
        return [] if self._is_sign_up() else super().get_permissions()

    @extend_schema(
        operation_id="GetUsers",
        tags=["users"],
        summary="List users",
        responses={200: UserSerializer(many=True), **errors(400, 401, 403, 404)},
        parameters=[
            *PAGING,
            query_param("in_team", "Only members of this team."),
            query_param("not_in_team", "Only users outside this team."),
            query_param("in_channel", "Only members of this channel."),
            query_param("not_in_channel", "Only users outside this channel (needs in_team)."),
            flag_param("without_team", "Only users in no team."),
            flag_param("active", "Only active users."),
            flag_param("inactive", "Only deactivated users."),
            query_param("role", "Only users with this system role."),
        ],
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        actor, query = request.user, request.query_params
        if query.get("not_in_channel") and not query.get("in_team"):
            raise InvalidInput(
                "not_in_channel needs in_team.", error_id="api.context.invalid_url_param.app_error"
            )
        active, inactive = query_flag(request, "active"), query_flag(request, "inactive")
        if active and inactive:
            raise InvalidInput(
                "Ask for active or inactive users, not both.",
                error_id="api.context.invalid_url_param.app_error",
            )
        users = user_list(
            actor=actor,
            in_team=_team(actor, query.get("in_team")),
            not_in_team=_team(actor, query.get("not_in_team")),
            in_channel=_channel(actor, query.get("in_channel")),
            not_in_channel=_channel(actor, query.get("not_in_channel")),
            without_team=query_flag(request, "without_team"),
            active=True if active else (False if inactive else None),
            role=query.get("role", ""),
        )
        return _users(users[page_slice(*paging(request))], actor)

    @extend_schema(
        operation_id="CreateUser",
        tags=["users"],
        summary="Sign up (no session needed)",
        request=UserCreateRequestSerializer,
        responses={201: UserSerializer, **errors(400, 403)},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        body = body_object(request)
        user = user_create(
            username=text_field(body, "username"),
            email=text_field(body, "email"),
            password=text_field(body, "password"),
            first_name=text_field(body, "first_name"),
            last_name=text_field(body, "last_name"),
            nickname=text_field(body, "nickname"),
            locale=text_field(body, "locale") or "en",
        )
        return Response(user_to_wire(user, viewer=user), status=201)


def _team(actor: User, team_id: str | None) -> "Team | None":
    """The team a filter names, if the actor may see it (404 otherwise)."""
    return access_team(actor=actor, team_id=team_id)[0] if team_id else None


def _channel(actor: User, channel_id: str | None) -> "Channel | None":
    """The channel a filter names, if the actor may read it (404 otherwise)."""
    return access_channel(actor=actor, channel_id=channel_id)[0] if channel_id else None


class UserAutocompleteApi(BaseApi):
    """`GET /users/autocomplete?name=&in_team=&in_channel=&limit=`."""

    @extend_schema(
        operation_id="AutocompleteUsers",
        tags=["users"],
        summary="Users whose names start with a prefix",
        responses={200: UserAutocompleteSerializer, **errors(400, 401, 404)},
        parameters=[
            query_param("name", "The prefix to match (username, names, nickname)."),
            query_param("in_team", "Only members of this team."),
            query_param("in_channel", "Members of this channel, and who could join it."),
            query_param("limit", "At most this many users per list.", int),
        ],
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        actor, query = request.user, request.query_params
        limit = query_int(request, "limit")
        found = user_autocomplete(
            actor=actor,
            name=query.get("name", ""),
            in_team=_team(actor, query.get("in_team")),
            in_channel=_channel(actor, query.get("in_channel")),
            limit=AUTOCOMPLETE_LIMIT_DEFAULT if limit is None else limit,
        )
        return Response(
            {key: [user_to_wire(u, viewer=actor) for u in users] for key, users in found.items()}
        )


class UserByIdsApi(BaseApi):
    """`POST /users/ids?since=`: the known accounts among the ids; others are dropped."""

    @extend_schema(
        operation_id="GetUsersByIds",
        tags=["users"],
        summary="Users by ids (unknown ids are dropped)",
        request=string_array("User ids."),
        responses={200: UserSerializer(many=True), **errors(400, 401)},
        parameters=[query_param("since", "Only users updated after this time (ms).", int)],
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        users = user_list_by_ids(
            actor=request.user,
            user_ids=string_list(request, "user ids"),
            since=query_int(request, "since"),
        )
        return _users(users, request.user)


class UserByUsernamesApi(BaseApi):
    """`POST /users/usernames`."""

    @extend_schema(
        operation_id="GetUsersByUsernames",
        tags=["users"],
        summary="Users by usernames (unknown names are dropped)",
        request=string_array("Usernames."),
        responses={200: UserSerializer(many=True), **errors(400, 401)},
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        users = user_list_by_usernames(
            actor=request.user, usernames=string_list(request, "usernames")
        )
        return _users(users, request.user)


class UserByUsernameApi(BaseApi):
    """`GET /users/username/{username}`."""

    @extend_schema(
        operation_id="GetUserByUsername",
        tags=["users"],
        responses={200: UserSerializer, **errors(401, 404)},
    )
    def get(self, request: AuthenticatedRequest, username: str) -> Response:
        user = user_get_by_username(actor=request.user, username=username)
        return Response(user_to_wire(user, viewer=request.user))


class UserByEmailApi(BaseApi):
    """`GET /users/email/{email}`: for system admins, or the caller's own address."""

    @extend_schema(
        operation_id="GetUserByEmail",
        tags=["users"],
        summary="A user by e-mail (admins, or your own address)",
        responses={200: UserSerializer, **errors(401, 403, 404)},
    )
    def get(self, request: AuthenticatedRequest, email: str) -> Response:
        user = user_get_by_email(actor=request.user, email=email)
        return Response(user_to_wire(user, viewer=request.user))


class UserDetailApi(BaseApi):
    """`GET /users/{user_id}` (or `me`), `PUT` to update it, `DELETE` to deactivate it."""

    @extend_schema(
        operation_id="GetUser",
        tags=["users"],
        summary="A user (`me` for the caller)",
        responses={200: UserSerializer, **errors(401, 404)},
    )
    def get(self, request: AuthenticatedRequest, user_id: str) -> Response:
        return Response(user_to_wire(target_user(request, user_id), viewer=request.user))

    @extend_schema(
        operation_id="UpdateUser",
        tags=["users"],
        summary="Update a user's profile from the full user object",
        request=UserUpdateRequestSerializer,
        responses={200: UserSerializer, **errors(400, 401, 403, 404)},
    )
    def put(self, request: AuthenticatedRequest, user_id: str) -> Response:
        user = target_user(request, user_id)
        body = body_object(request)
        if body.get("id") and body["id"] != user.id:
            raise InvalidInput("The body's id is not the user of the URL.")
        data = {k: body[k] for k in UPDATABLE_USER_FIELDS if body.get(k) is not None}
        user = user_update_profile(actor=request.user, user=user, data=data)
        return Response(user_to_wire(user, viewer=request.user))

    @extend_schema(
        operation_id="DeleteUser",
        tags=["users"],
        summary="Deactivate a user (never deleted for good)",
        responses={200: STATUS_OK, **errors(400, 401, 403, 404)},
        parameters=[flag_param("permanent", "Refused: accounts are only deactivated.")],
    )
    def delete(self, request: AuthenticatedRequest, user_id: str) -> Response:
        user = target_user(request, user_id)
        if query_flag(request, "permanent"):
            raise InvalidInput(
                "Accounts are deactivated, never deleted for good.",
                error_id="api.user.delete_user.not_enabled.app_error",
            )
        user_deactivate(actor=request.user, user=user)
        return status_ok()


class UserPatchApi(BaseApi):
    """`PUT /users/{user_id}/patch`: change the fields given (null means "leave it")."""

    @extend_schema(
        operation_id="PatchUser",
        tags=["users"],
        summary="Change the profile fields given",
        request=UserPatchRequestSerializer,
        responses={200: UserSerializer, **errors(400, 401, 403, 404)},
    )
    def put(self, request: AuthenticatedRequest, user_id: str) -> Response:
        user = target_user(request, user_id)
        data = {k: v for k, v in body_object(request).items() if v is not None}
        user = user_update_profile(actor=request.user, user=user, data=data)
        return Response(user_to_wire(user, viewer=request.user))


class UserActiveApi(BaseApi):
    """`PUT /users/{user_id}/active` `{active}`: deactivate, or reactivate (admins)."""

    @extend_schema(
        operation_id="UpdateUserActive",
        tags=["users"],
        summary="Deactivate, or reactivate (admins), a user",
        request=UserActiveRequestSerializer,
        responses={200: STATUS_OK, **errors(400, 401, 403, 404)},
    )
    def put(self, request: AuthenticatedRequest, user_id: str) -> Response:
        user = target_user(request, user_id)
        active = body_object(request).get("active")
        if not isinstance(active, bool):
            raise InvalidInput("active must be true or false.")
        if active:
            user_activate(actor=request.user, user=user)
        else:
            user_deactivate(actor=request.user, user=user)
        return status_ok()


class UserPasswordApi(BaseApi):
    """`PUT /users/{user_id}/password`: other sessions end; the calling one stays."""

    @extend_schema(
        operation_id="UpdateUserPassword",
        tags=["users"],
        summary="Change a password; the user's other sessions end",
        request=PasswordUpdateRequestSerializer,
        responses={200: STATUS_OK, **errors(400, 401, 403, 404)},
    )
    def put(self, request: AuthenticatedRequest, user_id: str) -> Response:
        user = target_user(request, user_id)
        body = body_object(request)
        user_set_password(
            actor=request.user,
            user=user,
            new_password=text_field(body, "new_password"),
            current_password=text_field(body, "current_password"),
            keep_session_id=getattr(request.auth, "id", "") or "",
        )
        return status_ok()


class UserRolesApi(BaseApi):
    """`PUT /users/{user_id}/roles` `{roles: "system_user system_admin"}` (admins)."""

    @extend_schema(
        operation_id="UpdateUserRoles",
        tags=["users"],
        summary="Set a user's system roles (admins)",
        request=RolesRequestSerializer,
        responses={200: STATUS_OK, **errors(400, 401, 403, 404)},
    )
    def put(self, request: AuthenticatedRequest, user_id: str) -> Response:
        user = target_user(request, user_id)
        roles = text_field(body_object(request), "roles")
        if not roles.strip():
            raise InvalidInput("roles must name at least one role.")
        user_update_roles(actor=request.user, user=user, roles=roles)
        return status_ok()
