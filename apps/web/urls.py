"""The web client's pages (Mattermost's URL shapes) and the fragments the page script loads."""

from django.urls import include, path

from apps.web import views_auth, views_chat, views_teams

app_name = "web"

urlpatterns = [
    path("", views_chat.home, name="home"),
    path("login", views_auth.login_page, name="login"),
    path("signup_user_complete", views_auth.signup_page, name="signup"),
    path("logout", views_auth.logout_page, name="logout"),
    path("select_team", views_teams.select_team, name="select_team"),
    path("create_team", views_teams.create_team, name="create_team"),
    path("teams/<str:team_id>/join", views_teams.join_team, name="join_team"),
    # Each area of the client keeps its own routes.
    path("", include("apps.web.urls_settings")),
    path("_/rhs/", include("apps.web.urls_rhs")),
    path("_/nav/", include("apps.web.urls_nav")),
    path("_/search/", include("apps.web.urls_search")),
    path("_/posts/<str:post_id>", views_chat.post_fragment, name="post_fragment"),
    path("_/channels/<str:channel_id>/history", views_chat.history_fragment, name="history"),
    path("_/teams/<str:team_id>/sidebar", views_chat.sidebar_fragment, name="sidebar"),
    path("pl/<str:post_id>", views_chat.permalink, name="permalink"),
    path("<slug:team_name>/channels/<str:channel_name>", views_chat.channel_page, name="channel"),
    path("<slug:team_name>/messages/@<str:username>", views_chat.direct_page, name="direct"),
    path("<slug:team_name>/messages/<str:channel_name>", views_chat.group_page, name="group"),
]
