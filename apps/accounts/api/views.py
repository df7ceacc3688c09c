"""Users, sign-in and sessions over Mattermost's API v4."""

from django.conf import settings
from rest_framework.request import Request
from rest_framework.response import Response

from apps.accounts.authentication import AUTH_COOKIE, CSRF_COOKIE, USER_ID_COOKIE
from apps.accounts.selectors import user_get
from apps.accounts.services import session_end, session_login, user_create
from apps.accounts.wire import user_to_wire
from apps.core.api.base import (
    BaseApi,
    PublicApi,
    body_object,
    resolve_user_id,
    status_ok,
    text_field,
)


def _client_address(request: Request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


class LoginApi(PublicApi):
    """`POST /users/login`: 200, the user, and the session token in the `Token` header."""

    def post(self, request: Request) -> Response:
        body = body_object(request)
        user, session, token = session_login(
            login_id=text_field(body, "login_id"),
            password=text_field(body, "password"),
            address=_client_address(request),
            device_id=text_field(body, "device_id"),
        )
        response = Response(user_to_wire(user, viewer=user))
        response["Token"] = token
        age = settings.SESSION_COOKIE_AGE
        secure = settings.SESSION_COOKIE_SECURE
        response.set_cookie(
            AUTH_COOKIE, token, max_age=age, httponly=True, secure=secure, samesite="Lax"
        )
        response.set_cookie(USER_ID_COOKIE, user.id, max_age=age, secure=secure, samesite="Lax")
        response.set_cookie(
            CSRF_COOKIE, session.csrf_token, max_age=age, secure=secure, samesite="Lax"
        )
        return response


class LogoutApi(BaseApi):
    """`POST /users/logout`: ends the calling session."""

    def post(self, request: Request) -> Response:
        if request.auth is not None and getattr(request.auth, "expires_at", 0):
            session_end(session=request.auth)
        response = status_ok()
        for cookie in (AUTH_COOKIE, USER_ID_COOKIE, CSRF_COOKIE):
            response.delete_cookie(cookie)
        return response


class UserCreateApi(PublicApi):
    """`POST /users`: sign up. The first account on the server becomes system admin."""

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


class UserDetailApi(BaseApi):
    """`GET /users/{user_id}` (or `me`)."""

    def get(self, request: Request, user_id: str) -> Response:
        user = user_get(actor=request.user, user_id=resolve_user_id(request, user_id))
        return Response(user_to_wire(user, viewer=request.user))
