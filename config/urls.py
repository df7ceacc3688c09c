"""Top-level routes: the system console, the Mattermost API v4 and the web client."""

from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path, re_path
from drf_spectacular.views import SpectacularJSONAPIView

from apps.core.api.views import SystemPingApi, api_not_found
from apps.core.views import health

api_v4: list[URLPattern | URLResolver] = [
    path("system/ping", SystemPingApi.as_view(), name="system-ping"),
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="openapi"),
    path("", include("apps.accounts.api.urls")),
    path("", include("apps.teams.api.urls")),
    path("", include("apps.channels.api.urls")),
    # Before posts: its `posts/<post_id>` route would take `posts/search`.
    path("", include("apps.search.api.urls")),
    path("", include("apps.posts.api.urls")),
    path("", include("apps.files.api.urls")),
    path("", include("apps.integrations.api.urls")),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", health, name="health"),
    path("api/v4/", include(api_v4)),
    path("hooks/", include("apps.integrations.api.hook_urls")),
    re_path(r"^(api/v4|hooks)(/.*)?$", api_not_found, name="api-not-found"),
    path("", include("apps.web.urls")),
]
