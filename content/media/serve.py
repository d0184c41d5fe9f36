"""Serving local media (``/media/``) safely, when the default storage is the local folder.

A file is served only when its bytes sniff as an accepted image or video type, and then as that
type, inline, with ``nosniff`` and a sandboxing policy: an HTML or SVG file that reached the
folder is a 404, never a page of the site's origin. Single byte ranges are honoured (video
seeking). In production media come from the bucket or the CDN and this view is not mounted.
"""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator, Iterator
from typing import IO

from asgiref.sync import sync_to_async
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.handlers.asgi import ASGIRequest
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified, StreamingHttpResponse
from django.utils.http import http_date, parse_http_date_safe
from django.views.decorators.http import require_safe

from content.media.sniff import SNIFF_BYTES, accepted_type

CHUNK_BYTES = 64 * 1024
# Stored names are never rewritten in place (a new upload gets a new name): a day is safe.
CACHE_CONTROL = "public, max-age=86400"
# A media file is never a document: nothing in it may run, load or be framed as one.
MEDIA_CSP = "default-src 'none'; sandbox"
RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def byte_range(header: str, size: int) -> tuple[int, int] | None:
    """The inclusive ``(first, last)`` byte of a single ``Range`` header for a file of ``size``.

    ``None`` when the header is absent, malformed or asks for several ranges (the whole file is
    then served, as RFC 9110 allows); ``(size, size)`` when no byte of it exists (416).
    """
    match = RANGE.match(header.strip())
    if match is None or match.group(1) == match.group(2) == "":
        return None
    first, last = match.group(1), match.group(2)
    if first == "":  # the last N bytes
        suffix = int(last)
        if suffix == 0:
            return (size, size)
        return (max(0, size - suffix), size - 1)
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size:
        return (size, size)
    if end < start:
        return None
    return (start, end)


async def _chunks_async(handle: IO[bytes], length: int) -> AsyncIterator[bytes]:
    """``_chunks`` for an ASGI server: Django would read a synchronous iterator whole into memory first."""
    chunks = _chunks(handle, length)
    read = sync_to_async(lambda: next(chunks, None), thread_sensitive=False)
    while (chunk := await read()) is not None:
        yield chunk


def _chunks(handle: IO[bytes], length: int) -> Iterator[bytes]:
    with handle:
        while length > 0:
            chunk = handle.read(min(CHUNK_BYTES, length))
            if not chunk:
                return
            length -= len(chunk)
            yield chunk


@require_safe
def media_serve(request: HttpRequest, path: str) -> HttpResponse | StreamingHttpResponse:
    storage = default_storage
    if not isinstance(getattr(storage, "_wrapped", storage), FileSystemStorage):
        raise Http404("Media is not served from here.")
    try:
        full = storage.path(path)
    except SuspiciousFileOperation as exc:
        raise Http404("No such file.") from exc
    try:
        handle = open(full, "rb")  # noqa: SIM115  (closed by the response's iterator)
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError) as exc:
        raise Http404("No such file.") from exc
    head = handle.read(SNIFF_BYTES)
    media_type = accepted_type(head)
    if media_type is None:
        handle.close()
        raise Http404("Not a media file.")
    stat = os.fstat(handle.fileno())
    size, modified = stat.st_size, int(stat.st_mtime)
    since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
    if since is not None and modified <= since:
        handle.close()
        response: HttpResponse | StreamingHttpResponse = HttpResponseNotModified()
        response["Last-Modified"] = http_date(modified)
        return response
    wanted = byte_range(request.headers.get("Range", ""), size)
    if wanted == (size, size):
        handle.close()
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
    else:
        first, last = wanted if wanted is not None else (0, size - 1)
        handle.seek(first)
        length = max(0, last - first + 1)
        chunks = _chunks_async if isinstance(request, ASGIRequest) else _chunks
        response = StreamingHttpResponse(chunks(handle, length), status=206 if wanted else 200)
        response["Content-Length"] = str(length)
        if wanted:
            response["Content-Range"] = f"bytes {first}-{last}/{size}"
        response["Content-Type"] = media_type.content_type
        response["Content-Disposition"] = "inline"
        response["Last-Modified"] = http_date(modified)
        response["Cache-Control"] = CACHE_CONTROL
    response["Accept-Ranges"] = "bytes"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = MEDIA_CSP
    return response
