"""Routes of the integrations API, mounted under /api/v4/."""

from django.urls import path

from apps.integrations.api import views

app_name = "integrations"

urlpatterns = [
    path(
        "hooks/incoming",
        views.IncomingWebhookListCreateApi.as_view(),
        name="incoming-webhook-list-create",
    ),
    path(
        "hooks/incoming/<str:hook_id>",
        views.IncomingWebhookDetailApi.as_view(),
        name="incoming-webhook-detail",
    ),
]
