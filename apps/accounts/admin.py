"""System console: user accounts.

Rows are view-only; deactivation, reactivation and the system admin role change through
actions that call the accounts services, and "Add user" calls `user_create` (and
`user_update_roles` with the signed-in admin as actor, for a new system admin).
"""

from typing import Any, cast

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse

from apps.accounts.models import ROLE_SYSTEM_ADMIN, User
from apps.accounts.services.users import (
    user_activate,
    user_create,
    user_deactivate,
    user_update_roles,
)
from apps.core.admin import ConsoleModelAdmin, DeleteAtFilter, format_ms
from apps.core.errors import ConfabError

# Confab has no permission groups (roles live on the user), so the stock Groups page would
# only mislead.
if admin.site.is_registered(Group):
    admin.site.unregister(Group)


class DeactivatedFilter(DeleteAtFilter):
    title = "deactivated"
    parameter_name = "deactivated"


class SystemAdminFilter(admin.SimpleListFilter):
    title = "system admin"
    parameter_name = "system_admin"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple]:
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "yes":
            return queryset.filter(roles__contains=ROLE_SYSTEM_ADMIN)
        if self.value() == "no":
            return queryset.exclude(roles__contains=ROLE_SYSTEM_ADMIN)
        return queryset


class UserAddForm(forms.Form):
    """Input for `user_create`; the service checks names, e-mail and password strength."""

    username = forms.CharField(max_length=64)
    email = forms.EmailField(max_length=128)
    first_name = forms.CharField(max_length=64, required=False)
    last_name = forms.CharField(max_length=64, required=False)
    password1 = forms.CharField(label="Password", strip=False, widget=forms.PasswordInput)
    password2 = forms.CharField(
        label="Password confirmation", strip=False, widget=forms.PasswordInput
    )
    system_admin = forms.BooleanField(label="System admin", required=False)

    def clean(self) -> dict[str, Any]:
        super().clean()  # Form.clean hands back cleaned_data; the stubs allow None
        data = self.cleaned_data
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", "The two passwords differ.")
        return data


@admin.register(User)
class UserAdmin(ConsoleModelAdmin):
    list_display = (
        "username",
        "email",
        "full_name",
        "system_admin",
        "is_bot",
        "active",
        "created",
        "last_activity",
    )
    list_filter = (DeactivatedFilter, SystemAdminFilter, "is_bot")
    search_fields = ("username", "email", "first_name", "last_name", "nickname")
    ordering = ("username",)
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "id",
                    "username",
                    "email",
                    "email_verified",
                    "nickname",
                    "first_name",
                    "last_name",
                    "position",
                )
            },
        ),
        (
            "Roles and state",
            {
                "fields": (
                    "roles",
                    "system_admin",
                    "active",
                    "is_bot",
                    "bot_description",
                    "auth_service",
                )
            },
        ),
        (
            "Dates",
            {
                "fields": (
                    "created",
                    "updated",
                    "deleted",
                    "last_activity",
                    "password_changed",
                )
            },
        ),
        ("Settings", {"fields": ("locale", "timezone", "notify_props")}),
    )
    readonly_fields = (
        "system_admin",
        "active",
        "created",
        "updated",
        "deleted",
        "last_activity",
        "password_changed",
    )
    actions = (
        "deactivate_users",
        "activate_users",
        "make_system_admin",
        "remove_system_admin",
    )
    add_fields = (
        "username",
        "email",
        "first_name",
        "last_name",
        "password1",
        "password2",
        "system_admin",
    )

    # --- columns -------------------------------------------------------------------------

    @admin.display(description="Name")
    def full_name(self, user: User) -> str:
        return f"{user.first_name} {user.last_name}".strip()

    @admin.display(description="System admin", boolean=True)
    def system_admin(self, user: User) -> bool:
        return user.is_system_admin

    @admin.display(description="Active", boolean=True, ordering="delete_at")
    def active(self, user: User) -> bool:
        return user.is_active

    @admin.display(description="Last activity", ordering="last_activity_at")
    def last_activity(self, user: User) -> str:
        return format_ms(user.last_activity_at)

    @admin.display(description="Password changed")
    def password_changed(self, user: User) -> str:
        return format_ms(user.last_password_update)

    # --- actions ---------------------------------------------------------------------------

    @admin.action(description="Deactivate selected users")
    def deactivate_users(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        self.run_service_action(
            request,
            queryset,
            lambda actor, user: user_deactivate(actor=actor, user=user),
            done="Deactivated",
        )

    @admin.action(description="Reactivate selected users")
    def activate_users(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        self.run_service_action(
            request,
            queryset,
            lambda actor, user: user_activate(actor=actor, user=user),
            done="Reactivated",
        )

    @admin.action(description="Make selected users system admins")
    def make_system_admin(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        self.run_service_action(
            request,
            queryset,
            lambda actor, user: user_update_roles(
                actor=actor, user=user, roles=[*user.role_list, ROLE_SYSTEM_ADMIN]
            ),
            done="Made system admin",
        )

    @admin.action(description="Remove the system admin role from selected users")
    def remove_system_admin(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        self.run_service_action(
            request,
            queryset,
            lambda actor, user: user_update_roles(
                actor=actor,
                user=user,
                roles=[r for r in user.role_list if r != ROLE_SYSTEM_ADMIN],
            ),
            done="Removed system admin role",
        )

    # --- "Add user", through user_create ------------------------------------------------------

    def has_add_permission(self, request: HttpRequest) -> bool:
        # The console site already admits only active system admins.
        return True

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict | None = None
    ) -> HttpResponse:
        """Render Django's add page for `UserAddForm`; saving calls `user_create`, then
        `user_update_roles` if "System admin" is ticked."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            form = UserAddForm(request.POST)
            if form.is_valid():
                data = form.cleaned_data
                try:
                    # The console site admits only signed-in system admins.
                    user = _add_user(cast(User, request.user), data)
                except ConfabError as exc:
                    form.add_error(None, exc.message)
                else:
                    self.log_addition(request, user, [{"added": {}}])
                    return self.response_add(request, user)
        else:
            form = UserAddForm()
        admin_form = helpers.AdminForm(
            form,  # type: ignore[arg-type]  # renders any Form; the stubs ask for a ModelForm
            [(None, {"fields": list(self.add_fields)})],
            {},
            model_admin=self,
        )
        context = {
            **self.admin_site.each_context(request),
            "title": "Add user",
            "subtitle": None,
            "adminform": admin_form,
            "object_id": None,
            "original": None,
            "is_popup": False,
            "to_field": None,
            "media": self.media + admin_form.media,
            "inline_admin_formsets": [],
            "errors": helpers.AdminErrorList(form, []),  # type: ignore[arg-type]  # as above
            "preserved_filters": self.get_preserved_filters(request),
            # The page after saving is view-only, so "continue editing" would mislead.
            "show_save_and_continue": False,
            **(extra_context or {}),
        }
        return self.render_change_form(request, context, add=True, form_url=form_url)


def _add_user(actor: User, data: dict) -> User:
    """Create the account and grant the admin role in one transaction: a refused grant
    leaves no account behind."""
    with transaction.atomic():
        user = user_create(
            username=data["username"],
            email=data["email"],
            password=data["password1"],
            first_name=data["first_name"],
            last_name=data["last_name"],
        )
        if data["system_admin"]:
            user = user_update_roles(
                actor=actor, user=user, roles=[*user.role_list, ROLE_SYSTEM_ADMIN]
            )
    return user
