"""The right-hand panel's fragments: a thread, pinned and saved messages, channel members,
and the emoji picker's data.

Each fragment reads through the selectors, so the panel shows exactly what the API would
show the same user (a channel they cannot read is a 404 here as there).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from apps.accounts.models import User
from apps.accounts.selectors import status_list_by_ids
from apps.channels.models import Channel
from apps.channels.permissions import access_channel
from apps.channels.selectors import channel_active_members_online_first
from apps.posts.emoji import EMOJI_BY_NAME, PICKER_CATEGORIES, emoji_search
from apps.posts.models import Post
from apps.posts.selectors import (
    post_get_thread,
    post_list_flagged,
    post_list_pinned,
    post_reply_count,
)
from apps.teams.models import Team
from apps.teams.permissions import access_team, access_team_by_name, check_team_member
from apps.teams.selectors import team_list_for_user
from apps.web.auth import SignedInRequest, signed_in
from apps.web.presenters import Person, PostView, group_posts, present_posts
from apps.web.screens import channel_labels

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# A thread shows its root and at most this many of its latest replies; pinned lists stop
# at PINNED_SHOWN. Both bound one panel's work (and stay under the selectors' id limits).
THREAD_REPLIES_SHOWN = 300
PINNED_SHOWN = 200
# The members panel draws at most this many people (online first, then by username) and
# says how many more there are: a big channel must not cost one row (and one status) each.
MEMBERS_SHOWN = 100
# How many emoji a picker search shows at most.
EMOJI_SEARCH_LIMIT = 90
# The picker's tabs; a category the emoji module adds later shows under its own id.
CATEGORY_LABELS = {
    "smileys": _("Smileys & emotion"),
    "people": _("People & body"),
    "nature": _("Animals & nature"),
    "food": _("Food & drink"),
    "activities": _("Activities"),
    "symbols": _("Symbols"),
}
PRESENCE_LABELS = {
    "online": _("Online"),
    "away": _("Away"),
    "dnd": _("Do not disturb"),
    "offline": _("Offline"),
}


@dataclass
class ListedPost:
    """A post in the pinned or saved list, with the channel it was said in."""

    post: PostView
    channel_label: str
    channel_type: str


def _listed(posts: Iterable[Post], viewer: User) -> list[ListedPost]:
    posts = list(posts)
    channels = Channel.objects.in_bulk({p.channel_id for p in posts})
    labels = channel_labels(channels.values(), viewer=viewer)
    return [
        ListedPost(view, labels.get(view.channel_id, ""), channels[view.channel_id].type)
        for view in present_posts(posts, viewer=viewer)
    ]


@signed_in
@require_GET
def thread(request: SignedInRequest, post_id: str) -> HttpResponse:
    """A thread: its root, the replies, and a reply box for members of a live channel.

    `?part=count` draws only the "N replies" line, which the page refreshes as replies
    come and go without redrawing (and losing) a half-written reply.
    """
    viewer = request.web_user
    if request.GET.get("part") == "count":
        return _thread_count(request, post_id)
    posts = post_get_thread(actor=viewer, post_id=post_id)
    channel, membership = access_channel(actor=viewer, channel_id=posts[0].channel_id)
    reply_count = len(posts) - 1
    older_hidden = max(0, reply_count - THREAD_REPLIES_SHOWN)
    shown = [posts[0], *posts[1 + older_hidden :]]
    views = present_posts(shown, viewer=viewer)
    root, replies = views[0], views[1:]
    group_posts([root])
    root.new_day = False
    group_posts(replies, previous=root)
    context = {
        "root": root,
        "replies": replies,
        "reply_count": reply_count,
        "older_hidden": older_hidden,
        "channel": channel,
        "channel_label": channel_labels([channel], viewer=viewer)[channel.id],
        "can_reply": membership is not None and not channel.is_archived,
        "me": Person.of(viewer),
        "id_prefix": "rhs-",
    }
    return render(request, "web/rhs/thread.html", context)


def _thread_count(request: SignedInRequest, post_id: str) -> HttpResponse:
    """The "N replies" line: every open panel asks again on each reply, so it is counted,
    never loaded."""
    reply_count = post_reply_count(actor=request.web_user, post_id=post_id)
    return render(request, "web/rhs/_thread_count.html", {"reply_count": reply_count})


@signed_in
@require_GET
def pinned(request: SignedInRequest, channel_id: str) -> HttpResponse:
    viewer = request.web_user
    channel, _membership = access_channel(actor=viewer, channel_id=channel_id)
    items = _listed(post_list_pinned(actor=viewer, channel_id=channel.id)[:PINNED_SHOWN], viewer)
    label = channel_labels([channel], viewer=viewer)[channel.id]
    return render(
        request,
        "web/rhs/pinned.html",
        {"items": items, "channel": channel, "channel_label": label},
    )


@signed_in
@require_GET
def saved(request: SignedInRequest, team_id: str) -> HttpResponse:
    """The viewer's own saved posts in this team (and in DMs), newest first."""
    viewer = request.web_user
    team, membership = access_team(actor=viewer, team_id=team_id)
    check_team_member(actor=viewer, team=team, membership=membership)
    items = _listed(post_list_flagged(actor=viewer, team_id=team.id), viewer)
    return render(request, "web/rhs/saved.html", {"items": items, "team": team})


def _team_for_links(request: SignedInRequest, channel: Channel) -> Team | None:
    """The team whose URLs the "Message" links use: the channel's, or for a DM the team
    the page is showing (given as `?team=`), else the viewer's first."""
    if channel.team is not None:
        return channel.team
    name = request.GET.get("team", "")
    if name:
        team, membership = access_team_by_name(actor=request.web_user, name=name)
        check_team_member(actor=request.web_user, team=team, membership=membership)
        return team
    return team_list_for_user(actor=request.web_user).first()


@dataclass
class MemberRow:
    person: Person
    presence: str
    presence_label: StrOrPromise  # translated when the template renders it
    is_admin: bool
    is_me: bool


@signed_in
@require_GET
def members(request: SignedInRequest, channel_id: str) -> HttpResponse:
    """The channel's active members, at most MEMBERS_SHOWN of them, and how many more."""
    viewer = request.web_user
    channel, _membership = access_channel(actor=viewer, channel_id=channel_id)
    rows, total = channel_active_members_online_first(
        actor=viewer, channel_id=channel.id, limit=MEMBERS_SHOWN
    )
    statuses = {
        s["user_id"]: s["status"]
        for s in status_list_by_ids(actor=viewer, user_ids=[m.user_id for m in rows])
    }
    people = []
    for member in rows:
        presence = statuses.get(member.user_id, "offline")
        if presence not in PRESENCE_LABELS:
            presence = "offline"
        people.append(
            MemberRow(
                person=Person.of(member.user),
                presence=presence,
                presence_label=PRESENCE_LABELS[presence],
                is_admin=member.scheme_admin,
                is_me=member.user_id == viewer.id,
            )
        )
    label = channel_labels([channel], viewer=viewer)[channel.id]
    return render(
        request,
        "web/rhs/members.html",
        {
            "members": people,
            "member_count": total,
            "more_count": max(0, total - len(people)),
            "channel": channel,
            "channel_label": label,
            "team": _team_for_links(request, channel),
        },
    )


@signed_in
@require_GET
def emoji_picker(request: SignedInRequest) -> HttpResponse:
    """The picker's markup: search, tabs and the curated grid, drawn once per page."""
    categories = [
        {
            "id": key,
            "label": CATEGORY_LABELS.get(key, key),
            "emoji": [(name, EMOJI_BY_NAME[name]) for name in names if name in EMOJI_BY_NAME],
        }
        for key, names in PICKER_CATEGORIES
    ]
    return render(request, "web/rhs/emoji_picker.html", {"categories": categories})


@signed_in
@require_GET
def emoji_lookup(request: SignedInRequest) -> JsonResponse:
    """Emoji whose names match the picker's search box, best matches first."""
    query = request.GET.get("q", "")[:64]
    results = [{"name": n, "char": c} for n, c in emoji_search(query, EMOJI_SEARCH_LIMIT)]
    return JsonResponse({"results": results})
