"""Routes of the web client's settings area."""

from django.urls import path

from apps.web import views_settings

urlpatterns = [
    path("settings", views_settings.settings_page, name="settings"),
    path("theme.css", views_settings.theme_css, name="theme_css"),
]
