"""Finding your way around the chat screen: the quick switcher, the channel browser and the
emoji list the composer's `:name` completion reads.

Everything here only reads, through the selectors, so a private channel shows up exactly
where the API would show it: to its members and nobody else (SECURITY.md 2).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from apps.accounts.models import User
from apps.accounts.selectors import online_user_ids, user_autocomplete, user_list_by_ids
from apps.channels.models import CHANNEL_DIRECT, CHANNEL_GROUP, CHANNEL_PRIVATE, Channel
from apps.channels.selectors import (
    channel_autocomplete,
    channel_list_for_user,
    channel_list_public,
    channel_search,
)
from apps.posts.emoji import emoji_search
from apps.teams.models import Team
from apps.teams.permissions import access_team, check_team_member
from apps.web.auth import SignedInRequest, signed_in
from apps.web.presenters import Person, display_name
from apps.web.screens import channel_url, dm_other_id

SWITCHER_MINE = 20
SWITCHER_RECENT = 12
SWITCHER_OTHERS = 8
BROWSE_LIMIT = 200
EMOJI_LIMIT = 12
QUERY_MAX = 64


@dataclass
class SwitchItem:
    """One row of the switcher: where Enter goes, and what the row shows."""

    kind: str  # "public" | "private" | "direct" | "group" | "join" | "person"
    label: str
    hint: str
    url: str
    rank: int = 0
    join_id: str = ""  # a public channel the viewer joins on the way in
    person: Person | None = None
    online: bool = False
    unread: bool = False


def _team(request: SignedInRequest, team_id: str) -> Team:
    """A team the viewer belongs to; anyone else gets the same not-found as the API."""
    team, membership = access_team(actor=request.web_user, team_id=team_id)
    check_team_member(actor=request.web_user, team=team, membership=membership)
    return team


def _rank(term: str, *texts: str) -> int | None:
    """How well `term` names one of `texts`: 0 starts it, 1 starts a word of it, 2 is in
    it; None when it matches none (the best text wins)."""
    best = None
    for text in texts:
        text = (text or "").lower()
        if not text or term not in text:
            continue
        if text.startswith(term):
            rank = 0
        elif any(w.startswith(term) for w in text.replace("-", " ").replace("_", " ").split()):
            rank = 1
        else:
            rank = 2
        best = rank if best is None else min(best, rank)
    return best


def _my_channels(
    viewer: User, team: Team, term: str
) -> tuple[list[SwitchItem], set[str], set[str]]:
    """The viewer's channels of the team (and their DMs and groups) that match `term`,
    best match first; with no term, the most recently active ones. Also returns the ids
    of all the viewer's channels and of the people they already have a DM with."""
    channels = list(channel_list_for_user(actor=viewer, team_id=team.id))
    dm_ids = {dm_other_id(c, viewer) for c in channels if c.type == CHANNEL_DIRECT}
    people = {u.id: u for u in user_list_by_ids(actor=viewer, user_ids=dm_ids)}
    online = online_user_ids(dm_ids)
    items: list[tuple[int, int, SwitchItem]] = []
    dm_people: set[str] = set()
    for channel in channels:
        if channel.type == CHANNEL_DIRECT:
            other = people.get(dm_other_id(channel, viewer))
            if other is None:
                continue
            dm_people.add(other.id)
            rank = _rank(term, other.username, display_name(other)) if term else 0
            item = SwitchItem(
                kind="direct",
                label=other.username,
                hint=display_name(other) if display_name(other) != other.username else "",
                url=f"/{team.name}/messages/@{other.username}",
                person=Person.of(other),
                online=other.id in online,
            )
        else:
            label = channel.display_name or channel.name
            rank = _rank(term, label, channel.name) if term else 0
            kind = {CHANNEL_GROUP: "group", CHANNEL_PRIVATE: "private"}.get(channel.type, "public")
            item = SwitchItem(
                kind=kind,
                label=label,
                hint="" if channel.type == CHANNEL_GROUP else f"~{channel.name}",
                url=channel_url(team, channel, viewer=viewer, people={}),
            )
        if rank is None:
            continue
        item.rank = rank
        items.append((rank, -channel.last_post_at, item))
    if term:
        items.sort(key=lambda t: (t[0], t[2].label.lower()))
        chosen = [i for _r, _t, i in items[:SWITCHER_MINE]]
    else:
        items.sort(key=lambda t: (t[1], t[2].label.lower()))
        chosen = [i for _r, _t, i in items[:SWITCHER_RECENT]]
    return chosen, {c.id for c in channels}, dm_people


def switcher_items(*, viewer: User, team: Team, term: str) -> list[SwitchItem]:
    """What Ctrl+K offers for `term`: the viewer's own channels and DMs first, then the
    team's public channels they have not joined, then teammates to start a DM with."""
    term = term.strip().lower().lstrip("~@#")[:QUERY_MAX]
    mine, joined, dm_people = _my_channels(viewer, team, term)
    if not term:
        return mine
    others = [
        SwitchItem(
            kind="join",
            label=c.display_name or c.name,
            hint=f"~{c.name}",
            url=f"/{team.name}/channels/{c.name}",
            join_id=c.id,
        )
        for c in channel_autocomplete(actor=viewer, team_id=team.id, name=term)
        if c.id not in joined and c.type != CHANNEL_PRIVATE
    ][:SWITCHER_OTHERS]
    found = user_autocomplete(actor=viewer, name=term, in_team=team, limit=SWITCHER_OTHERS * 2)
    candidates = [u for u in found["users"] if u.id != viewer.id and u.id not in dm_people]
    online = online_user_ids(u.id for u in candidates)
    people = [
        SwitchItem(
            kind="person",
            label=u.username,
            hint=display_name(u) if display_name(u) != u.username else "",
            url=f"/{team.name}/messages/@{u.username}",
            person=Person.of(u),
            online=u.id in online,
        )
        for u in candidates[:SWITCHER_OTHERS]
    ]
    return mine + others + people


@signed_in
@require_GET
def switcher(request: SignedInRequest) -> HttpResponse:
    """The quick switcher's results for `?team_id=&q=`, as listbox options."""
    team = _team(request, request.GET.get("team_id", ""))
    term = request.GET.get("q", "")
    items = switcher_items(viewer=request.web_user, team=team, term=term)
    return render(
        request,
        "web/nav/_switcher_results.html",
        {"items": items, "term": term.strip(), "team": team},
    )


@dataclass
class BrowseItem:
    channel: Channel
    member_count: int
    joined: bool
    url: str


@signed_in
@require_GET
def browse(request: SignedInRequest, team_id: str) -> HttpResponse:
    """The team's public channels (optionally those matching `?q=`), to read and join.
    Private channels never appear here, not even to their members."""
    viewer = request.web_user
    team = _team(request, team_id)
    term = request.GET.get("q", "").strip()[:QUERY_MAX]
    public = channel_list_public(actor=viewer, team_id=team.id)
    if term:
        found = [c.id for c in channel_search(actor=viewer, team_id=team.id, term=term)]
        order = {cid: i for i, cid in enumerate(found)}
        public = public.filter(id__in=found)
    counted = public.annotate(member_count=Count("members", filter=Q(members__user__delete_at=0)))[
        :BROWSE_LIMIT
    ]
    channels = sorted(counted, key=lambda c: order[c.id]) if term else list(counted)
    joined = set(channel_list_for_user(actor=viewer, team_id=team.id).values_list("id", flat=True))
    items = [
        BrowseItem(
            channel=c,
            member_count=c.member_count,
            joined=c.id in joined,
            url=f"/{team.name}/channels/{c.name}",
        )
        for c in channels
    ]
    return render(
        request, "web/nav/_browse_results.html", {"items": items, "term": term, "team": team}
    )


@signed_in
@require_GET
def emoji(request: SignedInRequest) -> JsonResponse:
    """Emoji names starting with (then containing) `?q=`, for `:name` completion."""
    found = emoji_search(request.GET.get("q", "")[:QUERY_MAX], EMOJI_LIMIT)
    return JsonResponse({"emoji": [{"name": name, "char": char} for name, char in found]})
