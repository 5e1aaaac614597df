"""Remote signing through the CSC API against certomancer's CSC dummy, served in-process
(see conftest.py): one document, a batch under one authorisation, refusals."""

from __future__ import annotations

import io
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from signing import devpki
from signing.backends.csc import csc_signer
from signing.bulk.inprocess import bulk_sign
from signing.bulk.types import BulkItem
from signing.pades.sign import PadesLevel, async_sign_pdf_bytes
from tests.signing.backends.helpers import MULTISIGN
from tests.signing.helpers import REVOKED

pytestmark = [
    pytest.mark.usefixtures("pki_settings"),
    # The dummy service (not our code) stores its settings under plain string app keys.
    pytest.mark.filterwarnings("ignore:It is recommended to use web.AppKey"),
]


async def _status(data: bytes, test_pki):
    context = ValidationContext(
        trust_roots=devpki.trust_roots(test_pki.directory),
        allow_fetching=True,
        revocation_mode="hard-fail",
    )
    try:
        reader = PdfFileReader(io.BytesIO(data))
        return await async_validate_pdf_signature(reader.embedded_signatures[0], context)
    finally:
        await context.aclose()


@pytest.mark.parametrize("level", [PadesLevel.B_B, PadesLevel.B_T])
async def test_one_document_signed_through_the_csc_service_validates(
    csc_service, test_pki, pdf_bytes, level
):
    async with csc_signer(
        service_url=csc_service.url, credential_id=csc_service.credential("chutich"), pin="1234"
    ) as signer:
        signed = await async_sign_pdf_bytes(data=pdf_bytes, signer=signer, level=level)
        assert signer.auth_manager.authorizations == 1
    status = await _status(signed, test_pki)
    assert status.intact and status.valid and status.trusted
    if level is PadesLevel.B_T:
        assert status.timestamp_validity is not None and status.timestamp_validity.valid


async def test_a_batch_needs_one_authorisation_for_all_its_hashes(csc_service, test_pki, make_pdf):
    items = [BulkItem(key=f"doc{n}", data=make_pdf(pages=n + 1)) for n in range(3)]
    before = Counter(csc_service.calls)
    seen = []
    async with csc_signer(
        service_url=csc_service.url, credential_id=csc_service.credential("vanthu"), pin="1234"
    ) as signer:
        results = await bulk_sign(
            items, signer_factory=lambda: signer, level=PadesLevel.B_T, on_progress=seen.append
        )
        assert signer.auth_manager.authorizations == 1
    calls = csc_service.calls - before
    assert calls["credentials/authorize"] == 1
    assert calls["signatures/signHash"] == 1
    assert [r.key for r in results] == ["doc0", "doc1", "doc2"]
    assert all(r.ok for r in results)
    assert [p.done for p in seen] == [1, 2, 3]
    for result in results:
        status = await _status(result.data, test_pki)
        assert status.intact and status.valid and status.trusted
        assert status.timestamp_validity is not None and status.timestamp_validity.valid


async def test_a_batch_larger_than_multisign_is_split_and_a_bad_pdf_stays_alone(
    csc_service, test_pki, make_pdf
):
    good = make_pdf()
    items = [BulkItem(key=f"doc{n}", data=good) for n in range(MULTISIGN + 1)]
    items.insert(2, BulkItem(key="broken", data=good[: len(good) // 2]))
    async with csc_signer(
        service_url=csc_service.url, credential_id=csc_service.credential("chutich"), pin="1234"
    ) as signer:
        results = await bulk_sign(items, signer_factory=lambda: signer, level=PadesLevel.B_B)
        assert signer.auth_manager.authorizations == 2  # 5 hashes, at most 4 per SAD
    by_key = {r.key: r for r in results}
    assert not by_key["broken"].ok and "PDF" in by_key["broken"].error
    assert sum(r.ok for r in results) == MULTISIGN + 1
    status = await _status(by_key["doc4"].data, test_pki)
    assert status.intact and status.valid and status.trusted


async def test_an_unknown_credential_gives_a_clear_message(csc_service):
    from signing.pades.sign import SigningUnavailable

    with pytest.raises(SigningUnavailable, match="CSC"):
        async with csc_signer(
            service_url=csc_service.url, credential_id=f"{devpki.ARCH}/nobody", pin="1"
        ):
            pass


async def test_a_revoked_credential_is_refused_before_any_authorisation(csc_service, make_pdf):
    items = [BulkItem(key=f"doc{n}", data=make_pdf()) for n in range(3)]
    before = Counter(csc_service.calls)
    async with csc_signer(
        service_url=csc_service.url, credential_id=csc_service.credential(REVOKED), pin="1234"
    ) as signer:
        with pytest.raises(ValidationError) as alone:
            await async_sign_pdf_bytes(data=items[0].data, signer=signer, level=PadesLevel.B_B)
        with pytest.raises(ValidationError) as batch:
            await bulk_sign(items, signer_factory=lambda: signer, level=PadesLevel.B_T)
        assert signer.auth_manager.authorizations == 0
    assert alone.value.code == batch.value.code == "certificate_revoked"
    calls = csc_service.calls - before
    assert calls["credentials/authorize"] == 0 and calls["signatures/signHash"] == 0
