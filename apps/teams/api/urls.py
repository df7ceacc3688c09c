"""Routes of the teams API, mounted under /api/v4/.

Literal segments come before the `<team_id>` patterns they could be mistaken for
(`teams/name/...`, `teams/members/invite`).
"""

from django.urls import path

from apps.teams.api import views

app_name = "teams"

urlpatterns = [
    path("teams", views.TeamListCreateApi.as_view(), name="team-list-create"),
    path("teams/members/invite", views.TeamJoinByInviteApi.as_view(), name="team-join-invite"),
    path("teams/name/<str:name>", views.TeamByNameApi.as_view(), name="team-by-name"),
    path("teams/<str:team_id>", views.TeamDetailApi.as_view(), name="team-detail"),
    path("teams/<str:team_id>/patch", views.TeamPatchApi.as_view(), name="team-patch"),
    path(
        "teams/<str:team_id>/members",
        views.TeamMemberListAddApi.as_view(),
        name="team-member-list-add",
    ),
    path(
        "teams/<str:team_id>/members/<str:user_id>",
        views.TeamMemberDetailApi.as_view(),
        name="team-member-detail",
    ),
    path(
        "teams/<str:team_id>/members/<str:user_id>/roles",
        views.TeamMemberRolesApi.as_view(),
        name="team-member-roles",
    ),
    path("users/<str:user_id>/teams", views.UserTeamListApi.as_view(), name="user-team-list"),
    path(
        "users/<str:user_id>/teams/members",
        views.UserTeamMemberListApi.as_view(),
        name="user-team-member-list",
    ),
]
