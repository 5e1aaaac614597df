"""Playwright driving Debian's Chromium (browsers cannot be downloaded on these machines), and
the signing journeys' server: uvicorn on the test database with the test's media and PKI."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

import kyhop.settings as configured
from signing import devpki
from tests.live import served
from tests.signing.helpers import TestPki

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    # Playwright's sync API keeps an event loop running in this thread; Django would then refuse
    # the tests' own ORM calls. Allowed only while the browser lives, and only in this process
    # (make test runs the browser tests apart); the server under test is unaffected.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def signing_server(
    transactional_db, settings, pki_settings: TestPki, doc_storage: Path
) -> Iterator[str]:
    """uvicorn on the test database, with this test's media folder and the session's test PKI
    (its TSA stamps, its root is trusted), for the journeys that sign in the browser."""
    # The server verifies the passwords made here, so they need its real (slow) hashers.
    settings.PASSWORD_HASHERS = configured.PASSWORD_HASHERS
    env = {
        "KYHOP_MEDIA_ROOT": str(doc_storage),
        "KYHOP_PKI_DIR": str(pki_settings.directory),
        "KYHOP_PKI_URL": pki_settings.base_url,
        "KYHOP_PKI_PASSPHRASE": pki_settings.passphrase,
        "KYHOP_SIGN_TSA_URL": devpki.service_urls(pki_settings.base_url)["tsa"],
        "KYHOP_SIGN_TRUST_ROOTS": "",
    }
    with served(env) as base_url:
        yield base_url


@pytest.fixture
def media_server(transactional_db, doc_storage: Path) -> Iterator[str]:
    """A server process whose file storage is this test's, so the PDFs it serves can be read."""
    with served({"KYHOP_MEDIA_ROOT": str(doc_storage)}) as base_url:
        yield base_url
