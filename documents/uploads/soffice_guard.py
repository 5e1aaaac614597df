"""The watchdog between the web server and one LibreOffice conversion (standard library only).

The server starts this script for each office file (``documents/uploads/conversion.py``): the file
arrives on standard input, the PDF leaves on standard output. Run as its own process so that
whatever happens to the server, LibreOffice and its files go with it:

- LibreOffice runs in a process group (and session) of its own, with CPU time, address space
  and file size limits, no core dumps, a private profile and temporary directory, and the
  environment it needs only (never the server's secrets);
- ``soffice.bin`` is started directly (not the ``soffice`` script and its ``oosplash``, which
  fork it): it is our child, so the kernel kills it when we die (``PR_SET_PDEATHSIG``);
- this script gets SIGTERM when the server dies (its own death signal), when the server stops
  it (the request was cancelled), or on a wall-clock timeout of its own; then it kills
  LibreOffice's whole process group and removes the directory before it exits. It also
  watches its parent's pid, in case the death signal went missing.

Exit codes: 0 done (the PDF on stdout), 10 LibreOffice made no PDF, 11 timeout, 12 a resource
limit was hit, 13 stopped (SIGTERM, parent gone), 2 bad arguments.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DONE, NO_PDF, TIMEOUT, LIMIT, STOPPED = 0, 10, 11, 12, 13
PR_SET_PDEATHSIG = 1
POLL_SECONDS = 0.2
# soffice.bin exits with 81 after creating a fresh profile and expects to be started again
# (oosplash does that when it is the one starting it).
RESTART_CODE = 81
# Signals a limit ends a process with: CPU time (soft, then hard), file size.
LIMIT_SIGNALS = {signal.SIGXCPU, signal.SIGKILL, signal.SIGXFSZ}


_LIBC = ctypes.CDLL(None, use_errno=True)
# Set by the signal handler, which raises nothing: an exception raised into the clean-up below
# would leave the files behind.
_stopping = False
_groups: list[int] = []


def main(argv: list[str]) -> int:
    options = _arguments(argv)
    _die_with_parent(signal.SIGTERM)
    for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(number, _stop)
    if os.getppid() != options.parent:
        return STOPPED  # the server died before the death signal was armed
    workdir = Path(tempfile.mkdtemp(prefix="kyhop-soffice-"))
    try:
        source = workdir / f"source.{options.suffix}"
        with source.open("wb") as handle:
            shutil.copyfileobj(sys.stdin.buffer, handle, 1 << 20)
        code = STOPPED if _stopping else _convert(options, source=source, workdir=workdir)
        if code != DONE:
            return code
        result = workdir / "out" / "source.pdf"
        if not result.is_file() or result.stat().st_size == 0:
            return NO_PDF
        with result.open("rb") as handle:
            shutil.copyfileobj(handle, sys.stdout.buffer, 1 << 20)
        sys.stdout.buffer.flush()
        return STOPPED if _stopping else DONE
    finally:
        for pgid in _groups:
            _kill_group(pgid)
        shutil.rmtree(workdir, ignore_errors=True)


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", required=True)
    parser.add_argument("--suffix", required=True, choices=("docx", "odt", "xlsx"))
    parser.add_argument("--parent", required=True, type=int, help="the server's pid")
    parser.add_argument("--timeout", required=True, type=float, help="wall clock, seconds")
    parser.add_argument("--cpu-seconds", required=True, type=int)
    parser.add_argument("--memory-mb", required=True, type=int, help="address space; 0: none")
    parser.add_argument("--max-output-bytes", required=True, type=int)
    return parser.parse_args(argv)


def _convert(options: argparse.Namespace, *, source: Path, workdir: Path) -> int:
    deadline = time.monotonic() + options.timeout
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LANG": "C.UTF-8",
        "HOME": str(workdir),
        "TMPDIR": str(workdir),
        "SAL_ENABLE_FILE_LOCKING": "1",  # as the soffice script sets it
    }
    command = [
        options.binary,
        f"-env:UserInstallation={(workdir / 'profile').as_uri()}",
        "--headless",
        "--invisible",
        "--norestore",
        "--nolockcheck",
        "--nodefault",
        "--convert-to",
        "pdf",
        "--outdir",
        str(workdir / "out"),
        str(source),
    ]
    for _run in range(3):
        with (workdir / "soffice.log").open("ab") as log:
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                cwd=workdir,
                env=env,
                start_new_session=True,  # its own group: one killpg reaches all it starts
                preexec_fn=_limits(options, guard=os.getpid()),  # no threads here
            )
        _groups.append(process.pid)
        if _stopping:  # the signal came while it was starting
            _kill_group(process.pid)
        returncode = _wait(process, deadline=deadline, parent=options.parent)
        _kill_group(process.pid)  # anything it left running in its group
        if _stopping or os.getppid() != options.parent:
            return STOPPED
        if returncode is None:
            return TIMEOUT
        if returncode != RESTART_CODE:
            break
    assert returncode is not None  # the loop leaves with an exit code, or returns
    if returncode < 0 and -returncode in LIMIT_SIGNALS:
        return LIMIT
    if returncode != 0:
        _report(workdir / "soffice.log", returncode)
    return DONE


def _limits(options: argparse.Namespace, *, guard: int):
    def apply() -> None:
        # Runs in the child between fork and exec: only simple calls.
        _die_with_parent(signal.SIGKILL)
        if os.getppid() != guard:
            os._exit(STOPPED)
        cpu = options.cpu_seconds
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
        if options.memory_mb > 0:
            limit = options.memory_mb * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        size = options.max_output_bytes
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    return apply


def _wait(process: subprocess.Popen, *, deadline: float, parent: int) -> int | None:
    """LibreOffice's exit code; None when the wall-clock limit passed or we must stop."""
    while True:
        try:
            return process.wait(timeout=POLL_SECONDS)
        except subprocess.TimeoutExpired:
            pass
        if _stopping or os.getppid() != parent or time.monotonic() > deadline:
            return None


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pgid, 0)


def _die_with_parent(number: int) -> None:
    _LIBC.prctl(PR_SET_PDEATHSIG, int(number), 0, 0, 0)


def _stop(_number: int, _frame: object) -> None:
    global _stopping
    _stopping = True
    for pgid in _groups:  # at once: the main loop notices within POLL_SECONDS anyway
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, signal.SIGKILL)


def _report(log: Path, returncode: int) -> None:
    with contextlib.suppress(OSError):
        tail = log.read_bytes()[-2000:].decode("utf-8", "replace")
        print(f"soffice exited {returncode}: {tail}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
