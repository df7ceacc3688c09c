"""Routes of the integrations API, mounted under /api/v4/."""

from django.urls import path  # noqa: F401  (routes arrive with their views)

app_name = "integrations"

urlpatterns: list = []
