"""Writes: keeping a validation report with what it checked.

``version_validate`` stores the report of a document version (incoming documents, Decree 30
Art. 21.2(a)); ``signing.validation.incoming`` calls it for every incoming document's new
version, through ``documents.hooks`` (``documents`` must not import ``signing``).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from accounts.models import User
from audit.services import audit_record
from documents.models import DocumentVersion
from documents.selectors import document_visible_to
from documents.storage import blob_open
from signing.models import ValidationReport
from signing.validation.report import Report
from signing.validation.runner import validate_pdf


def report_save(
    *, report: Report, actor: User | None = None, version: DocumentVersion | None = None
) -> ValidationReport:
    verdict = report.outcome.value
    row = ValidationReport(
        version=version,
        file_sha256=report.file_sha256,
        file_name=report.file_name[:255],
        verdict=verdict,
        report=report.as_json(),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    row.full_clean()
    row.save()
    return row


def version_validate(*, actor: User | None, version: DocumentVersion) -> ValidationReport:
    """Validate *version*'s PDF (outside any transaction: it may take seconds) and keep it."""
    if actor is not None and not document_visible_to(actor, version.document):
        raise PermissionDenied("Bạn không có quyền xem văn bản này.")
    with blob_open(version.blob.storage_name) as stored:
        data = stored.read()
    report = validate_pdf(data, file_name=version.file_name)
    with transaction.atomic():
        row = report_save(report=report, actor=actor, version=version)
        audit_record(
            actor=actor,
            verb="signature.validate",
            target=version,
            details={"verdict": row.verdict, "sha256": report.file_sha256},
        )
    return row
