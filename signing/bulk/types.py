"""What the bulk signing engines share: a document to sign and its result, progress, and the
message for a document that failed. Plain data, no models: the engines run in worker
processes too (``signing.bulk.pool``), where Django is not set up."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_noop

from signing.i18n import gettext
from signing.pades.sign import SigningUnavailable, SignOptions

logger = logging.getLogger(__name__)

# Enough to hide TSA/OCSP latency; small enough that 100 documents are not all held open at once.
DEFAULT_CONCURRENCY = 8
UNEXPECTED = gettext_noop(
    "Lỗi không mong đợi khi ký tài liệu này; các tài liệu khác không bị ảnh hưởng."
)


@dataclass(frozen=True)
class BulkItem:
    """One document to sign; ``key`` is the caller's handle (e.g. the version id)."""

    key: str
    data: bytes
    options: SignOptions = field(default_factory=lambda: SignOptions())


@dataclass(frozen=True)
class BulkResult:
    key: str
    data: bytes | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class BulkProgress:
    done: int
    total: int
    result: BulkResult


ProgressCallback = Callable[[BulkProgress], Awaitable[None] | None]


def error_message(exc: BaseException) -> str:
    """The message for a document that could not be signed, in the active language (in a
    worker process, Vietnamese: the parent translates it, see ``signing.i18n``)."""
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    if isinstance(exc, SigningUnavailable):
        return str(exc)
    return gettext(UNEXPECTED)


def failed_result(key: str, exc: BaseException) -> BulkResult:
    """The result of a document that failed; unexpected errors are logged in full."""
    if not isinstance(exc, ValidationError | SigningUnavailable):
        logger.error("Ký hàng loạt: lỗi không mong đợi với tài liệu %s", key, exc_info=exc)
    return BulkResult(key=key, error=error_message(exc))


class ProgressReporter:
    """Counts finished documents and calls the callback (sync or async) for each."""

    def __init__(self, total: int, callback: ProgressCallback | None) -> None:
        self.total = total
        self.done = 0
        self.callback = callback

    async def report(self, result: BulkResult) -> BulkResult:
        self.done += 1
        if self.callback is not None:
            outcome = self.callback(BulkProgress(done=self.done, total=self.total, result=result))
            if inspect.isawaitable(outcome):
                await outcome
        return result
