"""The data of the chat screen's parts (sidebar, channel header, message list), read through
the selectors so the web client sees exactly what the API would show the same user."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from apps.accounts.models import User
from apps.accounts.selectors import online_user_ids, user_list_by_ids
from apps.channels.models import (
    CHANNEL_DIRECT,
    CHANNEL_GROUP,
    CHANNEL_PRIVATE,
    Channel,
    ChannelMember,
)
from apps.channels.permissions import can_add_channel_members, can_remove_channel_member
from apps.channels.selectors import channel_list_for_user, channel_member_list_for_user
from apps.core.errors import NotFound
from apps.posts.selectors import post_get, post_page_in_channel
from apps.teams.models import Team
from apps.teams.selectors import team_list_for_user
from apps.web.presenters import Person, PostView, group_posts, present_posts

HISTORY_PAGE = 60


@dataclass
class SidebarItem:
    channel: Channel
    label: str
    url: str
    unread: bool
    mentions: int
    muted: bool
    is_private: bool
    dm_user: Person | None = None
    online: bool = False


@dataclass
class Sidebar:
    team: Team
    teams: list[Team]
    channels: list[SidebarItem]
    direct: list[SidebarItem]


def channel_label(channel: Channel, *, viewer: User, people: dict[str, User]) -> str:
    """What a channel is called in the sidebar: DMs and groups by their other members."""
    if channel.type == CHANNEL_DIRECT:
        other = dm_other_id(channel, viewer)
        user = people.get(other)
        return user.username if user else channel.display_name or channel.name
    if channel.type == CHANNEL_GROUP:
        return channel.display_name or channel.name
    return channel.display_name or channel.name


def dm_other_id(channel: Channel, viewer: User) -> str:
    """The other person of a direct channel (named `<id>__<id>`)."""
    first, _, second = channel.name.partition("__")
    return second if first == viewer.id else first


def dm_people(channels: Iterable[Channel], *, viewer: User) -> dict[str, User]:
    """The people of the direct channels among `channels`, by id, in one query: what
    their labels and links are made of."""
    ids = {uid for c in channels if c.type == CHANNEL_DIRECT for uid in c.name.split("__")}
    return {u.id: u for u in user_list_by_ids(actor=viewer, user_ids=ids)} if ids else {}


def channel_labels(channels: Iterable[Channel], *, viewer: User) -> dict[str, str]:
    """Each channel's sidebar name by id (DMs named by the other person)."""
    channels = list(channels)
    people = dm_people(channels, viewer=viewer)
    return {c.id: channel_label(c, viewer=viewer, people=people) for c in channels}


def channel_url(team: Team, channel: Channel, *, viewer: User, people: dict[str, User]) -> str:
    """Mattermost's links: `/team/messages/@user` for a DM, `/team/messages/<name>` for a
    group (which belongs to no team), `/team/channels/<name>` for the rest."""
    if channel.type == CHANNEL_DIRECT:
        other = people.get(dm_other_id(channel, viewer))
        if other is not None:
            return f"/{team.name}/messages/@{other.username}"
    if channel.type in (CHANNEL_DIRECT, CHANNEL_GROUP):
        return f"/{team.name}/messages/{channel.name}"
    return f"/{team.name}/channels/{channel.name}"


def build_sidebar(*, viewer: User, team: Team) -> Sidebar:
    channels = list(channel_list_for_user(actor=viewer, team_id=team.id))
    members = {
        m.channel_id: m
        for m in channel_member_list_for_user(actor=viewer, user_id=viewer.id, team_id=team.id)
    }
    people = dm_people(channels, viewer=viewer)
    online = online_user_ids({dm_other_id(c, viewer) for c in channels if c.type == CHANNEL_DIRECT})
    regular, direct = [], []
    for channel in channels:
        member = members.get(channel.id)
        unread = bool(member and channel.total_msg_count > member.msg_count)
        item = SidebarItem(
            channel=channel,
            label=channel_label(channel, viewer=viewer, people=people),
            url=channel_url(team, channel, viewer=viewer, people=people),
            unread=unread,
            mentions=member.mention_count if member else 0,
            muted=bool(member and member.is_muted),
            is_private=channel.type == CHANNEL_PRIVATE,
        )
        if channel.type == CHANNEL_DIRECT:
            other = people.get(dm_other_id(channel, viewer))
            if other is not None:
                item.dm_user = Person.of(other)
                item.online = other.id in online
            direct.append(item)
        elif channel.type == CHANNEL_GROUP:
            direct.append(item)
        else:
            regular.append(item)
    regular.sort(key=lambda i: i.label.lower())
    direct.sort(key=lambda i: (-i.channel.last_post_at, i.label.lower()))
    return Sidebar(
        team=team,
        teams=list(team_list_for_user(actor=viewer)),
        channels=regular,
        direct=direct,
    )


@dataclass
class ChannelMenu:
    """What the channel name's menu offers: only what the server's rules would allow, so
    the page never shows a control that can only be refused."""

    can_add_members: bool
    can_leave: bool


def channel_menu(
    *, viewer: User, channel: Channel, membership: ChannelMember | None
) -> ChannelMenu | None:
    """The menu of a team channel; None for direct and group messages, which have none."""
    if channel.type in (CHANNEL_DIRECT, CHANNEL_GROUP):
        return None
    return ChannelMenu(
        can_add_members=can_add_channel_members(viewer, channel, membership),
        # Leaving is removing yourself: refused for Town Square, as Mattermost does.
        can_leave=can_remove_channel_member(viewer, channel, membership, viewer),
    )


@dataclass
class History:
    posts: list[PostView]
    older_cursor: str  # the oldest post shown, to page further back; "" at the start
    first_unread_id: str
    newer_cursor: str = ""  # the newest post shown when newer ones exist (a jump back)
    is_newer_page: bool = False  # a page below the ones shown, not the top of a channel


FOCUS_CONTEXT = 30


def read_history(
    *,
    viewer: User,
    channel: Channel,
    before: str = "",
    after: str = "",
    focus: str = "",
    last_viewed_at: int = 0,
) -> History:
    """A page of the channel's history, oldest first, grouped for display: the newest
    posts, a page older than `before`, a page newer than `after`, or the posts around
    `focus` (a permalink into the past) when it is older than the newest page."""
    if focus and not before and not after:
        focused = _around(viewer=viewer, channel=channel, focus=focus)
        if focused is not None:
            return focused
    page = post_page_in_channel(
        actor=viewer,
        channel_id=channel.id,
        per_page=HISTORY_PAGE,
        before=before,
        after=after,
        with_thread_roots=False,
    )
    posts = list(reversed(page.posts))
    views = group_posts(present_posts(posts, viewer=viewer))
    first_unread = ""
    if last_viewed_at:
        first_unread = next(
            (
                v.id
                for v in views
                if v.create_at > last_viewed_at and not v.is_mine and not v.is_system
            ),
            "",
        )
    if after:
        return History(
            posts=views,
            older_cursor="",
            first_unread_id="",
            newer_cursor=posts[-1].id if posts and page.has_next else "",
            is_newer_page=True,
        )
    return History(
        posts=views,
        older_cursor=posts[0].id if posts and page.has_next else "",
        first_unread_id=first_unread,
    )


def _around(*, viewer: User, channel: Channel, focus: str) -> History | None:
    """The posts just before and after `focus`, or None when it is among the newest
    (the ordinary first page shows it) or not a post of this channel."""
    try:
        post = post_get(actor=viewer, post_id=focus)
    except NotFound:
        return None
    if post.channel_id != channel.id or post.delete_at:
        return None
    newer = post_page_in_channel(
        actor=viewer,
        channel_id=channel.id,
        per_page=HISTORY_PAGE,
        after=focus,
        with_thread_roots=False,
    )
    if not newer.has_next:
        return None  # the focused post is within the newest page
    older = post_page_in_channel(
        actor=viewer,
        channel_id=channel.id,
        per_page=FOCUS_CONTEXT,
        before=focus,
        with_thread_roots=False,
    )
    posts = [*reversed(older.posts), post, *reversed(newer.posts)]
    return History(
        posts=group_posts(present_posts(posts, viewer=viewer)),
        older_cursor=posts[0].id if older.has_next else "",
        first_unread_id="",
        newer_cursor=posts[-1].id,
    )
