"""The completion record of a signing request (hồ sơ hoàn thành): who did what, when, with
which certificate, and the document's SHA-256 at each step — read from the audit chain.

Each line is one audit event of the request, in the chain's order, with its sequence number
and hash; the record checks each event against the chain (its hash recomputed, its link to
the event before it) and says whether every line is intact. Certificates are named from the
event (subject and serial, recorded since this record exists) or, for older events, from the
identity whose fingerprint the event holds. The PDF (``record_pdf``) says the same, in
Vietnamese, on A4 (WeasyPrint, PDF/A like the other generated PDFs).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass
from typing import Any

import weasyprint
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_noop
from weasyprint.urls import URLFetcher

from audit.models import AuditEvent
from audit.services import event_digest
from signing.models import SigningIdentity, SigningRequest
from signing.pades.sign import PadesLevel, sign_pdf_bytes
from signing.requests.delegation import signs_as_text
from signing.validation.report_pdf import report_seal

PDF_VARIANT = "pdf/a-3b"
TEMPLATE_NAME = "signing/record_pdf.html"
SEAL_FIELD = "KyHopHoSoHoanThanh"

# What each audit verb means to the reader (Vietnamese, the record's language).
ACTIONS = {
    "signing.request_created": gettext_noop("Tạo yêu cầu trình ký"),
    "signing.request_sent": gettext_noop("Gửi trình ký (chuẩn bị ô ký, ô số)"),
    "signing.request_viewed": gettext_noop("Mở xem văn bản"),
    "signing.step_initialled": gettext_noop("Ký nháy"),
    "signing.step_signed": gettext_noop("Ký chính (người có thẩm quyền)"),
    "signing.step_sealed": gettext_noop("Đóng dấu cơ quan"),
    "signing.step_returned": gettext_noop("Trả lại"),
    "signing.step_delegated": gettext_noop("Ủy quyền"),
    "signing.request_numbered": gettext_noop("Cấp số, ngày ban hành"),
    "signing.request_completed": gettext_noop("Hoàn thành"),
    "signing.request_cancelled": gettext_noop("Hủy yêu cầu"),
    "signing.deadline_reminded": gettext_noop("Nhắc hạn xử lý"),
    "signing.deadline_changed": gettext_noop("Đổi hạn xử lý"),
}
# The document's hash after the event, by the detail that holds it (first found wins).
HASH_KEYS = ("after_sha256", "prepared_sha256", "final_sha256", "sha256")


@dataclass(frozen=True)
class RecordLine:
    seq: int
    at: dt.datetime
    actor: str
    verb: str
    action: str
    step: int | None
    certificate_subject: str
    certificate_serial: str
    certificate_sha256: str
    before_sha256: str
    sha256: str
    note: str
    event_hash: str
    intact: bool


@dataclass(frozen=True)
class CompletionRecord:
    request: SigningRequest
    lines: list[RecordLine]
    made_at: dt.datetime

    @property
    def intact(self) -> bool:
        return all(line.intact for line in self.lines)

    @property
    def final_sha256(self) -> str:
        version = self.request.current_version or self.request.source_version
        return version.blob.sha256


def _note(verb: str, details: dict[str, Any]) -> str:
    if verb == "signing.request_numbered":
        issued = details.get("issued_on") or ""
        with contextlib.suppress(ValueError):  # otherwise shown as recorded
            issued = dt.date.fromisoformat(issued).strftime("%d/%m/%Y")
        return f"Số {details.get('number_symbol', '')}, ngày {issued}"
    if verb == "signing.step_delegated":
        return _delegation_note(details)
    if verb == "signing.step_returned" and details.get("reason"):
        return f"Lý do: {details['reason']}"
    if verb == "signing.deadline_reminded":
        when = "Quá hạn" if details.get("kind") == "overdue" else "Sắp đến hạn"
        return f"{when}, chờ cấp số" if details.get("step") == "number" else when
    if verb == "signing.deadline_changed":
        after = details.get("after")
        if not after:
            return "Bỏ hạn xử lý"
        with contextlib.suppress(ValueError):  # otherwise shown as recorded
            after = timezone.localtime(dt.datetime.fromisoformat(after)).strftime("%H:%M %d/%m/%Y")
        return f"Hạn mới: {after}"
    if verb == "signing.request_created" and details.get("level"):
        return f"Mức chữ ký {details['level']}"
    return ""


def _delegation_note(details: dict[str, Any]) -> str:
    """ "Ký thay (KT.) cho Nguyễn Văn Hùng: Đỗ Quang Vinh, in lại khối chữ ký (phiên bản 3)"."""
    parts = []
    if details.get("to_name"):
        how = signs_as_text(details.get("signs_as", ""), details.get("from_name", ""))
        parts.append(f"{how}: {details['to_name']}")
    if details.get("block"):
        parts.append(f"in lại khối chữ ký (phiên bản {details.get('version')})")
    note = ", ".join(parts)
    if details.get("reason"):
        note = f"{note}. Lý do: {details['reason']}" if note else f"Lý do: {details['reason']}"
    return note


def request_record(request: SigningRequest) -> CompletionRecord:
    """The record of *request* as it stands now (three queries whatever its length)."""
    events = list(
        AuditEvent.objects.filter(
            object_type=SigningRequest._meta.label_lower, object_id=str(request.pk)
        ).order_by("seq")
    )
    # The hash of the event before each one, to check its link in the chain.
    before = dict(
        AuditEvent.objects.filter(seq__in=[e.seq - 1 for e in events]).values_list("seq", "hash")
    )
    fingerprints = {e.details.get("certificate_sha256") for e in events} - {None, ""}
    identities = {
        i.fingerprint_sha256: i
        for i in SigningIdentity.objects.filter(fingerprint_sha256__in=fingerprints)
    }
    lines = []
    for event in events:
        details = event.details or {}
        fingerprint = details.get("certificate_sha256") or ""
        identity = identities.get(fingerprint)
        linked = event.seq == 1 or before.get(event.seq - 1) == event.prev_hash
        lines.append(
            RecordLine(
                seq=event.seq,
                at=event.at,
                actor=event.actor_label or "Hệ thống",
                verb=event.verb,
                action=ACTIONS.get(event.verb, event.verb),
                step=details.get("step"),
                certificate_subject=details.get("certificate_subject")
                or (identity.subject if identity else ""),
                certificate_serial=details.get("certificate_serial")
                or (identity.serial if identity else ""),
                certificate_sha256=fingerprint,
                before_sha256=details.get("before_sha256") or details.get("source_sha256") or "",
                sha256=next((details[k] for k in HASH_KEYS if details.get(k)), ""),
                note=_note(event.verb, details),
                event_hash=event.hash,
                intact=linked and event_digest(event) == event.hash,
            )
        )
    return CompletionRecord(request=request, lines=lines, made_at=timezone.now())


def record_html(record: CompletionRecord, *, sealed: bool = False) -> str:
    with translation.override("vi"):
        context = {"record": record, "req": record.request, "sealed": sealed}
        return render_to_string(TEMPLATE_NAME, context)


def record_pdf(record: CompletionRecord) -> bytes:
    """The record as PDF/A bytes (Vietnamese, A4); nothing is fetched from files or network.

    Sealed, like a validation report, with the platform's own certificate (never a body's
    seal) when one is configured: whoever receives the file can check it was not edited after
    KyHop made it. B-B, made locally, so the record downloads even with the TSA down."""
    seal = report_seal()
    html = weasyprint.HTML(
        string=record_html(record, sealed=seal is not None),
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
        reason="Hồ sơ hoàn thành trình ký do hệ thống KyHop lập",
    )
