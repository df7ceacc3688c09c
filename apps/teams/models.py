"""Teams and team membership."""

from django.conf import settings
from django.db import models

from apps.core.ids import new_id
from apps.core.models import IdField, SoftDeleteModel
from apps.core.timeutils import now_ms

TEAM_OPEN = "O"
TEAM_INVITE = "I"


class Team(SoftDeleteModel):
    display_name = models.CharField(max_length=64)
    name = models.CharField(max_length=64, unique=True)
    description = models.CharField(max_length=255, blank=True, default="")
    email = models.EmailField(max_length=128, blank=True, default="")
    type = models.CharField(
        max_length=1,
        choices=[(TEAM_OPEN, "Open"), (TEAM_INVITE, "Invite only")],
        default=TEAM_INVITE,
    )
    company_name = models.CharField(max_length=64, blank=True, default="")
    allowed_domains = models.CharField(max_length=1000, blank=True, default="")
    invite_id = IdField(default=new_id, unique=True)

    class Meta:
        ordering = ["display_name"]

    def __str__(self) -> str:
        return self.name

    @property
    def allow_open_invite(self) -> bool:
        return self.type == TEAM_OPEN

    @property
    def allowed_domain_list(self) -> list[str]:
        raw = self.allowed_domains.replace(",", " ").split()
        return [d.strip().lower().lstrip("@") for d in raw if d.strip()]


class TeamMember(models.Model):
    """Membership of a user in a team. Leaving sets `delete_at`; rejoining clears it."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="team_memberships"
    )
    scheme_admin = models.BooleanField(default=False)
    create_at = models.BigIntegerField(default=now_ms)
    delete_at = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="teams_member_unique")]
        indexes = [models.Index(fields=["user", "delete_at"], name="teams_member_user_active")]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.team_id}"

    @property
    def is_active(self) -> bool:
        return self.delete_at == 0

    @property
    def roles(self) -> str:
        return "team_user team_admin" if self.scheme_admin else "team_user"
