"""Who is signed in to the web client, and in which language they read it.

The web client signs in exactly like Mattermost's web app: the MMAUTHTOKEN cookie holds a
Confab session, so signing out anywhere (or a revoked session) signs the browser out too.
The API paths authenticate on their own (DRF), so they are left alone here.
"""

from django.http import HttpRequest
from django.utils import translation

from apps.accounts.authentication import AUTH_COOKIE
from apps.accounts.selectors import session_for_token
from apps.accounts.services import session_touch
from apps.web.locales import django_language

_SKIPPED_PREFIXES = ("/api/", "/hooks/", "/static/", "/healthz")


class WebUserMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        request.web_user = None
        request.web_session = None
        if not request.path.startswith(_SKIPPED_PREFIXES):
            session = session_for_token(request.COOKIES.get(AUTH_COOKIE, ""))
            if session is not None and session.expires_at:  # a browser session, not a PAT
                session_touch(session=session)
                request.web_user = session.user
                request.web_session = session
                language = django_language(session.user.locale)
                translation.activate(language)
                request.LANGUAGE_CODE = language
        return self.get_response(request)
