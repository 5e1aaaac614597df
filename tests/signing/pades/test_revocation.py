"""Revocation is checked before every signature (Circular 15/2025), at every level,
against the in-process test PKI's real OCSP responder and CRLs.

The test PKI holds a signer the CA has revoked ("thu-hoi", key compromise, 01/07/2025 08:30
UTC); a second PKI names a loopback port that refuses connections, so its certificates'
status cannot be determined. The test PKI's server counts the requests it answers, from this
process or a worker process, which is how "asked once" is checked.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from signing import devpki
from signing.bulk.inprocess import bulk_sign
from signing.bulk.pool import Pkcs12SignerSpec, bulk_sign_processes
from signing.bulk.types import BulkItem, BulkProgress
from signing.pades import certcheck
from signing.pades.certcheck import RevocationState, certificate_status_cache_clear
from signing.pades.external import external_prepare
from signing.pades.sign import PadesLevel, async_certificate_clear, sign_pdf_bytes
from tests.signing.helpers import REVOKED, REVOKED_TEXT, UNKNOWN_TEXT

pytestmark = pytest.mark.usefixtures("pki_settings")


def _signer(test_pki, name: str):
    return test_pki.backend().signer(identity=name, passphrase=test_pki.passphrase)


def _spec(test_pki, name: str) -> Pkcs12SignerSpec:
    data = test_pki.layout.identity_file(name).read_bytes()
    return Pkcs12SignerSpec(identity=name, data=data, passphrase=test_pki.passphrase)


@pytest.mark.parametrize("level", [PadesLevel.B_B, PadesLevel.B_T])
def test_a_revoked_certificate_cannot_sign_and_the_signer_is_told_when_and_why(
    test_pki, pdf_bytes, level
):
    tsa_before = test_pki.hits["tsa"]
    with pytest.raises(ValidationError) as caught:
        sign_pdf_bytes(data=pdf_bytes, signer=_signer(test_pki, REVOKED), level=level)

    assert caught.value.code == "certificate_revoked"
    [message] = caught.value.messages
    assert message.startswith(REVOKED_TEXT)
    assert test_pki.hits["tsa"] == tsa_before  # refused before anything else was asked


def test_a_good_certificate_signs_and_the_ca_is_asked_once_per_cache_period(
    test_pki, pdf_bytes, settings
):
    signer = _signer(test_pki, "chutich")
    before = test_pki.hits["ocsp"]
    for _ in range(3):
        signed = sign_pdf_bytes(data=pdf_bytes, signer=signer, level=PadesLevel.B_B)
        assert signed.startswith(pdf_bytes) and len(signed) > len(pdf_bytes)
    assert test_pki.hits["ocsp"] - before == 1

    settings.KYHOP_SIGN_REVOCATION_CACHE_SECONDS = 0  # no reuse: every signature asks
    certificate_status_cache_clear()
    before = test_pki.hits["ocsp"]
    for _ in range(2):
        sign_pdf_bytes(data=pdf_bytes, signer=signer, level=PadesLevel.B_B)
    assert test_pki.hits["ocsp"] - before == 2


async def test_a_status_names_its_state_and_the_certificate_it_covers(test_pki):
    good = await async_certificate_clear(signer=_signer(test_pki, "chutich"))
    assert good.state is RevocationState.GOOD
    assert good.covers(devpki.read_certificate(test_pki.directory, "chutich"))
    assert not good.covers(devpki.read_certificate(test_pki.directory, "vanthu"))


@pytest.mark.parametrize("level", [PadesLevel.B_B, PadesLevel.B_T])
def test_an_unreachable_ocsp_responder_and_crl_mean_unknown_and_block(
    unreachable_pki_settings, pdf_bytes, level, monkeypatch
):
    asked = []
    ask = certcheck._ask_the_ca

    async def counted(*args):
        asked.append(args[0])
        return await ask(*args)

    monkeypatch.setattr(certcheck, "_ask_the_ca", counted)
    signer = _signer(unreachable_pki_settings, "chutich")
    for _attempt in range(2):
        with pytest.raises(ValidationError) as caught:
            sign_pdf_bytes(data=pdf_bytes, signer=signer, level=level)
        assert caught.value.code == "revocation_unknown"
        [message] = caught.value.messages
        assert message.startswith(UNKNOWN_TEXT)
        assert "thử lại sau" in message
    assert len(asked) == 2  # "unknown" is never kept: a retry asks the CA again


def test_the_settings_may_let_an_unknown_status_through(
    unreachable_pki_settings, pdf_bytes, settings
):
    signer = _signer(unreachable_pki_settings, "chutich")
    settings.KYHOP_SIGN_REVOCATION_UNKNOWN = "allow-initials"  # not a step: still refused
    with pytest.raises(ValidationError):
        sign_pdf_bytes(data=pdf_bytes, signer=signer, level=PadesLevel.B_B)

    settings.KYHOP_SIGN_REVOCATION_UNKNOWN = "allow"
    signed = sign_pdf_bytes(data=pdf_bytes, signer=signer, level=PadesLevel.B_B)
    assert signed.startswith(pdf_bytes) and len(signed) > len(pdf_bytes)


def test_a_certificate_outside_the_trusted_roots_cannot_sign(
    test_pki, unreachable_pki, pdf_bytes, settings
):
    settings.KYHOP_SIGN_TRUST_ROOTS = [unreachable_pki.layout.certs / "root.cert.pem"]
    with pytest.raises(ValidationError) as caught:
        sign_pdf_bytes(data=pdf_bytes, signer=_signer(test_pki, "chutich"), level=PadesLevel.B_B)
    assert caught.value.code == "certificate_untrusted"
    assert "tin cậy" in caught.value.messages[0]


async def test_a_batch_asks_the_ca_once_and_a_revoked_batch_signs_nothing(
    test_pki, make_pdf, settings
):
    # No reuse between calls: only the batch's own single check can spare the CA.
    settings.KYHOP_SIGN_REVOCATION_CACHE_SECONDS = 0
    items = [BulkItem(key=f"v{n}", data=make_pdf(pages=n + 1)) for n in range(5)]
    signer = _signer(test_pki, "chutich")
    before = test_pki.hits["ocsp"]
    results = await bulk_sign(items, signer_factory=lambda: signer, level=PadesLevel.B_B)
    assert all(r.ok for r in results)
    assert test_pki.hits["ocsp"] - before == 1

    revoked = _signer(test_pki, REVOKED)
    progress: list[BulkProgress] = []
    with pytest.raises(ValidationError) as caught:
        await bulk_sign(
            items,
            signer_factory=lambda: revoked,
            level=PadesLevel.B_T,
            on_progress=progress.append,
        )
    assert caught.value.messages[0].startswith(REVOKED_TEXT)
    assert progress == []


async def test_worker_processes_sign_under_the_parents_single_check(test_pki, make_pdf, settings):
    settings.KYHOP_SIGN_REVOCATION_CACHE_SECONDS = 0
    items = [BulkItem(key=f"v{n}", data=make_pdf()) for n in range(6)]
    before = test_pki.hits["ocsp"]
    results = await bulk_sign_processes(
        items, signer_spec=_spec(test_pki, "chutich"), level=PadesLevel.B_B, concurrency=2
    )
    assert all(r.ok for r in results)
    assert test_pki.hits["ocsp"] - before == 1  # the workers never asked

    progress: list[BulkProgress] = []
    with pytest.raises(ValidationError) as caught:
        await bulk_sign_processes(
            items,
            signer_spec=_spec(test_pki, REVOKED),
            level=PadesLevel.B_B,
            on_progress=progress.append,
        )
    assert caught.value.code == "certificate_revoked"
    assert progress == []


async def test_external_signing_refuses_a_revoked_certificate_before_preparing(test_pki, pdf_bytes):
    certificate = devpki.read_certificate(test_pki.directory, REVOKED)
    chain = tuple(
        devpki.read_certificate(test_pki.directory, label) for label in ("interm", "root")
    )
    with pytest.raises(ValidationError) as caught:
        await external_prepare(
            data=pdf_bytes, certificate=certificate, chain=chain, level=PadesLevel.B_T
        )
    assert caught.value.messages[0].startswith(REVOKED_TEXT)

    good = devpki.read_certificate(test_pki.directory, "chutich")
    prepared = await external_prepare(
        data=pdf_bytes, certificate=good, chain=chain, level=PadesLevel.B_T
    )
    assert prepared.document.startswith(pdf_bytes)
