"""Reads of posts, always filtered by what the actor may currently see."""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet

from apps.accounts.models import Preference, User
from apps.accounts.permissions import check_active, check_system_admin
from apps.channels.models import CHANNEL_OPEN, CHANNEL_PRIVATE, Channel, ChannelMember
from apps.channels.permissions import access_channel, can_read_channel, channel_membership
from apps.core.errors import InvalidInput, NotFound, PermissionDenied
from apps.core.ids import is_valid_id
from apps.core.paging import PER_PAGE_DEFAULT, clamp_paging
from apps.posts.models import FLAGGED_POST_CATEGORY, Draft, Post, PostEdit, Reaction
from apps.posts.permissions import access_post
from apps.teams.permissions import access_team, check_team_member

SINCE_LIMIT = 1000
BY_IDS_MAX = 1000


@dataclass(frozen=True)
class PostPage:
    """One page of a PostList: `posts` in order, `extra` posts shown only for context
    (thread roots of replies on the page), and Mattermost's cursors."""

    posts: list[Post]
    extra: list[Post]
    next_post_id: str = ""
    prev_post_id: str = ""
    has_next: bool = False


def _pivot(channel_id: str, post_id: str) -> Post:
    pivot = (
        Post.objects.filter(id=post_id, channel_id=channel_id).only("id", "create_at").first()
        if is_valid_id(post_id)
        else None
    )
    if pivot is None:
        raise InvalidInput("The post to page from is not in this channel.")
    return pivot


def _newer_than(post: Post) -> Q:
    """Posts after `post` in (create_at, id) order. The `create_at >=` bound is what lets
    an index on create_at stop the scan there; the OR alone would read every row."""
    return Q(create_at__gte=post.create_at) & (
        Q(create_at__gt=post.create_at) | Q(create_at=post.create_at, id__gt=post.id)
    )


def _older_than(post: Post) -> Q:
    """Posts before `post` in (create_at, id) order, bounded as in `_newer_than`."""
    return Q(create_at__lte=post.create_at) & (
        Q(create_at__lt=post.create_at) | Q(create_at=post.create_at, id__lt=post.id)
    )


def _history_slice(
    *,
    actor: User,
    channel_id: str,
    page: int,
    per_page: int,
    before: str,
    after: str,
    since: int | None,
    include_deleted: bool,
) -> tuple[list[Post], Post | None]:
    """A page of history, newest first (`since` > `after` > `before` > plain paging), and
    the post just beyond it in the direction of paging (older, or newer when paging
    `after`), or None. The page query reads that one row more, so the cursor beyond the
    page costs no query of its own. `since` returns every post changed after that time,
    deleted ones included, so a client can sync; it ignores paging and is capped."""
    channel, _membership = access_channel(actor=actor, channel_id=channel_id)
    page, per_page = clamp_paging(page, per_page)
    qs = Post.objects.filter(channel=channel)
    if since is not None:
        changed = qs.filter(update_at__gt=since).order_by("-create_at", "-id")
        return list(changed[:SINCE_LIMIT]), None
    if not (include_deleted and actor.is_system_admin):
        qs = qs.filter(delete_at=0)
    offset = page * per_page
    if after:
        pivot = _pivot(channel.id, after)
        newer = list(
            qs.filter(_newer_than(pivot)).order_by("create_at", "id")[
                offset : offset + per_page + 1
            ]
        )
        beyond = newer.pop() if len(newer) > per_page else None
        return list(reversed(newer)), beyond
    if before:
        pivot = _pivot(channel.id, before)
        qs = qs.filter(_older_than(pivot))
    older = list(qs.order_by("-create_at", "-id")[offset : offset + per_page + 1])
    beyond = older.pop() if len(older) > per_page else None
    return older, beyond


def _newer_post_id(channel_id: str, post: Post) -> str:
    newer = (
        Post.objects.filter(channel_id=channel_id, delete_at=0)
        .filter(_newer_than(post))
        .order_by("create_at", "id")
        .values_list("id", flat=True)
        .first()
    )
    return newer or ""


def _older_post_id(channel_id: str, post: Post) -> str:
    older = (
        Post.objects.filter(channel_id=channel_id, delete_at=0)
        .filter(_older_than(post))
        .order_by("-create_at", "-id")
        .values_list("id", flat=True)
        .first()
    )
    return older or ""


def _cursor_beyond(beyond: Post | None, live_one_further: Callable[[], str]) -> str:
    """The cursor past a full page from the row read beyond it: nothing there means no
    cursor; a live post is the cursor; a deleted one (only an admin's page shows them)
    means asking for the next live post."""
    if beyond is None:
        return ""
    return live_one_further() if beyond.delete_at else beyond.id


def _thread_roots_missing_from(posts: Sequence[Post], *, include_deleted: bool) -> list[Post]:
    shown = {post.id for post in posts}
    wanted = {post.root_id for post in posts if post.root_id and post.root_id not in shown}
    if not wanted:
        return []
    roots = Post.objects.filter(id__in=wanted)
    if not include_deleted:
        roots = roots.filter(delete_at=0)
    return list(roots.order_by("-create_at", "-id"))


def post_page_in_channel(
    *,
    actor: User,
    channel_id: str,
    page: int = 0,
    per_page: int = PER_PAGE_DEFAULT,
    before: str = "",
    after: str = "",
    since: int | None = None,
    include_deleted: bool = False,
    with_thread_roots: bool = True,
) -> PostPage:
    """A page of channel history with Mattermost's cursors (`AddCursorIdsForPostList`).

    `next_post_id` is the first post newer than the page, `prev_post_id` the first one
    older. Paging `after` a post, page 0 has that post as `prev_post_id`; paging
    `before` one, page 0 has it as `next_post_id`; a short page has no cursor beyond
    it. `since` has no cursors. `has_next` says whether the next page in the same
    direction holds posts. Thread roots of replies on the page come as `extra`.
    """
    posts, beyond = _history_slice(
        actor=actor,
        channel_id=channel_id,
        page=page,
        per_page=per_page,
        before=before,
        after=after,
        since=since,
        include_deleted=include_deleted,
    )
    page, per_page = clamp_paging(page, per_page)
    extra = (
        _thread_roots_missing_from(posts, include_deleted=since is not None)
        if with_thread_roots
        else []
    )
    if since is not None:
        return PostPage(posts=posts, extra=extra)
    next_post_id: str | None = None
    prev_post_id: str | None = None
    if after:
        if page == 0:
            prev_post_id = after
        if len(posts) < per_page:
            next_post_id = ""
    elif before:
        if page == 0:
            next_post_id = before
        if len(posts) < per_page:
            prev_post_id = ""
    elif page == 0:
        next_post_id = ""  # the newest page: nothing is newer
    if next_post_id is None:
        if after:
            next_post_id = _cursor_beyond(beyond, lambda: _newer_post_id(channel_id, posts[0]))
        else:
            next_post_id = _newer_post_id(channel_id, posts[0]) if posts else ""
    if prev_post_id is None:
        if after:
            prev_post_id = _older_post_id(channel_id, posts[-1]) if posts else ""
        else:
            prev_post_id = _cursor_beyond(beyond, lambda: _older_post_id(channel_id, posts[-1]))
    # Paging `after` walks towards newer posts; every other mode walks towards older ones.
    has_next = bool(next_post_id) if after else bool(posts) and bool(prev_post_id)
    return PostPage(
        posts=posts,
        extra=extra,
        next_post_id=next_post_id,
        prev_post_id=prev_post_id,
        has_next=has_next,
    )


def post_get(*, actor: User, post_id: str, include_deleted: bool = False) -> Post:
    """A post the actor may read; system admins may ask for a deleted one."""
    post, _channel, _membership = access_post(
        actor=actor, post_id=post_id, include_deleted=include_deleted and actor.is_system_admin
    )
    return post


def _readable_posts(*, actor: User, post_ids: Iterable[object]) -> list[Post]:
    """The live posts among `post_ids` whose channel the actor may read now, in the
    order asked. Unknown and hidden ids are left out alike."""
    check_active(actor)
    post_ids = list(post_ids)
    if not all(is_valid_id(post_id) for post_id in post_ids):
        raise InvalidInput(
            "Every post id must be a 26-character id.",
            error_id="api.context.invalid_body_param.app_error",
        )
    ids = list(dict.fromkeys(post_ids))
    if len(ids) > BY_IDS_MAX:
        raise InvalidInput(f"At most {BY_IDS_MAX} post ids per request.")
    found = {post.id: post for post in Post.objects.filter(id__in=ids, delete_at=0)}
    channels = Channel.objects.in_bulk({post.channel_id for post in found.values()})
    readable = {
        channel_id
        for channel_id, channel in channels.items()
        if can_read_channel(actor, channel, channel_membership(user=actor, channel=channel))
    }
    return [found[i] for i in ids if i in found and found[i].channel_id in readable]


def post_list_by_ids(*, actor: User, post_ids: Sequence[object]) -> list[Post]:
    """`POST /posts/ids`: the posts the actor may read, in the order asked."""
    return _readable_posts(actor=actor, post_ids=post_ids)


def reaction_map_for_posts(*, actor: User, post_ids: Sequence[object]) -> dict[str, list[Reaction]]:
    """Reactions of each readable post among `post_ids` (an empty list for none),
    oldest first. Posts the actor cannot read are left out."""
    posts = _readable_posts(actor=actor, post_ids=post_ids)
    reactions: dict[str, list[Reaction]] = {post.id: [] for post in posts}
    for reaction in Reaction.objects.filter(post_id__in=list(reactions)).order_by(
        "create_at", "id"
    ):
        reactions[reaction.post_id].append(reaction)
    return reactions


def post_get_thread(*, actor: User, post_id: str) -> list[Post]:
    """The whole thread of any of its posts: root first, then replies oldest first."""
    post, _channel, _membership = access_post(actor=actor, post_id=post_id)
    root_id = post.root_id or post.id
    root = Post.objects.filter(id=root_id, delete_at=0).first()
    if root is None:
        raise NotFound("Post not found.", error_id="app.post.get.app_error")
    replies = Post.objects.filter(root_id=root_id, delete_at=0).order_by("create_at", "id")
    return [root, *replies]


def post_reply_count(*, actor: User, post_id: str) -> int:
    """Live replies in the thread of any of its posts, counted without loading them."""
    post, _channel, _membership = access_post(actor=actor, post_id=post_id)
    return Post.objects.filter(root_id=post.root_id or post.id, delete_at=0).count()


def post_list_pinned(*, actor: User, channel_id: str) -> QuerySet[Post]:
    channel, _membership = access_channel(actor=actor, channel_id=channel_id)
    return Post.objects.filter(channel=channel, is_pinned=True, delete_at=0).order_by("-create_at")


def _flagged(*, actor: User, user_id: str | None, channel_id: str, team_id: str) -> QuerySet[Post]:
    check_active(actor)
    if user_id is not None and user_id != actor.id:
        raise PermissionDenied("You can only list your own saved messages.")
    flagged_ids = Preference.objects.filter(user=actor, category=FLAGGED_POST_CATEGORY).values(
        "name"
    )
    qs = Post.objects.filter(id__in=flagged_ids, delete_at=0, channel__members__user=actor)
    if channel_id:
        qs = qs.filter(channel_id=channel_id)
    if team_id:
        # Direct and group messages belong to no team and show under every team.
        qs = qs.filter(Q(channel__team_id=team_id) | Q(channel__team__isnull=True))
    return qs.order_by("-create_at", "-id")


def post_list_flagged(
    *,
    actor: User,
    page: int = 0,
    per_page: int = PER_PAGE_DEFAULT,
    channel_id: str = "",
    team_id: str = "",
    user_id: str | None = None,
) -> list[Post]:
    """The actor's saved posts, but only in channels they belong to now.

    `user_id`, when given, must be the actor: nobody lists another user's saved posts.
    """
    page, per_page = clamp_paging(page, per_page)
    qs = _flagged(actor=actor, user_id=user_id, channel_id=channel_id, team_id=team_id)
    return list(qs[page * per_page : (page + 1) * per_page])


def post_page_flagged(
    *,
    actor: User,
    user_id: str,
    page: int = 0,
    per_page: int = PER_PAGE_DEFAULT,
    channel_id: str = "",
    team_id: str = "",
) -> PostPage:
    """`post_list_flagged` as a page that knows whether another one follows."""
    page, per_page = clamp_paging(page, per_page)
    qs = _flagged(actor=actor, user_id=user_id, channel_id=channel_id, team_id=team_id)
    window = list(qs[page * per_page : (page + 1) * per_page + 1])
    return PostPage(posts=window[:per_page], extra=[], has_next=len(window) > per_page)


def reaction_list_for_post(*, actor: User, post_id: str) -> QuerySet[Reaction]:
    post, _channel, _membership = access_post(actor=actor, post_id=post_id)
    return Reaction.objects.filter(post=post).order_by("create_at")


def post_edit_history(*, actor: User, post_id: str) -> QuerySet[PostEdit]:
    """Earlier versions of a post, newest first; only its author may read them."""
    post, _channel, _membership = access_post(actor=actor, post_id=post_id)
    if post.user_id != actor.id:
        raise NotFound("Post not found.", error_id="app.post.get.app_error")
    return PostEdit.objects.filter(post=post).select_related("post").order_by("-replaced_at")


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


def draft_list_for_team(*, actor: User, user_id: str, team_id: str) -> QuerySet[Draft]:
    """The actor's drafts in the team's channels and in their direct and group messages,
    newest first. Only channels the actor still belongs to and may post in count, and a
    reply draft whose thread was deleted is left out."""
    check_active(actor)
    if user_id != actor.id:
        raise PermissionDenied(
            "You can only read your own drafts.", error_id="api.context.permissions.app_error"
        )
    team, membership = access_team(actor=actor, team_id=team_id)
    check_team_member(actor=actor, team=team, membership=membership)
    still_member = ChannelMember.objects.filter(user=actor, channel_id=OuterRef("channel_id"))
    live_root = Post.objects.filter(id=OuterRef("root_id"), delete_at=0)
    return (
        Draft.objects.filter(user=actor, channel__delete_at=0)
        .filter(Q(channel__team_id=team.id) | Q(channel__team__isnull=True))
        .filter(Exists(still_member))
        .filter(Q(root_id="") | Exists(live_root))
        .order_by("-update_at")
    )
