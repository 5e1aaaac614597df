"""File-to-file signing for large documents (used by bulk jobs and the 200 MB benchmark)."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from signing import devpki
from signing.pades.sign import PadesLevel, async_sign_pdf_file_in_place

pytestmark = pytest.mark.usefixtures("pki_settings")


async def test_in_place_signing_leaves_the_source_untouched_and_validates(
    test_pki, tmp_path, make_pdf
):
    original = make_pdf(pages=3)
    source, target = tmp_path / "in.pdf", tmp_path / "out.pdf"
    source.write_bytes(original)
    signer = test_pki.backend().signer(identity="chutich", passphrase=test_pki.passphrase)
    await async_sign_pdf_file_in_place(
        source=source, target=target, signer=signer, level=PadesLevel.B_T
    )
    assert source.read_bytes() == original
    signed = target.read_bytes()
    assert signed.startswith(original)
    context = ValidationContext(
        trust_roots=devpki.trust_roots(test_pki.directory), allow_fetching=True
    )
    try:
        reader = PdfFileReader(io.BytesIO(signed))
        status = await async_validate_pdf_signature(reader.embedded_signatures[0], context)
    finally:
        await context.aclose()
    assert status.intact and status.valid and status.trusted


async def test_a_failure_leaves_no_partial_file(test_pki, tmp_path):
    source, target = tmp_path / "in.pdf", tmp_path / "out.pdf"
    source.write_bytes(b"%PDF-1.7\nnot really a pdf")
    signer = test_pki.backend().signer(identity="chutich", passphrase=test_pki.passphrase)
    with pytest.raises(ValidationError):
        await async_sign_pdf_file_in_place(
            source=source, target=target, signer=signer, level=PadesLevel.B_B
        )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.pdf"]
