"""PAdES signing at every level, checked by pyHanko's validator and by poppler's pdfsig."""

from __future__ import annotations

import io
import socket
import subprocess
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from PIL import Image
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESPassed
from pyhanko.sign.validation import DocumentSecurityStore, async_validate_pdf_signature
from pyhanko.sign.validation.ades import ades_lta_validation
from pyhanko.sign.validation.policy_decl import (
    PdfSignatureValidationSpec,
    RevinfoOnlineFetchingRule,
    RevocationInfoGatheringSpec,
    SignatureValidationSpec,
)
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.context import CertValidationPolicySpec
from pyhanko_certvalidator.policy_decl import REQUIRE_REVINFO, CertRevTrustPolicy
from pyhanko_certvalidator.registry import SimpleTrustManager

from signing import devpki
from signing.pades.sign import (
    PadesLevel,
    SigningUnavailable,
    TextAppearance,
    async_sign_pdf_bytes,
    sign_pdf_bytes,
    sign_pdf_file,
    signing_services,
)

pytestmark = pytest.mark.usefixtures("pki_settings")


def _roots(test_pki) -> list:
    return devpki.trust_roots(test_pki.directory)


async def _basic_status(data: bytes, test_pki, index: int = 0):
    """Validate one signature online against the test PKI root (intact, valid, trusted)."""
    context = ValidationContext(
        trust_roots=_roots(test_pki), allow_fetching=True, revocation_mode="hard-fail"
    )
    try:
        reader = PdfFileReader(io.BytesIO(data))
        return await async_validate_pdf_signature(reader.embedded_signatures[index], context)
    finally:
        await context.aclose()


async def _offline_ades_lta(data: bytes, test_pki):
    """ETSI LTA validation with revocation data *only* from the document (no fetching)."""
    spec = PdfSignatureValidationSpec(
        SignatureValidationSpec(
            cert_validation_policy=CertValidationPolicySpec(
                trust_manager=SimpleTrustManager.build(trust_roots=_roots(test_pki)),
                revinfo_policy=CertRevTrustPolicy(revocation_checking_policy=REQUIRE_REVINFO),
            ),
            revinfo_gathering_policy=RevocationInfoGatheringSpec(
                online_fetching_rule=RevinfoOnlineFetchingRule.LOCAL_ONLY
            ),
        )
    )
    reader = PdfFileReader(io.BytesIO(data))
    return await ades_lta_validation(reader.embedded_signatures[0], spec)


def _signer(test_pki, identity: str = "chutich"):
    return test_pki.backend().signer(identity=identity, passphrase=test_pki.passphrase)


def _write(tmp_path: Path, data: bytes, name: str = "signed.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("level", list(PadesLevel))
async def test_each_level_is_intact_trusted_and_valid_for_pdfsig(
    level, test_pki, pdf_bytes, tmp_path, pdfsig_verdicts
):
    signed = await async_sign_pdf_bytes(data=pdf_bytes, signer=_signer(test_pki), level=level)

    assert signed.startswith(pdf_bytes), "an incremental update keeps the original bytes"
    status = await _basic_status(signed, test_pki)
    assert status.intact and status.valid and status.trusted, status.pretty_print_details()
    assert status.bottom_line
    if level.needs_timestamp:
        assert status.timestamp_validity is not None
        assert status.timestamp_validity.valid and status.timestamp_validity.trusted
    else:
        assert status.timestamp_validity is None
    # pdfsig checks the signature itself; document time-stamps it cannot check (by design).
    assert pdfsig_verdicts(_write(tmp_path, signed))[0] == "Signature is Valid."


@pytest.mark.parametrize("level", [PadesLevel.B_LT, PadesLevel.B_LTA])
async def test_long_term_levels_validate_offline_from_their_own_dss(level, test_pki, pdf_bytes):
    signed = await async_sign_pdf_bytes(data=pdf_bytes, signer=_signer(test_pki), level=level)

    reader = PdfFileReader(io.BytesIO(signed))
    dss = DocumentSecurityStore.read_dss(reader)
    # No fetching, revocation data required: only what the signer embedded can satisfy this.
    context = dss.as_validation_context(
        {"trust_roots": _roots(test_pki), "allow_fetching": False, "revocation_mode": "require"}
    )
    status = await async_validate_pdf_signature(reader.embedded_signatures[0], context)
    assert status.bottom_line, status.pretty_print_details()
    assert status.revocation_details is None  # not revoked
    assert len(dss.ocsps) >= 2  # signer and TSA certificates, by OCSP


async def test_b_lta_ends_with_a_document_timestamp(test_pki, pdf_bytes):
    signed = await async_sign_pdf_bytes(
        data=pdf_bytes, signer=_signer(test_pki), level=PadesLevel.B_LTA
    )

    signatures = PdfFileReader(io.BytesIO(signed)).embedded_signatures
    assert [str(s.sig_object_type) for s in signatures] == ["/Sig", "/DocTimeStamp"]
    result = await _offline_ades_lta(signed, test_pki)
    assert result.ades_subindic == AdESPassed.OK, result.failure_msg
    assert result.oldest_evidence_record_timestamp is not None


def test_sync_wrapper_and_seal_identity(test_pki, pdf_bytes, tmp_path, pdfsig_verdicts):
    signed = sign_pdf_bytes(
        data=pdf_bytes, signer=_signer(test_pki, "ubnd-tinh"), level=PadesLevel.B_T
    )

    reader = PdfFileReader(io.BytesIO(signed))
    cert = reader.embedded_signatures[0].signer_cert
    assert cert.subject.native["common_name"] == "Ủy ban nhân dân tỉnh Bắc Ninh"
    assert pdfsig_verdicts(_write(tmp_path, signed)) == ["Signature is Valid."]


def test_signs_an_existing_named_field_and_refuses_to_sign_it_twice(test_pki, make_pdf):
    original = make_pdf(sig_field="ChuKyLanhDao")

    signed = sign_pdf_bytes(
        data=original, signer=_signer(test_pki), level=PadesLevel.B_B, field_name="ChuKyLanhDao"
    )

    sig = PdfFileReader(io.BytesIO(signed)).embedded_signatures[0]
    assert sig.field_name == "ChuKyLanhDao"
    with pytest.raises(ValidationError, match="đã được ký"):
        sign_pdf_bytes(
            data=signed, signer=_signer(test_pki), level=PadesLevel.B_B, field_name="ChuKyLanhDao"
        )


def test_second_signature_keeps_the_first_valid(test_pki, pdf_bytes, tmp_path, pdfsig_verdicts):
    first = sign_pdf_bytes(data=pdf_bytes, signer=_signer(test_pki, "lanhdao"), level="B-T")
    second = sign_pdf_bytes(data=first, signer=_signer(test_pki, "ubnd-tinh"), level="B-T")

    names = [s.field_name for s in PdfFileReader(io.BytesIO(second)).embedded_signatures]
    assert names == ["Signature1", "Signature2"]
    assert pdfsig_verdicts(_write(tmp_path, second)) == ["Signature is Valid."] * 2


def test_visible_appearance_renders_vietnamese_text(test_pki, pdf_bytes, tmp_path):
    appearance = TextAppearance(
        box=(330, 80, 560, 150),
        text="Ký bởi: %(signer)s\nThời gian ký: %(ts)s\nỦy ban nhân dân tỉnh Bắc Ninh",
    )

    signed = sign_pdf_bytes(
        data=pdf_bytes, signer=_signer(test_pki), level=PadesLevel.B_B, appearance=appearance
    )

    pdf = _write(tmp_path, signed)
    subprocess.run(
        ["pdftoppm", "-r", "72", "-png", "-singlefile", str(pdf), str(tmp_path / "page")],
        check=True,
    )
    image = Image.open(tmp_path / "page.png").convert("L")
    # PDF y grows upwards, image y downwards: the box (330, 80)-(560, 150) on an 842 pt page.
    inside = image.crop((335, 842 - 145, 555, 842 - 85))
    outside = image.crop((50, 50, 250, 250))
    assert inside.getextrema()[0] < 100, "the appearance text was not drawn"
    assert outside.getextrema()[0] > 250, "nothing should be drawn elsewhere"


@pytest.mark.parametrize("level", [PadesLevel.B_T, PadesLevel.B_LTA])
def test_tsa_down_is_a_clear_retryable_error(level, test_pki, pdf_bytes):
    with socket.socket() as probe:  # a port that was free a moment ago: connection refused
        probe.bind(("127.0.0.1", 0))
        dead_port = probe.getsockname()[1]
    services = signing_services()
    dead = type(services)(
        tsa_url=f"http://127.0.0.1:{dead_port}/tsa",
        trust_roots=services.trust_roots,
        tsa_timeout=2,
        fetch_timeout=2,
    )

    with pytest.raises(SigningUnavailable, match="dấu thời gian"):
        sign_pdf_bytes(data=pdf_bytes, signer=_signer(test_pki), level=level, services=dead)


def test_file_signing_writes_the_target_and_never_a_partial_file(test_pki, pdf_bytes, tmp_path):
    source = _write(tmp_path, pdf_bytes, "in.pdf")
    target = tmp_path / "out.pdf"

    sign_pdf_file(source=source, target=target, signer=_signer(test_pki), level=PadesLevel.B_T)
    assert target.read_bytes().startswith(pdf_bytes)

    broken = _write(tmp_path, b"%PDF-1.7\nnot really a pdf", "broken.pdf")
    with pytest.raises(ValidationError, match="Không đọc được tệp PDF"):
        sign_pdf_file(
            source=broken, target=tmp_path / "x.pdf", signer=_signer(test_pki), level="B-B"
        )
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "broken.pdf",
        "in.pdf",
        "out.pdf",
    ]
