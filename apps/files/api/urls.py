"""Routes of the files API, mounted under /api/v4/."""

from django.urls import path

from apps.files.api import views

app_name = "files"

urlpatterns = [
    path("files", views.FileUploadApi.as_view(), name="file-upload"),
    path("files/<str:file_id>", views.FileDownloadApi.as_view(), name="file-download"),
    path("files/<str:file_id>/info", views.FileInfoApi.as_view(), name="file-info"),
    path("files/<str:file_id>/thumbnail", views.FileThumbnailApi.as_view(), name="file-thumbnail"),
    path("files/<str:file_id>/preview", views.FilePreviewApi.as_view(), name="file-preview"),
    path("files/<str:file_id>/link", views.FileLinkApi.as_view(), name="file-link"),
    path(
        "posts/<str:post_id>/files/info",
        views.PostFileInfoListApi.as_view(),
        name="post-file-info-list",
    ),
]
