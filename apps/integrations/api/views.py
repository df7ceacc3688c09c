"""Incoming webhooks over Mattermost's API v4 (`/hooks/incoming`) and `POST /hooks/{id}`."""

from collections.abc import Iterable

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import BaseParser
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.api.base import (
    AuthenticatedRequest,
    BaseApi,
    PublicApi,
    body_object,
    paging,
    status_ok,
)
from apps.core.api.schema import PAGING, STATUS_OK, errors, query_param
from apps.integrations.api.payload import hook_payload
from apps.integrations.api.schema import (
    IncomingWebhookCreateSerializer,
    IncomingWebhookFormSerializer,
    IncomingWebhookRequestSerializer,
    IncomingWebhookSerializer,
    IncomingWebhookUpdateSerializer,
)
from apps.integrations.permissions import access_incoming_webhook
from apps.integrations.selectors import incoming_webhook_list
from apps.integrations.services import (
    incoming_webhook_create,
    incoming_webhook_delete,
    incoming_webhook_execute,
    incoming_webhook_update,
)
from apps.integrations.wire import incoming_webhook_to_wire

TAGS = ["webhooks"]
HOOK_ID = OpenApiParameter(
    "hook_id", str, OpenApiParameter.PATH, description="An incoming webhook id."
)


class IncomingWebhookListCreateApi(BaseApi):
    """`GET /hooks/incoming` (hooks the caller manages); `POST` creates one."""

    @extend_schema(
        tags=TAGS,
        operation_id="GetIncomingWebhooks",
        summary="Incoming webhooks the caller manages",
        parameters=[*PAGING, query_param("team_id", "Only the hooks of this team.")],
        responses={200: IncomingWebhookSerializer(many=True), **errors(401, 404)},
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        page, per_page = paging(request)
        hooks = incoming_webhook_list(
            actor=request.user, team_id=request.query_params.get("team_id") or None
        )
        start = page * per_page
        return Response([incoming_webhook_to_wire(h) for h in hooks[start : start + per_page]])

    @extend_schema(
        tags=TAGS,
        operation_id="CreateIncomingWebhook",
        request=IncomingWebhookCreateSerializer,
        responses={201: IncomingWebhookSerializer, **errors(400, 401, 403, 404)},
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        body = body_object(request)
        hook = incoming_webhook_create(
            actor=request.user,
            channel_id=body.get("channel_id"),
            display_name=body.get("display_name"),
            description=body.get("description"),
            username=body.get("username"),
            icon_url=body.get("icon_url"),
            channel_locked=body.get("channel_locked"),
            user_id=body.get("user_id"),
        )
        return Response(incoming_webhook_to_wire(hook), status=201)


class IncomingWebhookDetailApi(BaseApi):
    """`GET`, `PUT` and `DELETE /hooks/incoming/{hook_id}` (creator and admins only)."""

    @extend_schema(
        tags=TAGS,
        operation_id="GetIncomingWebhook",
        parameters=[HOOK_ID],
        responses={200: IncomingWebhookSerializer, **errors(401, 404)},
    )
    def get(self, request: AuthenticatedRequest, hook_id: str) -> Response:
        hook = access_incoming_webhook(actor=request.user, hook_id=hook_id)
        return Response(incoming_webhook_to_wire(hook))

    @extend_schema(
        tags=TAGS,
        operation_id="UpdateIncomingWebhook",
        summary="Change the fields given",
        parameters=[HOOK_ID],
        request=IncomingWebhookUpdateSerializer,
        responses={200: IncomingWebhookSerializer, **errors(400, 401, 403, 404)},
    )
    def put(self, request: AuthenticatedRequest, hook_id: str) -> Response:
        hook = access_incoming_webhook(actor=request.user, hook_id=hook_id)
        hook = incoming_webhook_update(actor=request.user, hook=hook, data=body_object(request))
        return Response(incoming_webhook_to_wire(hook))

    @extend_schema(
        tags=TAGS,
        operation_id="DeleteIncomingWebhook",
        parameters=[HOOK_ID],
        request=None,
        responses={200: STATUS_OK, **errors(401, 404)},
    )
    def delete(self, request: AuthenticatedRequest, hook_id: str) -> Response:
        hook = access_incoming_webhook(actor=request.user, hook_id=hook_id)
        incoming_webhook_delete(actor=request.user, hook=hook)
        return status_ok()


class HookContentNegotiation(BaseContentNegotiation):
    """Senders of webhooks ask for anything (`Accept: text/plain`, none at all); errors
    still go out as JSON AppErrors and success as `ok`, never a 406."""

    def select_parser(self, request: Request, parsers: Iterable[BaseParser]) -> BaseParser | None:
        return next(iter(parsers), None)

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        first = next(iter(renderers))  # the view's renderers: there is always one
        return first, first.media_type


class IncomingWebhookExecuteApi(PublicApi):
    """`POST /hooks/{hook_id}`: no session; the hook id in the URL is the credential.

    Answers `200 text/plain` with the body `ok` (Mattermost's one non-JSON success);
    errors are AppError JSON like everywhere else.
    """

    content_negotiation_class = HookContentNegotiation
    parser_classes = []  # `hook_payload` reads the body

    @extend_schema(
        tags=TAGS,
        operation_id="ExecuteIncomingWebhook",
        summary="Post through an incoming webhook (no session: the id is the secret)",
        auth=[],
        parameters=[HOOK_ID],
        request={
            "application/json": IncomingWebhookRequestSerializer,
            "application/x-www-form-urlencoded": IncomingWebhookFormSerializer,
            "multipart/form-data": IncomingWebhookRequestSerializer,
        },
        responses={
            (200, "text/plain"): OpenApiResponse(OpenApiTypes.STR, description="`ok`"),
            **errors(400, 403, 404, 413),
        },
    )
    def post(self, request: Request, hook_id: str) -> HttpResponse:
        incoming_webhook_execute(hook_id=hook_id, payload=hook_payload(request))
        return HttpResponse(b"ok", content_type="text/plain")
