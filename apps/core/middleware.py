"""Request plumbing the Mattermost clients rely on (see the API reference, section 0)."""

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from apps.core.ids import new_id

API_PREFIXES = ("/api/v4/", "/hooks/")
_SLASHES = re.compile(r"/{2,}")


class RequestIdMiddleware:
    """Give every request an id, echoed as X-Request-ID and in AppError bodies."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.request_id = new_id()
        response = self.get_response(request)
        response["X-Request-ID"] = request.request_id
        return response


class MattermostApiMiddleware:
    """Make API requests look the way Django and DRF expect.

    - `//` in a path collapses to `/` (mattermostdriver asks for `/posts/{id}//reactions`);
    - a body without Content-Type is JSON (the `mattermost` package sends no type);
    - GET responses are not cached by clients (`Expires: 0`, as Mattermost sends).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path_info.startswith(API_PREFIXES):
            return self.get_response(request)
        if "//" in request.path_info:
            request.path_info = _SLASHES.sub("/", request.path_info)
            request.path = _SLASHES.sub("/", request.path)
        if not request.META.get("CONTENT_TYPE") and request.method not in ("GET", "HEAD"):
            request.META["CONTENT_TYPE"] = "application/json"
        response = self.get_response(request)
        if request.method == "GET":
            response.setdefault("Expires", "0")
        return response
