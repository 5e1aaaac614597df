"""The validation report as a PDF/A document, sealed by the validation service when configured.

The PDF says the same as the web page, in the active language (Vietnamese unless the reader
chose English), on A4; the platform's seal signature on it (PAdES B-B, made locally: a report
must be downloadable even when the time-stamping service is down) lets anyone check later that
the report itself was not edited.

The seal is the validation service's own certificate ("Dịch vụ kiểm tra chữ ký — KyHop"), never
an administrative body's: ``KYHOP_REPORT_SEAL_P12`` and ``KYHOP_REPORT_SEAL_PASSPHRASE`` in
production; outside production, without them, the development PKI's service identity if the
PKI has it (a PKI made before that identity existed leaves reports unsealed, and says so).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import weasyprint
from django.conf import settings
from django.template.loader import render_to_string
from pyhanko.sign.signers import Signer
from weasyprint.urls import URLFetcher

from signing import devpki
from signing.backends.pkcs12 import signer_from_pkcs12
from signing.pades.sign import PadesLevel, sign_pdf_bytes
from signing.validation.presentation import localize

logger = logging.getLogger(__name__)

TEMPLATE_NAME = "signing/validation/report_pdf.html"
PDF_VARIANT = "pdf/a-3b"  # as documents.rendering: archival, and incremental signing keeps it
DEV_SEAL_IDENTITY = devpki.VALIDATION_SERVICE.name
SEAL_FIELD = "KyHopBaoCaoKiemTra"


def _seal_source() -> tuple[Path, str] | None:
    """The seal's PKCS#12 path and passphrase, or None when reports go unsealed."""
    configured = settings.KYHOP_REPORT_SEAL_P12
    if configured:
        return Path(configured), settings.KYHOP_REPORT_SEAL_PASSPHRASE or ""
    if settings.PRODUCTION:
        return None
    dev = Path(settings.KYHOP_PKI_DIR) / "identities" / f"{DEV_SEAL_IDENTITY}.p12"
    return (dev, settings.KYHOP_PKI_PASSPHRASE) if dev.exists() else None


def report_seal() -> Signer | None:
    source = _seal_source()
    if source is None:
        return None
    path, passphrase = source
    # A misconfigured seal is the operator's problem to fix, not a reason to hide the report:
    # signer_from_pkcs12 raises, the view turns that into a clear message.
    return signer_from_pkcs12(data=path.read_bytes(), passphrase=passphrase, identity="report-seal")


def report_html(report: dict[str, Any], *, sealed: bool) -> str:
    """The HTML of the PDF report, in the active language (dates in Vietnam time)."""
    context = {"report": localize(report), "sealed": sealed}
    return render_to_string(TEMPLATE_NAME, context)


def report_pdf(report: dict[str, Any]) -> bytes:
    """The JSON report (``Report.as_json()``) as PDF/A bytes, sealed if a seal is configured."""
    seal = report_seal()
    html = weasyprint.HTML(
        string=report_html(report, sealed=seal is not None),
        # Everything is inline: nothing from a file or the network may reach the report.
        url_fetcher=URLFetcher(allowed_protocols=("data",), fail_on_errors=True),
    )
    pdf = html.write_pdf(pdf_variant=PDF_VARIANT)
    if seal is None:
        return pdf
    return sign_pdf_bytes(
        data=pdf,
        signer=seal,
        level=PadesLevel.B_B,
        field_name=SEAL_FIELD,
        reason="Báo cáo kiểm tra chữ ký số do hệ thống KyHop lập",
    )
