"""KyHop's own trình ký journey (initials, the chair's signature, number and date, the seal),
as tests/signing/test_requests_flow.py runs it: its final document passes plainly — every
signature's pages change only where the workflow expects (issue 11)."""

from __future__ import annotations

import pytest

from signing.validation import engine
from signing.validation.report import CheckStatus, Outcome
from tests.signing import test_requests_flow as flow
from tests.signing import test_requests_support as support
from tests.signing.conftest import pki_settings, test_pki  # noqa: F401 - fixtures by name

province = support.province
signing_storage = support.signing_storage

pytestmark = pytest.mark.django_db


def test_the_numbered_and_sealed_to_trinh_passes_plainly(
    province, tmp_path, mailoutbox, django_capture_on_commit_callbacks, monkeypatch
):
    reports = []
    validate = engine.validate_bytes

    def keep(data, **options):
        reports.append(validate(data, **options))
        return reports[-1]

    # The journey validates its final document with KyHop's engine: keep that report.
    monkeypatch.setattr(engine, "validate_bytes", keep)
    flow.test_to_trinh_goes_through_initials_signature_numbering_and_seal(
        province, tmp_path, mailoutbox, django_capture_on_commit_callbacks
    )
    report = reports[-1]
    assert report.outcome is Outcome.PASSED, report.reasons
    assert len(report.signatures) == 4
    for signature in report.signatures[:-1]:  # the seal has nothing after it but its DSS
        (visual,) = [c for c in signature.checks if c.code == "visual"]
        assert visual.status is CheckStatus.PASSED and visual.message_id == "visual.expected_only"
        assert all(page.regions == () for page in signature.visual_changes)
