"""Sessions and personal access tokens over Mattermost's API v4."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.response import Response

from apps.accounts.api.params import page_slice, target_user
from apps.accounts.api.schema import (
    SessionRevokeRequestSerializer,
    SessionSerializer,
    TokenCreateRequestSerializer,
    TokenIdRequestSerializer,
    UserAccessTokenSerializer,
)
from apps.accounts.selectors import (
    session_list,
    user_access_token_get,
    user_access_token_list,
    user_access_token_list_all,
)
from apps.accounts.services.sessions import (
    session_revoke,
    session_revoke_all,
    user_access_token_create,
    user_access_token_revoke,
    user_access_token_set_active,
)
from apps.accounts.wire import access_token_to_wire, session_to_wire
from apps.core.api.base import (
    AuthenticatedRequest,
    BaseApi,
    body_object,
    paging,
    status_ok,
    text_field,
)
from apps.core.api.schema import PAGING, STATUS_OK, errors
from apps.core.errors import InvalidInput


def _required(body: dict, name: str) -> str:
    value = text_field(body, name)
    if not value:
        raise InvalidInput(
            f"{name} is required.", error_id="api.context.invalid_body_param.app_error"
        )
    return value


class SessionListApi(BaseApi):
    """`GET /users/{user_id}/sessions`: never with the tokens themselves."""

    @extend_schema(
        operation_id="GetSessions",
        tags=["sessions"],
        summary="A user's sessions (never with their tokens)",
        responses={200: SessionSerializer(many=True), **errors(401, 403, 404)},
    )
    def get(self, request: AuthenticatedRequest, user_id: str) -> Response:
        sessions = session_list(actor=request.user, user=target_user(request, user_id))
        return Response([session_to_wire(s) for s in sessions])


class SessionRevokeApi(BaseApi):
    """`POST /users/{user_id}/sessions/revoke` `{session_id}`."""

    @extend_schema(
        operation_id="RevokeSession",
        tags=["sessions"],
        request=SessionRevokeRequestSerializer,
        responses={200: STATUS_OK, **errors(400, 401, 403, 404)},
    )
    def post(self, request: AuthenticatedRequest, user_id: str) -> Response:
        user = target_user(request, user_id)
        session_id = _required(body_object(request), "session_id")
        session_revoke(actor=request.user, user=user, session_id=session_id)
        return status_ok()


class SessionRevokeAllApi(BaseApi):
    """`POST /users/{user_id}/sessions/revoke/all`: signs the user out everywhere."""

    @extend_schema(
        operation_id="RevokeAllSessions",
        tags=["sessions"],
        summary="Sign a user out everywhere",
        request=None,
        responses={200: STATUS_OK, **errors(401, 403, 404)},
    )
    def post(self, request: AuthenticatedRequest, user_id: str) -> Response:
        session_revoke_all(actor=request.user, user=target_user(request, user_id))
        return status_ok()


class UserTokenListCreateApi(BaseApi):
    """`GET /users/{user_id}/tokens`; `POST` `{description}` creates one and shows it once."""

    @extend_schema(
        operation_id="GetUserAccessTokensForUser",
        tags=["sessions"],
        responses={200: UserAccessTokenSerializer(many=True), **errors(401, 403, 404)},
        parameters=PAGING,
    )
    def get(self, request: AuthenticatedRequest, user_id: str) -> Response:
        tokens = user_access_token_list(actor=request.user, user=target_user(request, user_id))
        return Response([access_token_to_wire(t) for t in tokens[page_slice(*paging(request))]])

    @extend_schema(
        operation_id="CreateUserAccessToken",
        tags=["sessions"],
        summary="Create a personal access token (shown once)",
        request=TokenCreateRequestSerializer,
        responses={200: UserAccessTokenSerializer, **errors(400, 401, 403, 404)},
    )
    def post(self, request: AuthenticatedRequest, user_id: str) -> Response:
        row, token = user_access_token_create(
            actor=request.user,
            user=target_user(request, user_id),
            description=text_field(body_object(request), "description"),
        )
        return Response(access_token_to_wire(row, token=token))


class TokenListAllApi(BaseApi):
    """`GET /users/tokens`: every token on the server (system admins)."""

    @extend_schema(
        operation_id="GetUserAccessTokens",
        tags=["sessions"],
        summary="Every token on the server (system admins)",
        responses={200: UserAccessTokenSerializer(many=True), **errors(401, 403)},
        parameters=PAGING,
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        tokens = user_access_token_list_all(actor=request.user)
        return Response([access_token_to_wire(t) for t in tokens[page_slice(*paging(request))]])


class TokenDetailApi(BaseApi):
    """`GET /users/tokens/{token_id}`."""

    @extend_schema(
        operation_id="GetUserAccessToken",
        tags=["sessions"],
        responses={200: UserAccessTokenSerializer, **errors(401, 403, 404)},
    )
    def get(self, request: AuthenticatedRequest, token_id: str) -> Response:
        return Response(
            access_token_to_wire(user_access_token_get(actor=request.user, token_id=token_id))
        )


class TokenRevokeApi(BaseApi):
    """`POST /users/tokens/revoke` `{token_id}`: deletes it."""

    @extend_schema(
        operation_id="RevokeUserAccessToken",
        tags=["sessions"],
        request=TokenIdRequestSerializer,
        responses={200: STATUS_OK, **errors(400, 401, 403, 404)},
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        token_id = _required(body_object(request), "token_id")
        user_access_token_revoke(actor=request.user, token_id=token_id)
        return status_ok()


class TokenDisableApi(BaseApi):
    """`POST /users/tokens/disable` `{token_id}`."""

    is_active = False

    @extend_schema(
        operation_id="DisableUserAccessToken",
        tags=["sessions"],
        request=TokenIdRequestSerializer,
        responses={200: STATUS_OK, **errors(400, 401, 403, 404)},
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        token_id = _required(body_object(request), "token_id")
        user_access_token_set_active(
            actor=request.user, token_id=token_id, is_active=self.is_active
        )
        return status_ok()


@extend_schema_view(
    post=extend_schema(
        operation_id="EnableUserAccessToken",
        tags=["sessions"],
        request=TokenIdRequestSerializer,
        responses={200: STATUS_OK, **errors(400, 401, 403, 404)},
    )
)
class TokenEnableApi(TokenDisableApi):
    """`POST /users/tokens/enable` `{token_id}`."""

    is_active = True
