"""Request parsing shared by the accounts endpoints (Mattermost's parameter rules)."""

from rest_framework.request import Request

from apps.accounts.models import User
from apps.accounts.selectors import user_get
from apps.core.api.base import AuthenticatedRequest, body_list, resolve_user_id
from apps.core.errors import InvalidInput


def target_user(request: AuthenticatedRequest, user_id: str) -> User:
    """The user named in the URL (`me` is the caller); 404 if there is none."""
    return user_get(actor=request.user, user_id=resolve_user_id(request, user_id))


def query_int(request: Request, name: str) -> int | None:
    """An optional integer query parameter; present but not a number is a 400."""
    raw = request.query_params.get(name, "")
    if raw == "":
        return None
    try:
        return int(raw)
    except ValueError:
        raise InvalidInput(
            f"{name} must be a number.", error_id="api.context.invalid_url_param.app_error"
        ) from None


def string_list(request: Request, name: str) -> list[str]:
    """A non-empty JSON array of strings as the body (ids, usernames)."""
    items = body_list(request)
    if not items or not all(isinstance(item, str) for item in items):
        raise InvalidInput(
            f"The body must be a non-empty array of {name}.",
            error_id="api.context.invalid_body_param.app_error",
        )
    return items


def page_slice(page: int, per_page: int) -> slice:
    return slice(page * per_page, (page + 1) * per_page)
