"""The attack corpus (issue 6, item 5): every altered document fails or is indeterminate, and
the report names why."""

from __future__ import annotations

import asyncio
import io

import pytest
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign.fields import MDPPerm
from pyhanko.sign.signers import PdfSignatureMetadata, PdfSigner

from signing.pades.sign import PadesLevel
from signing.validation.report import Outcome
from signing.validation.runner import validate_pdf
from tests.validation import attacks

pytestmark = pytest.mark.django_db

# B-LT: revocation data embedded, so the untouched document passes without fetching and any
# failure below is the attack's doing.
LEVEL = PadesLevel.B_LT


def _failed_check(report, code: str) -> str:
    messages = [
        c.message
        for r in report.signatures + report.timestamps
        for c in r.checks
        if c.code == code and c.status in ("failed", "indeterminate")
    ]
    assert messages, f"no {code} finding in {report.reasons}"
    return " ".join(messages)


@pytest.fixture
def signed(sign) -> bytes:
    data = sign(level=LEVEL)
    assert validate_pdf(data).outcome is Outcome.PASSED
    return data


@pytest.fixture
def signed_shadow(sign) -> bytes:
    data = sign(attacks.shadow_prepared_pdf(), level=LEVEL)
    assert validate_pdf(data).outcome is Outcome.PASSED, validate_pdf(data).reasons
    return data


@pytest.mark.parametrize(
    "attack", [attacks.incremental_content_replaced, attacks.incremental_page_added]
)
def test_incremental_saving_attack_fails_naming_the_content_change(signed, attack):
    report = validate_pdf(attack(signed))
    assert report.outcome is Outcome.FAILED
    assert "sửa nội dung" in _failed_check(report, "changes")


@pytest.mark.parametrize("attack", [attacks.usf_byte_range_zeroed, attacks.usf_contents_emptied])
def test_universal_signature_forgery_fails(signed, attack):
    report = validate_pdf(attack(signed))
    assert report.outcome is Outcome.FAILED, report.reasons
    assert report.reasons


def test_signature_wrapping_is_never_passed(signed):
    # Shifting the signed bytes also breaks the cross-reference offsets: the file is refused as
    # unreadable (indeterminate) or, if parsed, fails on its ByteRange.
    report = validate_pdf(attacks.signature_wrapping(signed))
    assert report.outcome in (Outcome.FAILED, Outcome.INDETERMINATE)
    assert report.reasons


@pytest.mark.parametrize(
    "attack", [attacks.shadow_hide, attacks.shadow_replace, attacks.shadow_hide_and_replace]
)
def test_shadow_attacks_fail(signed_shadow, attack):
    report = validate_pdf(attack(signed_shadow))
    assert report.outcome is Outcome.FAILED
    assert "sửa nội dung" in _failed_check(report, "changes")


def test_annotation_overlay_after_signing_fails(signed):
    report = validate_pdf(attacks.annotation_added(signed))
    assert report.outcome is Outcome.FAILED
    assert "chú thích" in _failed_check(report, "changes")


def test_fake_signature_appearance_is_not_passed(signed):
    report = validate_pdf(attacks.fake_signature_field(signed))
    assert report.outcome in (Outcome.INDETERMINATE, Outcome.FAILED)
    assert "ChuKyGia" in _failed_check(report, "overlay")


def _certify(data: bytes, signer, perm: MDPPerm) -> bytes:
    meta = PdfSignatureMetadata(
        field_name="ChungNhan", certify=True, docmdp_permissions=perm, md_algorithm="sha256"
    )
    out = io.BytesIO()
    pdf_signer = PdfSigner(meta, signer)
    asyncio.run(pdf_signer.async_sign_pdf(IncrementalPdfFileWriter(io.BytesIO(data)), output=out))
    return out.getvalue()


def test_certified_document_refuses_annotations_beyond_its_level(validation_settings, signer):
    certified = _certify(attacks.shadow_prepared_pdf(), signer, MDPPerm.FILL_FORMS)
    report = validate_pdf(attacks.annotation_added(certified))
    assert report.outcome is Outcome.FAILED
    assert "chú thích" in _failed_check(report, "changes")
    assert any(c.code == "certification" for c in report.signatures[0].checks)


def test_certified_no_changes_refuses_a_new_form_field(validation_settings, signer):
    certified = _certify(attacks.shadow_prepared_pdf(), signer, MDPPerm.NO_CHANGES)
    report = validate_pdf(attacks.fake_signature_field(certified))
    assert report.outcome is Outcome.FAILED
    assert "biểu mẫu" in _failed_check(report, "changes")
