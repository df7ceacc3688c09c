"""Routes of the web client's nav area (mounted under `_/nav/`, names in the `web` namespace)."""

from django.urls import path

from apps.web import views_nav

urlpatterns = [
    path("switcher", views_nav.switcher, name="nav_switcher"),
    path("teams/<str:team_id>/browse", views_nav.browse, name="nav_browse"),
    path("emoji", views_nav.emoji, name="nav_emoji"),
]
