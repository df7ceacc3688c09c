"""Request plumbing the Mattermost clients rely on (see the API reference, section 0)."""

import logging
import re
from collections.abc import Callable

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse

from apps.core.api.errors import app_error_response
from apps.core.ids import new_id

API_PREFIXES = ("/api/v4/", "/hooks/")
logger = logging.getLogger("apps.core.api")
_SLASHES = re.compile(r"/{2,}")


class IdentifiedRequest(HttpRequest):
    """A request as RequestIdMiddleware leaves it (declared for the type checker)."""

    request_id: str


class RequestIdMiddleware:
    """Give every request an id, echoed as X-Request-ID and in AppError bodies."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: IdentifiedRequest) -> HttpResponse:
        request.request_id = new_id()
        response = self.get_response(request)
        response["X-Request-ID"] = request.request_id
        return response


class MattermostApiMiddleware:
    """Make API requests look the way Django and DRF expect.

    - `//` in a path collapses to `/` (mattermostdriver asks for `/posts/{id}//reactions`);
    - a body without Content-Type is JSON (the `mattermost` package sends no type), and so
      is a JSON body sent as a form on /api/v4 (`curl -d '{...}'` without a header, which
      Mattermost, decoding every body as JSON, accepts);
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
        if _body_length_unknown(request):
            # Django's WSGI handler reads CONTENT_LENGTH bytes of a body, so a chunked one
            # would arrive empty; say so rather than lose it.
            return app_error_response(
                error_id="api.context.length_required.app_error",
                message="Send the request body with a Content-Length header.",
                status=411,
                request=request,
            )
        if request.method not in ("GET", "HEAD") and _body_is_json(request):
            request.META["CONTENT_TYPE"] = "application/json"
        response = self.get_response(request)
        if request.method == "GET":
            response.setdefault("Expires", "0")
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """Errors no view handled still leave API paths as AppError JSON, never HTML."""
        if not request.path_info.startswith(API_PREFIXES):
            return None
        if isinstance(exception, RequestDataTooBig):
            return app_error_response(
                error_id="api.context.request_body_too_large.app_error",
                message="The request body is too large.",
                status=413,
                request=request,
            )
        logger.exception("Unhandled error on %s %s", request.method, request.path_info)
        return app_error_response(
            error_id="api.context.app_error",
            message="An internal error occurred.",
            status=500,
            request=request,
        )


def _body_length_unknown(request: HttpRequest) -> bool:
    """A body sent in chunks (no Content-Length), which WSGI would read as empty."""
    return "chunked" in request.META.get(
        "HTTP_TRANSFER_ENCODING", ""
    ).lower() and not request.META.get("CONTENT_LENGTH")


def _body_is_json(request: HttpRequest) -> bool:
    content_type = request.META.get("CONTENT_TYPE", "")
    if not content_type:
        return True
    if not (
        request.path_info.startswith("/api/v4/")
        and content_type.startswith("application/x-www-form-urlencoded")
    ):
        return False
    try:
        return request.body.lstrip()[:1] in (b"{", b"[")
    except RequestDataTooBig:
        return False  # the parser will answer 413
