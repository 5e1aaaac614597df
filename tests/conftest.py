"""Shared fixtures: fast password hashing, a clean cache per test, and the fixtures several
suites share — the documents' world, file store and document maker (tests/documents/fixtures.py),
the signing suite's test PKI and province committee (tests/signing/fixtures.py), documents
signed with it (tests/signing/validation/fixtures.py) and a real ASGI server (tests/live.py). A test
module takes them by name; none imports them."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.utils import translation

# The documents world (bodies, people at each clearance), a private file store, a document maker.
from tests.documents.fixtures import doc_storage, make_document, world  # noqa: F401

# A real ASGI server process for live and browser tests.
from tests.live import server_process  # noqa: F401

# The test PKI served in-process (one per session), its settings, test PDFs, the province.
from tests.signing.fixtures import (  # noqa: F401
    make_pdf,
    pdf_bytes,
    pdfsig_verdicts,
    pki_settings,
    province,
    test_pki,
    unreachable_pki,
    unreachable_pki_settings,
)

# Documents signed with that PKI, and the validation settings that trust it.
from tests.signing.validation.fixtures import sign, signed_lta, signer, validation_settings  # noqa: F401


@pytest.fixture(autouse=True)
def _fast_passwords(request, settings):
    # Argon2 is deliberately slow; tests only need hashing to work, not to resist attack. Tests
    # with a real server process keep the real hashers: that process must verify the passwords.
    if "server_process" not in request.fixturenames:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _default_language():
    # The test client's LocaleMiddleware leaves a request's language active in this thread: a
    # test that asked for English must not make the next one English.
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()
