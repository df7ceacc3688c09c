"""Domain errors raised by services and selectors.

Each carries a Mattermost-style error id, a human message and the HTTP status the API
layer answers with, so every interface (API, console, commands) reports them alike.
"""


class ConfabError(Exception):
    status_code = 500
    default_id = "app.error"

    def __init__(self, message: str, *, error_id: str | None = None, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.error_id = error_id or self.default_id
        self.detail = detail

    def __str__(self) -> str:
        return self.message


class InvalidInput(ConfabError):
    """The request is malformed or breaks a rule of the data (HTTP 400)."""

    status_code = 400
    default_id = "api.context.invalid_param.app_error"


class AlreadyExists(InvalidInput):
    """A unique name is taken (Mattermost answers these with 400)."""

    default_id = "store.save.exists.app_error"


class NotAuthenticated(ConfabError):
    status_code = 401
    default_id = "api.context.session_expired.app_error"


class PermissionDenied(ConfabError):
    """The actor may see the object but not do this to it (HTTP 403)."""

    status_code = 403
    default_id = "api.context.permissions.app_error"


class NotFound(ConfabError):
    """Missing, or hidden from the actor: the two are indistinguishable on purpose (404)."""

    status_code = 404
    default_id = "app.not_found.app_error"


class TooManyRequests(ConfabError):
    """Rate limited (HTTP 429)."""

    status_code = 429
    default_id = "api.context.rate_limited.app_error"
