"""A failure inside one check stays in that check, with its cause (signing.validation.guard)."""

from __future__ import annotations

import logging
import zlib

from pyhanko.pdf_utils.misc import PdfReadError

from signing.validation import guard
from signing.validation.report import CheckStatus, SignatureResult


def _fails_with(exc: Exception, caplog) -> SignatureResult:
    result = SignatureResult(kind="signature", field_name="ChuKy")

    def check() -> None:
        raise exc

    with caplog.at_level(logging.INFO, logger="signing.validation.guard"):
        assert guard.run(result, "revocation", check) is None
    return result


def test_our_own_error_is_logged_with_its_traceback_and_said_to_be_ours(caplog):
    result = _fails_with(TypeError("unsupported operand"), caplog)
    (line,) = result.checks
    assert line.code == "revocation" and line.status is CheckStatus.INDETERMINATE
    assert line.message_id == "problem.bug" and "không phải do tệp" in line.message
    (record,) = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert record.exc_info is not None  # logger.exception: the operator gets the traceback


def test_a_damaged_file_is_named_as_such_and_not_logged_as_our_error(caplog):
    for exc in (zlib.error("incorrect header check"), PdfReadError("xref")):
        result = _fails_with(exc, caplog)
        assert result.checks[0].message_id == "problem.damaged"
        assert "tệp bị hỏng" in result.checks[0].message
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_an_unusual_certificate_is_named_as_such(caplog):
    result = _fails_with(guard.UnusualCertificate("Extension::critical"), caplog)
    assert result.checks[0].message_id == "problem.certificate"
    assert "Extension::critical" in result.checks[0].message
