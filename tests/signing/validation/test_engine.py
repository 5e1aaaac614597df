"""The engine on documents signed by the platform at every PAdES level."""

from __future__ import annotations

import pytest

from signing.pades.sign import PadesLevel
from signing.validation.report import Outcome
from signing.validation.runner import validate_pdf

pytestmark = pytest.mark.django_db


def _codes(result) -> dict[str, str]:
    return {check.code: check.status for check in result.checks}


def test_b_lta_signed_by_the_platform_passes_with_every_line_explained(
    validation_settings, signed_lta
):
    report = validate_pdf(signed_lta, file_name="quyet-dinh.pdf")
    assert report.outcome is Outcome.PASSED, report.reasons
    assert report.outcome_label == "Hợp lệ"
    (sig,) = report.signatures
    assert sig.pades_level == "B-LTA"
    assert sig.signer.common_name
    assert sig.timestamp_time is not None
    assert sig.revocation.status == "good" and sig.revocation.source == "embedded"
    assert sig.coverage == "entire_revision"
    assert all(change.allowed for change in sig.later_changes)
    assert {"integrity", "coverage", "changes", "chain", "revocation", "timestamp"} <= set(
        _codes(sig)
    )
    assert all(check.message for check in sig.checks)
    assert len(report.timestamps) == 1 and report.timestamps[0].outcome is Outcome.PASSED


@pytest.mark.parametrize(
    ("level", "expected_level"),
    [(PadesLevel.B_B, "B-B"), (PadesLevel.B_T, "B-T"), (PadesLevel.B_LT, "B-LT")],
)
def test_levels_without_embedded_revocation_data_are_named(sign, level, expected_level):
    report = validate_pdf(sign(level=level))
    (sig,) = report.signatures
    assert sig.pades_level == expected_level
    if level is PadesLevel.B_LT:
        assert report.outcome is Outcome.PASSED, report.reasons
    else:
        # Without fetching, nothing says the certificate was not revoked: indeterminate.
        assert report.outcome is Outcome.INDETERMINATE
        assert _codes(sig)["revocation"] == "indeterminate"
        assert "KYHOP_VALIDATION_FETCH" in sig.revocation.message


def test_fetching_revocation_online_when_allowed(sign, settings):
    data = sign(level=PadesLevel.B_B)
    settings.KYHOP_VALIDATION_FETCH = True
    report = validate_pdf(data)
    assert report.outcome is Outcome.PASSED, report.reasons
    assert report.signatures[0].revocation.source == "fetched"


def test_unknown_root_is_indeterminate_with_the_reason(signed_lta, validation_settings):
    from signing.models import TrustRoot

    # A registered root disables the development fallback; this one is not the signer's.
    TrustRoot.objects.create(
        name="Gốc khác",
        certificate=b"x",
        subject="CN=khác",
        fingerprint_sha256="0" * 64,
        not_after="2040-01-01T00:00:00Z",
        enabled=False,
    )
    report = validate_pdf(signed_lta)
    assert report.outcome is Outcome.INDETERMINATE
    assert _codes(report.signatures[0])["chain"] == "indeterminate"
    assert "gốc tin cậy" in report.signatures[0].reasons[0].message


def test_json_report_is_serialisable_and_names_the_outcome(validation_settings, signed_lta):
    import json

    data = validate_pdf(signed_lta).as_json()
    text = json.dumps(data, ensure_ascii=False)
    assert data["outcome"] == "passed" and data["outcome_label"] == "Hợp lệ"
    assert [c["code"] for c in data["signatures"][0]["checks"]][:2] == ["structure", "integrity"]
    assert "B-LTA" in text
