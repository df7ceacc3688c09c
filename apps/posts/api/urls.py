"""Routes of the posts API, mounted under /api/v4/."""

from django.urls import path

from apps.posts.api import views

app_name = "posts"

urlpatterns = [
    path("posts", views.PostCreateApi.as_view(), name="post-create"),
    path("posts/ephemeral", views.PostEphemeralApi.as_view(), name="post-ephemeral"),
    path("posts/ids", views.PostListByIdsApi.as_view(), name="post-list-by-ids"),
    path("posts/ids/reactions", views.ReactionBulkListApi.as_view(), name="reaction-bulk-list"),
    path("posts/<str:post_id>", views.PostDetailApi.as_view(), name="post-detail"),
    path("posts/<str:post_id>/patch", views.PostPatchApi.as_view(), name="post-patch"),
    path("posts/<str:post_id>/thread", views.PostThreadApi.as_view(), name="post-thread"),
    path("posts/<str:post_id>/pin", views.PostPinApi.as_view(), name="post-pin"),
    path("posts/<str:post_id>/unpin", views.PostUnpinApi.as_view(), name="post-unpin"),
    path(
        "posts/<str:post_id>/edit_history",
        views.PostEditHistoryApi.as_view(),
        name="post-edit-history",
    ),
    path(
        "posts/<str:post_id>/reactions",
        views.PostReactionListApi.as_view(),
        name="post-reaction-list",
    ),
    path(
        "channels/<str:channel_id>/posts", views.ChannelPostListApi.as_view(), name="channel-posts"
    ),
    path(
        "channels/<str:channel_id>/pinned",
        views.ChannelPinnedListApi.as_view(),
        name="channel-pinned",
    ),
    path(
        "users/<str:user_id>/posts/flagged",
        views.FlaggedPostListApi.as_view(),
        name="flagged-post-list",
    ),
    path("reactions", views.ReactionCreateApi.as_view(), name="reaction-create"),
    path("drafts", views.DraftUpsertApi.as_view(), name="draft-upsert"),
    path(
        "users/<str:user_id>/teams/<str:team_id>/drafts",
        views.TeamDraftListApi.as_view(),
        name="draft-list",
    ),
    path(
        "users/<str:user_id>/channels/<str:channel_id>/drafts",
        views.DraftDeleteApi.as_view(),
        name="draft-delete",
    ),
    path(
        "users/<str:user_id>/channels/<str:channel_id>/drafts/<str:thread_id>",
        views.ThreadDraftDeleteApi.as_view(),
        name="draft-delete-thread",
    ),
    path(
        "users/<str:user_id>/posts/<str:post_id>/reactions/<str:emoji_name>",
        views.ReactionDeleteApi.as_view(),
        name="reaction-delete",
    ),
]
