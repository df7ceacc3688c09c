"""Routes outside /api/v4: the incoming webhook endpoint, mounted under /hooks/."""

from django.urls import path  # noqa: F401  (routes arrive with their views)

app_name = "hooks"

urlpatterns: list = []
