"""DOCX/ODT/XLSX to PDF with LibreOffice headless.

Each conversion runs in its own temporary directory with its own LibreOffice profile: two
conversions sharing the default profile block each other (LibreOffice allows one instance per
profile) and a crash could leave the shared profile locked for every later request.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.utils.translation import gettext

logger = logging.getLogger(__name__)


def office_to_pdf(upload: File, *, suffix: str, workdir: Path) -> Path:
    """Convert *upload* into a PDF inside *workdir* (the caller's temporary directory)."""
    source = workdir / f"source.{suffix}"
    with source.open("wb") as handle:
        upload.seek(0)
        for chunk in upload.chunks():
            handle.write(chunk)
    upload.seek(0)
    outdir = workdir / "out"
    outdir.mkdir()
    _run_soffice(source, outdir=outdir, profile=workdir / "profile")
    result = outdir / "source.pdf"
    if not result.is_file() or result.stat().st_size == 0:
        raise ValidationError(
            gettext("Không chuyển được tệp sang PDF: LibreOffice không đọc được nội dung tệp."),
            code="conversion_failed",
        )
    return result


def _run_soffice(source: Path, *, outdir: Path, profile: Path) -> None:
    binary = shutil.which(settings.KYHOP_SOFFICE_BINARY)
    if binary is None:
        # A missing tool is the server's fault, not the user's: let it surface as an error.
        raise RuntimeError(f"Không tìm thấy LibreOffice ({settings.KYHOP_SOFFICE_BINARY}).")
    command = [
        binary,
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--norestore",
        "--nolockcheck",
        "--convert-to",
        "pdf",
        "--outdir",
        str(outdir),
        str(source),
    ]
    # A new session so a timeout can kill soffice.bin too, not only the wrapper script.
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        env={**os.environ, "HOME": str(profile.parent)},
    )
    try:
        _, stderr = process.communicate(timeout=settings.KYHOP_SOFFICE_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise ValidationError(
            gettext("Chuyển tệp sang PDF quá thời gian cho phép; tệp có thể quá lớn hoặc bị hỏng."),
            code="conversion_timeout",
        ) from None
    if process.returncode != 0:
        logger.warning("soffice exited %s: %s", process.returncode, stderr[-2000:])
