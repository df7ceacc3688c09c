"""Routes of the right-hand panel (threads, pinned, saved, members) and the emoji picker."""

from django.urls import path

from apps.web import views_rhs

urlpatterns = [
    path("threads/<str:post_id>", views_rhs.thread, name="thread"),
    path("channels/<str:channel_id>/pinned", views_rhs.pinned, name="rhs_pinned"),
    path("channels/<str:channel_id>/members", views_rhs.members, name="rhs_members"),
    path("teams/<str:team_id>/saved", views_rhs.saved, name="rhs_saved"),
    path("emoji-picker", views_rhs.emoji_picker, name="emoji_picker"),
    path("emoji", views_rhs.emoji_lookup, name="emoji_lookup"),
]
