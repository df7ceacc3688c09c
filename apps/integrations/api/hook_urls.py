"""Routes outside /api/v4: the incoming webhook endpoint, mounted under /hooks/."""

from django.urls import path

from apps.integrations.api import views

app_name = "hooks"

urlpatterns = [
    path(
        "<str:hook_id>", views.IncomingWebhookExecuteApi.as_view(), name="incoming-webhook-execute"
    ),
]
