"""Who may act on a user account, its tokens and its bots."""

from apps.accounts.models import Bot, User
from apps.core.errors import NotAuthenticated, NotFound, PermissionDenied
from apps.core.ids import is_valid_id


def check_active(actor: User) -> None:
    """Refuse a deactivated or anonymous actor before anything else is looked at."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise NotAuthenticated("You must be signed in with an active account.")


def is_system_admin(actor: User) -> bool:
    return bool(actor.is_active and actor.is_system_admin)


def can_manage_user(actor: User, user: User) -> bool:
    """Users manage themselves; system admins manage everyone."""
    return actor.is_active and (actor.id == user.id or actor.is_system_admin)


def check_system_admin(actor: User) -> None:
    check_active(actor)
    if not actor.is_system_admin:
        raise PermissionDenied("Only a system admin may do this.")


# --- bots ---------------------------------------------------------------------------------


def bot_owner_id(user: User) -> str:
    """The id of the user who owns this bot account ("" for people and ownerless bots)."""
    if not user.is_bot:
        return ""
    owner_id = Bot.objects.filter(user_id=user.id).values_list("owner_id", flat=True).first()
    return owner_id or ""


def can_manage_user_or_bot(actor: User, user: User) -> bool:
    """Like `can_manage_user`, and a bot's owner also manages the bot (its tokens)."""
    if can_manage_user(actor, user):
        return True
    return actor.is_active and user.is_bot and bot_owner_id(user) == actor.id


def can_create_bot(actor: User) -> bool:
    """Any active person may create bots; bots may not make more bots.

    Mattermost grants this with the `create_bot` permission (system admins only by
    default); Confab has no permission schemes yet, so people get it.
    """
    return actor.is_active and not actor.is_bot


def can_manage_bot(actor: User, bot: Bot) -> bool:
    """The owner and system admins change, disable, enable and reassign a bot."""
    return actor.is_active and (actor.is_system_admin or bot.owner_id == actor.id)


def access_bot(*, actor: User, bot_user_id: str, include_deleted: bool = False) -> Bot:
    """Fetch a bot the actor may see: their own, or any for a system admin.

    Missing, hidden and (unless `include_deleted`) disabled bots give the same NotFound.
    """
    check_active(actor)
    bot = (
        Bot.objects.select_related("user").filter(user_id=bot_user_id).first()
        if is_valid_id(bot_user_id)
        else None
    )
    if (
        bot is None
        or not can_manage_bot(actor, bot)
        or (not include_deleted and not bot.user.is_active)
    ):
        raise NotFound("Bot not found.", error_id="store.sql_bot.get.missing.app_error")
    return bot
