"""Channels, channel members and read state over Mattermost's API v4.

Posts of a channel (`/channels/{id}/posts`, `/channels/{id}/pinned`) belong to the
posts API.
"""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from apps.channels.api.schema import (
    ChannelCreateRequestSerializer,
    ChannelMemberAddRequestSerializer,
    ChannelMemberSerializer,
    ChannelNotifyPropsRequestSerializer,
    ChannelPatchRequestSerializer,
    ChannelSerializer,
    ChannelStatsSerializer,
    ChannelUnreadSerializer,
    ChannelUpdateRequestSerializer,
    ChannelViewRequestSerializer,
    ChannelViewResponseSerializer,
)
from apps.channels.permissions import access_channel
from apps.channels.selectors import (
    channel_get_by_name,
    channel_get_by_team_name,
    channel_list_for_user,
    channel_list_public,
    channel_member_get,
    channel_member_list,
    channel_member_list_for_user,
    channel_stats,
    channel_unread,
)
from apps.channels.services import (
    channel_archive,
    channel_create,
    channel_get_or_create_direct_between,
    channel_get_or_create_group,
    channel_member_add,
    channel_member_remove,
    channel_member_set_admin,
    channel_member_update_notify_props,
    channel_unarchive,
    channel_update,
    channel_view,
)
from apps.channels.wire import channel_member_to_wire, channel_to_wire
from apps.core.api.base import (
    AuthenticatedRequest,
    BaseApi,
    body_list,
    body_object,
    paged,
    query_flag,
    resolve_user_id,
    scheme_admin_from_roles,
    status_ok,
    text_field,
)
from apps.core.api.schema import (
    INCLUDE_DELETED,
    PAGING,
    STATUS_OK,
    RolesRequestSerializer,
    errors,
    string_array,
)
from apps.core.errors import InvalidInput, PermissionDenied
from apps.core.ids import is_valid_id
from apps.teams.permissions import access_team

# ChannelPatch's fields; anything else a client sends along is ignored, as Go's decoder does.
CHANNEL_PATCH_FIELDS = ("display_name", "name", "header", "purpose")


def _check_self(request: AuthenticatedRequest, user_id: str) -> None:
    # Writes to someone else's read state or settings are not offered, even to admins.
    if user_id != request.user.id:
        raise PermissionDenied("You can only change your own channel settings and read state.")


def _valid_id_field(body: dict[str, Any], name: str, *, required: bool = True) -> str:
    value = text_field(body, name)
    if (value or required) and not is_valid_id(value):
        raise InvalidInput(
            f"{name} must be a valid id.", error_id="api.context.invalid_body_param.app_error"
        )
    return value


# --- channels -------------------------------------------------------------------------------


class ChannelCreateApi(BaseApi):
    """`POST /channels` `{team_id, name, display_name, type, purpose?, header?}` (201)."""

    @extend_schema(
        operation_id="CreateChannel",
        tags=["channels"],
        request=ChannelCreateRequestSerializer,
        responses={201: ChannelSerializer, **errors(400, 401, 403, 404)},
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        body = body_object(request)
        team_id = _valid_id_field(body, "team_id")
        team, _membership = access_team(actor=request.user, team_id=team_id)
        channel = channel_create(
            actor=request.user,
            team=team,
            name=text_field(body, "name"),
            display_name=text_field(body, "display_name"),
            channel_type=text_field(body, "type"),
            purpose=text_field(body, "purpose"),
            header=text_field(body, "header"),
        )
        return Response(channel_to_wire(channel), status=201)


class ChannelDetailApi(BaseApi):
    """`GET`, `PUT` (full update) and `DELETE` (archive) `/channels/{channel_id}`."""

    @extend_schema(
        operation_id="GetChannel",
        tags=["channels"],
        responses={200: ChannelSerializer, **errors(401, 403, 404)},
    )
    def get(self, request: AuthenticatedRequest, channel_id: str) -> Response:
        channel, _membership = access_channel(actor=request.user, channel_id=channel_id)
        return Response(channel_to_wire(channel))

    @extend_schema(
        operation_id="UpdateChannel",
        tags=["channels"],
        request=ChannelUpdateRequestSerializer,
        responses={200: ChannelSerializer, **errors(400, 401, 403, 404)},
    )
    def put(self, request: AuthenticatedRequest, channel_id: str) -> Response:
        body = body_object(request)
        if body.get("id") != channel_id:
            raise InvalidInput(
                "The channel id in the body must be the one of the URL.",
                error_id="api.context.invalid_body_param.app_error",
            )
        # Mattermost's full update: header and purpose are replaced (absent means
        # empty), display name, name and type only when given.
        patch: dict[str, Any] = {
            "header": text_field(body, "header"),
            "purpose": text_field(body, "purpose"),
        }
        for field in ("display_name", "name", "type"):
            if text_field(body, field):
                patch[field] = body[field]
        channel = channel_update(actor=request.user, channel_id=channel_id, patch=patch)
        return Response(channel_to_wire(channel))

    @extend_schema(
        operation_id="DeleteChannel",
        tags=["channels"],
        summary="Archive a channel",
        responses={200: STATUS_OK, **errors(400, 401, 403, 404)},
    )
    def delete(self, request: AuthenticatedRequest, channel_id: str) -> Response:
        channel_archive(actor=request.user, channel_id=channel_id)
        return status_ok()


class ChannelPatchApi(BaseApi):
    """`PUT /channels/{channel_id}/patch`: the fields given (not null) change."""

    @extend_schema(
        operation_id="PatchChannel",
        tags=["channels"],
        request=ChannelPatchRequestSerializer,
        responses={200: ChannelSerializer, **errors(400, 401, 403, 404)},
    )
    def put(self, request: AuthenticatedRequest, channel_id: str) -> Response:
        body = body_object(request)
        patch = {k: body[k] for k in CHANNEL_PATCH_FIELDS if body.get(k) is not None}
        if not patch:
            raise InvalidInput(
                "Nothing to change.",
                error_id="api.channel.patch_update_channel.no_changes.app_error",
            )
        channel = channel_update(actor=request.user, channel_id=channel_id, patch=patch)
        return Response(channel_to_wire(channel))


class ChannelRestoreApi(BaseApi):
    """`POST /channels/{channel_id}/restore`: unarchive."""

    @extend_schema(
        operation_id="RestoreChannel",
        tags=["channels"],
        summary="Unarchive a channel",
        request=None,
        responses={200: ChannelSerializer, **errors(400, 401, 403, 404)},
    )
    def post(self, request: AuthenticatedRequest, channel_id: str) -> Response:
        channel = channel_unarchive(actor=request.user, channel_id=channel_id)
        return Response(channel_to_wire(channel))


class ChannelStatsApi(BaseApi):
    """`GET /channels/{channel_id}/stats`."""

    @extend_schema(
        operation_id="GetChannelStats",
        tags=["channels"],
        responses={200: ChannelStatsSerializer, **errors(401, 403, 404)},
    )
    def get(self, request: AuthenticatedRequest, channel_id: str) -> Response:
        return Response(channel_stats(actor=request.user, channel_id=channel_id))


class DirectChannelCreateApi(BaseApi):
    """`POST /channels/direct` `[user_id, user_id]`: 201 for a new and an existing one."""

    @extend_schema(
        operation_id="CreateDirectChannel",
        tags=["channels"],
        summary="Get or create the direct channel of two users",
        request=string_array("The two user ids.", max_items=2),
        responses={201: ChannelSerializer, **errors(400, 401, 403, 404)},
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        channel = channel_get_or_create_direct_between(
            actor=request.user, user_ids=body_list(request, max_items=2)
        )
        return Response(channel_to_wire(channel), status=201)


class GroupChannelCreateApi(BaseApi):
    """`POST /channels/group` `[user_id, ...]`: the caller is added if absent (201)."""

    @extend_schema(
        operation_id="CreateGroupChannel",
        tags=["channels"],
        summary="Get or create a group channel (the caller is added)",
        request=string_array("User ids.", max_items=100),
        responses={201: ChannelSerializer, **errors(400, 401, 403, 404)},
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        channel = channel_get_or_create_group(
            actor=request.user, user_ids=body_list(request, max_items=100)
        )
        return Response(channel_to_wire(channel), status=201)


# --- listings ------------------------------------------------------------------------------


class TeamPublicChannelListApi(BaseApi):
    """`GET /teams/{team_id}/channels`: live public channels, paged."""

    @extend_schema(
        operation_id="GetPublicChannelsForTeam",
        tags=["channels"],
        responses={200: ChannelSerializer(many=True), **errors(401, 403, 404)},
        parameters=PAGING,
    )
    def get(self, request: AuthenticatedRequest, team_id: str) -> Response:
        channels = paged(channel_list_public(actor=request.user, team_id=team_id), request)
        return Response([channel_to_wire(c) for c in channels])


class ChannelByNameApi(BaseApi):
    """`GET /teams/{team_id}/channels/name/{channel_name}` (`include_deleted`)."""

    @extend_schema(
        operation_id="GetChannelByName",
        tags=["channels"],
        responses={200: ChannelSerializer, **errors(401, 403, 404)},
        parameters=[INCLUDE_DELETED],
    )
    def get(self, request: AuthenticatedRequest, team_id: str, channel_name: str) -> Response:
        channel = channel_get_by_name(
            actor=request.user,
            team_id=team_id,
            name=channel_name,
            include_deleted=query_flag(request, "include_deleted"),
        )
        return Response(channel_to_wire(channel))


class ChannelByTeamNameApi(BaseApi):
    """`GET /teams/name/{team_name}/channels/name/{channel_name}` (`include_deleted`)."""

    @extend_schema(
        operation_id="GetChannelByNameForTeamName",
        tags=["channels"],
        responses={200: ChannelSerializer, **errors(401, 403, 404)},
        parameters=[INCLUDE_DELETED],
    )
    def get(self, request: AuthenticatedRequest, team_name: str, channel_name: str) -> Response:
        channel = channel_get_by_team_name(
            actor=request.user,
            team_name=team_name,
            name=channel_name,
            include_deleted=query_flag(request, "include_deleted"),
        )
        return Response(channel_to_wire(channel))


class UserTeamChannelListApi(BaseApi):
    """`GET /users/{user_id}/teams/{team_id}/channels`: the user's channels of the team,
    with their direct and group messages."""

    @extend_schema(
        operation_id="GetChannelsForTeamForUser",
        tags=["channels"],
        summary="A user's channels of a team, with their direct and group channels",
        responses={200: ChannelSerializer(many=True), **errors(401, 403, 404)},
        parameters=[INCLUDE_DELETED],
    )
    def get(self, request: AuthenticatedRequest, user_id: str, team_id: str) -> Response:
        channels = channel_list_for_user(
            actor=request.user,
            user_id=resolve_user_id(request, user_id),
            team_id=team_id,
            include_deleted=query_flag(request, "include_deleted"),
        )
        return Response([channel_to_wire(c) for c in channels])


class UserChannelListApi(BaseApi):
    """`GET /users/{user_id}/channels`: the user's channels of every team."""

    @extend_schema(
        operation_id="GetChannelsForUser",
        tags=["channels"],
        summary="A user's channels of every team",
        responses={200: ChannelSerializer(many=True), **errors(401, 403, 404)},
        parameters=[INCLUDE_DELETED],
    )
    def get(self, request: AuthenticatedRequest, user_id: str) -> Response:
        channels = channel_list_for_user(
            actor=request.user,
            user_id=resolve_user_id(request, user_id),
            include_deleted=query_flag(request, "include_deleted"),
        )
        return Response([channel_to_wire(c) for c in channels])


class UserTeamChannelMemberListApi(BaseApi):
    """`GET /users/{user_id}/teams/{team_id}/channels/members`."""

    @extend_schema(
        operation_id="GetChannelMembersForUser",
        tags=["channels"],
        responses={200: ChannelMemberSerializer(many=True), **errors(401, 403, 404)},
    )
    def get(self, request: AuthenticatedRequest, user_id: str, team_id: str) -> Response:
        members = channel_member_list_for_user(
            actor=request.user, user_id=resolve_user_id(request, user_id), team_id=team_id
        )
        return Response([channel_member_to_wire(m) for m in members])


# --- members and read state ------------------------------------------------------------------


class ChannelMemberListAddApi(BaseApi):
    """`GET /channels/{channel_id}/members` (paged); `POST` `{user_id}` adds one (201)."""

    @extend_schema(
        operation_id="GetChannelMembers",
        tags=["channels"],
        responses={200: ChannelMemberSerializer(many=True), **errors(401, 403, 404)},
        parameters=PAGING,
    )
    def get(self, request: AuthenticatedRequest, channel_id: str) -> Response:
        members = paged(channel_member_list(actor=request.user, channel_id=channel_id), request)
        return Response([channel_member_to_wire(m) for m in members])

    @extend_schema(
        operation_id="AddChannelMember",
        tags=["channels"],
        request=ChannelMemberAddRequestSerializer,
        responses={201: ChannelMemberSerializer, **errors(400, 401, 403, 404)},
    )
    def post(self, request: AuthenticatedRequest, channel_id: str) -> Response:
        user_id = _valid_id_field(body_object(request), "user_id")
        member = channel_member_add(actor=request.user, channel_id=channel_id, user_id=user_id)
        return Response(channel_member_to_wire(member), status=201)


class ChannelMemberDetailApi(BaseApi):
    """`GET /channels/{channel_id}/members/{user_id}`; `DELETE` leaves or removes."""

    @extend_schema(
        operation_id="GetChannelMember",
        tags=["channels"],
        responses={200: ChannelMemberSerializer, **errors(401, 403, 404)},
    )
    def get(self, request: AuthenticatedRequest, channel_id: str, user_id: str) -> Response:
        member = channel_member_get(
            actor=request.user, channel_id=channel_id, user_id=resolve_user_id(request, user_id)
        )
        return Response(channel_member_to_wire(member))

    @extend_schema(
        operation_id="RemoveUserFromChannel",
        tags=["channels"],
        summary="Leave a channel, or remove a member",
        responses={200: STATUS_OK, **errors(400, 401, 403, 404)},
    )
    def delete(self, request: AuthenticatedRequest, channel_id: str, user_id: str) -> Response:
        channel_member_remove(
            actor=request.user, channel_id=channel_id, user_id=resolve_user_id(request, user_id)
        )
        return status_ok()


class ChannelMemberRolesApi(BaseApi):
    """`PUT /channels/{channel_id}/members/{user_id}/roles` `{roles}`."""

    @extend_schema(
        operation_id="UpdateChannelRoles",
        tags=["channels"],
        request=RolesRequestSerializer,
        responses={200: STATUS_OK, **errors(400, 401, 403, 404)},
    )
    def put(self, request: AuthenticatedRequest, channel_id: str, user_id: str) -> Response:
        admin = scheme_admin_from_roles(body_object(request), scope="channel")
        channel_member_set_admin(
            actor=request.user,
            channel_id=channel_id,
            user_id=resolve_user_id(request, user_id),
            admin=admin,
        )
        return status_ok()


class ChannelMemberNotifyPropsApi(BaseApi):
    """`PUT /channels/{channel_id}/members/{user_id}/notify_props`: your own settings."""

    @extend_schema(
        operation_id="UpdateChannelNotifyProps",
        tags=["channels"],
        summary="Change your own notification settings for a channel",
        request=ChannelNotifyPropsRequestSerializer,
        responses={200: STATUS_OK, **errors(400, 401, 403, 404)},
    )
    def put(self, request: AuthenticatedRequest, channel_id: str, user_id: str) -> Response:
        _check_self(request, resolve_user_id(request, user_id))
        channel_member_update_notify_props(
            actor=request.user, channel_id=channel_id, props=body_object(request)
        )
        return status_ok()


class ChannelViewApi(BaseApi):
    """`POST /channels/members/{user_id}/view` `{channel_id, prev_channel_id?}`.

    Marks `channel_id` read; an empty `channel_id` (focus lost) marks nothing.
    """

    @extend_schema(
        operation_id="ViewChannel",
        tags=["channels"],
        summary="Mark a channel read (your own read state)",
        request=ChannelViewRequestSerializer,
        responses={200: ChannelViewResponseSerializer, **errors(400, 401, 403, 404)},
    )
    def post(self, request: AuthenticatedRequest, user_id: str) -> Response:
        _check_self(request, resolve_user_id(request, user_id))
        body = body_object(request)
        channel_id = _valid_id_field(body, "channel_id", required=False)
        _valid_id_field(body, "prev_channel_id", required=False)
        times = {}
        if channel_id:
            times[channel_id] = channel_view(actor=request.user, channel_id=channel_id)
        return status_ok(last_viewed_at_times=times)


class ChannelUnreadApi(BaseApi):
    """`GET /users/{user_id}/channels/{channel_id}/unread`."""

    @extend_schema(
        operation_id="GetChannelUnread",
        tags=["channels"],
        responses={200: ChannelUnreadSerializer, **errors(401, 403, 404)},
    )
    def get(self, request: AuthenticatedRequest, user_id: str, channel_id: str) -> Response:
        return Response(
            channel_unread(
                actor=request.user,
                channel_id=channel_id,
                user_id=resolve_user_id(request, user_id),
            )
        )
