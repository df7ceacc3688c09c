"""Routes of the search API, mounted under /api/v4/ (before the posts routes, whose
`posts/<post_id>` would otherwise take `posts/search`)."""

from django.urls import path

from apps.search.api import views

app_name = "search"

urlpatterns = [
    path("posts/search", views.PostSearchApi.as_view(), name="post-search"),
    path(
        "teams/<str:team_id>/posts/search",
        views.TeamPostSearchApi.as_view(),
        name="team-post-search",
    ),
]
