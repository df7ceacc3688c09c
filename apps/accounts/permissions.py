"""Who may act on a user account."""

from apps.accounts.models import User
from apps.core.errors import NotAuthenticated, PermissionDenied


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
