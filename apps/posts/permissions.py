"""Post access: a post is visible exactly when its channel is readable by the actor."""

from apps.accounts.models import User
from apps.channels.models import Channel, ChannelMember
from apps.channels.permissions import access_channel, is_channel_manager
from apps.core.errors import NotFound
from apps.core.ids import is_valid_id
from apps.posts.models import Post
from apps.teams.models import TeamMember


def _post_not_found() -> NotFound:
    return NotFound("Post not found.", error_id="app.post.get.app_error")


def access_post(
    *, actor: User, post_id: str, include_deleted: bool = False
) -> tuple[Post, Channel, ChannelMember | None]:
    """Fetch a post whose channel the actor may read; missing or hidden give one NotFound."""
    post = Post.objects.filter(id=post_id).first() if is_valid_id(post_id) else None
    if post is None or (post.delete_at and not include_deleted):
        raise _post_not_found()
    try:
        channel, membership = access_channel(actor=actor, channel_id=post.channel_id)
    except NotFound:
        raise _post_not_found() from None
    return post, channel, membership


def can_edit_post(
    actor: User, post: Post, channel: Channel, membership: ChannelMember | None
) -> bool:
    """Authors edit their own posts while they are in the channel; team admins and
    system admins may edit others'."""
    if not actor.is_active or post.is_system or post.delete_at:
        return False
    if channel.is_archived:
        return False
    if post.user_id == actor.id and membership is not None:
        return True
    if actor.is_system_admin:
        return True
    return (
        channel.team_id is not None
        and TeamMember.objects.filter(
            team_id=channel.team_id, user=actor, delete_at=0, scheme_admin=True
        ).exists()
    )


def can_delete_post(
    actor: User, post: Post, channel: Channel, membership: ChannelMember | None
) -> bool:
    """Authors delete their own posts; channel, team and system admins delete any."""
    if not actor.is_active or post.delete_at:
        return False
    if post.user_id == actor.id and not channel.is_archived:
        return True
    return is_channel_manager(actor, channel, membership)
