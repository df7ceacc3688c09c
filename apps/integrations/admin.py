"""System console: incoming webhooks, view-only. Changes go through the integrations API."""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from apps.core.admin import ConsoleModelAdmin, DeleteAtFilter
from apps.integrations.models import IncomingWebhook


@admin.register(IncomingWebhook)
class IncomingWebhookAdmin(ConsoleModelAdmin):
    list_display = (
        "display_name",
        "team_name",
        "channel_name",
        "owner",
        "channel_locked",
        "deleted",
        "created",
    )
    list_select_related = ("team", "channel", "user")
    list_filter = (DeleteAtFilter, "channel_locked")
    search_fields = ("display_name", "description", "team__name", "channel__name", "user__username")
    ordering = ("-create_at",)
    # The id is the secret part of the hook URL, so the page does not print it.
    fields = (
        "display_name",
        "description",
        "team_name",
        "channel_name",
        "owner",
        "username",
        "icon_url",
        "channel_locked",
        "created",
        "updated",
        "deleted",
    )
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[IncomingWebhook]:
        return super().get_queryset(request).select_related("team", "channel", "user")

    @admin.display(description="Team", ordering="team__name")
    def team_name(self, hook: IncomingWebhook) -> str:
        return hook.team.name

    @admin.display(description="Channel", ordering="channel__name")
    def channel_name(self, hook: IncomingWebhook) -> str:
        return hook.channel.name

    @admin.display(description="Owner", ordering="user__username")
    def owner(self, hook: IncomingWebhook) -> str:
        return hook.user.username
