"""Custom slash commands: managing a team's commands, calling a command's integration, and
reading the CommandResponse it answers (now or later through its response URL).

A command runs as the person who typed it: its answer is applied by `command_execute`
(services_commands.py) exactly as a built-in's, with the integration's extras (overrides,
attachments) marked as coming from an integration.
"""

from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.http import parse_header_parameters

from apps.accounts.models import User
from apps.accounts.permissions import check_active
from apps.channels.models import Channel
from apps.core.errors import AlreadyExists, ConfabError, InvalidInput, PermissionDenied
from apps.core.ids import is_valid_id, new_id
from apps.core.jsonbody import JSONRefused, parse_json
from apps.core.services import model_update
from apps.core.timeutils import now_ms
from apps.integrations import outbound
from apps.integrations.commands import BUILTINS, CommandResponse
from apps.integrations.errors import OutboundFailed
from apps.integrations.models import (
    COMMAND_AUTOCOMPLETE_MAX,
    COMMAND_DESCRIPTION_MAX,
    COMMAND_DISPLAY_NAME_MAX,
    COMMAND_METHOD_GET,
    COMMAND_METHOD_POST,
    COMMAND_TRIGGER_MAX,
    COMMAND_URL_MAX,
    COMMAND_WEBHOOK_LIFETIME_MS,
    COMMAND_WEBHOOK_MAX_USES,
    HOOK_ICON_URL_MAX,
    HOOK_USERNAME_MAX,
    Command,
    CommandWebhook,
)
from apps.integrations.permissions import can_manage_command
from apps.integrations.slack import slack_attachments, slack_text
from apps.teams.models import Team
from apps.teams.permissions import access_team, check_team_member

T = TypeVar("T")

# The fields of a Command a client sets (everything else is the server's).
COMMAND_FIELDS = (
    "trigger",
    "url",
    "method",
    "username",
    "icon_url",
    "auto_complete",
    "auto_complete_desc",
    "auto_complete_hint",
    "display_name",
    "description",
)
_TEXT_LIMITS = {
    "username": HOOK_USERNAME_MAX,
    "icon_url": HOOK_ICON_URL_MAX,
    "auto_complete_desc": COMMAND_AUTOCOMPLETE_MAX,
    "auto_complete_hint": COMMAND_AUTOCOMPLETE_MAX,
    "display_name": COMMAND_DISPLAY_NAME_MAX,
    "description": COMMAND_DESCRIPTION_MAX,
}
_RESPONSE_TEXT_KEYS = (
    "response_type",
    "text",
    "username",
    "channel_id",
    "icon_url",
    "type",
    "goto_location",
)


class CommandFailed(ConfabError):
    """The integration behind a custom command gave no usable answer (Mattermost: 500)."""

    status_code = 500
    default_id = "api.command.execute_command.failed.app_error"


# --- validation ---------------------------------------------------------------------------------


def _invalid(field: str, message: str) -> InvalidInput:
    return InvalidInput(message, error_id=f"model.command.is_valid.{field}.app_error")


def _duplicate_trigger(message: str) -> AlreadyExists:
    return AlreadyExists(message, error_id="api.command.duplicate_trigger.app_error")


def _clean_trigger(value: object) -> str:
    """Mattermost's trigger rules: trimmed and lowercased, 1-128 characters, no leading "/",
    no whitespace, and not the trigger of a built-in (built-ins always win, so a custom
    command of that name could never run)."""
    if value is not None and not isinstance(value, str):
        raise _invalid("trigger", "trigger must be a string.")
    trigger = (value or "").strip().lower()
    if not trigger:
        raise _invalid("trigger", "A trigger is required.")
    if trigger.startswith("/"):
        raise _invalid("trigger", 'A trigger must not start with "/".')
    if any(character.isspace() for character in trigger):
        raise _invalid("trigger", "A trigger must not contain spaces.")
    if len(trigger) > COMMAND_TRIGGER_MAX:
        raise _invalid("trigger", f"A trigger can be at most {COMMAND_TRIGGER_MAX} characters.")
    if trigger in BUILTINS:
        raise _duplicate_trigger(f"/{trigger} is a built-in command; choose another trigger.")
    return trigger


def _clean_url(value: object) -> str:
    if value is not None and not isinstance(value, str):
        raise _invalid("url", "url must be a string.")
    url = (value or "").strip()
    if not url:
        raise _invalid("url", "A URL is required.")
    if len(url) > COMMAND_URL_MAX:
        raise _invalid("url", f"The URL can be at most {COMMAND_URL_MAX} characters.")
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        host = None
    if host is None or parts.scheme.lower() not in ("http", "https"):
        raise _invalid("url_http", "The URL must be a valid http:// or https:// URL.")
    return url


def _clean_method(value: object) -> str:
    if value not in (COMMAND_METHOD_POST, COMMAND_METHOD_GET):
        raise _invalid("method", 'method must be "P" (POST) or "G" (GET).')
    return str(value)


def _clean_bool(value: object, *, name: str) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise _invalid(name, f"{name} must be true or false.")
    return value


def _clean_text(value: object, *, name: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _invalid(name, f"{name} must be a string.")
    limit = _TEXT_LIMITS[name]
    if len(value) > limit:
        raise _invalid(name, f"{name} can be at most {limit} characters.")
    return value


def _clean_field(name: str, value: object) -> Any:
    if name == "trigger":
        return _clean_trigger(value)
    if name == "url":
        return _clean_url(value)
    if name == "method":
        return _clean_method(value)
    if name == "auto_complete":
        return _clean_bool(value, name=name)
    return _clean_text(value, name=name)


def check_trigger_free(*, team_id: str, trigger: str, exclude_id: str = "") -> None:
    """Refuse a trigger another live command of the team already has.

    The unique constraint is the real guard; this only gives the common case its clear
    message before the insert (`_saved` turns a lost race into the same error).
    """
    taken = (
        Command.objects.filter(team_id=team_id, trigger=trigger, delete_at=0)
        .exclude(id=exclude_id)
        .exists()
    )
    if taken:
        raise _duplicate_trigger(f"The team already has a /{trigger} command.")


def _saved(write: Callable[[], T], *, trigger: str) -> T:
    """Run an insert or update of a command in a savepoint; a concurrent command that took
    the trigger first (the live-trigger unique constraint) is the usual 400."""
    try:
        with transaction.atomic():
            return write()
    except IntegrityError as exc:
        raise _duplicate_trigger(f"The team already has a /{trigger} command.") from exc


def _check_manages(actor: User, command: Command) -> None:
    if not can_manage_command(actor, command):
        raise PermissionDenied(
            "Only the command's creator and team or system admins manage it.",
            error_id="api.context.permissions.app_error",
        )


# --- managing commands --------------------------------------------------------------------------


@transaction.atomic
def command_create(
    *,
    actor: User,
    team_id: object,
    trigger: object,
    url: object,
    method: object,
    username: object = None,
    icon_url: object = None,
    auto_complete: object = None,
    auto_complete_desc: object = None,
    auto_complete_hint: object = None,
    display_name: object = None,
    description: object = None,
) -> Command:
    """Create a custom slash command `/trigger` of a team, calling `url` with `method`.

    Any active member of the team may create one (system admins too); it gets a new
    random token, which travels to the integration with every call.

    Raises:
        InvalidInput: bad or missing fields (see Mattermost's Command.IsValid), a trigger
            that is a built-in or already used by a live command of the team.
        NotFound: the team is missing, hidden, or the actor is not in it.
    """
    check_active(actor)
    if not isinstance(team_id, str) or not is_valid_id(team_id):
        raise _invalid("team_id", "team_id must be a team id.")
    team, membership = access_team(actor=actor, team_id=team_id)
    check_team_member(actor=actor, team=team, membership=membership)
    given = {
        "trigger": trigger,
        "url": url,
        "method": method,
        "username": username,
        "icon_url": icon_url,
        "auto_complete": auto_complete,
        "auto_complete_desc": auto_complete_desc,
        "auto_complete_hint": auto_complete_hint,
        "display_name": display_name,
        "description": description,
    }
    fields = {name: _clean_field(name, given[name]) for name in COMMAND_FIELDS}
    check_trigger_free(team_id=team.id, trigger=fields["trigger"])
    return _saved(
        lambda: Command.objects.create(creator=actor, team=team, token=new_id(), **fields),
        trigger=fields["trigger"],
    )


@transaction.atomic
def command_update(*, actor: User, command: Command, data: dict[str, Any]) -> Command:
    """Change a command from Mattermost's PUT body (a whole Command).

    The client-settable fields present in `data` are validated as on create; absent ones
    keep their value, and the id, token, team, creator and times never change here.
    Precondition: the command was fetched with `access_command`.

    Raises:
        InvalidInput: bad fields, a trigger taken in the team, an `id` or `team_id`
            other than the command's.
        PermissionDenied: the actor does not manage the command.
    """
    check_active(actor)
    _check_manages(actor, command)
    if data.get("id") not in (None, "", command.id):
        raise InvalidInput(
            "The command id in the body differs from the one in the URL.",
            error_id="api.context.invalid_param.app_error",
        )
    if data.get("team_id") not in (None, "", command.team_id):
        raise InvalidInput(
            "A command stays in its team.", error_id="api.command.team_mismatch.app_error"
        )
    changes = {name: _clean_field(name, data[name]) for name in COMMAND_FIELDS if name in data}
    trigger = changes.get("trigger", command.trigger)
    if trigger != command.trigger:
        check_trigger_free(team_id=command.team_id, trigger=trigger, exclude_id=command.id)
    _saved(
        lambda: model_update(instance=command, fields=list(changes), data=changes),
        trigger=trigger,
    )
    return command


@transaction.atomic
def command_delete(*, actor: User, command: Command) -> None:
    """Delete a command: it stops running at once, and its response URLs stop working.

    Raises:
        PermissionDenied: the actor does not manage the command.
    """
    check_active(actor)
    _check_manages(actor, command)
    now = now_ms()
    command.delete_at = now
    command.update_at = now
    command.save(update_fields=["delete_at", "update_at"])


@transaction.atomic
def command_regen_token(*, actor: User, command: Command) -> Command:
    """Give the command a new token; the integration must be told the new one.

    Raises:
        PermissionDenied: the actor does not manage the command.
    """
    check_active(actor)
    _check_manages(actor, command)
    model_update(instance=command, fields=["token"], data={"token": new_id()})
    return command


# --- the CommandResponse an integration answers ------------------------------------------------


def command_response_parse(
    *, content_type: str, body: bytes, max_bytes: int, error: Callable[[str], ConfabError]
) -> dict[str, Any]:
    """The CommandResponse in an HTTP body: JSON if the Content-Type says so, else the
    whole body is the text (Mattermost's CommandResponseFromHTTPBody)."""
    media_type, _params = parse_header_parameters(content_type or "")
    if media_type.lower() != "application/json":
        return {"text": body.decode("utf-8", errors="replace")}
    try:
        data = parse_json(body, max_bytes=max_bytes)
    except JSONRefused as exc:
        raise error(f"The command response was refused: {exc.message}") from exc
    if not isinstance(data, dict):
        raise error("The command response must be a JSON object.")
    return data


def clean_command_response(
    raw: dict[str, Any], *, error: Callable[[str], ConfabError], nested: bool = False
) -> CommandResponse:
    """Check the types of a CommandResponse from an integration; `null` counts as absent.

    Unless `skip_slack_parsing` is true, Slack markup in the text and the attachments is
    converted as for webhooks. `extra_responses` are cleaned the same way (one level:
    Mattermost does not apply extras of extras).
    """
    response: CommandResponse = {}
    for key in _RESPONSE_TEXT_KEYS:
        value = raw.get(key)
        if value is not None and not isinstance(value, str):
            raise error(f"{key} must be a string.")
        if value:
            response[key] = value
    props = raw.get("props")
    if props is not None and not isinstance(props, dict):
        raise error("props must be an object.")
    if props:
        response["props"] = props
    skip = raw.get("skip_slack_parsing")
    if skip is not None and not isinstance(skip, bool):
        raise error("skip_slack_parsing must be true or false.")
    response["skip_slack_parsing"] = bool(skip)
    try:
        attachments = slack_attachments(raw.get("attachments"))
    except InvalidInput as exc:
        raise error(exc.message) from exc
    if skip:
        attachments = [dict(attachment) for attachment in raw.get("attachments") or []]
    else:
        response["text"] = slack_text(response.get("text", ""))
    if attachments:
        response["attachments"] = attachments
    extras = raw.get("extra_responses")
    if not nested and extras is not None:
        if not isinstance(extras, list) or not all(isinstance(e, dict) for e in extras):
            raise error("extra_responses must be a list of objects.")
        response["extra_responses"] = [
            clean_command_response(extra, error=error, nested=True) for extra in extras
        ]
    return response


# --- calling the integration -------------------------------------------------------------------


def _failed(trigger: str, *, error_id: str | None = None, detail: str = "") -> CommandFailed:
    return CommandFailed(
        f"Command with a trigger of '/{trigger}' failed.", error_id=error_id, detail=detail
    )


def _with_query(url: str, fields: dict[str, str]) -> str:
    separator = "&" if urlsplit(url).query else ("" if url.endswith("?") else "?")
    return f"{url}{separator}{urlencode(fields)}"


def response_url(hook: CommandWebhook) -> str:
    return f"{settings.SITE_URL.rstrip('/')}/hooks/commands/{hook.id}"


def command_call_integration(
    *,
    actor: User,
    command: Command,
    channel: Channel,
    team: Team,
    root_id: str,
    text: str,
    trigger_id: str,
) -> CommandResponse:
    """Send `/trigger text` to the command's URL and return the cleaned CommandResponse.

    A response URL (a CommandWebhook) is made first, so the integration may answer later
    in the same channel and thread as `actor`. The request carries Mattermost's fields,
    form-encoded for "P" and in the query string for "G", with `Accept: application/json`
    and `Authorization: Token <token>`.

    Precondition: no transaction is open, so nothing stays locked while the integration
    takes its time (up to the outbound timeout).

    Raises:
        OutboundRefused: the URL points at an address server-side calls may not reach (400).
        CommandFailed: no answer, a status other than 200, or an unreadable body (500).
    """
    hook = CommandWebhook.objects.create(
        command=command, user=actor, channel=channel, root_id=root_id
    )
    fields = {
        "token": command.token,
        "team_id": command.team_id,
        "team_domain": team.name,
        "channel_id": channel.id,
        "channel_name": channel.name,
        "user_id": actor.id,
        "user_name": actor.username,
        "command": f"/{command.trigger}",
        "text": text,
        "trigger_id": trigger_id,
        "response_url": response_url(hook),
    }
    headers = {"Accept": "application/json", "Authorization": f"Token {command.token}"}
    try:
        if command.method == COMMAND_METHOD_GET:
            answer = outbound.get(_with_query(command.url, fields), headers=headers)
        else:
            answer = outbound.post_form(command.url, fields, headers=headers)
    except OutboundFailed as exc:
        raise _failed(command.trigger, detail=exc.message) from exc
    if answer.status != 200:
        raise _failed(
            command.trigger,
            error_id="api.command.execute_command.failed_resp.app_error",
            detail=f"status {answer.status}",
        )

    def error(message: str) -> CommandFailed:
        return _failed(command.trigger, detail=message)

    raw = command_response_parse(
        content_type=answer.headers.get("content-type", ""),
        body=answer.body,
        max_bytes=outbound.MAX_BODY_BYTES,
        error=error,
    )
    return clean_command_response(raw, error=error)


# --- response URLs ------------------------------------------------------------------------------


def _hook_refused(message: str) -> InvalidInput:
    return InvalidInput(message, error_id="web.command_webhook.invalid.app_error")


@transaction.atomic
def command_webhook_use(*, hook_id: str) -> CommandWebhook:
    """Count one use of a response URL and return it, if it may still be used.

    The row is locked while counting, so concurrent calls cannot use it more than
    COMMAND_WEBHOOK_MAX_USES times between them.

    Raises:
        InvalidInput: unknown id, command deleted, expired, or used up.
    """
    hook = (
        CommandWebhook.objects.select_for_update(of=("self",))
        .select_related("command", "user", "channel")
        .filter(id=hook_id)
        .first()
        if is_valid_id(hook_id)
        else None
    )
    if hook is None:
        raise _hook_refused("Invalid command response URL.")
    if hook.command.delete_at:
        raise _hook_refused("The command of this response URL has been deleted.")
    now = now_ms()
    if now - hook.create_at > COMMAND_WEBHOOK_LIFETIME_MS:
        raise _hook_refused("This response URL has expired.")
    if hook.use_count >= COMMAND_WEBHOOK_MAX_USES:
        raise _hook_refused(
            f"This response URL has already been used {COMMAND_WEBHOOK_MAX_USES} times."
        )
    hook.use_count += 1
    hook.update_at = now
    hook.save(update_fields=["use_count", "update_at"])
    return hook


def command_webhook_purge_expired() -> int:
    """Delete the response URLs past their lifetime (they refuse every call by then);
    returns how many. One row is made per run of a custom command, so without this the
    table would only grow."""
    cutoff = now_ms() - COMMAND_WEBHOOK_LIFETIME_MS
    deleted, _ = CommandWebhook.objects.filter(create_at__lt=cutoff).delete()
    return deleted
