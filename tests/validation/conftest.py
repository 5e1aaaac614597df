"""Validation fixtures: the signing suite's in-process test PKI, and documents signed with it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from signing.pades.sign import PadesLevel, SigningServices, sign_pdf_bytes
from tests.signing.conftest import (  # noqa: F401 - fixtures reused by name
    make_pdf,
    pdfsig_verdicts,
    pki_settings,
    test_pki,
)
from tests.signing.helpers import TestPki
from tests.signing.helpers import blank_pdf as _make_pdf
from tests.validation.helpers import first_identity


@pytest.fixture
def validation_settings(settings, pki_settings: TestPki) -> TestPki:  # noqa: F811
    """No TrustRoot rows: the test PKI's root is trusted as the development root."""
    settings.KYHOP_VALIDATION_FETCH = False
    settings.KYHOP_VALIDATION_TIMEOUT = 30
    return pki_settings


@pytest.fixture
def signer(test_pki: TestPki):  # noqa: F811
    return test_pki.backend().signer(
        identity=first_identity(test_pki), passphrase=test_pki.passphrase
    )


@pytest.fixture
def sign(validation_settings: TestPki, signer) -> Callable[..., bytes]:
    def _sign(data: bytes | None = None, level: PadesLevel = PadesLevel.B_LTA, **options) -> bytes:
        return sign_pdf_bytes(data=data or _make_pdf(), signer=signer, level=level, **options)

    return _sign


@pytest.fixture(scope="session")
def signed_lta(test_pki: TestPki) -> bytes:  # noqa: F811
    """One B-LTA document for the whole session (signing takes a second)."""
    return sign_lta(test_pki)


def sign_lta(test_pki: TestPki) -> bytes:  # noqa: F811
    """A one-page PDF signed at B-LTA by the test PKI's first demo signer."""
    from signing import devpki as pki

    signer = test_pki.backend().signer(
        identity=first_identity(test_pki), passphrase=test_pki.passphrase
    )
    services = SigningServices(
        tsa_url=pki.service_urls(test_pki.base_url)["tsa"],
        trust_roots=tuple(pki.trust_roots(test_pki.directory)),
        tsa_timeout=10,
        fetch_timeout=10,
    )
    return sign_pdf_bytes(
        data=_make_pdf(), signer=signer, level=PadesLevel.B_LTA, services=services
    )
