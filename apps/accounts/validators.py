"""Input rules for accounts, shared by every way a user can be created or renamed."""

import re
from typing import TYPE_CHECKING

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email as django_validate_email

from apps.core.errors import InvalidInput

if TYPE_CHECKING:
    from apps.accounts.models import User

USERNAME_MIN_LENGTH = 3
USERNAME_MAX_LENGTH = 22
USERNAME_RE = re.compile(r"^[a-z][a-z0-9.\-_]*$")
# Words that mean something else after an @.
RESERVED_USERNAMES = frozenset({"all", "channel", "here", "matterbot", "system"})


def clean_username(raw: object) -> str:
    """Lowercase and check a username against Mattermost's rules; raise InvalidInput."""
    if not isinstance(raw, str):
        raise InvalidInput(
            "Username must be text.", error_id="model.user.is_valid.username.app_error"
        )
    username = raw.strip().lower()
    if not USERNAME_MIN_LENGTH <= len(username) <= USERNAME_MAX_LENGTH:
        raise InvalidInput(
            f"Username must be {USERNAME_MIN_LENGTH}-{USERNAME_MAX_LENGTH} characters long.",
            error_id="model.user.is_valid.username.app_error",
        )
    if not USERNAME_RE.match(username):
        raise InvalidInput(
            "Username must begin with a letter and contain only lowercase letters, "
            "numbers and the symbols '.', '-' and '_'.",
            error_id="model.user.is_valid.username.app_error",
        )
    if username in RESERVED_USERNAMES:
        raise InvalidInput(
            f"The username '{username}' is reserved.",
            error_id="model.user.is_valid.username.app_error",
        )
    return username


def clean_email(raw: object) -> str:
    if not isinstance(raw, str):
        raise InvalidInput("E-mail must be text.", error_id="model.user.is_valid.email.app_error")
    email = raw.strip().lower()
    try:
        django_validate_email(email)
    except DjangoValidationError as exc:
        raise InvalidInput(
            "Please enter a valid e-mail address.", error_id="model.user.is_valid.email.app_error"
        ) from exc
    if len(email) > 128:
        raise InvalidInput("E-mail is too long.", error_id="model.user.is_valid.email.app_error")
    return email


def validate_new_password(password: str, user: "User") -> None:
    """Check a new password against the configured validators; raise InvalidInput."""
    try:
        password_validation.validate_password(password, user)
    except DjangoValidationError as exc:
        raise InvalidInput(
            " ".join(exc.messages), error_id="model.user.is_valid.pwd.app_error"
        ) from exc
