"""Routes of the channels API, mounted under /api/v4/.

Literal segments (`channels/direct`, `channels/group`, `channels/members/...`) come
before the `<channel_id>` patterns they could be mistaken for, and so do
`teams/<team_id>/channels/search`, `.../autocomplete` and `.../search_autocomplete`.
The posts API owns `channels/<channel_id>/posts` and `channels/<channel_id>/pinned`.
"""

from django.urls import path

from apps.channels.api import views, views_search

app_name = "chat_channels"

urlpatterns = [
    path("channels", views.ChannelCreateApi.as_view(), name="channel-create"),
    path("channels/direct", views.DirectChannelCreateApi.as_view(), name="channel-direct"),
    path("channels/group", views.GroupChannelCreateApi.as_view(), name="channel-group"),
    path(
        "channels/members/<str:user_id>/view",
        views.ChannelViewApi.as_view(),
        name="channel-view",
    ),
    path("channels/<str:channel_id>", views.ChannelDetailApi.as_view(), name="channel-detail"),
    path("channels/<str:channel_id>/patch", views.ChannelPatchApi.as_view(), name="channel-patch"),
    path(
        "channels/<str:channel_id>/restore",
        views.ChannelRestoreApi.as_view(),
        name="channel-restore",
    ),
    path("channels/<str:channel_id>/stats", views.ChannelStatsApi.as_view(), name="channel-stats"),
    path(
        "channels/<str:channel_id>/members",
        views.ChannelMemberListAddApi.as_view(),
        name="channel-member-list-add",
    ),
    path(
        "channels/<str:channel_id>/members/<str:user_id>",
        views.ChannelMemberDetailApi.as_view(),
        name="channel-member-detail",
    ),
    path(
        "channels/<str:channel_id>/members/<str:user_id>/roles",
        views.ChannelMemberRolesApi.as_view(),
        name="channel-member-roles",
    ),
    path(
        "channels/<str:channel_id>/members/<str:user_id>/notify_props",
        views.ChannelMemberNotifyPropsApi.as_view(),
        name="channel-member-notify-props",
    ),
    path(
        "teams/name/<str:team_name>/channels/name/<str:channel_name>",
        views.ChannelByTeamNameApi.as_view(),
        name="channel-by-team-name",
    ),
    path(
        "teams/<str:team_id>/channels",
        views.TeamPublicChannelListApi.as_view(),
        name="team-channel-list",
    ),
    # The literal search routes sit before any `teams/<team_id>/channels/<...>` pattern.
    path(
        "teams/<str:team_id>/channels/search",
        views_search.ChannelSearchApi.as_view(),
        name="team-channel-search",
    ),
    path(
        "teams/<str:team_id>/channels/autocomplete",
        views_search.ChannelAutocompleteApi.as_view(),
        name="team-channel-autocomplete",
    ),
    path(
        "teams/<str:team_id>/channels/search_autocomplete",
        views_search.ChannelSearchAutocompleteApi.as_view(),
        name="team-channel-search-autocomplete",
    ),
    path(
        "teams/<str:team_id>/channels/name/<str:channel_name>",
        views.ChannelByNameApi.as_view(),
        name="channel-by-name",
    ),
    path("users/<str:user_id>/channels", views.UserChannelListApi.as_view(), name="user-channels"),
    path(
        "users/<str:user_id>/channels/<str:channel_id>/unread",
        views.ChannelUnreadApi.as_view(),
        name="channel-unread",
    ),
    path(
        "users/<str:user_id>/teams/<str:team_id>/channels",
        views.UserTeamChannelListApi.as_view(),
        name="user-team-channels",
    ),
    path(
        "users/<str:user_id>/teams/<str:team_id>/channels/members",
        views.UserTeamChannelMemberListApi.as_view(),
        name="user-team-channel-members",
    ),
]
