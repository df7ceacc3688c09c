"""Post search: a parsed query, narrowed to what the searcher may read, newest first.

Mattermost's rules: only channels the searcher is a member of (direct and group messages
included), in the team searched (or every team); archived channels only when asked;
deleted posts and system messages never (the index holds neither). Words and hashtags
are searched separately and their results joined, as Mattermost's database search does.
"""

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from apps.accounts.models import User
from apps.accounts.permissions import check_active
from apps.channels.models import CHANNEL_DIRECT, CHANNEL_GROUP, Channel, ChannelMember
from apps.core.errors import InvalidInput
from apps.core.paging import PER_PAGE_DEFAULT, clamp_paging
from apps.core.timeutils import now_ms
from apps.posts.models import Post
from apps.search.backends import (
    backend,
    clause_matches,
    hashtag_clauses,
    negative_clauses,
    positive_clauses,
)
from apps.search.grammar import SearchQuery
from apps.search.models import PostSearchEntry
from apps.teams.models import TeamMember
from apps.teams.permissions import access_team, check_team_member

_DAY_MS = 24 * 60 * 60 * 1000
# The recent windows searched before the whole index (see `_newest_first`).
SEARCH_WINDOWS_MS = (30 * _DAY_MS, 120 * _DAY_MS, 480 * _DAY_MS)


@dataclass
class SearchResults:
    posts: list[Post]
    matches: dict[str, list[str]] = field(default_factory=dict)
    has_next: bool = False


def _readable_channels(
    *, actor: User, team_id: str | None, include_archived: bool
) -> QuerySet[Channel]:
    channels = Channel.objects.filter(
        id__in=ChannelMember.objects.filter(user=actor).values("channel_id")
    )
    if team_id is not None:
        channels = channels.filter(Q(team_id=team_id) | Q(team__isnull=True))
    else:
        # Team channels only of teams the searcher is still in (a subquery, not a join:
        # joining team members would repeat every channel once per member).
        teams = TeamMember.objects.filter(user=actor, delete_at=0, team__delete_at=0)
        channels = channels.filter(Q(team__isnull=True) | Q(team_id__in=teams.values("team_id")))
    if not include_archived:
        channels = channels.filter(delete_at=0)
    return channels


def _users_named(names: tuple[str, ...]) -> list[str]:
    if not names:
        return []
    found = dict(User.objects.filter(username__in=names).values_list("username", "id"))
    missing = [n for n in names if n not in found]
    if missing:
        raise InvalidInput(
            f"No user is named @{missing[0]}.", error_id="app.search.unknown_user.app_error"
        )
    return [found[n] for n in names]


def _unknown_channel(name: str) -> InvalidInput:
    # The same answer for a channel that does not exist and one the searcher is not in.
    return InvalidInput(
        f"You are in no channel named ~{name}.", error_id="app.search.unknown_channel.app_error"
    )


def _channels_named(readable: QuerySet[Channel], names: tuple[str, ...]) -> list[str]:
    if not names:
        return []
    found: dict[str, list[str]] = {}
    for channel_id, name in readable.filter(name__in=names).values_list("id", "name"):
        found.setdefault(name, []).append(channel_id)
    for name in names:
        if name not in found:
            raise _unknown_channel(name)
    return [channel_id for name in names for channel_id in found[name]]


def _direct_channels(actor: User, readable: QuerySet[Channel], names: tuple[str, ...]) -> list[str]:
    ids = []
    for user_id, name in zip(_users_named(names), names, strict=True):
        direct = "__".join(sorted((actor.id, user_id)))
        channel_id = (
            readable.filter(type=CHANNEL_DIRECT, name=direct).values_list("id", flat=True).first()
        )
        if channel_id is None:
            raise _unknown_channel(f"@{name}")
        ids.append(channel_id)
    return ids


def _group_channels(
    actor: User, readable: QuerySet[Channel], groups: tuple[tuple[str, ...], ...]
) -> list[str]:
    ids = []
    for names in groups:
        wanted = {actor.id, *_users_named(names)}
        members: dict[str, set[str]] = {}
        for channel_id, user_id in ChannelMember.objects.filter(
            channel__in=readable.filter(type=CHANNEL_GROUP)
        ).values_list("channel_id", "user_id"):
            members.setdefault(channel_id, set()).add(user_id)
        match = next((c for c, users in members.items() if users == wanted), None)
        if match is None:
            raise _unknown_channel("@" + ",".join(names))
        ids.append(match)
    return ids


def _filtered_entries(
    *, actor: User, query: SearchQuery, readable: QuerySet[Channel]
) -> QuerySet[PostSearchEntry]:
    """Entries in the readable channels that pass every modifier (no words yet).

    The channels go in as a list of ids, not a subquery: with the values in hand the
    planner can combine the text index with the channel index (a bitmap AND) instead of
    reading every match on the server and dropping those of other channels.
    """
    channel_ids = list(readable.values_list("id", flat=True))
    found = PostSearchEntry.objects.filter(channel_id__in=channel_ids)
    wanted_channels = [
        *_channels_named(readable, query.in_channels),
        *_direct_channels(actor, readable, query.in_direct_with),
        *_group_channels(actor, readable, query.in_group_with),
    ]
    if wanted_channels:
        found = found.filter(channel_id__in=wanted_channels)
    unwanted_channels = [
        *_channels_named(readable, query.excluded_in_channels),
        *_direct_channels(actor, readable, query.excluded_in_direct_with),
        *_group_channels(actor, readable, query.excluded_in_group_with),
    ]
    if unwanted_channels:
        found = found.exclude(channel_id__in=unwanted_channels)
    if query.from_users:
        found = found.filter(user_id__in=_users_named(query.from_users))
    if query.excluded_from_users:
        found = found.exclude(user_id__in=_users_named(query.excluded_from_users))
    if query.created_from_ms is not None:
        found = found.filter(create_at__gte=query.created_from_ms)
    if query.created_before_ms is not None:
        found = found.filter(create_at__lt=query.created_before_ms)
    for start, end in query.excluded_created_ranges_ms:
        found = found.exclude(create_at__gte=start, create_at__lt=end)
    return found


def _with_text(entries: QuerySet[PostSearchEntry], query: SearchQuery) -> QuerySet[PostSearchEntry]:
    """Entries matching the words or the hashtags, without the excluded ones. A query of
    modifiers and exclusions alone keeps every entry they pass; one whose words were all
    punctuation finds nothing."""
    engine = backend()
    for clause in negative_clauses(query):
        entries = engine.exclude(entries, clause)
    groups = [
        group for group in (positive_clauses(query), hashtag_clauses(query.hashtags)) if group
    ]
    if groups:
        return engine.filter(entries, groups, any_of=query.is_or_search)
    return entries if not query.has_text else entries.none()


def _matches(query: SearchQuery, bodies: dict[str, str]) -> dict[str, list[str]]:
    """For each post, the words and hashtags of the query it contains (for highlighting),
    read from the indexed tokens rather than by analysing the messages again."""
    clauses = [*positive_clauses(query), *hashtag_clauses(query.hashtags)]
    found: dict[str, list[str]] = {}
    if not clauses:
        return found  # modifiers alone: nothing to highlight
    for post_id, body in bodies.items():
        body_tokens = body.split()
        terms = [c.text for c in clauses if clause_matches(c, body_tokens)]
        if terms:
            found[post_id] = terms
    return found


def _newest_first(
    matched: QuerySet[PostSearchEntry], *, start: int, count: int
) -> list[tuple[str, str]]:
    """(post id, indexed body) of matches `start` to `start + count`, newest first.

    A common word matches a large part of the index, and sorting all of its matches by
    date is what makes such a search slow. So the recent past is searched first, and the
    window widens only when it holds too few: whatever is newer than a window's start is
    in that window, so a window that yields `count` rows past `start` gives the same page
    the whole index would.
    """
    ordered = matched.order_by("-create_at", "-id").values_list("post_id", "body")
    now = now_ms()
    for span in SEARCH_WINDOWS_MS:
        ids = list(ordered.filter(create_at__gte=now - span)[start : start + count])
        if len(ids) == count:
            return ids
    return list(ordered[start : start + count])


def post_search(
    *,
    actor: User,
    query: SearchQuery,
    team_id: str | None = None,
    include_archived: bool = False,
    page: int = 0,
    per_page: int = PER_PAGE_DEFAULT,
) -> SearchResults:
    """Posts matching `query` that `actor` may read, newest first, one page of them.

    Raises:
        NotFound: `team_id` names a team hidden from the actor.
        PermissionDenied: the actor is not a member of that team.
        InvalidInput: `from:` or `in:` names a user or channel the actor cannot search.
    """
    check_active(actor)
    if team_id is not None:
        team, membership = access_team(actor=actor, team_id=team_id)
        check_team_member(actor=actor, team=team, membership=membership)
    if query.is_empty:
        return SearchResults(posts=[])
    readable = _readable_channels(actor=actor, team_id=team_id, include_archived=include_archived)
    entries = _filtered_entries(actor=actor, query=query, readable=readable)
    matched = _with_text(entries, query)
    page, per_page = clamp_paging(page, per_page)
    rows = _newest_first(matched, start=page * per_page, count=per_page + 1)
    has_next = len(rows) > per_page
    bodies = dict(rows[:per_page])
    by_id = Post.objects.in_bulk(list(bodies))
    posts = [by_id[i] for i in bodies if i in by_id]
    return SearchResults(posts=posts, matches=_matches(query, bodies), has_next=has_next)
