"""Writes of integrations: incoming webhooks (manage, and execute `POST /hooks/{id}`).

A webhook is an interface like the API: its posts go through `post_create` as the
hook's creator, so channel rules, mentions and events are the same as for a person.
"""

import json
from typing import Any

from django.conf import settings
from django.db import transaction

from apps.accounts.models import User
from apps.accounts.permissions import check_active
from apps.channels.models import CHANNEL_OPEN, Channel
from apps.channels.permissions import (
    access_channel_to_manage,
    can_post_in_channel,
    can_read_channel,
    channel_membership,
)
from apps.channels.services import channel_get_or_create_direct
from apps.core.errors import InvalidInput, NotFound, PermissionDenied
from apps.core.ids import is_valid_id
from apps.core.timeutils import now_ms
from apps.integrations.models import (
    HOOK_DESCRIPTION_MAX,
    HOOK_DISPLAY_NAME_MAX,
    HOOK_ICON_URL_MAX,
    HOOK_USERNAME_MAX,
    IncomingWebhook,
)
from apps.integrations.permissions import is_team_admin
from apps.integrations.slack import slack_attachments, slack_text
from apps.posts.models import Post
from apps.posts.services import (
    POST_TYPE_SLACK_ATTACHMENT,
    PROPS_MAX_BYTES,
    post_create,
)

DEFAULT_WEBHOOK_USERNAME = "webhook"
REQUEST_TEXT_FIELDS = ("text", "username", "icon_url", "channel", "type", "icon_emoji")

# (field, maximum length) of the editable text settings of a hook.
_HOOK_TEXT_FIELDS = (
    ("display_name", HOOK_DISPLAY_NAME_MAX),
    ("description", HOOK_DESCRIPTION_MAX),
    ("username", HOOK_USERNAME_MAX),
    ("icon_url", HOOK_ICON_URL_MAX),
)


# --- managing hooks ---------------------------------------------------------------------------


def hook_text(
    value: object, *, name: str, limit: int, error_prefix: str = "model.incoming_hook"
) -> str:
    """A hook's text setting: `null` is empty; too long is refused with `error_prefix`."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidInput(f"{name} must be a string.")
    if len(value) > limit:
        raise InvalidInput(
            f"{name} can be at most {limit} characters.",
            error_id=f"{error_prefix}.{name}.app_error",
        )
    return value


def _hook_bool(value: object, *, name: str) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise InvalidInput(f"{name} must be true or false.")
    return value


def _target_channel(*, actor: User, channel_id: object) -> tuple[Channel, str]:
    """A team channel the actor may see (or manage) for a hook to post in, and its team's id."""
    if not isinstance(channel_id, str) or not is_valid_id(channel_id):
        raise InvalidInput(
            "channel_id must be a channel id.", error_id="model.incoming_hook.channel_id.app_error"
        )
    channel, _membership = access_channel_to_manage(actor=actor, channel_id=channel_id)
    if channel.team_id is None:
        raise InvalidInput(
            "Webhooks post in team channels, not in direct or group messages.",
            error_id="model.incoming_hook.team_id.app_error",
        )
    return channel, channel.team_id


def _check_owner_can_post(*, owner: User, channel: Channel) -> None:
    membership = channel_membership(user=owner, channel=channel)
    if not can_post_in_channel(owner, channel, membership):
        raise PermissionDenied(
            "The webhook's owner must be able to post in its channel.",
            error_id="api.context.permissions.app_error",
        )


def _hook_owner(*, actor: User, team_id: str, user_id: object) -> User:
    """The actor, or another user named by a team or system admin (Mattermost's
    `manage_others_incoming_webhooks`)."""
    if user_id in (None, "", actor.id):
        return actor
    if not actor.is_system_admin and not is_team_admin(actor, team_id):
        raise PermissionDenied("Only team or system admins create webhooks for someone else.")
    owner = User.objects.filter(id=user_id).first() if is_valid_id(user_id) else None
    if owner is None or not owner.is_active:
        raise NotFound("User not found.", error_id="app.user.missing_account.const")
    return owner


@transaction.atomic
def incoming_webhook_create(
    *,
    actor: User,
    channel_id: object,
    display_name: object = "",
    description: object = "",
    username: object = "",
    icon_url: object = "",
    channel_locked: object = False,
    user_id: object = None,
) -> IncomingWebhook:
    """Create an incoming webhook posting in a team channel as its owner.

    The owner is the actor unless a team or system admin names another user; either
    way the owner must be able to post in the channel.

    Raises:
        NotFound: the channel is hidden from the actor, or `user_id` names nobody.
        PermissionDenied: the owner cannot post there, or a non-admin named another owner.
        InvalidInput: bad or too long fields; a direct or group channel.
    """
    check_active(actor)
    channel, team_id = _target_channel(actor=actor, channel_id=channel_id)
    owner = _hook_owner(actor=actor, team_id=team_id, user_id=user_id)
    _check_owner_can_post(owner=owner, channel=channel)
    given = {
        "display_name": display_name,
        "description": description,
        "username": username,
        "icon_url": icon_url,
    }
    fields = {
        name: hook_text(given[name], name=name, limit=limit) for name, limit in _HOOK_TEXT_FIELDS
    }
    return IncomingWebhook.objects.create(
        user=owner,
        channel=channel,
        team_id=team_id,
        channel_locked=_hook_bool(channel_locked, name="channel_locked"),
        **fields,
    )


@transaction.atomic
def incoming_webhook_update(
    *, actor: User, hook: IncomingWebhook, data: dict[str, Any]
) -> IncomingWebhook:
    """Change a hook's settings from Mattermost's PUT body; absent keys keep their value.

    A new channel must be in the hook's team, visible to the actor and open to posts by
    the owner. The owner never changes here. Precondition: the actor manages the hook
    (`access_incoming_webhook`).

    Raises:
        InvalidInput: bad fields, an `id` other than the hook's, a channel of another team.
        NotFound: the new channel is hidden from the actor.
        PermissionDenied: the owner cannot post in the new channel.
    """
    check_active(actor)
    if data.get("id") not in (None, "", hook.id):
        raise InvalidInput(
            "The hook id in the body differs from the one in the URL.",
            error_id="api.context.invalid_param.app_error",
        )
    changes: dict[str, Any] = {}
    for name, limit in _HOOK_TEXT_FIELDS:
        if name in data:
            changes[name] = hook_text(data[name], name=name, limit=limit)
    if "channel_locked" in data:
        changes["channel_locked"] = _hook_bool(data["channel_locked"], name="channel_locked")
    new_channel_id = data.get("channel_id")
    if new_channel_id not in (None, "", hook.channel_id):
        channel, team_id = _target_channel(actor=actor, channel_id=new_channel_id)
        if team_id != hook.team_id:
            raise InvalidInput(
                "A webhook stays in its team.", error_id="api.webhook.team_mismatch.app_error"
            )
        _check_owner_can_post(owner=hook.user, channel=channel)
        changes["channel"] = channel
    for name, value in changes.items():
        setattr(hook, name, value)
    hook.update_at = now_ms()
    hook.save(update_fields=[*changes, "update_at"])
    return hook


@transaction.atomic
def incoming_webhook_delete(*, actor: User, hook: IncomingWebhook) -> None:
    """Delete a hook: its URL stops working at once. Precondition: the actor manages it."""
    check_active(actor)
    now = now_ms()
    hook.delete_at = now
    hook.update_at = now
    hook.save(update_fields=["delete_at", "update_at"])


# --- executing a hook (POST /hooks/{id}) -------------------------------------------------------


def _parse_error(message: str) -> InvalidInput:
    return InvalidInput(message, error_id="web.incoming_webhook.parse.app_error")


def _request_fields(payload: dict[str, Any]) -> dict[str, Any]:
    """The IncomingWebhookRequest fields, type-checked; `null` counts as absent."""
    fields: dict[str, Any] = {}
    for name in REQUEST_TEXT_FIELDS:
        value = payload.get(name)
        if value is not None and not isinstance(value, str):
            raise _parse_error(f"{name} must be a string.")
        fields[name] = value or ""
    props = payload.get("props")
    if props is not None and not isinstance(props, dict):
        raise _parse_error("props must be an object.")
    fields["props"] = props or {}
    fields["attachments"] = slack_attachments(payload.get("attachments"))
    return fields


def _hook_for_execution(hook_id: str) -> IncomingWebhook:
    hook = (
        IncomingWebhook.objects.select_related("user", "channel")
        .filter(id=hook_id, delete_at=0)
        .first()
        if is_valid_id(hook_id)
        else None
    )
    if hook is None:
        raise InvalidInput("Invalid webhook.", error_id="web.incoming_webhook.invalid.app_error")
    return hook


def _channel_not_found() -> NotFound:
    return NotFound("Couldn't find the channel.", error_id="web.incoming_webhook.channel.app_error")


def _channel_locked() -> PermissionDenied:
    return PermissionDenied(
        "This webhook is not permitted to post to the requested channel.",
        error_id="web.incoming_webhook.channel_locked.app_error",
    )


def _execution_channel(*, hook: IncomingWebhook, owner: User, name: str) -> Channel:
    """Where a hook call posts: the hook's channel, or the one the request names.

    `@username` is the direct channel of the owner and that user (made if needed);
    `#name` or `name` is a channel of the hook's team, archived ones included (posting
    there is then refused). A private channel the owner cannot read answers like a
    missing one, so a hook cannot probe private channel names.
    """
    if not name:
        own = hook.channel
        if own.type != CHANNEL_OPEN and not can_read_channel(
            owner, own, channel_membership(user=owner, channel=own)
        ):
            raise PermissionDenied(
                "The webhook's owner cannot post in its channel.",
                error_id="web.incoming_webhook.permissions.app_error",
            )
        return own
    if name.startswith("@"):
        if hook.channel_locked:  # a direct channel is never the hook's own channel
            raise _channel_locked()
        other = User.objects.filter(username=name[1:].lower()).first()
        if other is None:
            raise InvalidInput(
                "Couldn't find the user.", error_id="web.incoming_webhook.user.app_error"
            )
        return channel_get_or_create_direct(actor=owner, other_user_id=other.id)
    channel = Channel.objects.filter(
        team_id=hook.team_id, name=name.removeprefix("#").lower()
    ).first()
    if channel is None:
        raise _channel_not_found()
    if channel.type != CHANNEL_OPEN and not can_read_channel(
        owner, channel, channel_membership(user=owner, channel=channel)
    ):
        raise _channel_not_found()
    if hook.channel_locked and channel.id != hook.channel_id:
        raise _channel_locked()
    return channel


def webhook_post_props(
    *,
    display_name: str,
    username: str,
    icon_url: str,
    icon_emoji: str = "",
    attachments: list[dict[str, Any]],
) -> dict[str, Any]:
    """The props only a webhook may set on its posts (incoming and outgoing hooks).

    `username` and `icon_url` are what the call asked for, falling back to the hook's;
    they become overrides only where the settings allow them.
    """
    props: dict[str, Any] = {
        "from_webhook": "true",
        "webhook_display_name": display_name,
        **integration_override_props(
            username=username or DEFAULT_WEBHOOK_USERNAME, icon_url=icon_url, icon_emoji=icon_emoji
        ),
    }
    if attachments:
        props["attachments"] = attachments
    return props


def integration_override_props(
    *, username: str, icon_url: str, icon_emoji: str = ""
) -> dict[str, str]:
    """The `override_*` props of an integration's post (webhooks, custom slash commands):
    each given one, where the settings allow overriding the author's name or icon."""
    props: dict[str, str] = {}
    if getattr(settings, "CONFAB_ENABLE_POST_USERNAME_OVERRIDE", False) and username:
        props["override_username"] = username
    if getattr(settings, "CONFAB_ENABLE_POST_ICON_OVERRIDE", False):
        if icon_url:
            props["override_icon_url"] = icon_url
        if icon_emoji:
            props["override_icon_emoji"] = icon_emoji
    return props


def _integration_props(
    *, hook: IncomingWebhook, request: dict[str, Any], attachments: list[dict[str, Any]]
) -> dict[str, Any]:
    return webhook_post_props(
        display_name=hook.display_name,
        username=request["username"] or hook.username,
        icon_url=request["icon_url"] or hook.icon_url,
        icon_emoji=request["icon_emoji"],
        attachments=attachments,
    )


def split_message(text: str, *, limit: int) -> list[str]:
    """Cut a message into pieces of at most `limit` characters (Mattermost cuts at the
    limit, not at word boundaries); an empty text is one empty piece."""
    if not text:
        return [""]
    return [text[start : start + limit] for start in range(0, len(text), limit)]


@transaction.atomic
def incoming_webhook_execute(*, hook_id: str, payload: dict[str, Any]) -> list[Post]:
    """Post an IncomingWebhookRequest through the hook `hook_id`, as its owner.

    Text longer than a post may be is split into several posts (attachments go on the
    last); all of them are made or none. There is no actor: whoever knows the hook id
    may call it, and every check is made against the hook's owner.

    Raises:
        InvalidInput: bad payload, no text and no attachments, unknown or deleted hook
            (`web.incoming_webhook.invalid.app_error`), unknown `@user`.
        NotFound: the named channel does not exist in the hook's team (or is hidden).
        PermissionDenied: the hook is locked to another channel; its owner is
            deactivated or may not post in the channel (archived, not a member).
    """
    request = _request_fields(payload)
    if not request["text"] and not request["attachments"]:
        raise InvalidInput(
            "Either text or attachments must be set.",
            error_id="web.incoming_webhook.text.app_error",
        )
    hook = _hook_for_execution(hook_id)
    owner = hook.user
    if not owner.is_active:
        raise PermissionDenied(
            "The webhook's owner is deactivated.", error_id="web.incoming_webhook.user.app_error"
        )
    channel = _execution_channel(hook=hook, owner=owner, name=request["channel"].strip())
    attachments = request["attachments"]
    return webhook_posts_create(
        owner=owner,
        channel=channel,
        text=request["text"],
        user_props=request["props"],
        post_type=request["type"],
        integration_props=_integration_props(hook=hook, request=request, attachments=attachments),
    )


def webhook_posts_create(
    *,
    owner: User,
    channel: Channel,
    text: str,
    user_props: dict[str, Any],
    post_type: str,
    integration_props: dict[str, Any],
    root_id: str = "",
) -> list[Post]:
    """Post what a webhook sent, as the hook's owner, in one or more posts.

    The text gets Slack's markup converted and is split where longer than a post may be;
    attachments (in `integration_props`) go on the last piece, which then has the type
    `slack_attachment`. Precondition: the caller holds a transaction, so all the pieces
    are made or none.

    Raises:
        InvalidInput: props too large, or bad content (see `post_create`).
        NotFound, PermissionDenied: the owner may not post in the channel.
    """
    user_props = {k: v for k, v in user_props.items() if k != "attachments"}
    if len(json.dumps({**user_props, **integration_props})) > PROPS_MAX_BYTES:
        raise InvalidInput(
            "The message props are too large.",
            error_id="web.incoming_webhook.split_props_length.app_error",
        )
    attachments = integration_props.get("attachments")
    final_type = POST_TYPE_SLACK_ATTACHMENT if attachments else post_type
    pieces = split_message(slack_text(text), limit=settings.CONFAB_POST_MAX_RUNES)
    without_attachments = {k: v for k, v in integration_props.items() if k != "attachments"}
    posts = []
    for number, piece in enumerate(pieces, start=1):
        last = number == len(pieces)
        posts.append(
            post_create(
                actor=owner,
                channel=channel,
                message=piece,
                root_id=root_id,
                props=user_props,
                post_type=final_type if last else ("" if attachments else post_type),
                integration_props=integration_props if last else without_attachments,
            )
        )
    return posts
