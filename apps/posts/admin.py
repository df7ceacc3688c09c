"""System console: posts. View-only; deleting goes through `post_delete`.

The posts table is the biggest one, so the list never counts past a cap, offers no
filter over foreign keys, and sorts only by time. Rows come from `post_list_for_console`,
which leaves out direct and group messages: system admins may read public and private
channels, never others' private conversations.
"""

from typing import cast

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.text import Truncator

from apps.accounts.models import User
from apps.core.admin import (
    CappedCountPaginator,
    ConsoleModelAdmin,
    DeleteAtFilter,
    ReadOnlyInline,
    format_ms,
)
from apps.posts.models import SYSTEM_TYPE_PREFIX, Post, PostEdit, Reaction
from apps.posts.selectors import post_list_for_console
from apps.posts.services import post_delete

MESSAGE_EXCERPT_CHARS = 80


class PostKindFilter(admin.SimpleListFilter):
    title = "kind"
    parameter_name = "kind"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple]:
        return [("normal", "Normal"), ("system", "System")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "normal":
            return queryset.exclude(type__startswith=SYSTEM_TYPE_PREFIX)
        if self.value() == "system":
            return queryset.filter(type__startswith=SYSTEM_TYPE_PREFIX)
        return queryset


class PostEditInline(ReadOnlyInline):
    model = PostEdit
    verbose_name = "earlier version"
    verbose_name_plural = "edit history"
    fields = ("message", "written", "replaced")
    readonly_fields = fields

    @admin.display(description="Written")
    def written(self, edit: PostEdit) -> str:
        return format_ms(edit.create_at)

    @admin.display(description="Replaced")
    def replaced(self, edit: PostEdit) -> str:
        return format_ms(edit.replaced_at)


class ReactionInline(ReadOnlyInline):
    model = Reaction
    fields = ("emoji_name", "username", "reacted")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[Reaction]:
        return super().get_queryset(request).select_related("user")

    @admin.display(description="User")
    def username(self, reaction: Reaction) -> str:
        return reaction.user.username

    @admin.display(description="Reacted")
    def reacted(self, reaction: Reaction) -> str:
        return format_ms(reaction.create_at)


@admin.register(Post)
class PostAdmin(ConsoleModelAdmin):
    list_display = (
        "id",
        "excerpt",
        "author",
        "channel_name",
        "type",
        "is_pinned",
        "is_deleted",
        "created",
    )
    list_select_related = ("user", "channel")
    list_filter = (PostKindFilter, DeleteAtFilter, "is_pinned")
    # Prefix matches on names; the message itself is a substring search.
    search_fields = ("message", "^channel__name", "^user__username")
    ordering = ("-create_at",)
    sortable_by = ("created",)
    list_per_page = 50
    show_full_result_count = False
    paginator = CappedCountPaginator
    raw_id_fields = ("user", "channel", "root")
    fieldsets = (
        (
            None,
            {"fields": ("id", "channel", "user", "root", "type", "message", "is_pinned")},
        ),
        (
            "Details",
            {"fields": ("props", "file_ids", "hashtags", "reply_count", "has_reactions")},
        ),
        ("Dates", {"fields": ("created", "updated", "edited", "deleted")}),
    )
    readonly_fields = ("excerpt", "author", "channel_name", "created", "updated", "edited")
    inlines = (PostEditInline, ReactionInline)
    actions = ("delete_posts",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Post]:
        # The list, the detail pages and the actions all read through this selector. The
        # admin site lets only signed-in staff in, so the user is an account.
        return post_list_for_console(actor=cast(User, request.user))

    @admin.display(description="Message")
    def excerpt(self, post: Post) -> str:
        return Truncator(post.message).chars(MESSAGE_EXCERPT_CHARS)

    @admin.display(description="User")
    def author(self, post: Post) -> str:
        return post.user.username

    @admin.display(description="Channel")
    def channel_name(self, post: Post) -> str:
        return post.channel.name

    @admin.display(description="Deleted", boolean=True)
    def is_deleted(self, post: Post) -> bool:
        return post.is_deleted

    @admin.display(description="Edited")
    def edited(self, post: Post) -> str:
        return format_ms(post.edit_at)

    @admin.action(description="Delete selected posts (and their replies)")
    def delete_posts(self, request: HttpRequest, queryset: QuerySet[Post]) -> None:
        self.run_service_action(request, queryset, _delete_post, done="Deleted")


def _delete_post(actor: User, post: Post) -> None:
    # Deleting a root deletes its replies, so a reply selected with its root is gone already.
    post.refresh_from_db(fields=["delete_at"])
    if not post.delete_at:
        post_delete(actor=actor, post_id=post.id)
