"""Routes of the integrations API, mounted under /api/v4/."""

from django.urls import path

from apps.integrations.api import views, views_actions, views_commands

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
    path("commands", views_commands.CommandListApi.as_view(), name="command-list"),
    path("commands/execute", views_commands.CommandExecuteApi.as_view(), name="command-execute"),
    path(
        "posts/<str:post_id>/actions/<str:action_id>",
        views_actions.PostActionApi.as_view(),
        name="post-action",
    ),
    path(
        "teams/<str:team_id>/commands/autocomplete",
        views_commands.CommandAutocompleteApi.as_view(),
        name="command-autocomplete",
    ),
]
