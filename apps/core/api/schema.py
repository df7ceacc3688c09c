"""OpenAPI components shared by every app: the AppError envelope, StatusOK, paging.

These serializers only document the wire shapes for drf-spectacular; the views render
with the wire functions (apps/*/wire.py) and never run them. Each app's `api/schema.py`
holds the components of its own objects.
"""

from typing import Any

from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers
from rest_framework.request import Request


class AppErrorSerializer(serializers.Serializer):
    """Mattermost's AppError: the body of every error response."""

    id = serializers.CharField(help_text="Stable error id, e.g. api.context.404.app_error.")
    message = serializers.CharField(help_text="Human-readable explanation.")
    detailed_error = serializers.CharField(allow_blank=True)
    request_id = serializers.CharField(allow_blank=True, help_text="Same as X-Request-ID.")
    status_code = serializers.IntegerField()


class StatusOKSerializer(serializers.Serializer):
    """`{"status": "OK"}`: the answer of actions that return no object."""

    status = serializers.CharField(help_text='Always "OK".')


class SystemPingSerializer(serializers.Serializer):
    status = serializers.CharField(help_text='"OK" while the server is up.')
    ActiveSearchBackend = serializers.CharField()  # Mattermost spells it so


class RolesRequestSerializer(serializers.Serializer):
    """A space-separated role list, as users, team and channel members carry."""

    roles = serializers.CharField()


def string_array(description: str, *, max_items: int = 1000) -> dict[str, dict]:
    """A JSON array of strings as a request body (ids, usernames)."""
    schema = {
        "type": "array",
        "items": {"type": "string"},
        "maxItems": max_items,
        "description": description,
    }
    return {"application/json": schema}


_ERROR_TEXT = {
    400: "Invalid input (AppError).",
    401: "No valid session or token (AppError).",
    403: "Not permitted (AppError).",
    404: "No such object, or not visible to the caller (AppError).",
    413: "Too large (AppError).",
    429: "Rate limited (AppError).",
    501: "Not offered by this server (AppError).",
    502: "An integration this server called could not be reached (AppError).",
}


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    """AppError responses for the given status codes."""
    return {
        code: OpenApiResponse(response=AppErrorSerializer, description=_ERROR_TEXT[code])
        for code in codes
    }


def ok(serializer: object, description: str = "") -> OpenApiResponse:
    return OpenApiResponse(response=serializer, description=description)


STATUS_OK = OpenApiResponse(response=StatusOKSerializer, description='`{"status": "OK"}`.')


def query_param(
    name: str, description: str, type_: OpenApiTypes | type = OpenApiTypes.STR, **kwargs: Any
) -> OpenApiParameter:
    return OpenApiParameter(name, type_, OpenApiParameter.QUERY, description=description, **kwargs)


def flag_param(name: str, description: str) -> OpenApiParameter:
    """A boolean flag read as Go's ParseBool reads it (`true`, `1`, `t`...)."""
    return query_param(name, description, OpenApiTypes.BOOL)


PAGE = query_param("page", "Zero-based page number (default 0).", OpenApiTypes.INT)
PER_PAGE = query_param("per_page", "Items per page (default 60, at most 200).", OpenApiTypes.INT)
PAGING = [PAGE, PER_PAGE]
INCLUDE_DELETED = flag_param("include_deleted", "Include deleted/archived objects.")


# --- path parameters --------------------------------------------------------------------------

_PATH_PARAMETERS = {
    "user_id": "A user id, or `me` for the caller.",
    "bot_user_id": "The bot's user id.",
    "team_id": "A team id.",
    "channel_id": "A channel id.",
    "post_id": "A post id.",
    "file_id": "A file id.",
    "token_id": "A personal access token id.",
    "team_name": "A team's name (URL slug).",
    "channel_name": "A channel's name.",
    "emoji_name": "An emoji name, without colons.",
}


def describe_path_parameters(
    result: dict[str, Any], generator: SchemaGenerator, request: Request | None, public: bool
) -> dict[str, Any]:
    """POSTPROCESSING_HOOKS entry: describe the common path parameters once, here,
    instead of on every view (their type, string, comes from the `<str:...>` routes)."""
    for path, item in result.get("paths", {}).items():
        for operation in item.values():
            for parameter in operation.get("parameters", []):
                text = _PATH_PARAMETERS.get(parameter["name"])
                if parameter["in"] != "path" or not text or "description" in parameter:
                    continue
                if parameter["name"] == "user_id" and path.startswith("/api/v4/bots/"):
                    text = "A user id."  # the new owner: `me` is not resolved there
                parameter["description"] = text
    return result
