"""Slash commands over Mattermost's API v4: manage a team's custom commands, list and
autocomplete them with the built-ins, execute one; and `POST /hooks/commands/{hook_id}`,
the response URL of a custom command's run."""

from typing import Any

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from apps.accounts.models import Session
from apps.core.api.base import (
    AuthenticatedRequest,
    BaseApi,
    PublicApi,
    body_object,
    query_flag,
    status_ok,
    text_field,
)
from apps.core.api.schema import STATUS_OK, AppErrorSerializer, errors, flag_param, query_param
from apps.integrations.api.payload import HOOK_BODY_MAX_BYTES, read_hook_body
from apps.integrations.api.views import HookContentNegotiation
from apps.integrations.commands import builtin_to_wire
from apps.integrations.models import Command
from apps.integrations.permissions import access_command, can_manage_others_commands
from apps.integrations.selectors import command_list_for_team
from apps.integrations.services_commands import (
    builtin_command_list,
    command_execute,
    command_webhook_execute,
    command_webhook_parse_error,
)
from apps.integrations.services_custom_commands import (
    command_create,
    command_delete,
    command_regen_token,
    command_response_parse,
    command_update,
)
from apps.integrations.wire import command_to_wire

TAGS = ["commands"]


class CommandSerializer(serializers.Serializer):
    id = serializers.CharField(allow_blank=True, help_text='"" for a built-in.')
    token = serializers.CharField(allow_blank=True)
    create_at = serializers.IntegerField()
    update_at = serializers.IntegerField()
    delete_at = serializers.IntegerField()
    creator_id = serializers.CharField(allow_blank=True)
    team_id = serializers.CharField(allow_blank=True)
    trigger = serializers.CharField()
    method = serializers.CharField(allow_blank=True)
    username = serializers.CharField(allow_blank=True)
    icon_url = serializers.CharField(allow_blank=True)
    auto_complete = serializers.BooleanField()
    auto_complete_desc = serializers.CharField(allow_blank=True)
    auto_complete_hint = serializers.CharField(allow_blank=True)
    display_name = serializers.CharField(allow_blank=True)
    description = serializers.CharField(allow_blank=True)
    url = serializers.CharField(allow_blank=True)
    plugin_id = serializers.CharField(allow_blank=True)


class CommandCreateSerializer(serializers.Serializer):
    team_id = serializers.CharField()
    trigger = serializers.CharField(
        max_length=128, help_text='Without the leading "/"; no spaces; not a built-in trigger.'
    )
    url = serializers.CharField(max_length=1024, help_text="An http or https URL.")
    method = serializers.ChoiceField(choices=["P", "G"], help_text='"P" POST, "G" GET.')
    username = serializers.CharField(max_length=64, required=False, allow_blank=True)
    icon_url = serializers.CharField(max_length=1024, required=False, allow_blank=True)
    auto_complete = serializers.BooleanField(required=False)
    auto_complete_desc = serializers.CharField(max_length=1024, required=False, allow_blank=True)
    auto_complete_hint = serializers.CharField(max_length=1024, required=False, allow_blank=True)
    display_name = serializers.CharField(max_length=64, required=False, allow_blank=True)
    description = serializers.CharField(max_length=128, required=False, allow_blank=True)


class CommandUpdateSerializer(CommandCreateSerializer):
    """The whole Command, as GET gave it; fields left out keep their value."""

    id = serializers.CharField(required=False, help_text="Must equal the id in the URL.")
    team_id = serializers.CharField(required=False, help_text="Must be the command's team.")
    trigger = serializers.CharField(max_length=128, required=False)
    url = serializers.CharField(max_length=1024, required=False)
    method = serializers.ChoiceField(choices=["P", "G"], required=False)


class CommandTokenSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="The command's new token.")


class CommandArgsSerializer(serializers.Serializer):
    channel_id = serializers.CharField()
    command = serializers.CharField(help_text='The whole command line, starting with "/".')
    team_id = serializers.CharField(required=False, allow_blank=True)
    root_id = serializers.CharField(required=False, allow_blank=True)
    parent_id = serializers.CharField(required=False, allow_blank=True)


class CommandResponseSerializer(serializers.Serializer):
    response_type = serializers.CharField(help_text='"in_channel" or "ephemeral".')
    text = serializers.CharField(allow_blank=True)
    username = serializers.CharField(allow_blank=True)
    channel_id = serializers.CharField(allow_blank=True)
    icon_url = serializers.CharField(allow_blank=True)
    type = serializers.CharField(allow_blank=True)
    props = serializers.DictField()
    goto_location = serializers.CharField(allow_blank=True)
    trigger_id = serializers.CharField()
    skip_slack_parsing = serializers.BooleanField()
    attachments = serializers.ListField(child=serializers.DictField())
    extra_responses = serializers.ListField(child=serializers.DictField())


class CommandResponseBodySerializer(serializers.Serializer):
    """A CommandResponse an integration sends to a response URL."""

    response_type = serializers.CharField(
        required=False, help_text='"in_channel" or "ephemeral" (the default).'
    )
    text = serializers.CharField(required=False, allow_blank=True)
    username = serializers.CharField(required=False, allow_blank=True)
    icon_url = serializers.CharField(required=False, allow_blank=True)
    type = serializers.CharField(required=False, allow_blank=True)
    props = serializers.DictField(required=False)
    goto_location = serializers.CharField(required=False, allow_blank=True)
    skip_slack_parsing = serializers.BooleanField(required=False)
    attachments = serializers.ListField(child=serializers.DictField(), required=False)
    extra_responses = serializers.ListField(child=serializers.DictField(), required=False)


COMMAND_ID = OpenApiParameter(
    "command_id", str, OpenApiParameter.PATH, description="A custom command id."
)
HOOK_ID = OpenApiParameter(
    "hook_id", str, OpenApiParameter.PATH, description="The id at the end of a response_url."
)
INTEGRATION_FAILED = {
    500: OpenApiResponse(
        response=AppErrorSerializer,
        description="A custom command's integration failed or answered other than 200 (AppError).",
    )
}


def _commands_to_wire(
    request: AuthenticatedRequest, team_id: str, commands: list[Command]
) -> list[dict[str, Any]]:
    """Custom commands in full for those who manage them, sanitized for other members."""
    manages_all = can_manage_others_commands(request.user, team_id)
    return [
        command_to_wire(c, sanitize=not (manages_all or c.creator_id == request.user.id))
        for c in commands
    ]


class CommandListCreateApi(BaseApi):
    """`GET /commands?team_id=`: the built-ins and the team's custom commands; `POST`
    creates a custom command."""

    @extend_schema(
        tags=TAGS,
        operation_id="ListCommands",
        summary="Slash commands of a team",
        parameters=[
            query_param("team_id", "The team whose commands to list.", required=True),
            flag_param("custom_only", "Only the team's custom commands."),
        ],
        responses={200: CommandSerializer(many=True), **errors(400, 401, 404)},
    )
    def get(self, request: AuthenticatedRequest) -> Response:
        team_id = request.query_params.get("team_id", "")
        custom = _commands_to_wire(
            request, team_id, list(command_list_for_team(actor=request.user, team_id=team_id))
        )
        if query_flag(request, "custom_only"):
            return Response(custom)
        return Response([builtin_to_wire(c) for c in builtin_command_list()] + custom)

    @extend_schema(
        tags=TAGS,
        operation_id="CreateCommand",
        summary="Create a custom slash command",
        request=CommandCreateSerializer,
        responses={201: CommandSerializer, **errors(400, 401, 404)},
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        body = body_object(request)
        command = command_create(
            actor=request.user,
            team_id=body.get("team_id"),
            trigger=body.get("trigger"),
            url=body.get("url"),
            method=body.get("method"),
            username=body.get("username"),
            icon_url=body.get("icon_url"),
            auto_complete=body.get("auto_complete"),
            auto_complete_desc=body.get("auto_complete_desc"),
            auto_complete_hint=body.get("auto_complete_hint"),
            display_name=body.get("display_name"),
            description=body.get("description"),
        )
        return Response(command_to_wire(command), status=201)


class CommandAutocompleteApi(BaseApi):
    """`GET /teams/{team_id}/commands/autocomplete`: the commands offered while typing."""

    @extend_schema(
        tags=TAGS,
        operation_id="ListAutocompleteCommands",
        parameters=[OpenApiParameter("team_id", str, OpenApiParameter.PATH)],
        responses={200: CommandSerializer(many=True), **errors(401, 404)},
    )
    def get(self, request: AuthenticatedRequest, team_id: str) -> Response:
        custom = command_list_for_team(actor=request.user, team_id=team_id, auto_complete_only=True)
        builtins = [builtin_to_wire(c) for c in builtin_command_list() if c.auto_complete]
        return Response(builtins + _commands_to_wire(request, team_id, list(custom)))


class CommandExecuteApi(BaseApi):
    """`POST /commands/execute`: run a slash command in a channel."""

    @extend_schema(
        tags=TAGS,
        operation_id="ExecuteCommand",
        request=CommandArgsSerializer,
        responses={
            200: CommandResponseSerializer,
            **errors(400, 401, 403, 404),
            **INTEGRATION_FAILED,
        },
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        body = body_object(request)
        response = command_execute(
            actor=request.user,
            channel_id=text_field(body, "channel_id"),
            team_id=text_field(body, "team_id"),
            root_id=text_field(body, "root_id"),
            command=body.get("command"),
            session_id=session_id_of(request),
        )
        return Response(response)


def session_id_of(request: Request) -> str:
    """The calling API session, which `/logout` ends; "" for a personal access token
    (an unsaved stand-in session) or a browser session."""
    auth = request.auth
    if not isinstance(auth, Session) or auth.props.get("type") == "UserAccessToken":
        return ""
    return auth.id


class CommandDetailApi(BaseApi):
    """`GET`, `PUT` and `DELETE /commands/{command_id}` (creator and admins only)."""

    @extend_schema(
        tags=TAGS,
        operation_id="GetCommand",
        parameters=[COMMAND_ID],
        responses={200: CommandSerializer, **errors(401, 403, 404)},
    )
    def get(self, request: AuthenticatedRequest, command_id: str) -> Response:
        return Response(command_to_wire(access_command(actor=request.user, command_id=command_id)))

    @extend_schema(
        tags=TAGS,
        operation_id="UpdateCommand",
        summary="Change the fields given",
        parameters=[COMMAND_ID],
        request=CommandUpdateSerializer,
        responses={200: CommandSerializer, **errors(400, 401, 403, 404)},
    )
    def put(self, request: AuthenticatedRequest, command_id: str) -> Response:
        command = access_command(actor=request.user, command_id=command_id)
        command = command_update(actor=request.user, command=command, data=body_object(request))
        return Response(command_to_wire(command))

    @extend_schema(
        tags=TAGS,
        operation_id="DeleteCommand",
        parameters=[COMMAND_ID],
        request=None,
        responses={200: STATUS_OK, **errors(401, 403, 404)},
    )
    def delete(self, request: AuthenticatedRequest, command_id: str) -> Response:
        command = access_command(actor=request.user, command_id=command_id)
        command_delete(actor=request.user, command=command)
        return status_ok()


class CommandRegenTokenApi(BaseApi):
    """`PUT /commands/{command_id}/regen_token`: a new token for the integration."""

    @extend_schema(
        tags=TAGS,
        operation_id="RegenCommandToken",
        parameters=[COMMAND_ID],
        request=None,
        responses={200: CommandTokenSerializer, **errors(401, 403, 404)},
    )
    def put(self, request: AuthenticatedRequest, command_id: str) -> Response:
        command = access_command(actor=request.user, command_id=command_id)
        command = command_regen_token(actor=request.user, command=command)
        return Response({"token": command.token})


class CommandWebhookExecuteApi(PublicApi):
    """`POST /hooks/commands/{hook_id}`: a later answer of a custom command's integration.

    No session: the id of the response URL is the credential, as for incoming webhooks.
    Answers `200 text/plain` with the body `ok`; errors are AppError JSON.
    """

    content_negotiation_class = HookContentNegotiation
    parser_classes = []  # the body is read below, bounded

    @extend_schema(
        tags=TAGS,
        operation_id="ExecuteCommandWebhook",
        summary="Answer a slash command later (no session: the id is the secret)",
        auth=[],
        parameters=[HOOK_ID],
        request={
            "application/json": CommandResponseBodySerializer,
            "text/plain": OpenApiTypes.STR,
        },
        responses={
            (200, "text/plain"): OpenApiResponse(OpenApiTypes.STR, description="`ok`"),
            **errors(400, 403, 404, 413),
        },
    )
    def post(self, request: Request, hook_id: str) -> HttpResponse:
        response = command_response_parse(
            content_type=request.META.get("CONTENT_TYPE", ""),
            body=read_hook_body(request),
            max_bytes=HOOK_BODY_MAX_BYTES,
            error=command_webhook_parse_error,
        )
        command_webhook_execute(hook_id=hook_id, response=response)
        return HttpResponse(b"ok", content_type="text/plain")
