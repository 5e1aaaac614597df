"""The attack corpus: every altered document fails or is indeterminate, and
the report names why."""

from __future__ import annotations

import asyncio
import io

import pytest
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import MDPPerm
from pyhanko.sign.signers import PdfSignatureMetadata, PdfSigner
from pyhanko.sign.validation.status import SignatureCoverageLevel

from signing.pades.sign import PadesLevel
from signing.validation.report import CheckStatus, Outcome
from signing.validation.runner import validate_pdf
from tests.signing.validation import attacks

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


def test_signature_wrapping_fails_naming_it_even_when_the_file_cannot_be_parsed(signed):
    # Shifting the signed bytes also breaks the cross-reference offsets, so no reader parses
    # the file; its raw bytes still prove the gap no longer holds one hex string.
    report = validate_pdf(attacks.signature_wrapping(signed))
    assert report.refusal is None
    assert report.outcome is Outcome.FAILED
    (result,) = report.signatures
    check = next(c for c in result.checks if c.code == "structure")
    assert check.status is CheckStatus.FAILED
    assert "signature wrapping" in check.message, check.message


def test_a_merely_damaged_signed_file_is_refused_not_called_wrapped(signed):
    # An interrupted download: the ByteRange still reads but points past the end of the file.
    br = attacks.byte_range_position(signed)
    damaged = signed[: br + 2000]
    report = validate_pdf(damaged)
    assert report.refusal is not None, report.reasons
    assert report.outcome is Outcome.INDETERMINATE


def test_size_matched_signature_wrapping_fails_naming_it(sign, settings):
    signed = sign(attacks.text_pdf(["Chi 1.000 dong"]), level=PadesLevel.B_B)
    forged = attacks.signature_wrapping_size_matched(signed, words="Chi 9.000.000.000 dong")
    # What made it dangerous: pyHanko alone finds the digest intact and the whole file covered.
    reader = PdfFileReader(io.BytesIO(forged))
    emb = reader.embedded_signatures[0]
    emb.compute_integrity_info()
    assert emb.evaluate_signature_coverage() is SignatureCoverageLevel.ENTIRE_FILE
    assert b"9.000.000.000" in forged and b"9.000.000.000" not in signed
    settings.KYHOP_VALIDATION_FETCH = True  # the untouched document passes outright
    assert validate_pdf(signed).outcome is Outcome.PASSED
    report = validate_pdf(forged)
    assert report.outcome is Outcome.FAILED, report.reasons
    (sig,) = report.signatures
    assert [c.code for c in sig.checks if c.status == "failed"] == ["structure"]
    assert "signature wrapping" in sig.reasons[0].message
    assert sig.reasons[0].params["detail"]["id"] == "wrapping.gap_not_hex"
    # One reason, no pile: no trust or PAdES lines for a signature that proves nothing.
    assert len(report.reasons) == 1 and sig.pades_level == ""


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
    assert report.signatures[0].signature_type == "certification"


def test_certified_no_changes_refuses_a_new_form_field(validation_settings, signer):
    certified = _certify(attacks.shadow_prepared_pdf(), signer, MDPPerm.NO_CHANGES)
    report = validate_pdf(attacks.fake_signature_field(certified))
    assert report.outcome is Outcome.FAILED
    assert "biểu mẫu" in _failed_check(report, "changes")


def test_sneaky_signature_over_a_certified_document_is_not_passed_plainly(
    validation_settings, signer
):
    """Mainka et al. (S&P 2021), SSA: a certified document (form filling and signing allowed)
    gets a later signature whose visible appearance is laid over the signed words."""
    from pyhanko.sign.fields import SigFieldSpec

    certified = _certify(attacks.text_pdf(["Chi 1.000 dong"]), signer, MDPPerm.FILL_FORMS)
    meta = PdfSignatureMetadata(field_name="ChuKyChen", md_algorithm="sha256")
    out = io.BytesIO()
    pdf_signer = PdfSigner(
        meta, signer, new_field_spec=SigFieldSpec("ChuKyChen", box=(60, 745, 360, 790))
    )
    asyncio.run(
        pdf_signer.async_sign_pdf(IncrementalPdfFileWriter(io.BytesIO(certified)), output=out)
    )
    report = validate_pdf(out.getvalue())
    assert report.outcome in (Outcome.PASSED_WITH_WARNINGS, Outcome.FAILED), report.reasons
    first = report.signatures[0]
    assert first.signature_type == "certification"
    (line,) = [c for c in first.checks if c.code == "visual"]
    assert line.status is CheckStatus.CAUTION
    (page,) = first.visual_changes
    assert page.regions and page.thumbnail_now
