"""Routes of message search (mounted under `_/search/`, names in the `web` namespace)."""

from django.urls import path

from apps.web import views_search

urlpatterns = [
    path("results", views_search.results, name="search_results"),
]
