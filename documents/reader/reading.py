"""Reading copies: large PDFs rearranged so the reader shows page 1 after a small download.

See ``documents.models.ReadingCopy`` for why. qpdf (through pikepdf) rewrites the file with
generated object streams; page content and images are copied as they are, so the copy shows
exactly the same pages. A file qpdf cannot rewrite simply gets no copy: reading still works,
only more slowly.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from pathlib import Path
from typing import IO

import pikepdf

logger = logging.getLogger(__name__)


def packed_copy(stream: IO[bytes], workdir: Path) -> Path | None:
    """Write a reading copy of the PDF in *stream* into *workdir*; None if qpdf cannot."""
    source = workdir / "source.pdf"
    target = workdir / "reading.pdf"
    stream.seek(0)
    with source.open("wb") as handle:
        shutil.copyfileobj(stream, handle, 1024 * 1024)
    try:
        with pikepdf.open(source) as pdf:
            pdf.save(
                target,
                object_stream_mode=pikepdf.ObjectStreamMode.generate,
                compress_streams=True,
                linearize=False,
            )
    except (pikepdf.PdfError, OSError, ValueError) as exc:
        # A copy is an optimisation; the checked original is served instead.
        logger.warning("No reading copy: %s", exc)
        return None
    return target


def temporary_workdir() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="kyhop-reading-")
