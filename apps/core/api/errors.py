"""Every API error leaves as Mattermost's AppError envelope with the right status."""

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, JsonResponse
from rest_framework import exceptions as drf
from rest_framework.response import Response
from rest_framework.views import set_rollback

from apps.core.errors import ConfabError

_DRF_IDS = {
    drf.NotAuthenticated: "api.context.session_expired.app_error",
    drf.AuthenticationFailed: "api.context.session_expired.app_error",
    drf.PermissionDenied: "api.context.permissions.app_error",
    drf.NotFound: "api.context.404.app_error",
    drf.MethodNotAllowed: "api.context.405.app_error",
    drf.ParseError: "api.context.invalid_body_param.app_error",
    drf.UnsupportedMediaType: "api.context.invalid_body_param.app_error",
    drf.ValidationError: "api.context.invalid_param.app_error",
    drf.Throttled: "api.context.rate_limited.app_error",
}


def app_error_body(
    *, error_id: str, message: str, status: int, request: HttpRequest | None, detail: str = ""
) -> dict[str, Any]:
    return {
        "id": error_id,
        "message": message,
        "detailed_error": detail,
        "request_id": getattr(request, "request_id", ""),
        "status_code": status,
    }


def app_error_response(
    *, error_id: str, message: str, status: int, request: HttpRequest | None
) -> JsonResponse:
    """For plain Django views (the catch-all 404)."""
    return JsonResponse(
        app_error_body(error_id=error_id, message=message, status=status, request=request),
        status=status,
    )


def _message_of(exc: drf.APIException) -> str:
    detail = exc.detail
    if isinstance(detail, dict):
        parts = [
            f"{k}: {' '.join(map(str, v)) if isinstance(v, list) else v}" for k, v in detail.items()
        ]
        return "; ".join(parts)
    if isinstance(detail, list):
        return " ".join(map(str, detail))
    return str(detail)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's exception hook: domain errors and DRF/Django errors become AppErrors."""
    request = context.get("request")
    if isinstance(exc, ConfabError):
        status, error_id, message = exc.status_code, exc.error_id, exc.message
    elif isinstance(exc, Http404):
        status, error_id, message = 404, "api.context.404.app_error", "Not found."
    elif isinstance(exc, DjangoPermissionDenied):
        status, error_id, message = 403, "api.context.permissions.app_error", "Permission denied."
    elif isinstance(exc, drf.APIException):
        status = exc.status_code
        error_id = next(
            (v for k, v in _DRF_IDS.items() if isinstance(exc, k)), "api.context.app_error"
        )
        message = _message_of(exc)
    else:
        return None  # a real bug: let Django log it and answer 500
    set_rollback()
    response = Response(
        app_error_body(error_id=error_id, message=message, status=status, request=request),
        status=status,
    )
    if isinstance(exc, drf.Throttled):
        wait: int | None = exc.wait  # type: ignore[attr-defined]  # set in __init__; the stubs omit it
        if wait:
            response["Retry-After"] = str(int(wait))
    return response
