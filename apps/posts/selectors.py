"""Reads of posts, always filtered by what the actor may currently see."""

from django.db.models import Q, QuerySet

from apps.accounts.models import Preference, User
from apps.accounts.permissions import check_active, check_system_admin
from apps.channels.models import CHANNEL_OPEN, CHANNEL_PRIVATE, ChannelMember
from apps.channels.permissions import access_channel
from apps.core.errors import InvalidInput, NotFound
from apps.core.ids import is_valid_id
from apps.core.paging import PER_PAGE_DEFAULT, clamp_paging
from apps.posts.models import FLAGGED_POST_CATEGORY, Post, PostEdit, Reaction
from apps.posts.permissions import access_post

SINCE_LIMIT = 1000


def _pivot(channel_id: str, post_id: str) -> Post:
    pivot = (
        Post.objects.filter(id=post_id, channel_id=channel_id).only("id", "create_at").first()
        if is_valid_id(post_id)
        else None
    )
    if pivot is None:
        raise InvalidInput("The post to page from is not in this channel.")
    return pivot


def post_list_in_channel(
    *,
    actor: User,
    channel_id: str,
    page: int = 0,
    per_page: int = PER_PAGE_DEFAULT,
    before: str = "",
    after: str = "",
    since: int | None = None,
    include_deleted: bool = False,
) -> list[Post]:
    """Channel history, newest first. `since` > `after` > `before` > plain paging.

    `since` returns every post changed after that time, deleted ones included, so a
    client can sync; it ignores paging and is capped.
    """
    channel, _membership = access_channel(actor=actor, channel_id=channel_id)
    page, per_page = clamp_paging(page, per_page)
    qs = Post.objects.filter(channel=channel)
    if since is not None:
        return list(qs.filter(update_at__gt=since).order_by("-create_at", "-id")[:SINCE_LIMIT])
    if not (include_deleted and actor.is_system_admin):
        qs = qs.filter(delete_at=0)
    offset = page * per_page
    if after:
        pivot = _pivot(channel.id, after)
        newer = qs.filter(
            Q(create_at__gt=pivot.create_at) | Q(create_at=pivot.create_at, id__gt=pivot.id)
        ).order_by("create_at", "id")
        return list(reversed(newer[offset : offset + per_page]))
    if before:
        pivot = _pivot(channel.id, before)
        qs = qs.filter(
            Q(create_at__lt=pivot.create_at) | Q(create_at=pivot.create_at, id__lt=pivot.id)
        )
    return list(qs.order_by("-create_at", "-id")[offset : offset + per_page])


def post_get(*, actor: User, post_id: str) -> Post:
    post, _channel, _membership = access_post(actor=actor, post_id=post_id)
    return post


def post_get_thread(*, actor: User, post_id: str) -> list[Post]:
    """The whole thread of any of its posts: root first, then replies oldest first."""
    post, _channel, _membership = access_post(actor=actor, post_id=post_id)
    root_id = post.root_id or post.id
    root = Post.objects.filter(id=root_id, delete_at=0).first()
    if root is None:
        raise NotFound("Post not found.", error_id="app.post.get.app_error")
    replies = Post.objects.filter(root_id=root_id, delete_at=0).order_by("create_at", "id")
    return [root, *replies]


def post_list_pinned(*, actor: User, channel_id: str) -> QuerySet[Post]:
    channel, _membership = access_channel(actor=actor, channel_id=channel_id)
    return Post.objects.filter(channel=channel, is_pinned=True, delete_at=0).order_by("-create_at")


def post_list_flagged(
    *, actor: User, page: int = 0, per_page: int = PER_PAGE_DEFAULT, channel_id: str = ""
) -> list[Post]:
    """The actor's saved posts, but only in channels they belong to now."""
    check_active(actor)
    page, per_page = clamp_paging(page, per_page)
    flagged_ids = Preference.objects.filter(user=actor, category=FLAGGED_POST_CATEGORY).values(
        "name"
    )
    qs = Post.objects.filter(id__in=flagged_ids, delete_at=0, channel__members__user=actor)
    if channel_id:
        qs = qs.filter(channel_id=channel_id)
    return list(qs.order_by("-create_at")[page * per_page : (page + 1) * per_page])


def reaction_list_for_post(*, actor: User, post_id: str) -> QuerySet[Reaction]:
    post, _channel, _membership = access_post(actor=actor, post_id=post_id)
    return Reaction.objects.filter(post=post).order_by("create_at")


def post_edit_history(*, actor: User, post_id: str) -> QuerySet[PostEdit]:
    """Earlier versions of a post, newest first; only its author may read them."""
    post, _channel, _membership = access_post(actor=actor, post_id=post_id)
    if post.user_id != actor.id:
        raise NotFound("Post not found.", error_id="app.post.get.app_error")
    return PostEdit.objects.filter(post=post).order_by("-replaced_at")


def post_list_for_console(*, actor: User) -> QuerySet[Post]:
    """Posts the console may show a system admin, deleted ones included: those of public
    channels and of private channels the admin belongs to.

    Like everyone else, admins never read private channels they are not in, nor the
    direct or group messages of others.
    """
    check_system_admin(actor)
    return (
        Post.objects.filter(
            Q(channel__type=CHANNEL_OPEN)
            | Q(
                channel__type=CHANNEL_PRIVATE,
                channel_id__in=ChannelMember.objects.filter(user=actor).values("channel_id"),
            )
        )
        .select_related("user", "channel")
        .order_by("-create_at", "-id")
    )
