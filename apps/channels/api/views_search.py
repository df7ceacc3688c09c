"""Finding a team's channels by name over Mattermost's API v4: search (browse and
join), autocomplete (`~channel` mentions) and search autocomplete (the channel switcher).

Private channels appear only to their members, and direct and group messages, which
belong to no team, never appear (SECURITY.md 2).
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from apps.channels.api.schema import ChannelSerializer
from apps.channels.selectors import (
    channel_autocomplete,
    channel_search,
    channel_search_autocomplete,
)
from apps.channels.wire import channel_to_wire
from apps.core.api.base import (
    BAD_BODY_PARAM,
    AuthenticatedRequest,
    BaseApi,
    body_object,
    flag_field,
)
from apps.core.api.schema import errors, query_param
from apps.core.errors import InvalidInput

_NAME = query_param("name", "The prefix of a channel's name or display name, or of a word.")


class ChannelSearchRequestSerializer(serializers.Serializer):
    term = serializers.CharField(
        allow_blank=True,
        help_text="The start of a channel's name or display name, or of a word of them; "
        "blank matches every channel.",
    )
    include_deleted = serializers.BooleanField(
        required=False, help_text="Include archived public channels."
    )


class ChannelSearchApi(BaseApi):
    """`POST /teams/{team_id}/channels/search` `{term, include_deleted?}`."""

    @extend_schema(
        operation_id="SearchChannels",
        tags=["channels"],
        summary="Search a team's public channels",
        description="Public channels only, by display name, at most 100; for the team's "
        "members and system admins.",
        request=ChannelSearchRequestSerializer,
        responses={200: ChannelSerializer(many=True), **errors(400, 401, 404)},
    )
    def post(self, request: AuthenticatedRequest, team_id: str) -> Response:
        body = body_object(request)
        term = body.get("term")
        if not isinstance(term, str):
            raise InvalidInput("term must be a string.", error_id=BAD_BODY_PARAM)
        include_deleted = flag_field(body, "include_deleted")
        channels = channel_search(
            actor=request.user,
            team_id=team_id,
            term=term,
            include_deleted=bool(include_deleted),
        )
        return Response([channel_to_wire(c) for c in channels])


class ChannelAutocompleteApi(BaseApi):
    """`GET /teams/{team_id}/channels/autocomplete?name=`."""

    @extend_schema(
        operation_id="AutocompleteChannelsForTeam",
        tags=["channels"],
        summary="Channels of a team you may join or are in, by prefix",
        description="The team's live public channels and your own private ones, by "
        "display name, at most 50.",
        responses={200: ChannelSerializer(many=True), **errors(401, 404)},
        parameters=[_NAME],
    )
    def get(self, request: AuthenticatedRequest, team_id: str) -> Response:
        channels = channel_autocomplete(
            actor=request.user, team_id=team_id, name=request.query_params.get("name", "")
        )
        return Response([channel_to_wire(c) for c in channels])


class ChannelSearchAutocompleteApi(BaseApi):
    """`GET /teams/{team_id}/channels/search_autocomplete?name=`."""

    @extend_schema(
        operation_id="AutocompleteChannelsForTeamForSearch",
        tags=["channels"],
        summary="Your channels of a team, by prefix",
        description="The live public and private channels of the team you are in, by "
        "display name, at most 50 (the channel switcher).",
        responses={200: ChannelSerializer(many=True), **errors(401, 404)},
        parameters=[_NAME],
    )
    def get(self, request: AuthenticatedRequest, team_id: str) -> Response:
        channels = channel_search_autocomplete(
            actor=request.user, team_id=team_id, name=request.query_params.get("name", "")
        )
        return Response([channel_to_wire(c) for c in channels])
