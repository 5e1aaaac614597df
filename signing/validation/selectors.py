"""Reads: the stored validation reports of a document version."""

from __future__ import annotations

from documents.models import DocumentVersion
from signing.models import ValidationReport


def version_report_latest(*, version: DocumentVersion) -> ValidationReport | None:
    """The newest report kept for *version*; the caller has checked that the reader may see it."""
    return ValidationReport.objects.filter(version=version).order_by("-created_at", "-pk").first()
