"""Template context every web page needs: the signed-in user's display preferences."""

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from apps.web.prefs import request_preferences


def ui_preferences(request: HttpRequest) -> dict:
    """`prefs` (theme, clock) for base.html's `<html data-theme>`; read only if used."""
    if getattr(request, "web_user", None) is None:
        return {}
    return {"prefs": SimpleLazyObject(lambda: request_preferences(request))}
