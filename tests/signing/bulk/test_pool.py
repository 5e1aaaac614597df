"""Bulk signing on worker processes: same contract as bulk_sign (one result per document,
isolation, one passphrase), with the signer built in each worker from a picklable spec."""

from __future__ import annotations

import io
import pickle

import pytest
from django.core.exceptions import ValidationError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from signing import devpki
from signing.bulk.pool import Pkcs12SignerSpec, bulk_sign_processes
from signing.bulk.types import BulkItem, BulkProgress
from signing.pades.sign import PadesLevel

pytestmark = pytest.mark.usefixtures("pki_settings")


def _spec(test_pki, passphrase: str | None = None) -> Pkcs12SignerSpec:
    data = (test_pki.layout.identities / "chutich.p12").read_bytes()
    secret = test_pki.passphrase if passphrase is None else passphrase
    return Pkcs12SignerSpec(identity="chutich", data=data, passphrase=secret)


def test_the_spec_never_shows_its_secret(test_pki):
    spec = _spec(test_pki)
    assert test_pki.passphrase not in repr(spec)
    # What the pool ships to its workers (our own bytes: nothing untrusted is unpickled).
    assert pickle.loads(pickle.dumps(spec)) == spec  # noqa: S301


async def test_documents_are_signed_in_workers_and_a_broken_one_fails_alone(test_pki, make_pdf):
    items = [BulkItem(key=f"v{n}", data=make_pdf(pages=n + 1)) for n in range(6)]
    items.insert(2, BulkItem(key="broken", data=make_pdf()[:200]))
    progress: list[BulkProgress] = []

    results = await bulk_sign_processes(
        items,
        signer_spec=_spec(test_pki),
        level=PadesLevel.B_T,
        on_progress=progress.append,
        concurrency=2,
    )

    assert [r.key for r in results] == [item.key for item in items]
    assert [r.key for r in results if not r.ok] == ["broken"]
    assert sorted(p.done for p in progress) == list(range(1, 8))
    context = ValidationContext(
        trust_roots=devpki.trust_roots(test_pki.directory), allow_fetching=True
    )
    try:
        for result in results:
            if result.ok:
                sig = PdfFileReader(io.BytesIO(result.data)).embedded_signatures[0]
                status = await async_validate_pdf_signature(sig, context)
                assert status.intact and status.valid and status.trusted
                assert status.timestamp_validity and status.timestamp_validity.valid
    finally:
        await context.aclose()


async def test_a_wrong_passphrase_stops_the_batch_before_any_worker_signs(test_pki, make_pdf):
    with pytest.raises(ValidationError):
        await bulk_sign_processes(
            [BulkItem(key="a", data=make_pdf())],
            signer_spec=_spec(test_pki, "sai"),
            level=PadesLevel.B_B,
        )
