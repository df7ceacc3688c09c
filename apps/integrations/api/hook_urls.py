"""Routes outside /api/v4, mounted under /hooks/: incoming webhooks and the response URLs
of custom slash commands."""

from django.urls import path

from apps.integrations.api import views, views_commands

app_name = "hooks"

urlpatterns = [
    path(
        "commands/<str:hook_id>",
        views_commands.CommandWebhookExecuteApi.as_view(),
        name="command-webhook-execute",
    ),
    path(
        "<str:hook_id>", views.IncomingWebhookExecuteApi.as_view(), name="incoming-webhook-execute"
    ),
]
