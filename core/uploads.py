"""File uploads with a size limit that holds before the body is read, not after."""

from __future__ import annotations

from django.core.files.uploadhandler import FileUploadHandler
from django.http.multipartparser import MultiPartParser as DjangoMultiPartParser
from django.http.multipartparser import MultiPartParserError
from rest_framework.exceptions import ParseError
from rest_framework.parsers import DataAndFiles, MultiPartParser

from core.errors import ApplicationError, RequestTooLarge

# Room for the multipart framing and a few small fields beside the file.
MULTIPART_OVERHEAD_BYTES = 64 * 1024


class _FileSizeLimit(FileUploadHandler):
    """First in the handler chain: stops reading a file once it passes `max_bytes`."""

    def __init__(self, request, *, max_bytes: int, error: type[ApplicationError]):
        super().__init__(request)
        self.max_bytes, self.error = max_bytes, error

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.max_bytes:
            raise self.error()
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler in the chain keeps the file


class LimitedMultiPartParser(MultiPartParser):
    """multipart/form-data for a view with `max_upload_bytes` and `upload_too_large`.

    A body whose Content-Length exceeds the limit plus the multipart overhead is refused
    with 413 `request_too_large` before any of it is read; a file that grows past the
    limit while it streams in raises the view's `upload_too_large` (an ApplicationError).
    """

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        request = parser_context["request"]
        view = parser_context["view"]
        max_bytes = view.max_upload_bytes
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > max_bytes + MULTIPART_OVERHEAD_BYTES:
            raise RequestTooLarge(
                f"The request body is larger than {max_bytes + MULTIPART_OVERHEAD_BYTES} bytes."
            )
        meta = request.META.copy()
        meta["CONTENT_TYPE"] = media_type
        handlers = [
            _FileSizeLimit(request, max_bytes=max_bytes, error=view.upload_too_large),
            *request.upload_handlers,
        ]
        encoding = parser_context.get("encoding") or "utf-8"
        try:
            data, files = DjangoMultiPartParser(meta, stream, handlers, encoding).parse()
        except MultiPartParserError as exc:
            raise ParseError(f"Multipart form parse error - {exc}") from exc
        return DataAndFiles(data, files)
