"""Bulk signing: one confirmation, bounded concurrency, one result per document."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from signing import devpki
from signing.bulk.inprocess import bulk_sign
from signing.bulk.types import BulkItem, BulkProgress
from signing.pades.sign import PadesLevel

pytestmark = pytest.mark.usefixtures("pki_settings")


def _factory(test_pki, passphrase: str | None = None):
    backend = test_pki.backend()
    secret = test_pki.passphrase if passphrase is None else passphrase
    return lambda: backend.signer(identity="chutich", passphrase=secret)


async def _status(data: bytes, test_pki):
    context = ValidationContext(
        trust_roots=devpki.trust_roots(test_pki.directory), allow_fetching=True
    )
    try:
        reader = PdfFileReader(io.BytesIO(data))
        return await async_validate_pdf_signature(reader.embedded_signatures[0], context)
    finally:
        await context.aclose()


async def test_a_truncated_pdf_fails_alone_and_the_others_are_signed(test_pki, make_pdf):
    documents = {f"v{n}": make_pdf(pages=n + 1) for n in range(5)}
    broken = make_pdf()[:200]
    items = [BulkItem(key=key, data=data) for key, data in documents.items()]
    items.insert(3, BulkItem(key="broken", data=broken))
    progress: list[BulkProgress] = []

    results = await bulk_sign(
        items,
        signer_factory=_factory(test_pki),
        level=PadesLevel.B_T,
        on_progress=progress.append,
        concurrency=3,
    )

    assert [r.key for r in results] == [item.key for item in items]
    failed = [r for r in results if not r.ok]
    assert [r.key for r in failed] == ["broken"]
    assert failed[0].data is None
    assert "Không đọc được tệp PDF" in failed[0].error
    assert [p.done for p in progress] == [1, 2, 3, 4, 5, 6]
    assert {p.total for p in progress} == {6}
    assert {p.result.key for p in progress} == {item.key for item in items}
    for result in results:
        if result.ok:
            # Each result is its own document plus one update, never another one's bytes.
            assert result.data.startswith(documents[result.key])
            status = await _status(result.data, test_pki)
            assert status.intact and status.valid and status.trusted
            assert status.timestamp_validity is not None and status.timestamp_validity.valid


async def test_a_wrong_pin_signs_nothing(test_pki, pdf_bytes):
    progress: list[BulkProgress] = []
    with pytest.raises(ValidationError) as caught:
        await bulk_sign(
            [BulkItem(key="a", data=pdf_bytes)],
            signer_factory=_factory(test_pki, passphrase="sai"),
            level=PadesLevel.B_B,
            on_progress=progress.append,
        )
    assert caught.value.code == "wrong_passphrase"
    assert progress == []


async def test_an_async_progress_callback_is_awaited(test_pki, pdf_bytes):
    seen: list[int] = []

    async def publish(progress: BulkProgress) -> None:  # e.g. a channel-layer group_send
        seen.append(progress.done)

    results = await bulk_sign(
        [BulkItem(key=str(n), data=pdf_bytes) for n in range(3)],
        signer_factory=_factory(test_pki),
        level=PadesLevel.B_B,
        on_progress=publish,
    )
    assert all(r.ok for r in results)
    assert seen == [1, 2, 3]


async def test_per_document_options_reach_the_signature(test_pki, make_pdf):
    pdf = make_pdf(sig_field="ChuKy")
    results = await bulk_sign(
        [BulkItem(key="x", data=pdf, options={"field_name": "ChuKy", "reason": "Phê duyệt"})],
        signer_factory=_factory(test_pki),
        level=PadesLevel.B_B,
    )
    signature = PdfFileReader(io.BytesIO(results[0].data)).embedded_signatures[0]
    assert signature.field_name == "ChuKy"
    assert signature.sig_object["/Reason"] == "Phê duyệt"
