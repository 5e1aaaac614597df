"""Validation fixtures, loaded for the whole suite by tests/conftest.py: documents signed with
the signing suite's session PKI (tests/signing/fixtures.py), and the settings that trust it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from signing.pades.sign import PadesLevel, sign_pdf_bytes
from tests.signing.helpers import TestPki, blank_pdf
from tests.signing.validation.helpers import first_identity, sign_lta


@pytest.fixture
def validation_settings(settings, pki_settings: TestPki) -> TestPki:
    """No TrustRoot rows: the test PKI's root is trusted as the development root."""
    settings.KYHOP_VALIDATION_FETCH = False
    settings.KYHOP_VALIDATION_TIMEOUT = 30
    return pki_settings


@pytest.fixture
def signer(test_pki: TestPki):
    return test_pki.backend().signer(
        identity=first_identity(test_pki), passphrase=test_pki.passphrase
    )


@pytest.fixture
def sign(validation_settings: TestPki, signer) -> Callable[..., bytes]:
    def _sign(data: bytes | None = None, level: PadesLevel = PadesLevel.B_LTA, **options) -> bytes:
        return sign_pdf_bytes(data=data or blank_pdf(), signer=signer, level=level, **options)

    return _sign


@pytest.fixture(scope="session")
def signed_lta(test_pki: TestPki) -> bytes:
    """One B-LTA document for the whole session (signing takes a second)."""
    return sign_lta(test_pki)
