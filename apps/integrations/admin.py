"""System console: incoming and outgoing webhooks and custom slash commands, view-only.
Changes go through the integrations API."""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from apps.core.admin import ConsoleModelAdmin, DeleteAtFilter
from apps.integrations.models import Command, IncomingWebhook, OutgoingWebhook


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


@admin.register(OutgoingWebhook)
class OutgoingWebhookAdmin(ConsoleModelAdmin):
    list_display = (
        "display_name",
        "team_name",
        "channel_name",
        "creator_name",
        "triggers",
        "deleted",
        "created",
    )
    list_select_related = ("team", "channel", "creator")
    list_filter = (DeleteAtFilter, "trigger_when", "content_type")
    search_fields = (
        "display_name",
        "description",
        "team__name",
        "channel__name",
        "creator__username",
    )
    ordering = ("-create_at",)
    # The token proves calls come from this server, so the page does not print it.
    fields = (
        "display_name",
        "description",
        "team_name",
        "channel_name",
        "creator_name",
        "triggers",
        "trigger_when",
        "callback_urls",
        "content_type",
        "username",
        "icon_url",
        "created",
        "updated",
        "deleted",
    )
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[OutgoingWebhook]:
        return super().get_queryset(request).select_related("team", "channel", "creator")

    @admin.display(description="Team", ordering="team__name")
    def team_name(self, hook: OutgoingWebhook) -> str:
        return hook.team.name

    @admin.display(description="Channel", ordering="channel__name")
    def channel_name(self, hook: OutgoingWebhook) -> str:
        return hook.channel.name if hook.channel is not None else "(every public channel)"

    @admin.display(description="Creator", ordering="creator__username")
    def creator_name(self, hook: OutgoingWebhook) -> str:
        return hook.creator.username

    @admin.display(description="Trigger words")
    def triggers(self, hook: OutgoingWebhook) -> str:
        return ", ".join(hook.trigger_words)


@admin.register(Command)
class CommandAdmin(ConsoleModelAdmin):
    list_display = (
        "slash_trigger",
        "display_name",
        "team_name",
        "creator_name",
        "method",
        "url",
        "auto_complete",
        "deleted",
        "created",
    )
    list_select_related = ("team", "creator")
    list_filter = (DeleteAtFilter, "method", "auto_complete")
    search_fields = ("trigger", "display_name", "description", "url", "team__name")
    ordering = ("team__name", "trigger")
    # The token proves a call came from this server; the page never prints it.
    fields = (
        "slash_trigger",
        "display_name",
        "description",
        "team_name",
        "creator_name",
        "method",
        "url",
        "username",
        "icon_url",
        "auto_complete",
        "auto_complete_desc",
        "auto_complete_hint",
        "created",
        "updated",
        "deleted",
    )
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Command]:
        return super().get_queryset(request).select_related("team", "creator")

    @admin.display(description="Trigger", ordering="trigger")
    def slash_trigger(self, command: Command) -> str:
        return f"/{command.trigger}"

    @admin.display(description="Team", ordering="team__name")
    def team_name(self, command: Command) -> str:
        return command.team.name

    @admin.display(description="Creator", ordering="creator__username")
    def creator_name(self, command: Command) -> str:
        return command.creator.username
