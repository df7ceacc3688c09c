from django.apps import AppConfig


class ChatChannelsConfig(AppConfig):
    """Chat channels. The label avoids a clash with the Django Channels package ("channels")."""

    name = "apps.channels"
    label = "chat_channels"
    verbose_name = "Chat channels"
    default_auto_field = "django.db.models.BigAutoField"
