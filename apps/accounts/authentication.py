"""How API requests prove who they are, in Mattermost's ways.

1. `Authorization: Bearer <token>` (or `Token <token>`, any case): no CSRF, since a
   cross-site page cannot set it. (`?access_token=` is refused on HTTP: query strings
   are logged.)
2. The `MMAUTHTOKEN` cookie set at login: unsafe methods must echo the session's CSRF
   token in `X-CSRF-Token` (the `MMCSRF` cookie holds it for the page's script).
3. A Django browser session (the web client), with Django's own CSRF check.
"""

from django.http import HttpRequest
from rest_framework import authentication, exceptions

from apps.accounts.models import Session, User
from apps.accounts.selectors import session_for_token
from apps.accounts.services.sessions import session_touch
from apps.accounts.tokens import tokens_equal

AUTH_COOKIE = "MMAUTHTOKEN"
USER_ID_COOKIE = "MMUSERID"
CSRF_COOKIE = "MMCSRF"
CSRF_HEADER = "HTTP_X_CSRF_TOKEN"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """Session and personal access tokens from the Authorization header."""

    def authenticate(self, request: HttpRequest) -> tuple[User, Session] | None:
        # No ?access_token= on HTTP: query strings end up in access logs.
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        scheme, _, value = header.partition(" ")
        if scheme.lower() not in ("bearer", "token") or not value.strip():
            return None
        return _user_and_session(value.strip())

    def authenticate_header(self, request: HttpRequest) -> str:
        return 'Bearer realm="confab"'


class CookieTokenAuthentication(authentication.BaseAuthentication):
    """The MMAUTHTOKEN cookie, with Mattermost's CSRF header on unsafe methods."""

    def authenticate(self, request: HttpRequest) -> tuple[User, Session] | None:
        token = request.COOKIES.get(AUTH_COOKIE, "")
        if not token:
            return None
        user, session = _user_and_session(token)
        if request.method not in SAFE_METHODS:
            sent = request.META.get(CSRF_HEADER, "")
            if not session.csrf_token or not tokens_equal(sent, session.csrf_token):
                raise exceptions.PermissionDenied(
                    "A cookie-authenticated write needs the X-CSRF-Token header."
                )
        return user, session


def _user_and_session(token: str) -> tuple[User, Session]:
    session = session_for_token(token)
    if session is None:
        raise exceptions.AuthenticationFailed("Invalid or expired session, please sign in again.")
    if session.expires_at:  # a real session row; tokens have none to touch
        session_touch(session=session)
    return session.user, session
