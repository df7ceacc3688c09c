"""Post search over Mattermost's API v4: the search box's text in, a PostList out."""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from apps.core.api.base import (
    BAD_BODY_PARAM,
    AuthenticatedRequest,
    BaseApi,
    body_object,
    body_paging,
    flag_field,
    int_field,
)
from apps.core.api.schema import errors
from apps.core.errors import InvalidInput
from apps.core.paging import PER_PAGE_DEFAULT, PER_PAGE_MAX
from apps.posts.api.schema import PostListSerializer
from apps.posts.wire import post_list_to_wire
from apps.search.grammar import parse_search, time_zone_from_offset
from apps.search.selectors import post_search


class PostSearchRequestSerializer(serializers.Serializer):
    """Mattermost's SearchParameter (documentation only; the view reads the body)."""

    terms = serializers.CharField(
        help_text='The search box text: words, "phrases", -exclusions, prefix*, #hashtags, '
        "from:, in:, on:, before:, after:."
    )
    is_or_search = serializers.BooleanField(
        required=False, help_text="Any word may match instead of all (default false)."
    )
    time_zone_offset = serializers.IntegerField(
        required=False,
        min_value=-86399,
        max_value=86399,
        help_text="Seconds east of UTC that on:/before:/after: dates are read in (default 0).",
    )
    include_deleted_channels = serializers.BooleanField(
        required=False, help_text="Search archived channels too (default false)."
    )
    page = serializers.IntegerField(
        required=False, min_value=0, help_text="Default 0; a page past the hits is empty."
    )
    per_page = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text=f"Default {PER_PAGE_DEFAULT}; more than {PER_PAGE_MAX} counts as {PER_PAGE_MAX}.",
    )


class PostSearchResultsSerializer(PostListSerializer):
    """A PostList of the hits, newest first, and the query words each hit contains."""

    matches = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Post id → the words and #hashtags of the search it contains.",
    )


def _terms(body: dict[str, Any]) -> str:
    terms = body.get("terms")
    if terms is None or terms == "":
        raise InvalidInput("terms is required: the text to search for.", error_id=BAD_BODY_PARAM)
    if not isinstance(terms, str):
        raise InvalidInput("terms must be a string.", error_id=BAD_BODY_PARAM)
    return terms


def _search(request: AuthenticatedRequest, *, team_id: str | None) -> Response:
    body = body_object(request)
    query = parse_search(
        _terms(body),
        is_or_search=flag_field(body, "is_or_search"),
        time_zone=time_zone_from_offset(int_field(body, "time_zone_offset", default=0)),
    )
    page, per_page = body_paging(body)
    results = post_search(
        actor=request.user,
        query=query,
        team_id=team_id,
        include_archived=flag_field(body, "include_deleted_channels"),
        page=page,
        per_page=per_page,
    )
    data = post_list_to_wire(results.posts, has_next=results.has_next)
    data["matches"] = results.matches
    return Response(data)


class TeamPostSearchApi(BaseApi):
    """`POST /teams/{team_id}/posts/search`: hits in the team's channels the caller is a
    member of, and in their direct and group messages (which belong to no team, and
    which Mattermost searches from every team). 404 unless the caller is in the team."""

    @extend_schema(
        operation_id="SearchPosts",
        tags=["search"],
        summary="Search posts in one team's channels and the caller's direct messages",
        request=PostSearchRequestSerializer,
        responses={200: PostSearchResultsSerializer, **errors(400, 401, 404)},
    )
    def post(self, request: AuthenticatedRequest, team_id: str) -> Response:
        return _search(request, team_id=team_id)


class PostSearchApi(BaseApi):
    """`POST /posts/search`: hits in every channel the caller is a member of, in all
    the teams they are still in."""

    @extend_schema(
        operation_id="SearchPostsInAllTeams",
        tags=["search"],
        summary="Search posts in every team and direct message of the caller",
        request=PostSearchRequestSerializer,
        responses={200: PostSearchResultsSerializer, **errors(400, 401)},
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        return _search(request, team_id=None)
