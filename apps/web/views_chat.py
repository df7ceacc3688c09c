"""The chat screen and the fragments it swaps in live (htmx and the socket script).

Writes go through the REST API from the page script (the same calls Mattermost's web app
makes); these views only read, through the selectors.
"""

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods

from apps.accounts.models import User
from apps.accounts.selectors import user_get_by_username
from apps.channels.models import CHANNEL_DIRECT, CHANNEL_GROUP, Channel
from apps.channels.permissions import access_channel
from apps.channels.selectors import channel_get_by_name, channel_stats
from apps.channels.services import channel_get_or_create_direct
from apps.core.errors import NotFound
from apps.posts.markdown import render_markdown
from apps.posts.selectors import post_get
from apps.teams.models import Team
from apps.teams.permissions import access_team, access_team_by_name, check_team_member
from apps.teams.selectors import team_list_for_user
from apps.web.auth import SignedInRequest, signed_in
from apps.web.presenters import GroupAnchor, Person, group_posts, present_posts
from apps.web.screens import (
    build_sidebar,
    channel_labels,
    channel_menu,
    channel_url,
    dm_people,
    read_history,
)

DEFAULT_CHANNEL = "town-square"


@signed_in
@require_GET
def home(request: SignedInRequest) -> HttpResponse:
    team = team_list_for_user(actor=request.web_user).first()
    if team is None:
        return redirect("web:select_team")
    return redirect("web:channel", team_name=team.name, channel_name=DEFAULT_CHANNEL)


def _member_team(request: SignedInRequest, team_name: str) -> Team:
    team, membership = access_team_by_name(actor=request.web_user, name=team_name)
    check_team_member(actor=request.web_user, team=team, membership=membership)
    return team


def _screen(request: SignedInRequest, team: Team, channel: Channel) -> HttpResponse:
    viewer = request.web_user
    channel, membership = access_channel(actor=viewer, channel_id=channel.id)
    history = read_history(
        viewer=viewer,
        channel=channel,
        focus=request.GET.get("focus", ""),
        last_viewed_at=membership.last_viewed_at if membership else 0,
    )
    context = {
        "team": team,
        "channel": channel,
        "channel_label": channel_labels([channel], viewer=viewer)[channel.id],
        "header_html": mark_safe(  # noqa: S308 - sanitized by render_markdown
            render_markdown(channel.header, viewer_username=viewer.username, inline=True)
        ),
        "membership": membership,
        "stats": channel_stats(actor=viewer, channel_id=channel.id),
        "menu": channel_menu(viewer=viewer, channel=channel, membership=membership),
        "history": history,
        "me": Person.of(viewer),
    }
    if request.htmx and request.htmx.target == "center":
        return render(request, "web/_center.html", context)
    tz = viewer.timezone if isinstance(viewer.timezone, dict) else {}
    context.update(
        automatic_time_zone=tz.get("automaticTimezone", ""),
        sidebar=build_sidebar(viewer=viewer, team=team),
    )
    return render(request, "web/chat.html", context)


@signed_in
@require_GET
def channel_page(request: SignedInRequest, team_name: str, channel_name: str) -> HttpResponse:
    team = _member_team(request, team_name)
    channel = channel_get_by_name(actor=request.web_user, team_id=team.id, name=channel_name)
    return _screen(request, team, channel)


@signed_in
@require_http_methods(["GET", "POST"])
def direct_page(request: SignedInRequest, team_name: str, username: str) -> HttpResponse:
    """`/<team>/messages/@user`: the DM with that user. A GET only opens one that exists
    (a link from another site must not create conversations); starting one is a POST."""
    team = _member_team(request, team_name)
    other = user_get_by_username(actor=request.web_user, username=username)
    if request.method == "POST":
        channel_get_or_create_direct(actor=request.web_user, other_user_id=other.id)
        return redirect("web:direct", team_name=team.name, username=other.username)
    name = "__".join(sorted((request.web_user.id, other.id)))
    try:
        # Direct and group channels have no team.
        channel = channel_get_by_name(actor=request.web_user, team_id=None, name=name)
    except NotFound:
        return _start_direct(request, team, other)
    return _screen(request, team, channel)


def _start_direct(request: SignedInRequest, team: Team, other: User) -> HttpResponse:
    viewer = request.web_user
    context = {"team": team, "other": Person.of(other), "me": Person.of(viewer)}
    if request.htmx and request.htmx.target == "center":
        return render(request, "web/_start_direct.html", context)
    context.update(sidebar=build_sidebar(viewer=viewer, team=team))
    return render(request, "web/chat.html", context)


@signed_in
@require_GET
def group_page(request: SignedInRequest, team_name: str, channel_name: str) -> HttpResponse:
    """`/<team>/messages/<name>`: a direct or group message by its channel name (they
    belong to no team, so the team in the URL is only where the sidebar stands)."""
    team = _member_team(request, team_name)
    channel = channel_get_by_name(actor=request.web_user, team_id=None, name=channel_name)
    if channel.type not in (CHANNEL_DIRECT, CHANNEL_GROUP):
        raise NotFound("Channel not found.")
    return _screen(request, team, channel)


@signed_in
@require_GET
def permalink(request: SignedInRequest, post_id: str) -> HttpResponse:
    """A message's link: its channel, scrolled to it (search results "jump" here)."""
    post = post_get(actor=request.web_user, post_id=post_id)
    channel, _membership = access_channel(actor=request.web_user, channel_id=post.channel_id)
    team = channel.team or team_list_for_user(actor=request.web_user).first()
    if team is None:
        raise Http404
    people = dm_people([channel], viewer=request.web_user)
    target = channel_url(team, channel, viewer=request.web_user, people=people)
    return redirect(f"{target}?focus={post.id}#post-{post.id}")


# --- fragments ---------------------------------------------------------------------------------


@signed_in
@require_GET
def post_fragment(request: SignedInRequest, post_id: str) -> HttpResponse:
    """One post, drawn for the socket script when a `posted` or `post_edited` event comes."""
    post = post_get(actor=request.web_user, post_id=post_id)
    views = present_posts([post], viewer=request.web_user)
    previous_id = request.GET.get("after", "")
    previous = None
    if previous_id:
        try:
            previous = GroupAnchor.of_post(
                post_get(actor=request.web_user, post_id=previous_id), viewer=request.web_user
            )
        except NotFound:
            previous = None
    group_posts(views, previous=previous)
    return render(request, "web/_post.html", {"post": views[0], "me": Person.of(request.web_user)})


@signed_in
@require_GET
def history_fragment(request: SignedInRequest, channel_id: str) -> HttpResponse:
    """More posts for infinite scroll: older than `before`, or newer than `after` (below
    a permalink into the past)."""
    channel, _membership = access_channel(actor=request.web_user, channel_id=channel_id)
    history = read_history(
        viewer=request.web_user,
        channel=channel,
        before=request.GET.get("before", ""),
        after=request.GET.get("after", "") if not request.GET.get("before") else "",
    )
    return render(
        request,
        "web/_history.html",
        {"history": history, "channel": channel, "me": Person.of(request.web_user)},
    )


@signed_in
@require_GET
def sidebar_fragment(request: SignedInRequest, team_id: str) -> HttpResponse:
    team, membership = access_team(actor=request.web_user, team_id=team_id)
    check_team_member(actor=request.web_user, team=team, membership=membership)
    sidebar = build_sidebar(viewer=request.web_user, team=team)
    return render(
        request,
        "web/_sidebar.html",
        {"sidebar": sidebar, "team": team, "current_channel_id": request.GET.get("current", "")},
    )
