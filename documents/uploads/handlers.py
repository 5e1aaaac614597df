"""Uploads too large for memory go to *unnamed* temporary files.

Django's own handler streams them to a named file in the temporary directory and deletes it
when the request ends; a server killed mid-request (during a long conversion, say) leaves that
file behind. An unnamed file (``O_TMPFILE`` or unlinked at once) disappears with the last
descriptor, whatever happens to the process. Nothing in KyHop needs an upload's path.
"""

from __future__ import annotations

import tempfile
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, TemporaryFileUploadHandler


class UnnamedTemporaryUploadedFile(UploadedFile):
    def __init__(
        self,
        name: str,
        content_type: str,
        size: int,
        charset: str | None,
        content_type_extra: dict[str, Any] | None = None,
    ) -> None:
        file = tempfile.TemporaryFile(suffix=".upload", dir=settings.FILE_UPLOAD_TEMP_DIR)  # noqa: SIM115
        super().__init__(file, name, content_type, size, charset, content_type_extra)


class UnnamedTemporaryFileUploadHandler(TemporaryFileUploadHandler):
    """``TemporaryFileUploadHandler`` with an unnamed file (settings.FILE_UPLOAD_HANDLERS)."""

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        FileUploadHandler.new_file(self, *args, **kwargs)
        # new_file has just set the name and type; the stubs type them as optional.
        self.file = UnnamedTemporaryUploadedFile(  # type: ignore[assignment]
            self.file_name,  # type: ignore[arg-type]
            self.content_type,  # type: ignore[arg-type]
            0,
            self.charset,
            self.content_type_extra,
        )

    def upload_interrupted(self) -> None:
        if hasattr(self, "file"):
            self.file.close()
