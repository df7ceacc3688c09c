"""API endpoints that belong to no domain app."""

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.api.base import PublicApi
from apps.core.api.errors import app_error_response
from apps.core.api.schema import SystemPingSerializer


class SystemPingApi(PublicApi):
    """Health check for clients and load balancers (`GET /api/v4/system/ping`)."""

    @extend_schema(
        operation_id="GetPing",
        tags=["system"],
        summary="Health check (no session needed)",
        responses={200: SystemPingSerializer},
    )
    def get(self, request: Request) -> Response:
        return Response({"status": "OK", "ActiveSearchBackend": "database"})


@csrf_exempt
def api_not_found(request: HttpRequest, *args: object, **kwargs: object) -> JsonResponse:
    """Unknown API routes answer a JSON 404, never Django's HTML page or a redirect."""
    return app_error_response(
        error_id="api.context.404.app_error",
        message="Sorry, we could not find the page.",
        status=404,
        request=request,
    )
