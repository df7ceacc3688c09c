"""Who manages an incoming webhook: its creator, the team's admins and system admins."""

from apps.accounts.models import User
from apps.accounts.permissions import check_active
from apps.core.errors import NotFound
from apps.core.ids import is_valid_id
from apps.integrations.models import IncomingWebhook
from apps.teams.models import TeamMember


def is_team_admin(actor: User, team_id: str) -> bool:
    return TeamMember.objects.filter(
        team_id=team_id, user=actor, delete_at=0, scheme_admin=True
    ).exists()


def can_manage_incoming_webhook(actor: User, hook: IncomingWebhook) -> bool:
    if not actor.is_active:
        return False
    if actor.is_system_admin or hook.user_id == actor.id:
        return True
    return is_team_admin(actor, hook.team_id)


def hook_not_found() -> NotFound:
    return NotFound("Webhook not found.", error_id="app.webhooks.get_incoming.app_error")


def access_incoming_webhook(*, actor: User, hook_id: str) -> IncomingWebhook:
    """Fetch a live hook the actor manages.

    A missing hook and one the actor may not manage raise the same NotFound: the id is
    the hook's secret, so the answer must not confirm that it exists.
    """
    check_active(actor)
    hook = (
        IncomingWebhook.objects.select_related("channel", "team", "user")
        .filter(id=hook_id, delete_at=0)
        .first()
        if is_valid_id(hook_id)
        else None
    )
    if hook is None or not can_manage_incoming_webhook(actor, hook):
        raise hook_not_found()
    return hook
