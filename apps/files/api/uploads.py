"""A multipart upload handler that refuses oversized uploads while they stream in.

Django spools uploads to memory and then to a temporary file; without a bound, a client
could fill the disk before the view ever sees the size. This handler sits first in the
chain and stops the request as soon as one file passes the limit or too many files
arrive, so nothing of it is stored.
"""

from typing import IO, Any

from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest

from apps.core.errors import InvalidInput
from apps.files.services import FILES_PER_UPLOAD_MAX, max_file_size, too_large_error

# Room for the non-file fields and the multipart framing around the files.
_FORM_OVERHEAD = 1024 * 1024


class BoundedUploadHandler(FileUploadHandler):
    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.limit = max_file_size()
        self.files_seen = 0
        self.received = 0

    def handle_raw_input(
        self,
        input_data: IO[bytes],
        META: dict[str, str],
        content_length: int,
        boundary: str,
        encoding: str | None = None,
    ) -> None:
        if content_length and content_length > FILES_PER_UPLOAD_MAX * self.limit + _FORM_OVERHEAD:
            raise too_large_error(self.limit)

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.files_seen += 1
        if self.files_seen > FILES_PER_UPLOAD_MAX:
            raise InvalidInput(
                f"At most {FILES_PER_UPLOAD_MAX} files per upload.",
                error_id="api.file.upload_file.too_many_files.app_error",
            )
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.limit:
            raise too_large_error(self.limit)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None
