"""Serving stored files: single byte ranges, If-Range, ETags, streamed from storage.

pdf.js asks for one range at a time, so a request for several ranges is answered with the whole
file (200), which RFC 9110 allows (a server may ignore Range); multipart/byteranges would add code
no client of ours uses. The ETag is the SHA-256: versions never change, so it is a strong
validator by construction.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils.http import content_disposition_header

from documents.models import Blob
from documents.storage import blob_open

CHUNK_SIZE = 64 * 1024
_RANGE = re.compile(r"^\s*(\d*)\s*-\s*(\d*)\s*$")


class RangeNotSatisfiable(Exception):
    """The client asked only for bytes the file does not have (answer 416)."""


@dataclass(frozen=True)
class ByteRange:
    start: int
    end: int  # inclusive, as in Content-Range

    @property
    def length(self) -> int:
        return self.end - self.start + 1


def byte_range(header: str | None, size: int) -> ByteRange | None:
    """Parse a Range header for a file of *size* bytes.

    None means "send the whole file": no header, another unit, several ranges, or a header we
    cannot read (a server may ignore a Range it does not understand). Raises RangeNotSatisfiable
    when the one range asked for lies wholly outside the file.
    """
    if not header or not header.strip().lower().startswith("bytes="):
        return None
    spec = header.strip()[len("bytes=") :]
    if "," in spec:
        return None
    match = _RANGE.match(spec)
    if match is None or match.group(1) == match.group(2) == "":
        return None
    first, last = match.group(1), match.group(2)
    if first == "":
        return _suffix_range(int(last), size)
    start = int(first)
    if last and int(last) < start:
        return None  # syntactically invalid: ignored, per RFC 9110 §14.1.1
    if start >= size:
        raise RangeNotSatisfiable
    end = min(int(last), size - 1) if last else size - 1
    return ByteRange(start, end)


def _suffix_range(suffix: int, size: int) -> ByteRange:
    if suffix == 0 or size == 0:
        raise RangeNotSatisfiable
    return ByteRange(max(0, size - suffix), size - 1)


def quoted_etag(blob: Blob) -> str:
    return f'"{blob.sha256}"'


def _if_range_allows(request: HttpRequest, etag: str) -> bool:
    """If-Range: honour Range only when the client's copy is this exact file.

    Only a strong ETag can match; a date never does (our ETag is the better validator, and a
    wrong partial answer would corrupt the client's copy).
    """
    if_range = request.headers.get("If-Range")
    return if_range is None or if_range.strip() == etag


def _not_modified(request: HttpRequest, etag: str) -> bool:
    header = request.headers.get("If-None-Match")
    if not header:
        return False
    candidates = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return "*" in candidates or etag in candidates


def blob_response(
    request: HttpRequest, blob: Blob, *, filename: str, inline: bool = True
) -> HttpResponseBase:
    """A 200, 206, 304 or 416 answer for *blob*, with the body streamed from storage."""
    etag = quoted_etag(blob)
    if _not_modified(request, etag):
        return _with_common_headers(HttpResponse(status=304), etag)
    try:
        wanted = byte_range(request.headers.get("Range"), blob.size)
    except RangeNotSatisfiable:
        response: HttpResponse | StreamingHttpResponse = HttpResponse(status=416)
        response.headers["Content-Range"] = f"bytes */{blob.size}"
        return _with_common_headers(response, etag)
    if wanted is not None and not _if_range_allows(request, etag):
        wanted = None
    span = wanted or ByteRange(0, blob.size - 1)
    if request.method == "HEAD":
        response = HttpResponse(status=206 if wanted else 200)
    else:
        response = StreamingHttpResponse(
            _stream(request, blob.storage_name, span), status=206 if wanted else 200
        )
    if wanted is not None:
        response.headers["Content-Range"] = f"bytes {span.start}-{span.end}/{blob.size}"
    response.headers["Content-Length"] = str(span.length if blob.size else 0)
    response.headers["Content-Type"] = blob.mime
    # None only without a file name; a version always has one.
    response.headers["Content-Disposition"] = content_disposition_header(  # type: ignore[assignment]
        as_attachment=not inline, filename=filename
    )
    return _with_common_headers(response, etag)


def _with_common_headers(response: HttpResponseBase, etag: str) -> HttpResponseBase:
    response.headers["Accept-Ranges"] = "bytes"
    response.headers["ETag"] = etag
    # Private: every request is permission-checked, so no shared cache may keep a copy.
    # no-transform: a proxy that compressed the body would break byte offsets for pdf.js.
    response.headers["Cache-Control"] = "private, no-cache, no-transform"
    return response


def _stream(
    request: HttpRequest, name: str, span: ByteRange
) -> Iterator[bytes] | AsyncIterator[bytes]:
    # Under ASGI, Django buffers a *sync* iterator whole before sending it (it calls list() on
    # it), which would put a 100 MB file in memory; an async iterator is sent chunk by chunk.
    if isinstance(request, ASGIRequest):
        return _chunks_async(name, span)
    return _chunks(name, span)


def _chunks(name: str, span: ByteRange) -> Iterator[bytes]:
    remaining = span.length
    with blob_open(name) as handle:
        handle.seek(span.start)
        while remaining > 0:
            chunk = handle.read(min(CHUNK_SIZE, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk


async def _chunks_async(name: str, span: ByteRange) -> AsyncIterator[bytes]:
    handle = await sync_to_async(blob_open, thread_sensitive=False)(name)
    try:
        await sync_to_async(handle.seek, thread_sensitive=False)(span.start)
        remaining = span.length
        while remaining > 0:
            chunk = await sync_to_async(handle.read, thread_sensitive=False)(
                min(CHUNK_SIZE, remaining)
            )
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk
    finally:
        await sync_to_async(handle.close, thread_sensitive=False)()
