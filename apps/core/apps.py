from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CoreConfig(AppConfig):
    default = True
    name = "apps.core"
    label = "core"
    verbose_name = "Confab core"


class ConsoleAdminConfig(admin_apps.AdminConfig):
    """The Django admin, installed as Confab's system console (system admins only)."""

    default = False
    default_site = "apps.core.console.ConsoleAdminSite"
