"""Routes of the accounts API, mounted under /api/v4/.

Fixed segments (`users/ids`, `users/tokens/...`) come before `users/<user_id>`.
"""

from django.urls import path

from apps.accounts.api import views, views_bots, views_presence, views_search, views_tokens

app_name = "accounts"

urlpatterns = [
    path("users", views.UserListCreateApi.as_view(), name="user-list-create"),
    path("users/login", views.LoginApi.as_view(), name="user-login"),
    path("users/logout", views.LogoutApi.as_view(), name="user-logout"),
    path("users/ids", views.UserByIdsApi.as_view(), name="user-by-ids"),
    path("users/usernames", views.UserByUsernamesApi.as_view(), name="user-by-usernames"),
    path("users/autocomplete", views.UserAutocompleteApi.as_view(), name="user-autocomplete"),
    path("users/search", views_search.UserSearchApi.as_view(), name="user-search"),
    path(
        "users/username/<str:username>", views.UserByUsernameApi.as_view(), name="user-by-username"
    ),
    path("users/email/<str:email>", views.UserByEmailApi.as_view(), name="user-by-email"),
    path("users/status/ids", views_presence.StatusByIdsApi.as_view(), name="status-by-ids"),
    path("users/tokens", views_tokens.TokenListAllApi.as_view(), name="token-list-all"),
    path("users/tokens/revoke", views_tokens.TokenRevokeApi.as_view(), name="token-revoke"),
    path("users/tokens/disable", views_tokens.TokenDisableApi.as_view(), name="token-disable"),
    path("users/tokens/enable", views_tokens.TokenEnableApi.as_view(), name="token-enable"),
    path("users/tokens/<str:token_id>", views_tokens.TokenDetailApi.as_view(), name="token-detail"),
    path("users/<str:user_id>", views.UserDetailApi.as_view(), name="user-detail"),
    path("users/<str:user_id>/patch", views.UserPatchApi.as_view(), name="user-patch"),
    path("users/<str:user_id>/active", views.UserActiveApi.as_view(), name="user-active"),
    path("users/<str:user_id>/password", views.UserPasswordApi.as_view(), name="user-password"),
    path("users/<str:user_id>/roles", views.UserRolesApi.as_view(), name="user-roles"),
    path(
        "users/<str:user_id>/sessions", views_tokens.SessionListApi.as_view(), name="session-list"
    ),
    path(
        "users/<str:user_id>/sessions/revoke",
        views_tokens.SessionRevokeApi.as_view(),
        name="session-revoke",
    ),
    path(
        "users/<str:user_id>/sessions/revoke/all",
        views_tokens.SessionRevokeAllApi.as_view(),
        name="session-revoke-all",
    ),
    path(
        "users/<str:user_id>/tokens",
        views_tokens.UserTokenListCreateApi.as_view(),
        name="user-token-list-create",
    ),
    path("users/<str:user_id>/status", views_presence.UserStatusApi.as_view(), name="user-status"),
    path(
        "users/<str:user_id>/status/custom",
        views_presence.UserCustomStatusApi.as_view(),
        name="user-custom-status",
    ),
    path(
        "users/<str:user_id>/preferences",
        views_presence.PreferenceListApi.as_view(),
        name="preference-list",
    ),
    path(
        "users/<str:user_id>/preferences/delete",
        views_presence.PreferenceDeleteApi.as_view(),
        name="preference-delete",
    ),
    path(
        "users/<str:user_id>/preferences/<str:category>",
        views_presence.PreferenceCategoryApi.as_view(),
        name="preference-category",
    ),
    path(
        "users/<str:user_id>/preferences/<str:category>/name/<str:name>",
        views_presence.PreferenceDetailApi.as_view(),
        name="preference-detail",
    ),
    path("bots", views_bots.BotListCreateApi.as_view(), name="bot-list-create"),
    path("bots/<str:bot_user_id>", views_bots.BotDetailApi.as_view(), name="bot-detail"),
    path("bots/<str:bot_user_id>/disable", views_bots.BotDisableApi.as_view(), name="bot-disable"),
    path("bots/<str:bot_user_id>/enable", views_bots.BotEnableApi.as_view(), name="bot-enable"),
    path(
        "bots/<str:bot_user_id>/assign/<str:user_id>",
        views_bots.BotAssignApi.as_view(),
        name="bot-assign",
    ),
]
