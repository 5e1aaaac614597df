"""One check's failure stays that check's: the cause told apart, the file still answered.

Files from other producers trip the libraries in unforeseen places. When a step of a check
raises, the check becomes *indeterminate* with its cause, in one of four words:

- ``damaged``: the file is damaged where this check reads (a stream that does not decompress,
  an update that cannot be parsed) — the file's problem;
- ``certificate``: the signer's certificate is unusual (not DER, or outside RFC 5280) and a
  library refuses it — the certificate's problem, not necessarily a forgery;
- ``unsupported``: an algorithm or structure KyHop does not check yet;
- ``bug``: anything else is the checker's own problem: logged with its traceback
  (``logger.exception``) for the operator, and said to be ours, not the file's.

The other checks of the same signature, and the other signatures, go on.
"""

from __future__ import annotations

import binascii
import logging
import zlib
from collections.abc import Awaitable, Callable
from typing import TypeVar

from pyhanko.pdf_utils.misc import PdfError

from signing.validation.report import CheckStatus, SignatureResult

logger = logging.getLogger(__name__)

T = TypeVar("T")

# The file's bytes are not what a PDF should be where the check read them.
DAMAGED = (PdfError, zlib.error, binascii.Error, EOFError, RecursionError)


class UnusualCertificate(Exception):
    """A certificate that a library refuses to parse (asn1crypto may still read it)."""


def cause(exc: BaseException) -> str:
    if isinstance(exc, UnusualCertificate):
        return "certificate"
    if isinstance(exc, DAMAGED):
        return "damaged"
    if isinstance(exc, NotImplementedError):
        return "unsupported"
    return "bug"


def indeterminate(result: SignatureResult, code: str, exc: BaseException) -> None:
    """Mark check *code* of *result* indeterminate because of *exc* (logged if it is ours)."""
    why = cause(exc)
    if why == "bug":
        logger.exception("Lỗi của bộ kiểm tra ở mục %s, chữ ký %s", code, result.field_name)
    else:
        logger.info("Mục %s của chữ ký %s không kiểm tra được: %r", code, result.field_name, exc)
    detail = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
    result.add(
        code, CheckStatus.INDETERMINATE, f"problem.{why}", error=type(exc).__name__, detail=detail
    )


def run(result: SignatureResult, code: str, check: Callable[[], T]) -> T | None:
    try:
        return check()
    except Exception as exc:  # per check, with its cause, and logged when ours
        indeterminate(result, code, exc)
        return None


async def run_async(
    result: SignatureResult, code: str, check: Callable[[], Awaitable[T]]
) -> T | None:
    try:
        return await check()
    except Exception as exc:  # per check, with its cause, and logged when ours
        indeterminate(result, code, exc)
        return None
