"""The sign-in cookies Mattermost's web app uses, set the same way by the API and the web UI.

MMAUTHTOKEN carries the session token (HttpOnly, so page scripts never see it); MMUSERID
and MMCSRF are readable by the page: the first names the signed-in user, the second is
what cookie-authenticated writes echo in the X-CSRF-Token header.
"""

from typing import TypeVar

from django.conf import settings
from django.http import HttpResponse

from apps.accounts.authentication import AUTH_COOKIE, CSRF_COOKIE, USER_ID_COOKIE
from apps.accounts.models import Session, User

# Whatever response is given comes back, so a view's return type is kept.
_Response = TypeVar("_Response", bound=HttpResponse)


def set_session_cookies(
    response: _Response, *, user: User, session: Session, token: str
) -> _Response:
    age = settings.SESSION_COOKIE_AGE
    secure = settings.SESSION_COOKIE_SECURE
    response.set_cookie(
        AUTH_COOKIE, token, max_age=age, httponly=True, secure=secure, samesite="Lax"
    )
    response.set_cookie(USER_ID_COOKIE, user.id, max_age=age, secure=secure, samesite="Lax")
    response.set_cookie(CSRF_COOKIE, session.csrf_token, max_age=age, secure=secure, samesite="Lax")
    return response


def clear_session_cookies(response: _Response) -> _Response:
    for cookie in (AUTH_COOKIE, USER_ID_COOKIE, CSRF_COOKIE):
        response.delete_cookie(cookie)
    return response
