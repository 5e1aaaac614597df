"""Run the engine on untrusted bytes with a hard time limit, in a child process.

A thread cannot be stopped: a file built to make the parser loop would keep burning a CPU
after the request gave up. A child process can be killed. It is forked from a *forkserver*
(a small clean process started once, with the engine preloaded), not from the web worker:
forking a multi-threaded ASGI worker can copy a held lock into the child and hang it.
The child never sets Django up; it gets a ``ValidationConfig`` and returns a ``Report``.
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
from datetime import UTC, datetime

from django.conf import settings

from signing.pades.trust import trust_anchors
from signing.validation.engine import ValidationConfig, child_main
from signing.validation.report import Refusal, Report, conclude, refusal

logger = logging.getLogger(__name__)

_CONTEXT = multiprocessing.get_context("forkserver")
_CONTEXT.set_forkserver_preload(["signing.validation.engine"])


def current_config() -> ValidationConfig:
    anchors = trust_anchors()
    return ValidationConfig(
        trust_roots=tuple(a.der for a in anchors),
        trust_root_names=tuple(a.name for a in anchors),
        fetch=settings.KYHOP_VALIDATION_FETCH,
        fetch_timeout=float(settings.KYHOP_SIGN_FETCH_TIMEOUT),
        max_signatures=settings.KYHOP_VALIDATION_MAX_SIGNATURES,
        # Not yet in kyhop/settings.py (outside this module's reach): on unless switched off.
        visual=settings.KYHOP_VALIDATION_VISUAL,
        visual_max_pages=settings.KYHOP_VALIDATION_VISUAL_MAX_PAGES,
    )


def _refused(data: bytes, file_name: str, config: ValidationConfig, why: Refusal) -> Report:
    report = Report(
        file_sha256=hashlib.sha256(data).hexdigest(),
        file_name=file_name,
        file_size=len(data),
        validated_at=datetime.now(UTC),
        fetch_enabled=config.fetch,
        trust_roots=list(config.trust_root_names),
        refusal=why,
    )
    conclude(report)
    return report


def _run_isolated(data: bytes, file_name: str, config: ValidationConfig) -> Report | Refusal:
    timeout = settings.KYHOP_VALIDATION_TIMEOUT
    receiver, sender = _CONTEXT.Pipe(duplex=False)
    args = (sender, data, file_name, config, settings.KYHOP_VALIDATION_MAX_MEMORY_MB)
    process = _CONTEXT.Process(target=child_main, args=args, daemon=True)
    process.start()
    sender.close()
    try:
        if receiver.poll(timeout):
            return receiver.recv()
        return refusal("timeout", seconds=timeout)
    except EOFError:
        # The child died without answering: killed by the memory cap or crashed in C code.
        return refusal("crashed")
    finally:
        receiver.close()
        if process.is_alive():
            process.kill()
        process.join(5)


def validate_pdf(data: bytes, *, file_name: str = "") -> Report:
    """Validate *data* with the configured trust roots, limits and time limit.

    Always returns a report: a file that cannot be checked gets a ``refusal`` (too large, not a
    PDF, encrypted, too slow…) rather than an exception.
    """
    config = current_config()
    if len(data) > settings.KYHOP_VALIDATION_MAX_BYTES:
        limit_mb = settings.KYHOP_VALIDATION_MAX_BYTES // (1024 * 1024)
        return _refused(data, file_name, config, refusal("too_large", limit_mb=limit_mb))
    outcome = _run_isolated(data, file_name, config)
    if isinstance(outcome, Refusal):
        logger.warning("Kiểm tra chữ ký tệp %s bị từ chối: %s", file_name, outcome.code)
        return _refused(data, file_name, config, outcome)
    return outcome
