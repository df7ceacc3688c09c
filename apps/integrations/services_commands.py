"""Running a slash command (`POST /commands/execute`): parse, run the built-in or call the
team's custom command, apply its answer; and the answers sent later to a response URL."""

import json
from typing import Any

from django.db import transaction

from apps.accounts.models import User
from apps.channels.models import Channel
from apps.channels.permissions import access_channel
from apps.core.errors import ConfabError, InvalidInput, NotFound, PermissionDenied
from apps.core.ids import is_valid_id, new_id
from apps.integrations.commands import (
    BUILTINS,
    RESPONSE_EPHEMERAL,
    RESPONSE_IN_CHANNEL,
    Builtin,
    CommandResponse,
    ephemeral,
)
from apps.integrations.models import Command
from apps.integrations.permissions import speaks_for_team
from apps.integrations.services import integration_override_props
from apps.integrations.services_custom_commands import (
    clean_command_response,
    command_call_integration,
    command_webhook_use,
)
from apps.posts.actions import without_integrations
from apps.posts.services import (
    POST_TYPE_SLACK_ATTACHMENT,
    PROPS_MAX_BYTES,
    post_create,
    post_send_ephemeral_to_self,
)
from apps.teams.models import Team
from apps.teams.permissions import access_team, check_team_member

RESPONSE_DEFAULTS: dict[str, Any] = {
    "response_type": RESPONSE_EPHEMERAL,
    "text": "",
    "username": "",
    "channel_id": "",
    "icon_url": "",
    "type": "",
    "props": {},
    "goto_location": "",
    "trigger_id": "",
    "skip_slack_parsing": False,
    "attachments": [],
    "extra_responses": [],
}


def builtin_command_list() -> list[Builtin]:
    return sorted(BUILTINS.values(), key=lambda c: c.trigger)


def _parse(command: object) -> tuple[str, str]:
    if not isinstance(command, str) or not command.startswith("/"):
        raise InvalidInput(
            "A command starts with /.", error_id="api.command.execute_command.start.app_error"
        )
    head, _, text = command[1:].partition(" ")
    trigger, newline, rest = head.partition("\n")
    if newline:
        text = rest + (" " + text if text else "")
    return trigger.lower(), text.strip(" ")


def _team_of(*, actor: User, channel_team: Team | None, team_id: str) -> Team | None:
    """The channel's team; for direct and group messages the team the client names."""
    if channel_team is not None:
        return channel_team
    if not team_id or not is_valid_id(team_id):
        return None
    try:
        team, membership = access_team(actor=actor, team_id=team_id)
        check_team_member(actor=actor, team=team, membership=membership)
    except ConfabError:
        return None
    return team


def command_execute(
    *,
    actor: User,
    channel_id: str,
    team_id: str = "",
    root_id: str = "",
    command: object,
    session_id: str = "",
) -> CommandResponse:
    """Run a slash command as `actor` in a channel the actor can read.

    A built-in wins over a custom command of the same trigger; otherwise the team's
    custom command is called (the channel's team, or for a direct or group message the
    `team_id` the client names). The answer is applied as Mattermost applies it:
    `in_channel` posts as the actor in the channel (in the `root_id` thread),
    `ephemeral` shows the actor alone a message, `goto_location` is only returned, and
    each of `extra_responses` is applied the same way. An action the actor may not do is
    answered with an ephemeral error instead of failing the request. `session_id` is the
    calling session (for `/logout`; "" when the caller used an access token).

    Not atomic on purpose: a custom command's integration is called with no transaction
    open (see `command_call_integration`).

    Raises:
        InvalidInput: the command does not start with "/", or no valid channel id.
        NotFound: the channel is missing or hidden, or no command has that trigger.
        OutboundRefused: a custom command's URL is a forbidden destination (400).
        CommandFailed: a custom command's integration failed (500).
    """
    trigger, text = _parse(command)
    if not is_valid_id(channel_id):
        raise InvalidInput("A valid channel_id is required.")
    channel, _membership = access_channel(actor=actor, channel_id=channel_id)
    team = _team_of(actor=actor, channel_team=channel.team, team_id=team_id)
    root_id = root_id if is_valid_id(root_id) else ""
    trigger_id = new_id()
    custom: Command | None = None
    found = BUILTINS.get(trigger)
    if found is not None:
        response = _run_builtin(
            found,
            actor=actor,
            channel=channel,
            team=team,
            root_id=root_id,
            text=text,
            session_id=session_id,
        )
    else:
        custom = _custom_command(team=team, trigger=trigger)
        assert team is not None  # a custom command belongs to a team
        response = command_call_integration(
            actor=actor,
            command=custom,
            channel=channel,
            team=team,
            root_id=root_id,
            text=text,
            trigger_id=trigger_id,
        )
    response = _with_defaults(response, trigger_id=trigger_id)
    _apply(actor=actor, channel_id=channel.id, root_id=root_id, response=response, command=custom)
    return _as_client_sees(response)


def _as_client_sees(response: CommandResponse) -> CommandResponse:
    """The answer for the caller: the actions' integrations (URLs, context) stay on the
    server, as they do in posts."""
    parts = [response, *response["extra_responses"]]
    cleaned = [
        {
            **part,
            "props": without_integrations(part.get("props") or {}),
            "attachments": without_integrations({"attachments": part.get("attachments") or []})[
                "attachments"
            ],
        }
        for part in parts
    ]
    return {**cleaned[0], "extra_responses": cleaned[1:]}


def _run_builtin(
    found: Builtin,
    *,
    actor: User,
    channel: Channel,
    team: Team | None,
    root_id: str,
    text: str,
    session_id: str,
) -> CommandResponse:
    extra = {"session_id": session_id} if found.needs_session else {}
    try:
        # A savepoint per command: a refused action leaves nothing half-done behind.
        with transaction.atomic():
            return found.handler(
                actor=actor, channel=channel, team=team, root_id=root_id, text=text, **extra
            )
    except ConfabError as error:
        return ephemeral(error.message)


def _custom_command(*, team: Team | None, trigger: str) -> Command:
    """The team's live command for `trigger`. One whose creator left the team or was
    deactivated no longer runs: its URL is theirs, and what the command sends (channel
    names, who ran it, the text) belongs to the team."""
    command = (
        Command.objects.select_related("creator")
        .filter(team=team, trigger=trigger, delete_at=0)
        .first()
        if team is not None
        else None
    )
    if command is None:
        raise NotFound(
            f"Command with a trigger of '/{trigger}' not found.",
            error_id="api.command.execute_command.not_found.app_error",
        )
    if not speaks_for_team(command.creator, command.team_id):
        raise NotFound(
            f"The creator of '/{trigger}' has left the team; a team admin can replace it.",
            error_id="api.command.execute_command.creator_gone.app_error",
        )
    return command


def _with_defaults(response: CommandResponse, *, trigger_id: str) -> CommandResponse:
    """The CommandResponse as the API answers it: every key present."""
    extras = [
        {**RESPONSE_DEFAULTS, **extra, "extra_responses": []}
        for extra in response.get("extra_responses") or []
    ]
    return {**RESPONSE_DEFAULTS, **response, "extra_responses": extras, "trigger_id": trigger_id}


# --- applying an answer --------------------------------------------------------------------------


def _apply(
    *,
    actor: User,
    channel_id: str,
    root_id: str,
    response: CommandResponse,
    command: Command | None = None,
) -> None:
    """Apply a CommandResponse and then each of its `extra_responses`. `command` is the
    custom command that answered (None for a built-in)."""
    for part in [response, *(response.get("extra_responses") or [])]:
        _apply_one(
            actor=actor, channel_id=channel_id, root_id=root_id, response=part, command=command
        )


def _apply_one(
    *,
    actor: User,
    channel_id: str,
    root_id: str,
    response: CommandResponse,
    command: Command | None,
) -> None:
    text = response.get("text") or ""
    attachments = (response.get("attachments") or []) if command is not None else []
    if not text and not attachments:
        return
    if response.get("response_type") == RESPONSE_IN_CHANNEL:
        channel, _membership = access_channel(actor=actor, channel_id=channel_id)
        try:
            with transaction.atomic():
                _post_answer(
                    actor=actor,
                    channel=channel,
                    root_id=root_id,
                    text=text,
                    response=response,
                    attachments=attachments,
                    command=command,
                )
            return
        except ConfabError as error:
            text = error.message
    post_send_ephemeral_to_self(
        actor=actor,
        channel_id=channel_id,
        message=text,
        root_id=root_id,
        attachments=attachments,
    )


def _post_answer(
    *,
    actor: User,
    channel: Channel,
    root_id: str,
    text: str,
    response: CommandResponse,
    attachments: list[dict[str, Any]],
    command: Command | None,
) -> None:
    """Post an `in_channel` answer as the actor. A custom command's post is marked as an
    integration's (`from_webhook`), with the command's (or else the answer's) name and
    icon as overrides where the settings allow them, and its attachments."""
    if command is None:
        post_create(
            actor=actor,
            channel=channel,
            message=text,
            root_id=root_id,
            post_type=response.get("type") or "",
        )
        return
    integration_props: dict[str, Any] = {
        "from_webhook": "true",
        **integration_override_props(
            username=command.username or response.get("username") or "",
            icon_url=command.icon_url or response.get("icon_url") or "",
        ),
    }
    if attachments:
        integration_props["attachments"] = attachments
    props = response.get("props") or {}
    if len(json.dumps({**props, **integration_props})) > PROPS_MAX_BYTES:
        raise InvalidInput(
            "The command response props are too large.",
            error_id="model.post.is_valid.props.app_error",
        )
    post_create(
        actor=actor,
        channel=channel,
        message=text,
        root_id=root_id,
        props=props,
        post_type=POST_TYPE_SLACK_ATTACHMENT if attachments else response.get("type") or "",
        integration_props=integration_props,
    )


# --- response URLs (POST /hooks/commands/{id}) ---------------------------------------------------


def command_webhook_parse_error(message: str) -> InvalidInput:
    return InvalidInput(message, error_id="web.command_webhook.parse.app_error")


def command_webhook_execute(*, hook_id: str, response: dict[str, Any]) -> None:
    """Apply a CommandResponse sent later to a custom command's response URL.

    It is applied like the first answer: in the channel and thread where the command
    ran, as the person who ran it, who must still be active and able to read there. A
    malformed body does not count as a use. There is no actor: the id is the secret.

    Raises:
        InvalidInput: a malformed response; an unknown, used-up or expired response URL,
            or one whose command was deleted.
        PermissionDenied: the person who ran the command has been deactivated.
        NotFound: they can no longer read the channel.
    """
    cleaned = clean_command_response(response, error=command_webhook_parse_error)
    hook = command_webhook_use(hook_id=hook_id)
    if not hook.user.is_active:
        raise PermissionDenied(
            "The user who ran the command is deactivated.",
            error_id="web.command_webhook.user.app_error",
        )
    _apply(
        actor=hook.user,
        channel_id=hook.channel_id,
        root_id=hook.root_id,
        response={**RESPONSE_DEFAULTS, **cleaned},
        command=hook.command,
    )
