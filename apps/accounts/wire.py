"""Accounts objects in Mattermost's wire format: users, sessions, tokens, bots, presence."""

from typing import Any

from apps.accounts.models import (
    STATUS_OFFLINE,
    Bot,
    Preference,
    Session,
    Status,
    User,
    UserAccessToken,
)


def user_to_wire(user: User, *, viewer: User) -> dict[str, Any]:
    """A user as `viewer` may see it: private fields only for themselves or an admin."""
    is_self = viewer.id == user.id
    can_see_private = is_self or viewer.is_system_admin
    data: dict[str, Any] = {
        "id": user.id,
        "create_at": user.create_at,
        "update_at": user.update_at,
        "delete_at": user.delete_at,
        "username": user.username,
        "auth_service": user.auth_service,
        "email": user.email if can_see_private else "",
        "nickname": user.nickname,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "position": user.position,
        "roles": user.roles,
        "locale": user.locale,
        "timezone": user.timezone,
        "is_bot": user.is_bot,
        "props": user.props,
        "last_picture_update": user.last_picture_update,
    }
    if user.is_bot:
        data["bot_description"] = user.bot_description
    if can_see_private:
        data["email_verified"] = user.email_verified
        data["last_password_update"] = user.last_password_update
    if is_self:
        data["notify_props"] = user.notify_props
    return data


def session_to_wire(session: Session) -> dict[str, Any]:
    """A session as Mattermost lists it; the token never leaves the server again."""
    return {
        "id": session.id,
        "token": "",
        "create_at": session.create_at,
        "expires_at": session.expires_at,
        "last_activity_at": session.last_activity_at,
        "user_id": session.user_id,
        "device_id": session.device_id,
        "roles": session.user.roles,
        "is_oauth": False,
        "props": session.props,
    }


def access_token_to_wire(row: UserAccessToken, *, token: str = "") -> dict[str, Any]:
    """A personal access token; `token` is given only when it was just created."""
    data: dict[str, Any] = {
        "id": row.id,
        "user_id": row.user_id,
        "description": row.description,
        "is_active": row.is_active,
    }
    if token:
        data["token"] = token
    return data


def bot_to_wire(bot: Bot) -> dict[str, Any]:
    """Mattermost's Bot object; disabling the bot deactivates its user, hence delete_at."""
    return {
        "user_id": bot.user_id,
        "username": bot.user.username,
        "display_name": bot.user.first_name,
        "description": bot.user.bot_description,
        "owner_id": bot.owner_id or "",
        "create_at": bot.create_at,
        "update_at": bot.update_at,
        "delete_at": bot.user.delete_at,
    }


def preference_to_wire(pref: Preference) -> dict[str, Any]:
    return {
        "user_id": pref.user_id,
        "category": pref.category,
        "name": pref.name,
        "value": pref.value,
    }


def status_to_wire(user_id: str, row: Status | None) -> dict[str, Any]:
    """A user's presence; no row means offline."""
    if row is None:
        return {
            "user_id": user_id,
            "status": STATUS_OFFLINE,
            "manual": False,
            "last_activity_at": 0,
            "dnd_end_time": 0,
        }
    return {
        "user_id": user_id,
        "status": row.status,
        "manual": row.manual,
        "last_activity_at": row.last_activity_at,
        "dnd_end_time": row.dnd_end_time,
    }
