"""Top-level routes: the system console now; /api/v4/, /hooks/ and the web UI as they arrive."""

from django.contrib import admin
from django.urls import path

from apps.core.views import health

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", health, name="health"),
]
