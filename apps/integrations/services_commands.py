"""Running a slash command (`POST /commands/execute`): parse, run the built-in, apply its answer."""

from typing import Any

from django.db import transaction

from apps.accounts.models import User
from apps.channels.permissions import access_channel
from apps.core.errors import ConfabError, InvalidInput, NotFound
from apps.core.ids import is_valid_id, new_id
from apps.integrations.commands import (
    BUILTINS,
    RESPONSE_EPHEMERAL,
    RESPONSE_IN_CHANNEL,
    Builtin,
    CommandResponse,
    ephemeral,
)
from apps.posts.services import post_create, post_send_ephemeral_to_self
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
    *, actor: User, channel_id: str, team_id: str = "", root_id: str = "", command: object
) -> CommandResponse:
    """Run a built-in slash command as `actor` in a channel the actor can read.

    The answer is applied as Mattermost applies it: `in_channel` posts as the actor in
    the channel (in the `root_id` thread), `ephemeral` shows the actor alone a message,
    `goto_location` is only returned. An action the actor may not do is answered with an
    ephemeral error instead of failing the request.

    Raises:
        InvalidInput: the command does not start with "/", or no valid channel id.
        NotFound: the channel is missing or hidden, or no command has that trigger.
    """
    trigger, text = _parse(command)
    if not is_valid_id(channel_id):
        raise InvalidInput("A valid channel_id is required.")
    channel, _membership = access_channel(actor=actor, channel_id=channel_id)
    found = BUILTINS.get(trigger)
    if found is None:
        raise NotFound(
            f"Command with a trigger of '/{trigger}' not found.",
            error_id="api.command.execute_command.not_found.app_error",
        )
    team = _team_of(actor=actor, channel_team=channel.team, team_id=team_id)
    root_id = root_id if is_valid_id(root_id) else ""
    try:
        # A savepoint per command: a refused action leaves nothing half-done behind.
        with transaction.atomic():
            response = found.handler(
                actor=actor, channel=channel, team=team, root_id=root_id, text=text
            )
    except ConfabError as error:
        response = ephemeral(error.message)
    response = {**RESPONSE_DEFAULTS, **response, "trigger_id": new_id()}
    _apply(actor=actor, channel_id=channel.id, root_id=root_id, response=response)
    return response


def _apply(*, actor: User, channel_id: str, root_id: str, response: CommandResponse) -> None:
    text = response.get("text") or ""
    if not text:
        return
    if response.get("response_type") == RESPONSE_IN_CHANNEL:
        channel, _membership = access_channel(actor=actor, channel_id=channel_id)
        try:
            with transaction.atomic():
                post_create(
                    actor=actor,
                    channel=channel,
                    message=text,
                    root_id=root_id,
                    post_type=response.get("type") or "",
                )
            return
        except ConfabError as error:
            text = error.message
    post_send_ephemeral_to_self(actor=actor, channel_id=channel_id, message=text, root_id=root_id)
