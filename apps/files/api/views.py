"""File upload, download and metadata over Mattermost's API v4."""

from collections.abc import Callable
from typing import Any, TypeVar

from django.http import FileResponse, HttpRequest
from django.utils.datastructures import MultiValueDict
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from apps.channels.permissions import access_channel
from apps.core.api.base import AuthenticatedRequest, BaseApi
from apps.core.api.schema import errors, flag_param, query_param
from apps.core.errors import InvalidInput
from apps.files.api.schema import (
    FileInfoSerializer,
    FileLinkSerializer,
    FileUploadRequestSerializer,
    FileUploadResponseSerializer,
)
from apps.files.api.uploads import BoundedUploadHandler
from apps.files.models import FileInfo
from apps.files.selectors import file_get, file_list_for_post, file_open, file_public_link
from apps.files.services import file_upload
from apps.files.thumbnails import PREVIEW, THUMBNAIL, Rendition, file_rendition_open
from apps.files.wire import file_info_to_wire, upload_response_to_wire

_F = TypeVar("_F", bound=Callable[..., Any])

# Raster formats a browser shows without running anything; everything else (HTML, SVG,
# PDF, text...) is only ever offered as a download.
INLINE_MIME_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
# Even a file opened directly runs nothing and cannot be framed; the image and inline
# style sources let browsers draw their own viewer page around an inline image.
FILE_CSP = (
    "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'none'; sandbox"
)


class FileUploadApi(BaseApi):
    """`POST /files`: multipart parts named `files`, `channel_id` (form field or query
    parameter, before or after the files) and optional `client_ids`. 201."""

    def initialize_request(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Request:
        # First in the chain, before anything can read the body.
        request.upload_handlers.insert(0, BoundedUploadHandler(request))
        return super().initialize_request(request, *args, **kwargs)

    @extend_schema(
        operation_id="UploadFile",
        tags=["files"],
        summary="Upload files to a channel (multipart/form-data)",
        request={"multipart/form-data": FileUploadRequestSerializer},
        responses={201: FileUploadResponseSerializer, **errors(400, 401, 403, 404, 413)},
        parameters=[query_param("channel_id", "The channel, if not a form field.")],
    )
    def post(self, request: AuthenticatedRequest) -> Response:
        data = request.data
        if not isinstance(data, MultiValueDict):  # a form's QueryDict, not JSON
            raise InvalidInput(
                "Send the files as multipart/form-data.",
                error_id="api.file.upload_file.bad_parse.app_error",
            )
        channel_id = data.get("channel_id") or request.query_params.get("channel_id") or ""
        if not channel_id:
            raise InvalidInput(
                "channel_id is required.", error_id="api.context.invalid_body_param.app_error"
            )
        channel, _membership = access_channel(actor=request.user, channel_id=str(channel_id))
        infos, client_ids = file_upload(
            actor=request.user,
            channel=channel,
            files=request.FILES.getlist("files"),
            client_ids=data.getlist("client_ids"),
        )
        return Response(upload_response_to_wire(infos, client_ids), status=201)


def _wants_download(request: Request) -> bool:
    return request.query_params.get("download", "").lower() in ("1", "true", "yes")


def _shown_inline(info: FileInfo) -> bool:
    # Width is only set when the header bytes really are that image type.
    return info.mime_type in INLINE_MIME_TYPES and info.width > 0


class FileDownloadApi(BaseApi):
    """`GET /files/{file_id}`: the bytes, authorized on every request.

    Only verified raster images are shown inline; everything else is an attachment.
    `?download=1` makes any file an attachment.
    """

    @extend_schema(
        operation_id="GetFile",
        tags=["files"],
        summary="Download a file",
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY,
                description="The bytes; only verified raster images are inline.",
            ),
            **errors(401, 403, 404),
        },
        parameters=[flag_param("download", "Always as an attachment.")],
    )
    def get(self, request: AuthenticatedRequest, file_id: str) -> FileResponse:
        info, stream = file_open(actor=request.user, file_id=file_id)
        inline = _shown_inline(info) and not _wants_download(request)
        response = FileResponse(
            stream,
            as_attachment=not inline,
            filename=info.name,
            content_type=info.mime_type or "application/octet-stream",
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = FILE_CSP
        response["Cache-Control"] = "private, no-cache"
        return response


def _rendition_response(
    request: AuthenticatedRequest, file_id: str, rendition: Rendition
) -> FileResponse:
    _info, stream, content_type = file_rendition_open(
        actor=request.user, file_id=file_id, kind=rendition.name
    )
    response = FileResponse(stream, content_type=content_type)
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_CSP
    # Renditions never change; the browser may keep its own copy for a while.
    response["Cache-Control"] = "private, max-age=3600"
    return response


def _rendition_schema(operation_id: str, rendition: Rendition) -> Callable[[_F], _F]:
    image = OpenApiResponse(
        OpenApiTypes.BINARY,
        description=f"Fits {rendition.width}x{rendition.height}: JPEG, or PNG with transparency.",
    )
    return extend_schema(
        operation_id=operation_id,
        tags=["files"],
        summary=f"An image file's {rendition.name}",
        responses={
            (200, "image/jpeg"): image,
            (200, "image/png"): image,
            **errors(400, 401, 403, 404, 429),
        },
    )


class FileThumbnailApi(BaseApi):
    """`GET /files/{file_id}/thumbnail`: a small image for the message list; 400 when
    the file is not an image (or one too large or damaged to render)."""

    @_rendition_schema("GetFileThumbnail", THUMBNAIL)
    def get(self, request: AuthenticatedRequest, file_id: str) -> FileResponse:
        return _rendition_response(request, file_id, THUMBNAIL)


class FilePreviewApi(BaseApi):
    """`GET /files/{file_id}/preview`: a screen-sized image; 400 as for the thumbnail."""

    @_rendition_schema("GetFilePreview", PREVIEW)
    def get(self, request: AuthenticatedRequest, file_id: str) -> FileResponse:
        return _rendition_response(request, file_id, PREVIEW)


class FileInfoApi(BaseApi):
    """`GET /files/{file_id}/info`."""

    @extend_schema(
        operation_id="GetFileInfo",
        tags=["files"],
        responses={200: FileInfoSerializer, **errors(401, 403, 404)},
    )
    def get(self, request: AuthenticatedRequest, file_id: str) -> Response:
        return Response(file_info_to_wire(file_get(actor=request.user, file_id=file_id)))


class FileLinkApi(BaseApi):
    """`GET /files/{file_id}/link`: 501, public links are not offered."""

    @extend_schema(
        operation_id="GetFileLink",
        tags=["files"],
        summary="Public links are disabled: 501",
        responses={200: FileLinkSerializer, **errors(401, 403, 404, 501)},
    )
    def get(self, request: AuthenticatedRequest, file_id: str) -> Response:
        return Response({"link": file_public_link(actor=request.user, file_id=file_id)})


class PostFileInfoListApi(BaseApi):
    """`GET /posts/{post_id}/files/info`: the files a post shows."""

    @extend_schema(
        operation_id="GetFileInfosForPost",
        tags=["files"],
        responses={200: FileInfoSerializer(many=True), **errors(401, 403, 404)},
    )
    def get(self, request: AuthenticatedRequest, post_id: str) -> Response:
        infos = file_list_for_post(actor=request.user, post_id=post_id)
        return Response([file_info_to_wire(i) for i in infos])
