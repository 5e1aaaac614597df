"""DOCX/ODT/XLSX to PDF with LibreOffice headless, through a watchdog process.

Each conversion is one run of ``documents/uploads/soffice_guard.py`` (see its docstring):
LibreOffice in its own process group with time, CPU, memory and file-size limits and a private
profile, killed with its whole group — and its directory removed — when the time limit passes, when
the request is cancelled, or when the server dies. The server keeps no file of its own on
disk: the office file and the PDF travel through unnamed temporary files, which the kernel
removes whatever happens to the process.

Cancellation: under ASGI a sync view runs in a thread, and a client that disconnects cancels
the request's task, not the thread. The wait for the watchdog is therefore a coroutine run
with ``async_to_sync`` on the server's event loop; asgiref passes the request's cancellation
on to it, and it stops the watchdog (SIGTERM) before letting the cancellation through.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import IO

from asgiref.sync import async_to_sync
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.utils.translation import gettext

from documents.uploads import soffice_guard

logger = logging.getLogger(__name__)

GUARD = Path(soffice_guard.__file__)
# How long past its own limit the watchdog may take before the server kills it, and how long a
# stopped watchdog may take to clean up.
GUARD_GRACE_SECONDS = 15


def office_to_pdf(upload: File, *, suffix: str) -> IO[bytes]:
    """Convert *upload*; return the PDF as an open unnamed temporary file (the caller closes)."""
    command = _guard_command(suffix)
    with tempfile.TemporaryFile(prefix="kyhop-office-") as source:
        upload.seek(0)
        for chunk in upload.chunks():
            source.write(chunk)
        upload.seek(0)
        source.seek(0)
        result = tempfile.TemporaryFile(prefix="kyhop-pdf-")  # noqa: SIM115 - handed to the caller
        try:
            returncode, stderr = async_to_sync(_run_guard)(command, stdin=source, stdout=result)
            _check_outcome(returncode, stderr)
        except BaseException:
            result.close()
            raise
    result.seek(0)
    return result


def soffice_binary() -> str:
    """``soffice.bin`` itself when the configured binary is LibreOffice's ``soffice`` script.

    The script execs ``oosplash``, which forks ``soffice.bin``: a grandchild the kernel does not
    kill with its parent. Started directly, it is the watchdog's own child.
    """
    binary = shutil.which(str(settings.KYHOP_SOFFICE_BINARY))
    if binary is None:
        # A missing tool is the server's fault, not the user's: let it surface as an error.
        raise RuntimeError(f"Không tìm thấy LibreOffice ({settings.KYHOP_SOFFICE_BINARY}).")
    real = Path(binary).resolve()
    direct = real.with_name("soffice.bin")
    if real.name == "soffice" and os.access(direct, os.X_OK):
        return str(direct)
    return binary


def _guard_command(suffix: str) -> list[str]:
    return [
        sys.executable,
        "-I",  # isolated: no user site, no PYTHON* variables, only the standard library
        str(GUARD),
        f"--binary={soffice_binary()}",
        f"--suffix={suffix}",
        f"--parent={os.getpid()}",
        f"--timeout={settings.KYHOP_SOFFICE_TIMEOUT}",
        f"--cpu-seconds={settings.KYHOP_SOFFICE_CPU_SECONDS}",
        f"--memory-mb={settings.KYHOP_SOFFICE_MEMORY_MB}",
        # The PDF made from an office file obeys the upload size limit too.
        f"--max-output-bytes={settings.KYHOP_UPLOAD_MAX_BYTES}",
    ]


def _guard_env() -> dict[str, str]:
    """What the watchdog needs; never the server's environment (secrets, database URL)."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}
    if "TMPDIR" in os.environ:
        env["TMPDIR"] = os.environ["TMPDIR"]
    return env


async def _run_guard(
    command: list[str], *, stdin: IO[bytes], stdout: IO[bytes]
) -> tuple[int, bytes]:
    process = await asyncio.create_subprocess_exec(
        *command, stdin=stdin, stdout=stdout, stderr=asyncio.subprocess.PIPE, env=_guard_env()
    )
    try:
        async with asyncio.timeout(settings.KYHOP_SOFFICE_TIMEOUT + GUARD_GRACE_SECONDS):
            _, stderr = await process.communicate()
    except TimeoutError:
        await _stop(process)
        return soffice_guard.TIMEOUT, b""
    except BaseException:  # the request was cancelled (the client went away)
        await _stop(process)
        raise
    return process.returncode or 0, stderr


async def _stop(process: asyncio.subprocess.Process) -> None:
    """SIGTERM: the watchdog kills LibreOffice's group and removes its directory, then exits."""
    if process.returncode is not None:
        return
    process.terminate()
    try:
        async with asyncio.timeout(GUARD_GRACE_SECONDS):
            await process.wait()
    except TimeoutError:
        process.kill()
        await process.wait()


def _check_outcome(returncode: int, stderr: bytes) -> None:
    if returncode == soffice_guard.DONE:
        return
    if stderr:
        logger.warning("soffice: %s", stderr.decode("utf-8", "replace")[-2000:])
    if returncode == soffice_guard.TIMEOUT:
        raise ValidationError(
            gettext("Chuyển tệp sang PDF quá thời gian cho phép; tệp có thể quá lớn hoặc bị hỏng."),
            code="conversion_timeout",
        )
    if returncode == soffice_guard.LIMIT:
        raise ValidationError(
            gettext(
                "Chuyển tệp sang PDF cần quá nhiều tài nguyên (thời gian xử lý, bộ nhớ hoặc dung "
                "lượng tệp kết quả vượt giới hạn); tệp có thể quá lớn hoặc bị hỏng."
            ),
            code="conversion_limit",
        )
    if returncode == soffice_guard.NO_PDF:
        raise ValidationError(
            gettext("Không chuyển được tệp sang PDF: LibreOffice không đọc được nội dung tệp."),
            code="conversion_failed",
        )
    # Stopped from outside or a crash of the watchdog itself: the server's problem.
    raise RuntimeError(f"soffice_guard exited {returncode}")
