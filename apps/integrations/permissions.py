"""Who manages an incoming or outgoing webhook or a custom slash command: its creator, the
team's admins and system admins."""

from apps.accounts.models import User
from apps.accounts.permissions import check_active
from apps.core.errors import NotFound, PermissionDenied
from apps.core.ids import is_valid_id
from apps.integrations.models import Command, IncomingWebhook, OutgoingWebhook
from apps.teams.models import TeamMember


def is_team_admin(actor: User, team_id: str) -> bool:
    return TeamMember.objects.filter(
        team_id=team_id, user=actor, delete_at=0, scheme_admin=True
    ).exists()


def speaks_for_team(user: User, team_id: str) -> bool:
    """Whether an integration's creator still acts in its team: active, and a member of
    it (system admins are in every team). Someone who left the team keeps no hold on
    its integrations: they no longer manage them, and their commands and outgoing hooks
    stop running."""
    if not user.is_active:
        return False
    return (
        user.is_system_admin
        or TeamMember.objects.filter(team_id=team_id, user=user, delete_at=0).exists()
    )


def can_manage_incoming_webhook(actor: User, hook: IncomingWebhook) -> bool:
    if not actor.is_active:
        return False
    if actor.is_system_admin:
        return True
    if hook.user_id == actor.id and speaks_for_team(actor, hook.team_id):
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


# --- custom slash commands ----------------------------------------------------------------------


def can_manage_others_commands(actor: User, team_id: str) -> bool:
    """Team admins and system admins manage every command of the team."""
    return actor.is_active and (actor.is_system_admin or is_team_admin(actor, team_id))


def can_manage_command(actor: User, command: Command) -> bool:
    """The creator, the team's admins and system admins (the incoming webhook rule)."""
    if not actor.is_active:
        return False
    if command.creator_id == actor.id and speaks_for_team(actor, command.team_id):
        return True
    return can_manage_others_commands(actor, command.team_id)


def command_not_found() -> NotFound:
    return NotFound("Command not found.", error_id="store.sql_command.get.missing.app_error")


def access_command(*, actor: User, command_id: str) -> Command:
    """Fetch a live command the actor manages.

    A command of a team the actor is not in (system admins are in every team) answers
    like a missing one. Team members see the team's commands listed, so for them a
    command they do not manage is a 403 rather than a 404.

    Raises:
        NotFound: no such live command, or not a member of its team.
        PermissionDenied: a team member who is not its creator nor an admin.
    """
    check_active(actor)
    command = (
        Command.objects.select_related("team", "creator").filter(id=command_id, delete_at=0).first()
        if is_valid_id(command_id)
        else None
    )
    if command is None:
        raise command_not_found()
    if can_manage_command(actor, command):
        return command
    in_team = TeamMember.objects.filter(team_id=command.team_id, user=actor, delete_at=0).exists()
    if not in_team:
        raise command_not_found()
    raise PermissionDenied(
        "Only the command's creator and team or system admins manage it.",
        error_id="api.context.permissions.app_error",
    )


# --- outgoing webhooks --------------------------------------------------------------------------


def can_create_outgoing_webhook(actor: User, membership: TeamMember | None) -> bool:
    """Any active member of the team may create one (Mattermost's default scheme), as may
    system admins."""
    if not actor.is_active:
        return False
    return actor.is_system_admin or (membership is not None and membership.is_active)


def can_manage_outgoing_webhook(actor: User, hook: OutgoingWebhook) -> bool:
    """The creator, the team's admins and system admins (the incoming webhook rule)."""
    if not actor.is_active:
        return False
    if actor.is_system_admin:
        return True
    if hook.creator_id == actor.id and speaks_for_team(actor, hook.team_id):
        return True
    return is_team_admin(actor, hook.team_id)


def outgoing_hook_not_found() -> NotFound:
    return NotFound("Webhook not found.", error_id="app.webhooks.get_outgoing.app_error")


def access_outgoing_webhook(*, actor: User, hook_id: str) -> OutgoingWebhook:
    """Fetch a live outgoing hook the actor manages.

    A missing hook and one the actor may not manage raise the same NotFound, as for
    incoming hooks: the answer tells nothing about other people's integrations.
    """
    check_active(actor)
    hook = (
        OutgoingWebhook.objects.select_related("team", "channel", "creator")
        .filter(id=hook_id, delete_at=0)
        .first()
        if is_valid_id(hook_id)
        else None
    )
    if hook is None or not can_manage_outgoing_webhook(actor, hook):
        raise outgoing_hook_not_found()
    return hook
