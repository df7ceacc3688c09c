"""Routes of the integrations API, mounted under /api/v4/."""

from django.urls import path

from apps.integrations.api import views, views_actions, views_commands, views_outgoing

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
    path(
        "hooks/outgoing",
        views_outgoing.OutgoingWebhookListCreateApi.as_view(),
        name="outgoing-webhook-list-create",
    ),
    path(
        "hooks/outgoing/<str:hook_id>",
        views_outgoing.OutgoingWebhookDetailApi.as_view(),
        name="outgoing-webhook-detail",
    ),
    path(
        "hooks/outgoing/<str:hook_id>/regen_token",
        views_outgoing.OutgoingWebhookRegenTokenApi.as_view(),
        name="outgoing-webhook-regen-token",
    ),
    path("commands", views_commands.CommandListCreateApi.as_view(), name="command-list-create"),
    path("commands/execute", views_commands.CommandExecuteApi.as_view(), name="command-execute"),
    path(
        "commands/<str:command_id>",
        views_commands.CommandDetailApi.as_view(),
        name="command-detail",
    ),
    path(
        "commands/<str:command_id>/regen_token",
        views_commands.CommandRegenTokenApi.as_view(),
        name="command-regen-token",
    ),
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
