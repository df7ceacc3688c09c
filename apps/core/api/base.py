"""The base every API view inherits: Mattermost's auth, JSON and error conventions.

A view stays thin: parse input, resolve URL objects with `access_*`, call one service
or selector, render with a wire function, return.
"""

from typing import TYPE_CHECKING, Any

from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.errors import InvalidInput
from apps.core.paging import PER_PAGE_DEFAULT, clamp_paging

if TYPE_CHECKING:
    # Named for the type checker only: core imports no other app at run time.
    from apps.accounts.models import User


class BaseApi(APIView):
    """Authenticated by default; authentication, parsers and renderer from settings."""

    permission_classes = [IsAuthenticated]


class AuthenticatedRequest(Request):
    """The request a BaseApi handler receives: IsAuthenticated has let only accounts in.

    Django and DRF type `request.user` as "user or anonymous"; annotating a handler's
    `request` with this class tells the type checker what IsAuthenticated guarantees, so
    the services get the `User` they ask for. A PublicApi handler keeps `Request`.
    """

    user: "User"


class PublicApi(BaseApi):
    """For the few endpoints open without a session (login, ping, sign-up)."""

    permission_classes = []  # open on purpose
    authentication_classes = []  # no session to read


def body_object(request: Request) -> dict[str, Any]:
    """The JSON body as an object; `null` and an empty body count as `{}`."""
    data = request.data
    if data is None:
        return {}
    if not hasattr(data, "get") or isinstance(data, list):
        raise InvalidInput(
            "The request body must be a JSON object.",
            error_id="api.context.invalid_body_param.app_error",
        )
    return {k: (None if v is None else v) for k, v in data.items()}


def body_list(request: Request, *, max_items: int = 1000) -> list[Any]:
    """The JSON body as an array, bounded in length."""
    data = request.data
    if not isinstance(data, list):
        raise InvalidInput(
            "The request body must be a JSON array.",
            error_id="api.context.invalid_body_param.app_error",
        )
    if len(data) > max_items:
        raise InvalidInput(
            f"At most {max_items} items per request.",
            error_id="api.context.invalid_body_param.app_error",
        )
    return data


BAD_BODY_PARAM = "api.context.invalid_body_param.app_error"


def text_field(body: dict[str, Any], name: str, *, error_id: str | None = None) -> str:
    """A string field where `null` or absence mean empty, anything else is refused."""
    value = body.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidInput(f"{name} must be a string.", error_id=error_id)
    return value


# Go's int: a JSON number outside it fails Mattermost's body decoding.
_GO_INT_MIN, _GO_INT_MAX = -(2**63), 2**63 - 1


def int_field(body: dict[str, Any], name: str, *, default: int, minimum: int | None = None) -> int:
    """A whole-number field where `null` or absence mean `default`; `true`, `1.0`, `"1"`
    and numbers beyond a 64-bit integer are refused, as Mattermost's JSON decoding refuses
    them."""
    value = body.get(name)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{name} must be a whole number.", error_id=BAD_BODY_PARAM)
    if not _GO_INT_MIN <= value <= _GO_INT_MAX:
        raise InvalidInput(f"{name} is out of range.", error_id=BAD_BODY_PARAM)
    if minimum is not None and value < minimum:
        raise InvalidInput(f"{name} must be at least {minimum}.", error_id=BAD_BODY_PARAM)
    return value


def flag_field(body: dict[str, Any], name: str) -> bool:
    """A boolean field where `null` or absence mean false; `"true"` or 1 are refused, as
    Mattermost's JSON decoding refuses them."""
    value = body.get(name)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise InvalidInput(f"{name} must be true or false.", error_id=BAD_BODY_PARAM)
    return value


def resolve_user_id(request: AuthenticatedRequest, user_id: str) -> str:
    """Mattermost's `me` alias for the caller in any user id path segment."""
    return request.user.id if user_id == "me" else user_id


def paging(request: Request) -> tuple[int, int]:
    """`?page=&per_page=`, clamped; anything unparsable is the default, never a 400."""
    return clamp_paging(
        request.query_params.get("page", 0), request.query_params.get("per_page", PER_PAGE_DEFAULT)
    )


def body_paging(body: dict[str, Any]) -> tuple[int, int]:
    """`page` and `per_page` of a JSON body: a wrong type, a negative page or a per_page
    under 1 is a 400; the rest is clamped as query paging is (an absurd page is empty)."""
    return clamp_paging(
        int_field(body, "page", default=0, minimum=0),
        int_field(body, "per_page", default=PER_PAGE_DEFAULT, minimum=1),
    )


def status_ok(**extra: Any) -> Response:
    return Response({"status": "OK", **extra})


def paged(items: Any, request: Request) -> Any:
    """One page of a queryset or list: `[]` past the end, never an error."""
    page, per_page = paging(request)
    return items[page * per_page : (page + 1) * per_page]


_TRUE = ("1", "t", "true")


def query_flag(request: Request, name: str) -> bool:
    """A boolean query parameter as Go's strconv.ParseBool reads it; anything else is false."""
    return request.query_params.get(name, "").strip().lower() in _TRUE


def scheme_admin_from_roles(body: dict[str, Any], *, scope: str) -> bool:
    """Read Mattermost's `{"roles": "<scope>_user[ <scope>_admin]"}` as "is admin".

    `scope` is "team" or "channel"; any other role in the string is refused.
    """
    user_role, admin_role = f"{scope}_user", f"{scope}_admin"
    roles = set(text_field(body, "roles").split())
    if user_role not in roles or not roles <= {user_role, admin_role}:
        raise InvalidInput(
            f"{scope.capitalize()} roles are '{user_role}' or '{user_role} {admin_role}'.",
            error_id="api.context.invalid_body_param.app_error",
        )
    return admin_role in roles
