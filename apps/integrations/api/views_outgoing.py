"""Outgoing webhooks over Mattermost's API v4 (`/hooks/outgoing`)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from apps.core.api.base import AuthenticatedRequest, BaseApi, body_object, paging, status_ok
from apps.core.api.schema import PAGING, STATUS_OK, errors, query_param
from apps.integrations.api.schema import (
    OutgoingWebhookCreateSerializer,
    OutgoingWebhookSerializer,
    OutgoingWebhookUpdateSerializer,
)
from apps.integrations.permissions import access_outgoing_webhook
from apps.integrations.selectors import outgoing_webhook_list
from apps.integrations.services_outgoing import (
    outgoing_webhook_create,
    outgoing_webhook_delete,
    outgoing_webhook_regen_token,
    outgoing_webhook_update,
)
from apps.integrations.wire import outgoing_webhook_to_wire

TAGS = ["webhooks"]
HOOK_ID = OpenApiParameter(
    "hook_id", str, OpenApiParameter.PATH, description="An outgoing webhook id."
)


class OutgoingWebhookListCreateApi(BaseApi):
    """`GET /hooks/outgoing` (hooks the caller manages); `POST` creates one."""

    @extend_schema(
        tags=TAGS,
        operation_id="GetOutgoingWebhooks",
        summary="Outgoing webhooks the caller manages",
        parameters=[
            *PAGING,
            query_param("team_id", "Only the hooks of this team."),
            query_param("channel_id", "Only the hooks watching this channel."),
        ],
        responses={200: OutgoingWebhookSerializer(many=True), **errors(400, 401, 404)},
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        page, per_page = paging(request)
        hooks = outgoing_webhook_list(
            actor=request.user,
            team_id=request.query_params.get("team_id") or None,
            channel_id=request.query_params.get("channel_id") or None,
        )
        start = page * per_page
        return Response([outgoing_webhook_to_wire(h) for h in hooks[start : start + per_page]])

    @extend_schema(
        tags=TAGS,
        operation_id="CreateOutgoingWebhook",
        summary="Create an outgoing webhook (any member of the team)",
        request=OutgoingWebhookCreateSerializer,
        responses={201: OutgoingWebhookSerializer, **errors(400, 401, 403, 404)},
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        body = body_object(request)
        hook = outgoing_webhook_create(
            actor=request.user,
            team_id=body.get("team_id"),
            channel_id=body.get("channel_id"),
            trigger_words=body.get("trigger_words"),
            trigger_when=body.get("trigger_when"),
            callback_urls=body.get("callback_urls"),
            content_type=body.get("content_type"),
            display_name=body.get("display_name"),
            description=body.get("description"),
            username=body.get("username"),
            icon_url=body.get("icon_url"),
        )
        return Response(outgoing_webhook_to_wire(hook), status=201)


class OutgoingWebhookDetailApi(BaseApi):
    """`GET`, `PUT` and `DELETE /hooks/outgoing/{hook_id}` (creator and admins only)."""

    @extend_schema(
        tags=TAGS,
        operation_id="GetOutgoingWebhook",
        parameters=[HOOK_ID],
        responses={200: OutgoingWebhookSerializer, **errors(401, 404)},
    )
    def get(self, request: AuthenticatedRequest, hook_id: str) -> Response:
        hook = access_outgoing_webhook(actor=request.user, hook_id=hook_id)
        return Response(outgoing_webhook_to_wire(hook))

    @extend_schema(
        tags=TAGS,
        operation_id="UpdateOutgoingWebhook",
        summary="Change the fields given",
        parameters=[HOOK_ID],
        request=OutgoingWebhookUpdateSerializer,
        responses={200: OutgoingWebhookSerializer, **errors(400, 401, 403, 404)},
    )
    def put(self, request: AuthenticatedRequest, hook_id: str) -> Response:
        hook = access_outgoing_webhook(actor=request.user, hook_id=hook_id)
        hook = outgoing_webhook_update(actor=request.user, hook=hook, data=body_object(request))
        return Response(outgoing_webhook_to_wire(hook))

    @extend_schema(
        tags=TAGS,
        operation_id="DeleteOutgoingWebhook",
        parameters=[HOOK_ID],
        request=None,
        responses={200: STATUS_OK, **errors(401, 404)},
    )
    def delete(self, request: AuthenticatedRequest, hook_id: str) -> Response:
        hook = access_outgoing_webhook(actor=request.user, hook_id=hook_id)
        outgoing_webhook_delete(actor=request.user, hook=hook)
        return status_ok()


class OutgoingWebhookRegenTokenApi(BaseApi):
    """`/hooks/outgoing/{hook_id}/regen_token`: POST (Mattermost's API, mattermostautodriver)
    and PUT (mattermostdriver) do the same."""

    def _regen(self, request: AuthenticatedRequest, hook_id: str) -> Response:
        hook = access_outgoing_webhook(actor=request.user, hook_id=hook_id)
        hook = outgoing_webhook_regen_token(actor=request.user, hook=hook)
        return Response(outgoing_webhook_to_wire(hook))

    @extend_schema(
        tags=TAGS,
        operation_id="RegenOutgoingHookToken",
        summary="Give the hook a new token",
        parameters=[HOOK_ID],
        request=None,
        responses={200: OutgoingWebhookSerializer, **errors(401, 404)},
    )
    def post(self, request: AuthenticatedRequest, hook_id: str) -> Response:
        return self._regen(request, hook_id)

    @extend_schema(
        tags=TAGS,
        operation_id="RegenOutgoingHookTokenPut",
        summary="Give the hook a new token (the verb mattermostdriver uses)",
        parameters=[HOOK_ID],
        request=None,
        responses={200: OutgoingWebhookSerializer, **errors(401, 404)},
    )
    def put(self, request: AuthenticatedRequest, hook_id: str) -> Response:
        return self._regen(request, hook_id)
