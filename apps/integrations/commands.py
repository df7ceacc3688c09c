"""Built-in slash commands: a registry of small functions, each answering a CommandResponse.

Every built-in acts through the other apps' services, so the caller's permissions hold
exactly as they do over the API. A refused action raises a domain error, which
`command_execute` turns into an ephemeral answer.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from django.conf import settings

from apps.accounts.models import STATUS_AWAY, STATUS_DND, STATUS_OFFLINE, STATUS_ONLINE, User
from apps.accounts.selectors import user_get_by_username
from apps.accounts.services.preferences import preference_save
from apps.accounts.services.sessions import session_revoke
from apps.accounts.services.users import user_custom_status_clear, user_custom_status_set
from apps.channels.models import MARK_UNREAD_MENTION, TOWN_SQUARE, Channel
from apps.channels.permissions import access_channel
from apps.channels.selectors import channel_get_by_name
from apps.channels.services import (
    channel_get_or_create_direct,
    channel_get_or_create_group,
    channel_join,
    channel_member_add,
    channel_member_remove,
    channel_set_muted,
    channel_update,
)
from apps.core.errors import InvalidInput
from apps.posts.services import post_create
from apps.realtime.services import user_status_set
from apps.teams.models import Team

RESPONSE_IN_CHANNEL = "in_channel"
DISPLAY_SETTINGS = "display_settings"
COLLAPSE_PREVIEWS = "collapse_previews"
RESPONSE_EPHEMERAL = "ephemeral"
# Mattermost's own text, with the markdown escapes that make it render as ¯\_(ツ)_/¯.
SHRUG = "¯\\\\\\_(ツ)\\_/¯"

CommandResponse = dict[str, Any]


class Handler(Protocol):
    def __call__(
        self, *, actor: User, channel: Channel, team: Team | None, root_id: str, text: str
    ) -> CommandResponse: ...


class SessionHandler(Protocol):
    """A handler that also takes `session_id`, the calling session ("" for an access token)."""

    def __call__(
        self,
        *,
        actor: User,
        channel: Channel,
        team: Team | None,
        root_id: str,
        text: str,
        session_id: str,
    ) -> CommandResponse: ...


_HandlerT = TypeVar("_HandlerT", Handler, SessionHandler)


@dataclass(frozen=True)
class Builtin:
    trigger: str
    handler: Handler | SessionHandler
    display_name: str
    description: str
    hint: str = ""
    auto_complete: bool = True
    # The handler is a SessionHandler: it is called with `session_id`.
    needs_session: bool = False


BUILTINS: dict[str, Builtin] = {}


def builtin(
    *triggers: str,
    display_name: str,
    description: str,
    hint: str = "",
    auto_complete: bool = True,
    needs_session: bool = False,
) -> Callable[[_HandlerT], _HandlerT]:
    def register(handler: _HandlerT) -> _HandlerT:
        for trigger in triggers:
            BUILTINS[trigger] = Builtin(
                trigger, handler, display_name, description, hint, auto_complete, needs_session
            )
        return handler

    return register


def ephemeral(text: str, **extra: Any) -> CommandResponse:
    return {"response_type": RESPONSE_EPHEMERAL, "text": text, **extra}


def in_channel(text: str, **extra: Any) -> CommandResponse:
    return {"response_type": RESPONSE_IN_CHANNEL, "text": text, **extra}


def nothing(**extra: Any) -> CommandResponse:
    """No message at all: the action left its own system post, or only navigates."""
    return {"response_type": RESPONSE_EPHEMERAL, "text": "", **extra}


# --- helpers --------------------------------------------------------------------------------


def _location(team: Team | None, path: str) -> str:
    if team is None:
        return ""
    return f"{settings.SITE_URL.rstrip('/')}/{team.name}/{path}"


def _user_named(actor: User, word: str) -> User:
    name = word.strip().lstrip("@")
    if not name:
        raise InvalidInput("Name a user, as @username.")
    return user_get_by_username(actor=actor, username=name)


def _channel_named(actor: User, team: Team | None, word: str) -> Channel:
    name = word.strip().lstrip("~")
    if not name:
        raise InvalidInput("Name a channel, as ~channel-name.")
    if team is None:
        raise InvalidInput("Run this command in a team channel.")
    return channel_get_by_name(actor=actor, team_id=team.id, name=name)


# --- status ---------------------------------------------------------------------------------


def _status_command(status: str, label: str) -> Handler:
    def handler(
        *, actor: User, channel: Channel, team: Team | None, root_id: str, text: str
    ) -> CommandResponse:
        user_status_set(actor=actor, user=actor, status=status, manual=True)
        return ephemeral(f"You are now {label}.")

    return handler


for _trigger, _status, _label in (
    ("away", STATUS_AWAY, "away"),
    ("online", STATUS_ONLINE, "online"),
    ("dnd", STATUS_DND, "in Do Not Disturb mode"),
    ("offline", STATUS_OFFLINE, "offline"),
):
    builtin(_trigger, display_name=_trigger, description=f"Set your status to {_trigger}")(
        _status_command(_status, _label)
    )


@builtin(
    "status",
    display_name="status",
    description="Set or clear your custom status",
    hint="[:emoji:] [text] | clear",
)
def custom_status(
    *, actor: User, channel: Channel, team: Team | None, root_id: str, text: str
) -> CommandResponse:
    words = text.split(maxsplit=1)
    if not words:
        return ephemeral("Give a status text, optionally after an :emoji:, or `clear`.")
    if text.strip().lower() == "clear":
        user_custom_status_clear(actor=actor, user=actor)
        return ephemeral("Your custom status is cleared.")
    emoji = ""
    if len(words[0]) > 2 and words[0].startswith(":") and words[0].endswith(":"):
        emoji, text = words[0].strip(":"), words[1] if len(words) > 1 else ""
    status = user_custom_status_set(actor=actor, user=actor, emoji=emoji, text=text)
    shown = f":{status['emoji']}: {status['text']}".rstrip()
    return ephemeral(f"Your custom status is now {shown}.")


# --- display and session ----------------------------------------------------------------------


def _previews_command(collapse: bool) -> Handler:
    def handler(
        *, actor: User, channel: Channel, team: Team | None, root_id: str, text: str
    ) -> CommandResponse:
        preference_save(
            actor=actor,
            user=actor,
            preferences=[
                {
                    "user_id": actor.id,
                    "category": DISPLAY_SETTINGS,
                    "name": COLLAPSE_PREVIEWS,
                    "value": "true" if collapse else "false",
                }
            ],
        )
        return ephemeral(f"Image links now {'collapse' if collapse else 'expand'} by default.")

    return handler


builtin(
    "collapse", display_name="collapse", description="Turn on auto-collapsing of image previews"
)(_previews_command(True))
builtin("expand", display_name="expand", description="Turn off auto-collapsing of image previews")(
    _previews_command(False)
)


@builtin("logout", display_name="logout", description="Log out", needs_session=True)
def logout(
    *,
    actor: User,
    channel: Channel,
    team: Team | None,
    root_id: str,
    text: str,
    session_id: str,
) -> CommandResponse:
    if not session_id:
        return ephemeral("An access token cannot sign out; revoke it instead.")
    session_revoke(actor=actor, user=actor, session_id=session_id)
    return nothing(goto_location="/login")


# --- messages -------------------------------------------------------------------------------


@builtin("me", display_name="me", description="Do an action", hint="[message]")
def me(
    *, actor: User, channel: Channel, team: Team | None, root_id: str, text: str
) -> CommandResponse:
    if not text.strip():
        return ephemeral("A message must be provided with the /me command.")
    return in_channel(f"*{text}*", type="me")


@builtin(
    "shrug", display_name="shrug", description="Adds ¯\\_(ツ)_/¯ to your message", hint="[message]"
)
def shrug(
    *, actor: User, channel: Channel, team: Team | None, root_id: str, text: str
) -> CommandResponse:
    return in_channel(f"{text} {SHRUG}" if text.strip() else SHRUG)


@builtin("code", display_name="code", description="Display text as a code block", hint="[text]")
def code(
    *, actor: User, channel: Channel, team: Team | None, root_id: str, text: str
) -> CommandResponse:
    if not text.strip():
        return ephemeral("A message must be provided with the /code command.")
    indented = "\n".join(f"    {line}" for line in text.split("\n"))
    return in_channel(indented, skip_slack_parsing=True)


ECHO_RE = re.compile(r'^"(?P<quoted>.*)"\s*(?P<delay>\S*)\s*$|^(?P<plain>.*)$', re.DOTALL)


@builtin(
    "echo", display_name="echo", description="Echo back text from your account", hint='"message"'
)
def echo(
    *, actor: User, channel: Channel, team: Team | None, root_id: str, text: str
) -> CommandResponse:
    match = ECHO_RE.match(text.strip())
    assert match is not None  # the second branch matches anything
    message = match["quoted"] if match["quoted"] is not None else match["plain"]
    if not (message or "").strip():
        return ephemeral('Use quotes around the text: /echo "message".')
    if match["delay"]:
        return ephemeral("Delayed echo is not supported on this server.")
    return in_channel(message)


# --- channel properties ---------------------------------------------------------------------


def _property_command(field: str, label: str) -> Handler:
    def handler(
        *, actor: User, channel: Channel, team: Team | None, root_id: str, text: str
    ) -> CommandResponse:
        value = text.strip()
        if not value:
            return ephemeral(f"Give the new {label} after the command.")
        channel_update(actor=actor, channel_id=channel.id, patch={field: value})
        return nothing()

    return handler


builtin("header", display_name="header", description="Edit the channel header", hint="[text]")(
    _property_command("header", "header")
)
builtin("purpose", display_name="purpose", description="Edit the channel purpose", hint="[text]")(
    _property_command("purpose", "purpose")
)
builtin("rename", display_name="rename", description="Rename the channel", hint="[text]")(
    _property_command("display_name", "channel name")
)


# --- membership -----------------------------------------------------------------------------


@builtin(
    "join", "open", display_name="join", description="Join the open channel", hint="~[channel]"
)
def join(
    *, actor: User, channel: Channel, team: Team | None, root_id: str, text: str
) -> CommandResponse:
    target = _channel_named(actor, team, text.split()[0] if text.split() else "")
    channel_join(actor=actor, channel_id=target.id)
    return nothing(goto_location=_location(team, f"channels/{target.name}"))


@builtin("leave", display_name="leave", description="Leave the current channel")
def leave(
    *, actor: User, channel: Channel, team: Team | None, root_id: str, text: str
) -> CommandResponse:
    channel_member_remove(actor=actor, channel_id=channel.id, user_id=actor.id)
    return nothing(goto_location=_location(team, f"channels/{TOWN_SQUARE}"))


@builtin(
    "invite",
    display_name="invite",
    description="Invite a user to a channel",
    hint="@[username] ~[channel]",
)
def invite(
    *, actor: User, channel: Channel, team: Team | None, root_id: str, text: str
) -> CommandResponse:
    words = text.split()
    if not words:
        return ephemeral("Name a user to invite: /invite @username [~channel].")
    user = _user_named(actor, words[0])
    target = _channel_named(actor, team, words[1]) if len(words) > 1 else channel
    channel_member_add(actor=actor, channel_id=target.id, user_id=user.id)
    if target.id == channel.id:
        return nothing()
    return ephemeral(f"@{user.username} added to ~{target.name}.")


@builtin(
    "kick",
    "remove",
    display_name="kick",
    description="Remove a member from the channel",
    hint="@[username]",
)
def kick(
    *, actor: User, channel: Channel, team: Team | None, root_id: str, text: str
) -> CommandResponse:
    words = text.split()
    if not words:
        return ephemeral("Name a user to remove: /kick @username.")
    user = _user_named(actor, words[0])
    channel_member_remove(actor=actor, channel_id=channel.id, user_id=user.id)
    return nothing()


@builtin(
    "mute",
    display_name="mute",
    description="Turn off notifications for a channel",
    hint="~[channel]",
)
def mute(
    *, actor: User, channel: Channel, team: Team | None, root_id: str, text: str
) -> CommandResponse:
    words = text.split()
    target = _channel_named(actor, team, words[0]) if words else channel
    _target, membership = access_channel(actor=actor, channel_id=target.id)
    if membership is None:
        return ephemeral("You are not a member of that channel.")
    muted = membership.notify_props.get("mark_unread") != MARK_UNREAD_MENTION
    channel_set_muted(actor=actor, channel_id=target.id, muted=muted)
    name = target.display_name or target.name
    if muted:
        return ephemeral(f"You muted {name}. Run /mute again to unmute it.")
    return ephemeral(f"You unmuted {name}.")


# --- direct and group messages ---------------------------------------------------------------


@builtin(
    "msg",
    display_name="message",
    description="Send a direct message to a user",
    hint="@[username] [message]",
)
def msg(
    *, actor: User, channel: Channel, team: Team | None, root_id: str, text: str
) -> CommandResponse:
    parts = text.strip().split(None, 1)
    if not parts:
        return ephemeral("Name a user: /msg @username [message].")
    user = _user_named(actor, parts[0])
    direct = channel_get_or_create_direct(actor=actor, other_user_id=user.id)
    if len(parts) > 1 and parts[1].strip():
        post_create(actor=actor, channel=direct, message=parts[1])
    return nothing(goto_location=_location(team, f"messages/@{user.username}"))


GROUP_RE = re.compile(
    r"^(?P<names>@?[\w.\-]+(?:\s*,\s*@?[\w.\-]+)*)(?:\s+(?P<text>.*))?$", re.DOTALL
)


@builtin(
    "groupmsg",
    display_name="groupmsg",
    description="Send a group message to users",
    hint="@[user1],@[user2] [message]",
)
def groupmsg(
    *, actor: User, channel: Channel, team: Team | None, root_id: str, text: str
) -> CommandResponse:
    match = GROUP_RE.match(text.strip())
    if match is None:
        return ephemeral("Name the users: /groupmsg @user1,@user2 [message].")
    users = [_user_named(actor, name) for name in match["names"].split(",")]
    group = channel_get_or_create_group(actor=actor, user_ids=[u.id for u in users])
    if (match["text"] or "").strip():
        post_create(actor=actor, channel=group, message=match["text"])
    return nothing(goto_location=_location(team, f"messages/{group.name}"))


# --- client-side commands -------------------------------------------------------------------


def _client_only(trigger: str) -> Handler:
    def handler(
        *, actor: User, channel: Channel, team: Team | None, root_id: str, text: str
    ) -> CommandResponse:
        return ephemeral(f"/{trigger} is not supported here; use it in the client.")

    return handler


for _trigger, _description in (
    ("search", "Search text in messages"),
    ("settings", "Open the Settings dialog"),
    ("shortcuts", "Display a list of keyboard shortcuts"),
):
    builtin(_trigger, display_name=_trigger, description=_description)(_client_only(_trigger))


@builtin("help", display_name="help", description="List the built-in commands")
def help_(
    *, actor: User, channel: Channel, team: Team | None, root_id: str, text: str
) -> CommandResponse:
    lines = [
        f"/{c.trigger} {c.hint} - {c.description}".replace("  ", " ")
        for c in sorted(BUILTINS.values(), key=lambda c: c.trigger)
    ]
    return ephemeral("Built-in commands:\n" + "\n".join(lines))


def builtin_to_wire(command: Builtin) -> dict[str, Any]:
    """A built-in as Mattermost lists one: no id and the sanitized fields left blank."""
    return {
        "id": "",
        "token": "",
        "create_at": 0,
        "update_at": 0,
        "delete_at": 0,
        "creator_id": "",
        "team_id": "",
        "trigger": command.trigger,
        "method": "",
        "username": "",
        "icon_url": "",
        "auto_complete": command.auto_complete,
        "auto_complete_desc": command.description,
        "auto_complete_hint": command.hint,
        "display_name": command.display_name,
        "description": command.description,
        "url": "",
        "plugin_id": "",
    }
