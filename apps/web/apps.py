from django.apps import AppConfig


class WebConfig(AppConfig):
    """The browser client: pages and fragments over the same services as the API."""

    name = "apps.web"
    label = "web"
    verbose_name = "Web client"
