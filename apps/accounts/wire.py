"""User objects in Mattermost's wire format."""

from typing import Any

from apps.accounts.models import User


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
