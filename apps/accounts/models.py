"""Users and what hangs off them: preferences and presence status."""

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.utils.crypto import salted_hmac

from apps.core.models import SoftDeleteModel, TimestampedModel
from apps.core.timeutils import now_ms

ROLE_SYSTEM_USER = "system_user"
ROLE_SYSTEM_ADMIN = "system_admin"
SYSTEM_ROLES = (ROLE_SYSTEM_USER, ROLE_SYSTEM_ADMIN)


def default_notify_props() -> dict[str, str]:
    return {
        "email": "true",
        "push": "mention",
        "desktop": "mention",
        "desktop_sound": "true",
        "mention_keys": "",
        "channel": "true",
        "first_name": "false",
        "push_status": "away",
        "comments": "never",
        "desktop_threads": "all",
        "email_threads": "all",
        "push_threads": "all",
    }


def default_timezone() -> dict[str, str]:
    return {"useAutomaticTimezone": "true", "automaticTimezone": "", "manualTimezone": ""}


class UserManager(BaseUserManager["User"]):
    """Creation goes through `services.users.user_create`, so rules hold everywhere."""

    def create_user(
        self, username: str, email: str, password: str | None = None, **extra: Any
    ) -> "User":
        from apps.accounts.services.users import user_create

        return user_create(username=username, email=email, password=password, **extra)

    def create_superuser(
        self, username: str, email: str, password: str | None = None, **extra: Any
    ) -> "User":
        """Django's `createsuperuser` command: the server operator, so no actor is checked."""
        from apps.accounts.services.users import user_create_by_operator

        return user_create_by_operator(
            username=username, email=email, password=password, system_admin=True, **extra
        )

    def get_by_natural_key(self, username: str | None) -> "User":
        # Usernames are stored lower-case. None (which Django's backends never pass)
        # finds no one, as in the base manager.
        return self.get(username=None if username is None else username.lower())


class User(SoftDeleteModel, AbstractBaseUser):
    """A person or a bot. Deactivation sets `delete_at`; the row stays for history."""

    username = models.CharField(max_length=64, unique=True)
    email = models.EmailField(max_length=128, unique=True)
    email_verified = models.BooleanField(default=False)
    nickname = models.CharField(max_length=64, blank=True, default="")
    first_name = models.CharField(max_length=64, blank=True, default="")
    last_name = models.CharField(max_length=64, blank=True, default="")
    position = models.CharField(max_length=128, blank=True, default="")
    roles = models.CharField(max_length=256, default=ROLE_SYSTEM_USER, db_index=True)
    auth_service = models.CharField(max_length=32, blank=True, default="")
    is_bot = models.BooleanField(default=False)
    bot_description = models.CharField(max_length=1024, blank=True, default="")
    locale = models.CharField(max_length=5, default="en")
    timezone = models.JSONField(default=default_timezone)
    notify_props = models.JSONField(default=default_notify_props)
    props = models.JSONField(default=dict, blank=True)
    last_password_update = models.BigIntegerField(default=0)
    last_picture_update = models.BigIntegerField(default=0)
    last_activity_at = models.BigIntegerField(default=0)
    session_generation = models.PositiveIntegerField(default=0, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "username"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["email"]

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        return self.username

    @property
    def is_active(self) -> bool:  # type: ignore[override]  # Django reads this attribute
        return self.delete_at == 0

    @property
    def role_list(self) -> list[str]:
        return self.roles.split()

    @property
    def is_system_admin(self) -> bool:
        return ROLE_SYSTEM_ADMIN in self.role_list

    # The admin site asks these; only system admins reach the console at all.
    @property
    def is_staff(self) -> bool:
        return self.is_active and self.is_system_admin

    @property
    def is_superuser(self) -> bool:
        return self.is_staff

    def has_perm(self, perm: str, obj: object = None) -> bool:
        return self.is_staff

    def has_perms(self, perm_list: Iterable[str], obj: object = None) -> bool:
        return self.is_staff

    def has_module_perms(self, app_label: str) -> bool:
        return self.is_staff

    def get_session_auth_hash(self) -> str:
        return self._get_session_auth_hash()

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        # Browser sessions carry this hash; changing the password or bumping
        # `session_generation` (deactivation, "sign out everywhere") ends them all,
        # and reactivation does not bring them back.
        return salted_hmac(
            "apps.accounts.User.session_auth_hash",
            f"{self.password}|{self.session_generation}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()


class Preference(models.Model):
    """Mattermost's key-value store per user (theme, display settings, flagged posts...)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="preferences")
    category = models.CharField(max_length=32)
    name = models.CharField(max_length=64)
    value = models.TextField(max_length=2000, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "category", "name"], name="accounts_preference_unique"
            )
        ]
        indexes = [models.Index(fields=["category", "name"], name="accounts_pref_cat_name")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.category}:{self.name}"


STATUS_ONLINE = "online"
STATUS_AWAY = "away"
STATUS_DND = "dnd"
STATUS_OFFLINE = "offline"
STATUSES = (STATUS_ONLINE, STATUS_AWAY, STATUS_DND, STATUS_OFFLINE)


class Status(models.Model):
    """Presence of a user; absent row means offline."""

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, primary_key=True, related_name="status"
    )
    status = models.CharField(
        max_length=16, choices=[(s, s) for s in STATUSES], default=STATUS_OFFLINE
    )
    manual = models.BooleanField(default=False)
    last_activity_at = models.BigIntegerField(default=now_ms)
    dnd_end_time = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.user_id}:{self.status}"


class Session(TimestampedModel):
    """A signed-in client (Mattermost's session): a bearer token, stored only as a hash."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sessions")
    token_hash = models.CharField(max_length=64, unique=True)
    csrf_token = models.CharField(max_length=64, blank=True, default="")
    expires_at = models.BigIntegerField(default=0, db_index=True)  # ms; 0 never
    last_activity_at = models.BigIntegerField(default=now_ms)
    device_id = models.CharField(max_length=512, blank=True, default="")
    props = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"session {self.id} of {self.user_id}"


class UserAccessToken(TimestampedModel):
    """A personal access token: shown once at creation, stored only as a hash."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="access_tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    description = models.CharField(max_length=255, blank=True, default="")
    is_active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"token {self.id} of {self.user_id}"


class Bot(models.Model):
    """The bot side of a bot account (`User.is_bot`): who owns it.

    As in Mattermost, the bot's display name is its user's `first_name`, its
    description the user's `bot_description`, and disabling it deactivates the user,
    so `delete_at` lives on the user. Every bot user has exactly one row here; the
    owner is None for bots made by the operator or left by a deleted owner.
    """

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, primary_key=True, related_name="bot"
    )
    owner = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="owned_bots"
    )
    create_at = models.BigIntegerField(default=now_ms, editable=False)
    update_at = models.BigIntegerField(default=now_ms)

    def __str__(self) -> str:
        return f"bot {self.user_id} of {self.owner_id}"
