"""Validation fixtures: the signing suite's in-process test PKI, and documents signed with it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from signing.pades.sign import PadesLevel, sign_pdf_bytes
from tests.signing.helpers import (
    TestPki,
    blank_pdf,
    pdfsig_verdicts_of,
    pki_served,
    pki_settings_apply,
)
from tests.validation.helpers import first_identity, sign_lta

# The signing tests' PKI, made and served the same way (tests/signing/conftest.py): a
# conftest's fixtures reach only the tests below it.


@pytest.fixture(scope="session")
def test_pki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestPki]:
    with pki_served(tmp_path_factory.mktemp("pki")) as pki:
        yield pki


@pytest.fixture
def pki_settings(settings, test_pki: TestPki) -> TestPki:
    """Point the signing settings at the test PKI for one test."""
    return pki_settings_apply(settings, test_pki)


@pytest.fixture
def make_pdf() -> Callable[..., bytes]:
    return blank_pdf


@pytest.fixture
def pdfsig_verdicts() -> Callable[[Path], list[str]]:
    return pdfsig_verdicts_of


# --- Documents signed with it ------------------------------------------------------------------


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
