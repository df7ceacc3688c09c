"""Presence status and preferences over Mattermost's API v4."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from apps.accounts.api.params import string_list, target_user
from apps.accounts.api.schema import (
    CustomStatusSerializer,
    PreferenceSerializer,
    StatusSerializer,
    StatusUpdateRequestSerializer,
)
from apps.accounts.selectors import (
    preference_get,
    preference_list,
    status_get,
    status_list_by_ids,
)
from apps.accounts.services.preferences import preference_delete, preference_save
from apps.accounts.services.users import user_custom_status_clear, user_custom_status_set
from apps.accounts.wire import preference_to_wire, status_to_wire
from apps.core.api.base import (
    AuthenticatedRequest,
    BaseApi,
    body_list,
    body_object,
    status_ok,
    text_field,
)
from apps.core.api.schema import STATUS_OK, errors, string_array
from apps.core.errors import InvalidInput
from apps.core.ids import is_valid_id
from apps.realtime.services import user_status_set


class UserStatusApi(BaseApi):
    """`GET /users/{user_id}/status`; `PUT` `{user_id, status, dnd_end_time?}` sets it."""

    @extend_schema(
        operation_id="GetUserStatus",
        tags=["status"],
        responses={200: StatusSerializer, **errors(401, 404)},
    )
    def get(self, request: AuthenticatedRequest, user_id: str) -> Response:
        return Response(status_get(actor=request.user, user=target_user(request, user_id)))

    @extend_schema(
        operation_id="UpdateUserStatus",
        tags=["status"],
        request=StatusUpdateRequestSerializer,
        responses={200: StatusSerializer, **errors(400, 401, 403, 404)},
    )
    def put(self, request: AuthenticatedRequest, user_id: str) -> Response:
        user = target_user(request, user_id)
        body = body_object(request)
        if body.get("user_id") and body["user_id"] != user.id:
            raise InvalidInput("The body's user_id is not the user of the URL.")
        row = user_status_set(
            actor=request.user,
            user=user,
            status=text_field(body, "status"),
            dnd_end_time=body.get("dnd_end_time") or 0,
        )
        return Response(status_to_wire(user.id, row))


class UserCustomStatusApi(BaseApi):
    """`PUT /users/{user_id}/status/custom` sets the emoji and text shown by a user's name;
    `DELETE` clears them. Both answer `{"status": "OK"}`; the user object carries the
    status in `props.customStatus`."""

    @extend_schema(
        operation_id="UpdateUserCustomStatus",
        tags=["status"],
        request=CustomStatusSerializer,
        responses={200: STATUS_OK, **errors(400, 401, 403, 404)},
    )
    def put(self, request: AuthenticatedRequest, user_id: str) -> Response:
        body = body_object(request)
        user_custom_status_set(
            actor=request.user,
            user=target_user(request, user_id),
            emoji=body.get("emoji"),
            text=body.get("text"),
            duration=body.get("duration"),
            expires_at=body.get("expires_at"),
        )
        return status_ok()

    @extend_schema(
        operation_id="RemoveUserCustomStatus",
        tags=["status"],
        request=None,
        responses={200: STATUS_OK, **errors(401, 403, 404)},
    )
    def delete(self, request: AuthenticatedRequest, user_id: str) -> Response:
        user_custom_status_clear(actor=request.user, user=target_user(request, user_id))
        return status_ok()


class StatusByIdsApi(BaseApi):
    """`POST /users/status/ids`: one status per id; unknown accounts are offline."""

    @extend_schema(
        operation_id="GetUsersStatusesByIds",
        tags=["status"],
        summary="One status per id; unknown accounts are offline",
        request=string_array("User ids."),
        responses={200: StatusSerializer(many=True), **errors(400, 401)},
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        user_ids = string_list(request, "user ids")
        if not all(is_valid_id(u) for u in user_ids):
            raise InvalidInput(
                "Every user id must be 26 letters or digits.",
                error_id="api.context.invalid_body_param.app_error",
            )
        return Response(status_list_by_ids(actor=request.user, user_ids=user_ids))


class PreferenceListApi(BaseApi):
    """`GET /users/{user_id}/preferences`; `PUT` saves an array of them."""

    @extend_schema(
        operation_id="GetPreferences",
        tags=["preferences"],
        responses={200: PreferenceSerializer(many=True), **errors(401, 403, 404)},
    )
    def get(self, request: AuthenticatedRequest, user_id: str) -> Response:
        prefs = preference_list(actor=request.user, user=target_user(request, user_id))
        return Response([preference_to_wire(p) for p in prefs])

    @extend_schema(
        operation_id="UpdatePreferences",
        tags=["preferences"],
        summary="Save preferences",
        request=PreferenceSerializer(many=True),
        responses={200: STATUS_OK, **errors(400, 401, 403, 404)},
    )
    def put(self, request: AuthenticatedRequest, user_id: str) -> Response:
        preference_save(
            actor=request.user, user=target_user(request, user_id), preferences=body_list(request)
        )
        return status_ok()


class PreferenceDeleteApi(BaseApi):
    """`POST /users/{user_id}/preferences/delete` with an array of preferences."""

    @extend_schema(
        operation_id="DeletePreferences",
        tags=["preferences"],
        request=PreferenceSerializer(many=True),
        responses={200: STATUS_OK, **errors(400, 401, 403, 404)},
    )
    def post(self, request: AuthenticatedRequest, user_id: str) -> Response:
        preference_delete(
            actor=request.user, user=target_user(request, user_id), preferences=body_list(request)
        )
        return status_ok()


class PreferenceCategoryApi(BaseApi):
    """`GET /users/{user_id}/preferences/{category}`."""

    @extend_schema(
        operation_id="GetPreferencesByCategory",
        tags=["preferences"],
        responses={200: PreferenceSerializer(many=True), **errors(401, 403, 404)},
    )
    def get(self, request: AuthenticatedRequest, user_id: str, category: str) -> Response:
        prefs = preference_list(
            actor=request.user, user=target_user(request, user_id), category=category
        )
        return Response([preference_to_wire(p) for p in prefs])


class PreferenceDetailApi(BaseApi):
    """`GET /users/{user_id}/preferences/{category}/name/{name}`: one, or 404."""

    @extend_schema(
        operation_id="GetPreferenceByCategoryAndName",
        tags=["preferences"],
        responses={200: PreferenceSerializer, **errors(401, 403, 404)},
    )
    def get(
        self, request: AuthenticatedRequest, user_id: str, category: str, name: str
    ) -> Response:
        pref = preference_get(
            actor=request.user, user=target_user(request, user_id), category=category, name=name
        )
        return Response(preference_to_wire(pref))
