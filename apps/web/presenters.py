"""What the templates show, built in bulk from the selectors' rows.

A page of posts needs their authors, reactions, files and the viewer's saved flags; each of
those is one query for the whole page, never one per post.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from apps.accounts.models import Preference, User
from apps.files.models import FileInfo
from apps.files.selectors import file_infos_by_post
from apps.posts.emoji import emoji_char
from apps.posts.markdown import render_markdown
from apps.posts.models import FLAGGED_POST_CATEGORY, Post, Reaction
from apps.posts.selectors import reaction_map_for_posts
from apps.web.system_messages import system_message_html

# Consecutive posts of one author within this window are drawn as one group.
GROUP_WINDOW_MS = 5 * 60 * 1000
AVATAR_COLOURS = 8


def display_name(user: User) -> str:
    full = f"{user.first_name} {user.last_name}".strip()
    return user.nickname or full or user.username


def initials(user: User) -> str:
    parts = [user.first_name, user.last_name] if user.first_name else [user.username]
    letters = "".join(p[0] for p in parts if p)
    return (letters or "?")[:2].upper()


def avatar_colour(user_id: str) -> int:
    """A stable colour class per user (the palette lives in the stylesheet)."""
    return hashlib.blake2s(user_id.encode(), digest_size=1).digest()[0] % AVATAR_COLOURS


def user_time_zone(user: User) -> dt.tzinfo:
    """The zone the user reads times in: the browser's (recorded on load) or a chosen one."""
    tz = user.timezone if isinstance(user.timezone, dict) else {}
    automatic = str(tz.get("useAutomaticTimezone", "true")) == "true"
    name = tz.get("automaticTimezone" if automatic else "manualTimezone") or ""
    try:
        return zoneinfo.ZoneInfo(name) if name else dt.UTC
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return dt.UTC


@dataclass
class Person:
    id: str
    username: str
    name: str
    initials: str
    colour: int
    is_bot: bool = False

    @classmethod
    def of(cls, user: User) -> Person:
        return cls(
            id=user.id,
            username=user.username,
            name=display_name(user),
            initials=initials(user),
            colour=avatar_colour(user.id),
            is_bot=user.is_bot,
        )


@dataclass
class ReactionView:
    name: str
    char: str
    count: int
    mine: bool
    usernames: list[str]


@dataclass
class FileView:
    id: str
    name: str
    size: int
    extension: str
    is_image: bool
    width: int
    height: int

    @property
    def download_url(self) -> str:
        return f"/api/v4/files/{self.id}?download=1"

    @property
    def thumbnail_url(self) -> str:
        return f"/api/v4/files/{self.id}/thumbnail"

    @property
    def preview_url(self) -> str:
        return f"/api/v4/files/{self.id}/preview"


@dataclass
class PostView:
    id: str
    channel_id: str
    root_id: str
    author: Person
    created: dt.datetime
    create_at: int
    message: str
    html: SafeString
    edited: bool
    is_system: bool
    is_pinned: bool
    is_saved: bool
    is_mine: bool
    reply_count: int
    reactions: list[ReactionView] = field(default_factory=list)
    files: list[FileView] = field(default_factory=list)
    # Set by `group_posts`: the first post of a new day, and whether the header is drawn.
    new_day: bool = False
    continues: bool = False

    @property
    def permalink_path(self) -> str:
        return reverse("web:permalink", kwargs={"post_id": self.id})


def _file_view(info: FileInfo) -> FileView:
    return FileView(
        id=info.id,
        name=info.name,
        size=info.size,
        extension=info.extension,
        is_image=bool(info.width and info.height),
        width=info.width,
        height=info.height,
    )


def present_posts(posts: Sequence[Post], *, viewer: User) -> list[PostView]:
    """PostViews for posts the viewer has been authorized to read, in the given order."""
    if not posts:
        return []
    ids = [post.id for post in posts]
    authors = {u.id: u for u in User.objects.filter(id__in={p.user_id for p in posts})}
    reactions = reaction_map_for_posts(actor=viewer, post_ids=ids)
    reactor_ids = {r.user_id for rs in reactions.values() for r in rs}
    reactors = dict(User.objects.filter(id__in=reactor_ids).values_list("id", "username"))
    files = file_infos_by_post(posts)
    saved = set(
        Preference.objects.filter(
            user=viewer, category=FLAGGED_POST_CATEGORY, name__in=ids
        ).values_list("name", flat=True)
    )
    tz = user_time_zone(viewer)
    views = []
    for post in posts:
        author = authors[post.user_id]
        views.append(
            PostView(
                id=post.id,
                channel_id=post.channel_id,
                root_id=post.root_id_str,
                author=Person.of(author),
                created=dt.datetime.fromtimestamp(post.create_at / 1000, tz=tz),
                create_at=post.create_at,
                message=post.message,
                html=_message_html(post, author, viewer),
                edited=bool(post.edit_at),
                is_system=post.is_system,
                is_pinned=post.is_pinned,
                is_saved=post.id in saved,
                is_mine=post.user_id == viewer.id,
                reply_count=post.reply_count,
                reactions=_reaction_views(reactions.get(post.id, []), reactors, viewer),
                files=[_file_view(info) for info in files.get(post.id, [])],
            )
        )
    return views


def _message_html(post: Post, author: User, viewer: User) -> SafeString:
    if post.is_system:
        translated = system_message_html(
            post_type=post.type,
            author_username=author.username,
            props=post.props,
            viewer_username=viewer.username,
        )
        if translated is not None:
            return translated
    # render_markdown sanitizes its output with nh3.
    return mark_safe(render_markdown(post.message, viewer_username=viewer.username))  # noqa: S308


def _reaction_views(
    rows: Sequence[Reaction], usernames: dict[str, str], viewer: User
) -> list[ReactionView]:
    by_name: dict[str, ReactionView] = {}
    for row in rows:
        view = by_name.get(row.emoji_name)
        if view is None:
            char = emoji_char(row.emoji_name) or f":{row.emoji_name}:"
            view = by_name[row.emoji_name] = ReactionView(row.emoji_name, char, 0, False, [])
        view.count += 1
        view.mine = view.mine or row.user_id == viewer.id
        view.usernames.append(usernames.get(row.user_id, ""))
    return list(by_name.values())


@dataclass(frozen=True)
class GroupAnchor:
    """What grouping compares a post with: the one shown just before it."""

    day: dt.date
    author_id: str
    root_id: str
    is_system: bool
    create_at: int

    @classmethod
    def of_view(cls, view: PostView) -> GroupAnchor:
        return cls(
            view.created.date(), view.author.id, view.root_id, view.is_system, view.create_at
        )

    @classmethod
    def of_post(cls, post: Post, *, viewer: User) -> GroupAnchor:
        """From the row alone: a live post's fragment groups after the last one shown
        without drawing that one again."""
        created = dt.datetime.fromtimestamp(post.create_at / 1000, tz=user_time_zone(viewer))
        return cls(created.date(), post.user_id, post.root_id_str, post.is_system, post.create_at)


def group_posts(
    views: list[PostView], *, previous: PostView | GroupAnchor | None = None
) -> list[PostView]:
    """Mark day separators and runs of one author's posts (oldest first)."""
    anchor = GroupAnchor.of_view(previous) if isinstance(previous, PostView) else previous
    for view in views:
        view.new_day = anchor is None or view.created.date() != anchor.day
        view.continues = (
            anchor is not None
            and not view.new_day
            and not view.is_system
            and not anchor.is_system
            and anchor.author_id == view.author.id
            and view.root_id == anchor.root_id
            and view.create_at - anchor.create_at < GROUP_WINDOW_MS
        )
        anchor = GroupAnchor.of_view(view)
    return views
