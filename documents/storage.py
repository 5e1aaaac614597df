"""Content-addressed file storage on top of Django's storage API.

Files are named after their SHA-256, so identical bytes land on one name and are written once,
and the store can be swapped (local disk, S3-compatible) through the STORAGES setting alone.
"""

from __future__ import annotations

import hashlib
from typing import IO

from django.core.files import File
from django.core.files.storage import default_storage

CHUNK_SIZE = 1024 * 1024


def blob_name(sha256: str) -> str:
    """blobs/ab/cd/abcd…: two fan-out levels keep directories small on local disk."""
    return f"blobs/{sha256[:2]}/{sha256[2:4]}/{sha256}"


def digest(stream: IO[bytes]) -> tuple[str, int]:
    """SHA-256 and size of *stream*, read in chunks (never the whole file in memory)."""
    hasher = hashlib.sha256()
    size = 0
    stream.seek(0)
    while chunk := stream.read(CHUNK_SIZE):
        hasher.update(chunk)
        size += len(chunk)
    stream.seek(0)
    return hasher.hexdigest(), size


def blob_write(stream: IO[bytes], *, sha256: str) -> tuple[str, bool]:
    """Store *stream* under its hash; return the storage name and whether it was written now."""
    name = blob_name(sha256)
    if default_storage.exists(name):
        return name, False
    stream.seek(0)
    # The storage may pick another name if a concurrent writer got there first; the bytes are
    # the same either way, so whichever name it returns is right.
    stored = default_storage.save(name, File(stream, name=name))
    return stored, True


def blob_open(name: str) -> File:
    return default_storage.open(name, "rb")


def blob_delete(name: str) -> None:
    default_storage.delete(name)
