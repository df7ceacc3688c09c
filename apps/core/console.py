"""The system console: Django's admin site, opened to system admins only."""

from django.contrib import admin
from django.http import HttpRequest


class ConsoleAdminSite(admin.AdminSite):
    site_header = "Confab system console"
    site_title = "Confab console"
    index_title = "System console"

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and getattr(user, "is_system_admin", False))
