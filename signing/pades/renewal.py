"""Keeping archived signatures alive (PAdES-LTA renewal) and refreshing their validation data.

A B-LTA document ends with a document time-stamp; it proves the document and its validation
data existed then, as long as the time-stamp itself can be verified, i.e. until its TSA
certificate expires. Before that, ``document_archive_renew`` validates the last time-stamp,
adds fresh validation data (DSS) and a new document time-stamp (pyHanko's
``PdfTimeStamper.async_update_archival_timestamp_chain``), and stores the result as a new
version of the document with an audit event. A TSA whose own certificate would expire within
the same window would not help: the job then renews nothing and says so in the log.

``document_revocation_refresh`` adds fresh OCSP responses and CRLs for every signature of a
recently signed version (after the CA's grace period a revocation pending at signing time has
been published), once per version.

The scheduled jobs at the end (``documents_renew_archive_timestamps``,
``documents_refresh_revocation``) are queued by the schedule in meetings/tasks.py.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.tasks import task
from django.utils import timezone
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.signers.pdf_signer import PdfTimeStamper
from pyhanko.sign.timestamps import HTTPTimeStamper
from pyhanko.sign.validation import async_add_validation_info
from pyhanko.sign.validation.generic_cms import extract_certs_for_validation
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend
from pyhanko_certvalidator.fetchers.api import OwnedFetcherBackend

from audit.models import AuditEvent
from audit.services import audit_record
from documents.models import Document, DocumentVersion
from documents.selectors import document_latest_version
from documents.services import document_version_store_signed
from documents.storage import blob_open
from signing.models import ArchiveTimestamp, PadesLevelChoice, RequestStatus, SigningRequest
from signing.pades.sign import (
    SigningServices,
    SigningUnavailable,
    signing_services,
    timestamper_for,
)

logger = logging.getLogger(__name__)

RENEWED = "document.archive_timestamp_renewed"
REFRESHED = "document.revocation_refreshed"


def _context(services: SigningServices) -> ValidationContext:
    # Fetching on: the renewal must embed current OCSP responses and CRLs. The backend is
    # handed over, so ``aclose()`` releases its HTTP session.
    backend = AIOHttpFetcherBackend(per_request_timeout=services.fetch_timeout)
    return ValidationContext(
        trust_roots=list(services.trust_roots),
        allow_fetching=True,
        revocation_mode="require",
        fetcher_backend=OwnedFetcherBackend(backend),
    )


def _read(version: DocumentVersion) -> bytes:
    with blob_open(version.blob.storage_name) as handle:
        return bytes(handle.read())


def last_timestamp_expiry(data: bytes) -> dt.datetime | None:
    """When the TSA certificate of the newest document time-stamp in *data* expires."""
    stamps = PdfFileReader(BytesIO(data)).embedded_timestamp_signatures
    if not stamps:
        return None
    not_after: dt.datetime = (
        stamps[-1].signer_cert["tbs_certificate"]["validity"]["not_after"].native
    )
    return not_after


async def _tsa_expiry(timestamper: HTTPTimeStamper) -> dt.datetime:
    """The TSA's current certificate: when it expires (one real time-stamp on a dummy digest)."""
    response = await timestamper.async_dummy_response("sha256")
    certs = extract_certs_for_validation(response["content"])
    expiry: dt.datetime = certs.signer_cert["tbs_certificate"]["validity"]["not_after"].native
    return expiry


def archived_versions() -> QuerySet[DocumentVersion]:
    """The latest version of every document whose B-LTA signing request completed."""
    documents = SigningRequest.objects.filter(
        status=RequestStatus.COMPLETED, level=PadesLevelChoice.B_LTA
    ).values("document_id")
    newest = (
        DocumentVersion.objects.filter(document_id=OuterRef("document_id"))
        .order_by("-number")
        .values("pk")[:1]
    )
    return DocumentVersion.objects.filter(
        document_id__in=documents, pk=Subquery(newest)
    ).select_related("blob", "document")


def _latest_only(versions: QuerySet[DocumentVersion]) -> list[DocumentVersion]:
    latest: dict[int, DocumentVersion] = {}
    for version in versions.order_by("document_id", "number"):
        latest[version.document_id] = version
    return list(latest.values())


@dataclass(frozen=True)
class Due:
    version: DocumentVersion
    expires: dt.datetime


def archive_timestamps_index() -> int:
    """Read the newest document time-stamp of each archived file not indexed yet (once per
    file: stored files never change); returns how many files were read."""
    unread = archived_versions().filter(blob__archive_timestamp__isnull=True)
    count = 0
    for version in unread.iterator(chunk_size=100):
        ArchiveTimestamp.objects.get_or_create(
            blob_id=version.blob_id, defaults={"expires_at": last_timestamp_expiry(_read(version))}
        )
        count += 1
    return count


def archive_renewals_due(*, now: dt.datetime | None = None) -> list[Due]:
    """Versions whose newest document time-stamp's TSA certificate expires within
    ``KYHOP_LTA_RENEW_DAYS`` (and has not expired: an expired one cannot be renewed), found
    in the index (``ArchiveTimestamp``) once the files new since the last run are read."""
    now = now or timezone.now()
    horizon = now + dt.timedelta(days=settings.KYHOP_LTA_RENEW_DAYS)
    archive_timestamps_index()
    due = archived_versions().filter(
        blob__archive_timestamp__expires_at__gt=now,
        blob__archive_timestamp__expires_at__lte=horizon,
    )
    found = []
    for version in due.select_related("blob__archive_timestamp").order_by("document_id"):
        expires = version.blob.archive_timestamp.expires_at
        assert expires is not None  # filtered on a range of it
        found.append(Due(version, expires))
    return found


async def _renewed_bytes(data: bytes, services: SigningServices) -> bytes:
    context = _context(services)
    try:
        output = BytesIO()
        reader = PdfFileReader(BytesIO(data))
        await PdfTimeStamper(timestamper_for(services)).async_update_archival_timestamp_chain(
            reader, context, in_place=False, output=output
        )
        return output.getvalue()
    finally:
        await context.aclose()


def _store(
    version: DocumentVersion, data: bytes, note: str, verb: str, details: dict[str, Any]
) -> DocumentVersion | None:
    request = SigningRequest.objects.filter(document_id=version.document_id).order_by("-pk").first()
    actor = request.created_by if request else version.created_by
    with transaction.atomic():
        Document.objects.select_for_update().get(pk=version.document_id)
        latest = document_latest_version(version.document)
        if latest is None or latest.pk != version.pk:
            return None  # someone added a version meanwhile: the next run looks again
        stored = document_version_store_signed(
            actor=actor, document=version.document, data=data, note=note
        )
        audit_record(
            actor=None,
            verb=verb,
            target=stored,
            details={"document": version.document_id, "from_version": version.number, **details},
        )
    return stored


def document_archive_renew(*, version: DocumentVersion) -> DocumentVersion | None:
    """Add fresh validation data and a new document time-stamp to *version*, as a new version
    (None when the document changed meanwhile)."""
    services = signing_services()
    data = _read(version)
    before = last_timestamp_expiry(data)
    renewed = asyncio.run(_renewed_bytes(data, services))
    after = last_timestamp_expiry(renewed)
    stored = _store(
        version,
        renewed,
        "Gia hạn chữ ký lưu trữ: thêm dấu thời gian mới (PAdES-LTA)",
        RENEWED,
        {
            "previous_tsa_expiry": before.isoformat() if before else None,
            "tsa_expiry": after.isoformat() if after else None,
        },
    )
    if stored is not None:  # the new file's newest time-stamp is known: no need to read it
        ArchiveTimestamp.objects.get_or_create(
            blob_id=stored.blob_id, defaults={"expires_at": after}
        )
    return stored


def archive_timestamps_renew(*, now: dt.datetime | None = None) -> int:
    """Renew every version due; returns how many were renewed."""
    now = now or timezone.now()
    due = archive_renewals_due(now=now)
    if not due:
        return 0
    services = signing_services()
    fresh = asyncio.run(_tsa_expiry(timestamper_for(services)))
    if fresh <= now + dt.timedelta(days=settings.KYHOP_LTA_RENEW_DAYS):
        logger.error(
            "Chứng thư của dịch vụ cấp dấu thời gian hết hạn ngày %s, trong thời hạn gia hạn: "
            "không gia hạn %d văn bản; hãy cấu hình TSA có chứng thư mới.",
            fresh.date(),
            len(due),
        )
        return 0
    renewed = 0
    for item in due:
        try:
            if document_archive_renew(version=item.version) is not None:
                renewed += 1
        except SigningUnavailable as error:
            logger.warning("Chưa gia hạn được phiên bản %s: %s", item.version.pk, error)
    return renewed


# --- Revocation refresh ------------------------------------------------------------------------


def revocation_refresh_due(*, now: dt.datetime | None = None) -> list[DocumentVersion]:
    """Signed versions completed between ``KYHOP_REVOCATION_REFRESH_AFTER_HOURS`` and
    ``KYHOP_REVOCATION_REFRESH_WITHIN_DAYS`` ago, not refreshed yet."""
    now = now or timezone.now()
    done = SigningRequest.objects.filter(
        status=RequestStatus.COMPLETED,
        level__in=[PadesLevelChoice.B_LT, PadesLevelChoice.B_LTA],
        completed_at__lte=now - dt.timedelta(hours=settings.KYHOP_REVOCATION_REFRESH_AFTER_HOURS),
        completed_at__gt=now - dt.timedelta(days=settings.KYHOP_REVOCATION_REFRESH_WITHIN_DAYS),
    ).values("document_id")
    refreshed = set(
        AuditEvent.objects.filter(verb=REFRESHED).values_list("details__document", flat=True)
    )
    versions = DocumentVersion.objects.filter(document_id__in=done).select_related(
        "blob", "document"
    )
    return [v for v in _latest_only(versions) if v.document_id not in refreshed]


async def _refreshed_bytes(data: bytes, services: SigningServices) -> bytes:
    current = data
    count = len(PdfFileReader(BytesIO(current)).embedded_regular_signatures)
    context = _context(services)
    try:
        for index in range(count):
            signature = PdfFileReader(BytesIO(current)).embedded_regular_signatures[index]
            output = BytesIO()
            await async_add_validation_info(
                signature, context, in_place=False, output=output, force_write=True
            )
            current = output.getvalue()
    finally:
        await context.aclose()
    return current


def document_revocation_refresh(*, version: DocumentVersion) -> DocumentVersion | None:
    """Fresh OCSP responses and CRLs for every signature of *version*, as a new version."""
    services = signing_services()
    refreshed = asyncio.run(_refreshed_bytes(_read(version), services))
    return _store(
        version,
        refreshed,
        "Cập nhật dữ liệu thu hồi chứng thư (OCSP/CRL)",
        REFRESHED,
        {},
    )


def revocation_data_refresh(*, now: dt.datetime | None = None) -> int:
    refreshed = 0
    for version in revocation_refresh_due(now=now):
        try:
            if document_revocation_refresh(version=version) is not None:
                refreshed += 1
        except SigningUnavailable as error:
            logger.warning("Chưa cập nhật được dữ liệu thu hồi của %s: %s", version.pk, error)
    return refreshed


# --- Scheduled jobs (meetings/tasks.py schedules them) -----------------------------------------


@task
def documents_renew_archive_timestamps() -> int:
    """Daily: renew the archive time-stamps that near their TSA certificate's expiry."""
    return archive_timestamps_renew()


@task
def documents_refresh_revocation() -> int:
    """Daily: fresh validation data for versions signed a day or more ago (once each)."""
    return revocation_data_refresh()
