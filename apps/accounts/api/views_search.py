"""User search over Mattermost's API v4: `POST /users/search`."""

from typing import TYPE_CHECKING, Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from apps.accounts.api.schema import UserSerializer
from apps.accounts.selectors import (
    USER_SEARCH_LIMIT_DEFAULT,
    USER_SEARCH_LIMIT_MAX,
    user_search,
)
from apps.accounts.wire import user_to_wire
from apps.channels.permissions import access_channel
from apps.core.api.base import (
    BAD_BODY_PARAM,
    AuthenticatedRequest,
    BaseApi,
    body_object,
    flag_field,
    text_field,
)
from apps.core.api.schema import errors
from apps.core.errors import InvalidInput
from apps.teams.permissions import access_team, check_team_member

if TYPE_CHECKING:
    from apps.accounts.models import User
    from apps.channels.models import Channel
    from apps.teams.models import Team


class UserSearchRequestSerializer(serializers.Serializer):
    """Mattermost's UserSearch; every filter given must hold."""

    term = serializers.CharField(
        help_text="Each word starts the username, first or last name or nickname "
        "(and, for system admins, the e-mail address); a leading @ is ignored."
    )
    team_id = serializers.CharField(required=False, help_text="Only members of this team.")
    not_in_team_id = serializers.CharField(required=False, help_text="Only non-members.")
    in_channel_id = serializers.CharField(required=False, help_text="Only its members.")
    not_in_channel_id = serializers.CharField(
        required=False, help_text="Only those not in this channel; needs team_id."
    )
    group_constrained = serializers.BooleanField(
        required=False, help_text="Accepted; Confab has no group-synced teams or channels."
    )
    allow_inactive = serializers.BooleanField(
        required=False, help_text="Include deactivated accounts (system admins only)."
    )
    without_team = serializers.BooleanField(
        required=False,
        help_text="Only accounts in no team (system admins); overrides the team and "
        "channel filters.",
    )
    limit = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=USER_SEARCH_LIMIT_MAX,
        help_text=f"At most this many users (default {USER_SEARCH_LIMIT_DEFAULT}).",
    )


def _limit(body: dict[str, Any]) -> int:
    """Absent, null or 0 is the default (Go's zero value); anything but a number is a 400."""
    value = body.get("limit")
    if value is None or value == 0:
        return USER_SEARCH_LIMIT_DEFAULT
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput("limit must be a number.", error_id=BAD_BODY_PARAM)
    return value


def _member_team(actor: "User", team_id: str) -> "Team | None":
    """A team filter: a team the actor is in (system admins: any); 404 otherwise."""
    if not team_id:
        return None
    team, membership = access_team(actor=actor, team_id=team_id)
    check_team_member(actor=actor, team=team, membership=membership)
    return team


def _readable_channel(actor: "User", channel_id: str) -> "Channel | None":
    """A channel filter: one the actor may read; missing and hidden are the same 404."""
    return access_channel(actor=actor, channel_id=channel_id)[0] if channel_id else None


class UserSearchApi(BaseApi):
    """`POST /users/search` `{term, team_id?, not_in_team_id?, in_channel_id?, ...}`."""

    @extend_schema(
        operation_id="SearchUsers",
        tags=["users"],
        summary="Users whose names start with the words of a term",
        description="Ordered by username. Teams must be ones the caller is in (system "
        "admins: any) and channels ones the caller may read; others answer 404.",
        request=UserSearchRequestSerializer,
        responses={200: UserSerializer(many=True), **errors(400, 401, 403, 404)},
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        actor, body = request.user, body_object(request)
        term = body.get("term")
        if not isinstance(term, str) or not term.strip():
            raise InvalidInput("term must be a non-blank string.", error_id=BAD_BODY_PARAM)
        ids = {
            name: text_field(body, name, error_id=BAD_BODY_PARAM)
            for name in ("team_id", "not_in_team_id", "in_channel_id", "not_in_channel_id")
        }
        if ids["not_in_channel_id"] and not ids["team_id"]:
            raise InvalidInput("not_in_channel_id needs team_id.", error_id=BAD_BODY_PARAM)
        flag_field(body, "group_constrained")  # validated; no group-synced objects exist
        without_team, allow_inactive = (
            flag_field(body, "without_team"),
            flag_field(body, "allow_inactive"),
        )
        limit = _limit(body)
        users = user_search(
            actor=actor,
            term=term,
            in_team=_member_team(actor, ids["team_id"]),
            not_in_team=_member_team(actor, ids["not_in_team_id"]),
            in_channel=_readable_channel(actor, ids["in_channel_id"]),
            not_in_channel=_readable_channel(actor, ids["not_in_channel_id"]),
            without_team=without_team,
            allow_inactive=allow_inactive,
            limit=limit,
        )
        return Response([user_to_wire(user, viewer=actor) for user in users])
