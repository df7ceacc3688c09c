"""Bot accounts: a user with `is_bot`, owned by a person, signing in with tokens."""

from typing import Any

from django.db import transaction

from apps.accounts import events
from apps.accounts.models import Bot, User
from apps.accounts.permissions import can_create_bot, can_manage_bot, check_active
from apps.accounts.services.users import user_create, user_mark_active, user_mark_deactivated
from apps.accounts.validators import clean_username
from apps.core.errors import AlreadyExists, InvalidInput, PermissionDenied
from apps.core.services import model_update
from apps.core.timeutils import now_ms
from apps.realtime.publish import publish_event

BOT_DISPLAY_NAME_MAX = 64
BOT_DESCRIPTION_MAX = 1024


def _bot_display_name(value: object) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or len(value.strip()) > BOT_DISPLAY_NAME_MAX:
        raise InvalidInput(
            f"A bot's display name is text of at most {BOT_DISPLAY_NAME_MAX} characters.",
            error_id="model.bot.is_valid.display_name.app_error",
        )
    return value.strip()


def _bot_description(value: object) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > BOT_DESCRIPTION_MAX:
        raise InvalidInput(
            f"A bot's description is text of at most {BOT_DESCRIPTION_MAX} characters.",
            error_id="model.bot.is_valid.description.app_error",
        )
    return value


def _touch_bot(bot: Bot) -> None:
    bot.update_at = now_ms()
    bot.save(update_fields=["update_at"])


@transaction.atomic
def bot_create(
    *, actor: User, username: str, display_name: object = "", description: object = ""
) -> Bot:
    """Create a bot account owned by `actor`.

    The bot is a user with `is_bot`, the e-mail `<username>@localhost` and no usable
    password: it signs in only with personal access tokens its owner creates.
    `display_name` and `description` are taken as the request gave them (None for
    absent) and checked here, with Mattermost's error for each.
    """
    check_active(actor)
    if not can_create_bot(actor):
        raise PermissionDenied(
            "Bots cannot create bots.", error_id="api.context.permissions.app_error"
        )
    username = clean_username(username)
    user = user_create(
        username=username,
        email=f"{username}@localhost",
        password=None,
        first_name=_bot_display_name(display_name),
        is_bot=True,
        bot_description=_bot_description(description),
        bot_owner=actor,
    )
    return user.bot


def _check_manage_bot(actor: User, bot: Bot) -> None:
    check_active(actor)
    if not can_manage_bot(actor, bot):
        raise PermissionDenied("Only the bot's owner or a system admin may change it.")


@transaction.atomic
def bot_patch(*, actor: User, bot: Bot, data: dict[str, Any]) -> Bot:
    """Change a bot's username, display name or description (Mattermost's BotPatch)."""
    _check_manage_bot(actor, bot)
    unknown = set(data) - {"username", "display_name", "description"}
    if unknown:
        raise InvalidInput(f"Unknown bot fields: {', '.join(sorted(unknown))}.")
    user = bot.user
    clean: dict[str, Any] = {}
    if data.get("username") is not None:
        clean["username"] = clean_username(data["username"])
        if User.objects.filter(username=clean["username"]).exclude(id=user.id).exists():
            raise AlreadyExists(
                "An account with that username already exists.",
                error_id="app.user.save.username_exists.app_error",
            )
    if "display_name" in data:
        clean["first_name"] = _bot_display_name(data["display_name"])
    if "description" in data:
        clean["bot_description"] = _bot_description(data["description"])
    user, changed = model_update(instance=user, fields=list(clean), data=clean)
    if changed:
        _touch_bot(bot)
        publish_event(events.user_updated(user))
    return bot


@transaction.atomic
def bot_disable(*, actor: User, bot: Bot) -> Bot:
    """Disable a bot: its user is deactivated, so its tokens stop working."""
    _check_manage_bot(actor, bot)
    if bot.user.is_active:
        user_mark_deactivated(user=bot.user)
        _touch_bot(bot)
    return bot


@transaction.atomic
def bot_enable(*, actor: User, bot: Bot) -> Bot:
    """Enable a disabled bot again; its tokens authenticate again."""
    _check_manage_bot(actor, bot)
    if not bot.user.is_active:
        user_mark_active(user=bot.user)
        _touch_bot(bot)
    return bot


@transaction.atomic
def bot_assign(*, actor: User, bot: Bot, owner: User) -> Bot:
    """Hand a bot over to another active person."""
    _check_manage_bot(actor, bot)
    if owner.is_bot or not owner.is_active:
        raise InvalidInput("A bot's owner must be an active person, not a bot.")
    if bot.owner_id != owner.id:
        bot.owner = owner
        bot.update_at = now_ms()
        bot.save(update_fields=["owner", "update_at"])
    return bot
