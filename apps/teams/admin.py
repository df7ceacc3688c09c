"""System console: teams and their members.

Teams are view-only. The team page lists its members; each row carries a button that
grants or revokes the team admin role through `team_member_set_admin`.
"""

from typing import TYPE_CHECKING, Any, TypedDict, cast

from django.contrib import admin, messages
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html

from apps.accounts.models import User
from apps.core.admin import ConsoleModelAdmin, DeleteAtFilter, ReadOnlyInline, format_ms
from apps.core.errors import ConfabError
from apps.teams.models import Team, TeamMember
from apps.teams.services import team_member_set_admin

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

# The team page lists at most this many members, admins first.
MEMBERS_SHOWN = 200


class _MemberCount(TypedDict):
    """What TeamAdmin.get_queryset annotates each team with."""

    active_members: int


class TeamMemberInline(ReadOnlyInline):
    model = TeamMember
    verbose_name = "member"
    verbose_name_plural = f"members (team admins first, at most {MEMBERS_SHOWN})"
    fields = ("member", "email", "team_admin", "joined", "role_action")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[TeamMember]:
        return (
            super()
            .get_queryset(request)
            .filter(delete_at=0)
            .select_related("user")
            .order_by("-scheme_admin", "user__username")
        )

    @admin.display(description="User")
    def member(self, member: TeamMember) -> str:
        url = reverse("admin:accounts_user_change", args=[member.user_id])
        return format_html('<a href="{}">{}</a>', url, member.user.username)

    @admin.display(description="E-mail")
    def email(self, member: TeamMember) -> str:
        return member.user.email

    @admin.display(description="Team admin", boolean=True)
    def team_admin(self, member: TeamMember) -> bool:
        return member.scheme_admin

    @admin.display(description="Joined")
    def joined(self, member: TeamMember) -> str:
        return format_ms(member.create_at)

    @admin.display(description="Change role")
    def role_action(self, member: TeamMember) -> str:
        # The team page is one <form>; `formaction` sends this button to the role view
        # without nesting a second form.
        url = reverse("admin:teams_team_member_set_admin", args=[member.team_id, member.user_id])
        if member.scheme_admin:
            value, label = "0", "Remove team admin"
        else:
            value, label = "1", "Make team admin"
        return format_html(
            '<button type="submit" class="button" formaction="{}" name="team_admin" '
            'value="{}">{}</button>',
            url,
            value,
            label,
        )


@admin.register(Team)
class TeamAdmin(ConsoleModelAdmin):
    list_display = (
        "display_name",
        "name",
        "type",
        "member_count",
        "active",
        "created",
    )
    list_filter = ("type", DeleteAtFilter)
    search_fields = ("name", "display_name")
    ordering = ("display_name",)
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "id",
                    "name",
                    "display_name",
                    "description",
                    "type",
                    "allowed_domains",
                    "company_name",
                    "email",
                    "invite_id",
                    "member_count",
                )
            },
        ),
        ("Dates", {"fields": ("created", "updated", "deleted")}),
    )
    readonly_fields = ("member_count", "active", "created", "updated", "deleted")
    inlines = (TeamMemberInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Team]:
        return (
            super()
            .get_queryset(request)
            .annotate(active_members=Count("members", filter=Q(members__delete_at=0)))
        )

    def get_formset_kwargs(
        self,
        request: HttpRequest,
        obj: Team | None,
        inline: admin.options.InlineModelAdmin,
        prefix: str,
    ) -> dict[str, Any]:
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, TeamMemberInline) and obj is not None:
            first = inline.get_queryset(request).filter(team=obj).values("id")[:MEMBERS_SHOWN]
            kwargs["queryset"] = kwargs["queryset"].filter(id__in=first)
        return kwargs

    @admin.display(description="Members", ordering="active_members")
    def member_count(self, team: "WithAnnotations[Team, _MemberCount]") -> int:
        return team.active_members

    @admin.display(description="Active", boolean=True, ordering="delete_at")
    def active(self, team: Team) -> bool:
        return not team.is_deleted

    # --- team admin role ---------------------------------------------------------------------

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<str:team_id>/members/<str:user_id>/set-admin/",
                self.admin_site.admin_view(self.member_set_admin_view),
                name="teams_team_member_set_admin",
            ),
            *super().get_urls(),
        ]

    def member_set_admin_view(
        self, request: HttpRequest, team_id: str, user_id: str
    ) -> HttpResponse:
        """Grant (`team_admin=1`) or revoke (`team_admin=0`) a member's team admin role."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        make_admin = request.POST.get("team_admin") == "1"
        try:
            # admin_view lets only signed-in staff in, so the user is an account.
            member = team_member_set_admin(
                actor=cast(User, request.user), team_id=team_id, user_id=user_id, admin=make_admin
            )
        except ConfabError as exc:
            self.message_user(request, exc.message, messages.ERROR)
        else:
            username = member.user.username
            done = (
                f"Made {username} a team admin."
                if make_admin
                else f"Removed the team admin role from {username}."
            )
            self.log_change(request, member.team, done)
            self.message_user(request, done, messages.SUCCESS)
        return redirect("admin:teams_team_change", team_id)
