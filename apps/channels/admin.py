"""System console: channels. View-only; archiving and unarchiving go through the services."""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from apps.channels.models import Channel
from apps.channels.services import channel_archive, channel_unarchive
from apps.core.admin import ConsoleModelAdmin, DeleteAtFilter, format_ms


def channel_label(channel: Channel) -> str:
    """`team/name` for messages: every team has its own `town-square`."""
    return f"{channel.team.name}/{channel.name}" if channel.team else channel.name


class ArchivedFilter(DeleteAtFilter):
    title = "archived"
    parameter_name = "archived"


@admin.register(Channel)
class ChannelAdmin(ConsoleModelAdmin):
    list_display = (
        "display_name",
        "name",
        "team_name",
        "type",
        "archived",
        "total_msg_count",
        "created",
        "last_post",
    )
    list_select_related = ("team",)
    list_filter = ("type", ArchivedFilter)
    search_fields = ("name", "display_name", "team__name", "team__display_name")
    ordering = ("team__name", "name")
    raw_id_fields = ("team", "creator")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "id",
                    "name",
                    "display_name",
                    "team",
                    "type",
                    "header",
                    "purpose",
                    "creator",
                )
            },
        ),
        (
            "Activity",
            {"fields": ("total_msg_count", "total_msg_count_root", "last_post")},
        ),
        ("Dates", {"fields": ("created", "updated", "archived_at")}),
    )
    readonly_fields = ("team_name", "archived", "last_post", "created", "updated", "archived_at")
    actions = ("archive_channels", "unarchive_channels")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Channel]:
        return super().get_queryset(request).select_related("team", "creator")

    @admin.display(description="Team", ordering="team__name")
    def team_name(self, channel: Channel) -> str:
        return channel.team.name if channel.team else "-"

    @admin.display(description="Archived", boolean=True, ordering="delete_at")
    def archived(self, channel: Channel) -> bool:
        return channel.is_archived

    @admin.display(description="Archived at", ordering="delete_at")
    def archived_at(self, channel: Channel) -> str:
        return format_ms(channel.delete_at)

    @admin.display(description="Last post", ordering="last_post_at")
    def last_post(self, channel: Channel) -> str:
        return format_ms(channel.last_post_at)

    @admin.action(description="Archive selected channels")
    def archive_channels(self, request: HttpRequest, queryset: QuerySet[Channel]) -> None:
        self.run_service_action(
            request,
            queryset,
            lambda actor, channel: channel_archive(actor=actor, channel_id=channel.id),
            done="Archived",
            label=channel_label,
        )

    @admin.action(description="Unarchive selected channels")
    def unarchive_channels(self, request: HttpRequest, queryset: QuerySet[Channel]) -> None:
        self.run_service_action(
            request,
            queryset,
            lambda actor, channel: channel_unarchive(actor=actor, channel_id=channel.id),
            done="Unarchived",
            label=channel_label,
        )
