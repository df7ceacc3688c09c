"""Built-in slash commands over Mattermost's API v4: list them, autocomplete, execute."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from apps.core.api.base import BaseApi, body_object, query_flag, text_field
from apps.core.api.schema import errors, flag_param, query_param
from apps.core.errors import InvalidInput
from apps.integrations.commands import builtin_to_wire
from apps.integrations.services_commands import builtin_command_list, command_execute
from apps.teams.permissions import access_team, check_team_member

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


def _builtins_for_team(request: Request, team_id: str) -> list[dict]:
    if not team_id:
        raise InvalidInput(
            "team_id is required.", error_id="api.context.invalid_url_param.app_error"
        )
    team, membership = access_team(actor=request.user, team_id=team_id)
    check_team_member(actor=request.user, team=team, membership=membership)
    return [builtin_to_wire(c) for c in builtin_command_list()]


class CommandListApi(BaseApi):
    """`GET /commands?team_id=`: the built-ins (custom commands are not offered yet)."""

    @extend_schema(
        tags=TAGS,
        operation_id="ListCommands",
        summary="Slash commands of a team",
        parameters=[
            query_param("team_id", "The team whose commands to list.", required=True),
            flag_param("custom_only", "Only custom commands (none exist here yet)."),
        ],
        responses={200: CommandSerializer(many=True), **errors(400, 401, 404)},
    )
    def get(self, request: Request) -> Response:
        commands = _builtins_for_team(request, request.query_params.get("team_id", ""))
        return Response([] if query_flag(request, "custom_only") else commands)


class CommandAutocompleteApi(BaseApi):
    """`GET /teams/{team_id}/commands/autocomplete`: the commands offered while typing."""

    @extend_schema(
        tags=TAGS,
        operation_id="ListAutocompleteCommands",
        parameters=[OpenApiParameter("team_id", str, OpenApiParameter.PATH)],
        responses={200: CommandSerializer(many=True), **errors(401, 404)},
    )
    def get(self, request: Request, team_id: str) -> Response:
        commands = _builtins_for_team(request, team_id)
        return Response([c for c in commands if c["auto_complete"]])


class CommandExecuteApi(BaseApi):
    """`POST /commands/execute`: run a slash command in a channel."""

    @extend_schema(
        tags=TAGS,
        operation_id="ExecuteCommand",
        request=CommandArgsSerializer,
        responses={200: CommandResponseSerializer, **errors(400, 401, 403, 404)},
    )
    def post(self, request: Request) -> Response:
        body = body_object(request)
        response = command_execute(
            actor=request.user,
            channel_id=text_field(body, "channel_id"),
            team_id=text_field(body, "team_id"),
            root_id=text_field(body, "root_id"),
            command=body.get("command"),
        )
        return Response(response)
