"""Building blocks for the system console's model admins.

The console shows rows and offers actions; it never writes through the ORM. Every
change goes through a service (`run_service_action`), so the rules, the audit trail and
the realtime events are the same as for the API. Change forms are therefore view-only
and the bulk "delete selected" action (a hard delete) is gone.
"""

from collections.abc import Callable, Iterable
from functools import cached_property
from typing import Any, TypeVar, cast

from django.contrib import admin, messages
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.paginator import Paginator
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from apps.core.errors import ConfabError
from apps.core.models import SoftDeleteModel, TimestampedModel
from apps.core.timeutils import ms_to_datetime

_ModelT = TypeVar("_ModelT", bound=models.Model)

# Hard deletes bypass the services (and soft deletion); no model offers them.
admin.site.disable_action("delete_selected")

SUCCESS_NAMES_SHOWN = 20


def format_ms(ms: int | None) -> str:
    """A wire timestamp (ms since the epoch) as a readable date; 0 means "never"."""
    if not ms:
        return "-"
    return timezone.localtime(ms_to_datetime(ms)).strftime("%Y-%m-%d %H:%M:%S %Z")


class DeleteAtFilter(admin.SimpleListFilter):
    """Soft-deleted rows (`delete_at` set) or live ones: `?<parameter_name>=yes|no`."""

    title = "deleted"
    parameter_name = "deleted"
    live_label = "No"
    deleted_label = "Yes"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple]:
        return [("no", self.live_label), ("yes", self.deleted_label)]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "no":
            return queryset.filter(delete_at=0)
        if self.value() == "yes":
            return queryset.exclude(delete_at=0)
        return queryset


class CappedCountPaginator(Paginator):
    """Counts at most `COUNT_CAP` rows, so a page of a huge table never scans it all.

    Pages past the cap are not offered; a narrower search or filter reaches the rest.
    """

    COUNT_CAP = 10_000
    object_list: QuerySet[Any]  # the admin's change list pages querysets only

    @cached_property
    def count(self) -> int:
        # Without ORDER BY the database may stop after COUNT_CAP rows instead of sorting all.
        return self.object_list.order_by()[: self.COUNT_CAP].count()


class ConsoleModelAdmin(admin.ModelAdmin):
    """View-only admin: rows are read here and changed only by actions calling services."""

    list_per_page = 50
    empty_value_display = "-"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.display(description="Created", ordering="create_at")
    def created(self, obj: TimestampedModel) -> str:
        return format_ms(obj.create_at)

    @admin.display(description="Updated", ordering="update_at")
    def updated(self, obj: TimestampedModel) -> str:
        return format_ms(obj.update_at)

    @admin.display(description="Deleted", ordering="delete_at")
    def deleted(self, obj: SoftDeleteModel) -> str:
        return format_ms(obj.delete_at)

    def run_service_action(
        self,
        request: HttpRequest,
        objects: Iterable[_ModelT],
        call: Callable[[Any, _ModelT], object],
        *,
        done: str,
        label: Callable[[_ModelT], str] = str,
    ) -> None:
        """Call `call(actor, obj)` for each object and report each outcome by `label(obj)`.

        Each service call is its own transaction, so a refused object does not undo
        the others. A domain error is shown with its message; anything else propagates.
        The actor is reloaded before each call: an earlier call in the same batch may
        have changed the actor itself (deactivated it, or removed its admin role).
        """
        # The admin site lets only signed-in staff reach an action.
        actor = cast(AbstractBaseUser, request.user)
        succeeded: list[str] = []
        for obj in objects:
            actor.refresh_from_db()
            try:
                call(actor, obj)
            except ConfabError as exc:
                self.message_user(request, f"{label(obj)}: {exc.message}", messages.ERROR)
            else:
                succeeded.append(label(obj))
                self.log_change(request, obj, done)
        if succeeded:
            names = ", ".join(succeeded[:SUCCESS_NAMES_SHOWN])
            if len(succeeded) > SUCCESS_NAMES_SHOWN:
                names += f" and {len(succeeded) - SUCCESS_NAMES_SHOWN} more"
            self.message_user(request, f"{done}: {names}.", messages.SUCCESS)


class ReadOnlyInline(admin.TabularInline):
    """An inline that lists related rows and never edits them."""

    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: models.Model | None = None) -> bool:
        return False
