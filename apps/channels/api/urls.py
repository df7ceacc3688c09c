"""Routes of the channels API, mounted under /api/v4/."""

from django.urls import path  # noqa: F401  (routes arrive with their views)

app_name = "chat_channels"

urlpatterns: list = []
