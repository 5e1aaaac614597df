"""PAdES-LTA renewal and revocation refresh on the test PKI: real time-stamps from its two TSAs
(one whose certificate expires on 01/03/2027), the clock moved with time-machine.

A document signed B-LTA with the short-lived TSA is renewed by the scheduled job before that
certificate expires; after the expiry the renewed version still verifies as B-LTA (pyHanko and
KyHop's own validation), and the job does not renew it twice.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io

import pytest
import time_machine
from crontask import scheduler
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESPassed
from pyhanko.sign.validation import DocumentSecurityStore
from pyhanko.sign.validation.ades import ades_lta_validation
from pyhanko.sign.validation.policy_decl import (
    PdfSignatureValidationSpec,
    RevinfoOnlineFetchingRule,
    RevocationInfoGatheringSpec,
    SignatureValidationSpec,
)
from pyhanko_certvalidator.context import CertValidationPolicySpec
from pyhanko_certvalidator.policy_decl import REQUIRE_REVINFO, CertRevTrustPolicy
from pyhanko_certvalidator.registry import SimpleTrustManager

import meetings.tasks  # noqa: F401 - registers the jobs, as `manage.py crontask` does
from audit.models import AuditEvent
from documents.storage import blob_open
from signing import devpki
from signing.models import ArchiveTimestamp, RequestStatus, SigningRequest
from signing.pades.renewal import (
    REFRESHED,
    RENEWED,
    archive_renewals_due,
    archive_timestamps_index,
    last_timestamp_expiry,
    revocation_refresh_due,
)
from signing.pades.sign import PadesLevel, sign_pdf_bytes
from signing.validation.engine import ValidationConfig, validate_bytes
from tests.signing.helpers import blank_pdf, register

pytestmark = pytest.mark.django_db

SHORT_EXPIRY = dt.datetime(2027, 3, 1, tzinfo=dt.UTC)
SIGNED_AT = dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC)


def _bytes(version) -> bytes:
    with blob_open(version.blob.storage_name) as handle:
        return handle.read()


def _signed_version(province, pki_settings, settings, *, tsa: str, completed_at: dt.datetime):
    """A Tờ trình signed B-LTA by the chair (the time-stamps from *tsa*), its request done."""
    urls = devpki.service_urls(pki_settings.base_url)
    settings.KYHOP_SIGN_TSA_URL = urls[tsa]
    signer = pki_settings.backend().signer(identity="chutich", passphrase=pki_settings.passphrase)
    data = sign_pdf_bytes(data=blank_pdf(), signer=signer, level=PadesLevel.B_LTA)
    settings.KYHOP_SIGN_TSA_URL = urls["tsa"]  # the TSA KyHop uses from now on
    version = register(province, data)
    SigningRequest.objects.create(
        document=version.document,
        source_version=version,
        current_version=version,
        body=province.ubnd,
        title="Tờ trình",
        level="B-LTA",
        status=RequestStatus.COMPLETED,
        completed_at=completed_at,
        created_by=province.clerk,
    )
    return version


def _job(name: str):
    return next(job for job in scheduler.get_jobs() if job.name.endswith(name))


def _pyhanko_lta(data: bytes, pki_settings):
    """pyHanko's ETSI LTA validation (EN 319 102-1 5.6.3) at the current (travelled) time,
    fetching only for the newest time-stamp (the past from the document itself)."""
    spec = PdfSignatureValidationSpec(
        SignatureValidationSpec(
            cert_validation_policy=CertValidationPolicySpec(
                trust_manager=SimpleTrustManager.build(
                    trust_roots=devpki.trust_roots(pki_settings.directory)
                ),
                revinfo_policy=CertRevTrustPolicy(revocation_checking_policy=REQUIRE_REVINFO),
            ),
            revinfo_gathering_policy=RevocationInfoGatheringSpec(
                online_fetching_rule=RevinfoOnlineFetchingRule.NO_HISTORICAL_FETCH
            ),
        )
    )
    reader = PdfFileReader(io.BytesIO(data))
    return asyncio.run(ades_lta_validation(reader.embedded_signatures[0], spec))


def _kyhop_levels(data: bytes, pki_settings) -> tuple[str, list[str]]:
    root = devpki.trust_roots(pki_settings.directory)[0]
    config = ValidationConfig(
        trust_roots=(root.dump(),),
        trust_root_names=("KyHop test root",),
        fetch=True,
        fetch_timeout=10,
        max_signatures=10,
    )
    report = validate_bytes(data, file_name="to-trinh.pdf", config=config)
    return str(report.outcome), [s.pades_level for s in report.signatures]


def test_an_archive_time_stamp_is_renewed_before_its_tsa_certificate_expires(
    province, pki_settings, settings
):
    settings.KYHOP_LTA_RENEW_DAYS = 90
    with time_machine.travel(SIGNED_AT, tick=True):
        version = _signed_version(
            province, pki_settings, settings, tsa="tsa_short", completed_at=SIGNED_AT
        )
    assert last_timestamp_expiry(_bytes(version)) == SHORT_EXPIRY
    job = _job("documents_renew_archive_timestamps")

    with time_machine.travel(dt.datetime(2026, 10, 1, tzinfo=dt.UTC), tick=True):
        assert archive_renewals_due() == []  # 151 days before the expiry: nothing to do yet
    # The file was read once, into the index; the next runs ask the database, not the files.
    assert ArchiveTimestamp.objects.get(blob=version.blob).expires_at == SHORT_EXPIRY
    assert archive_timestamps_index() == 0
    with time_machine.travel(dt.datetime(2027, 1, 15, tzinfo=dt.UTC), tick=True):
        assert [d.version.pk for d in archive_renewals_due()] == [version.pk]
        job.func()  # what the scheduler calls; the test backend runs the task at once
        renewed = version.document.versions.order_by("-number").first()
        assert renewed.number == version.number + 1
        # The renewed file is indexed as it is stored, with its new time-stamp's expiry.
        assert ArchiveTimestamp.objects.get(blob=renewed.blob).expires_at.year == 2045
        assert archive_timestamps_index() == 0
        job.func()  # the next night: the new time-stamp is good until 2045
        assert version.document.versions.count() == 2

    data = _bytes(renewed)
    assert data.startswith(_bytes(version))  # an incremental update: the signature untouched
    assert last_timestamp_expiry(data).year == 2045
    reader = PdfFileReader(io.BytesIO(data))
    assert len(reader.embedded_timestamp_signatures) == 2
    event = AuditEvent.objects.get(verb=RENEWED)
    assert event.details["from_version"] == version.number
    assert event.details["previous_tsa_expiry"].startswith("2027-03-01")

    # Past the short-lived TSA certificate's expiry the renewed version still verifies.
    with time_machine.travel(dt.datetime(2027, 6, 1, tzinfo=dt.UTC), tick=True):
        result = _pyhanko_lta(data, pki_settings)
        assert result.ades_subindic == AdESPassed.OK, result.failure_msg
        # The control: without the renewal the same signature no longer verifies.
        unrenewed = _pyhanko_lta(_bytes(version), pki_settings)
        assert unrenewed.ades_subindic != AdESPassed.OK
        outcome, levels = _kyhop_levels(data, pki_settings)
        assert levels == ["B-LTA"], outcome


def test_no_renewal_when_the_tsa_itself_expires_within_the_window(
    province, pki_settings, settings, caplog
):
    settings.KYHOP_LTA_RENEW_DAYS = 90
    with time_machine.travel(SIGNED_AT, tick=True):
        version = _signed_version(
            province, pki_settings, settings, tsa="tsa_short", completed_at=SIGNED_AT
        )
    settings.KYHOP_SIGN_TSA_URL = devpki.service_urls(pki_settings.base_url)["tsa_short"]
    with time_machine.travel(dt.datetime(2027, 1, 15, tzinfo=dt.UTC), tick=True):
        _job("documents_renew_archive_timestamps").func()
    assert version.document.versions.count() == 1
    assert "không gia hạn 1 văn bản" in caplog.text


def test_revocation_data_is_refreshed_once_after_the_grace_period(province, pki_settings, settings):
    settings.KYHOP_REVOCATION_REFRESH_AFTER_HOURS = 24
    settings.KYHOP_REVOCATION_REFRESH_WITHIN_DAYS = 7
    with time_machine.travel(SIGNED_AT, tick=True):
        version = _signed_version(
            province, pki_settings, settings, tsa="tsa", completed_at=SIGNED_AT
        )
    before = DocumentSecurityStore.read_dss(PdfFileReader(io.BytesIO(_bytes(version))))
    job = _job("documents_refresh_revocation")
    with time_machine.travel(SIGNED_AT + dt.timedelta(hours=2), tick=True):
        assert revocation_refresh_due() == []  # within the grace period
    with time_machine.travel(SIGNED_AT + dt.timedelta(hours=30), tick=True):
        job.func()
        job.func()  # once per version
    versions = list(version.document.versions.order_by("number"))
    assert len(versions) == 2
    data = _bytes(versions[-1])
    assert data.startswith(_bytes(version))
    after = DocumentSecurityStore.read_dss(PdfFileReader(io.BytesIO(data)))
    assert len(after.ocsps) > len(before.ocsps)
    assert AuditEvent.objects.filter(verb=REFRESHED).count() == 1
    with time_machine.travel(SIGNED_AT + dt.timedelta(days=30), tick=True):
        assert revocation_refresh_due() == []
        _outcome, levels = _kyhop_levels(data, pki_settings)
        assert levels == ["B-LTA"]


def test_the_test_pki_has_a_short_lived_tsa(pki_settings):
    cert = devpki.read_certificate(pki_settings.directory, "tsa-short")
    assert cert["tbs_certificate"]["validity"]["not_after"].native == SHORT_EXPIRY
    assert cert.issuer == devpki.read_certificate(pki_settings.directory, "interm").subject
