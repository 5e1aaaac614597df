"""Plain helpers of the validation tests (fixtures live in conftest.py)."""

from __future__ import annotations

import json

from signing import devpki
from signing.pades.sign import PadesLevel, SigningServices, sign_pdf_bytes
from tests.signing.helpers import TestPki, blank_pdf


def first_identity(pki_: TestPki) -> str:
    """The name of the test PKI's first personal identity."""
    manifest = json.loads(pki_.layout.manifest.read_text(encoding="utf-8"))
    return manifest["identities"][0]["name"]


def sign_lta(test_pki: TestPki) -> bytes:
    """A one-page PDF signed at B-LTA by the test PKI's first demo signer."""
    signer = test_pki.backend().signer(
        identity=first_identity(test_pki), passphrase=test_pki.passphrase
    )
    services = SigningServices(
        tsa_url=devpki.service_urls(test_pki.base_url)["tsa"],
        trust_roots=tuple(devpki.trust_roots(test_pki.directory)),
        tsa_timeout=10,
        fetch_timeout=10,
    )
    return sign_pdf_bytes(
        data=blank_pdf(), signer=signer, level=PadesLevel.B_LTA, services=services
    )
