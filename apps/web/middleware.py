"""Who is signed in to the web client, and in which language they read it.

The web client signs in exactly like Mattermost's web app: the MMAUTHTOKEN cookie holds a
Confab session, so signing out anywhere (or a revoked session) signs the browser out too.
The API paths authenticate on their own (DRF), so they are left alone here.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _

from apps.accounts.authentication import AUTH_COOKIE
from apps.accounts.selectors import session_for_token
from apps.accounts.services.sessions import session_touch
from apps.core.addresses import address_group, client_address
from apps.core.ratelimit import api_rate, rate_limit_hit
from apps.web.auth import WebRequest
from apps.web.locales import django_language

_SKIPPED_PREFIXES = ("/api/", "/hooks/", "/static/", "/healthz")


class WebUserMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: WebRequest) -> HttpResponse:
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
            refused = _rate_limited(request)
            if refused is not None:
                return refused
        return self.get_response(request)


def _rate_limited(request: WebRequest) -> HttpResponse | None:
    """The API's limit on the pages too (SECURITY 6): one bucket per user, shared with
    their API calls, or per address before sign-in (sign-up, sign-in)."""
    if not settings.CONFAB_RATE_LIMIT_ENABLED:
        return None
    if request.web_user is not None:
        key = f"user:{request.web_user.id}"
    else:
        key = f"address:{address_group(client_address(request))}"
    wait = rate_limit_hit(key, api_rate())
    if not wait:
        return None
    response = HttpResponse(
        _("Too many requests. Wait a moment and try again."),
        status=429,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = str(max(1, round(wait)))
    return response
