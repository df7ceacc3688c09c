"""Message search in the web client: the results panel the search box opens.

The text is parsed by the same grammar and run by the same selector as the API's
`POST /teams/{id}/posts/search`, so the page finds exactly what a Mattermost client would
for the same user (only channels they are in; SECURITY.md 1/2). Dates are read in the
user's own time zone, as the webapp sends its offset to the API.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from apps.channels.models import Channel
from apps.core.errors import InvalidInput
from apps.core.paging import clamp_paging
from apps.search.grammar import parse_search
from apps.search.selectors import post_search
from apps.web.auth import SignedInRequest, signed_in
from apps.web.highlight import highlight
from apps.web.presenters import PostView, present_posts, user_time_zone
from apps.web.screens import channel_labels

PER_PAGE = 20


@dataclass
class SearchHit:
    """A found post with where it was said; `post.html` already carries the marks."""

    post: PostView
    channel_label: str
    channel_type: str


@signed_in
@require_GET
def results(request: SignedInRequest) -> HttpResponse:
    """`?q=&team_id=&page=`: one page of hits (20), newest first, words marked.

    A query the grammar or the selector refuses (an unclosed quote, a bad date, an
    unknown person or channel) is shown in the panel with its message, never as an
    error page. Pages after the first draw only their rows, for "Load more".
    """
    viewer = request.web_user
    terms = request.GET.get("q", "").strip()
    team_id = request.GET.get("team_id", "") or None
    page, _per_page = clamp_paging(request.GET.get("page", 0), PER_PAGE)
    context: dict[str, object] = {"q": terms, "page": page, "hits": [], "error": "", "next_url": ""}
    template = "web/search/_page.html" if page > 0 else "web/search/results.html"
    if not terms:
        return render(request, template, context)
    try:
        query = parse_search(terms, time_zone=user_time_zone(viewer))
        found = post_search(
            actor=viewer, query=query, team_id=team_id, page=page, per_page=PER_PAGE
        )
    except InvalidInput as exc:
        context["error"] = exc.message
        return render(request, template, context)
    channels = Channel.objects.in_bulk({p.channel_id for p in found.posts})
    labels = channel_labels(channels.values(), viewer=viewer)
    hits = []
    for view in present_posts(found.posts, viewer=viewer):
        view.html = highlight(view.html, found.matches.get(view.id, ()), prefixes=query.prefixes)
        channel = channels[view.channel_id]
        hits.append(SearchHit(view, labels.get(channel.id, ""), channel.type))
    context["hits"] = hits
    if found.has_next:
        params = {"q": terms, "page": page + 1, **({"team_id": team_id} if team_id else {})}
        context["next_url"] = f"{reverse('web:search_results')}?{urlencode(params)}"
    return render(request, template, context)
