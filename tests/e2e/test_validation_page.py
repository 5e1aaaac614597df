"""Anyone who receives a signed PDF checks it on a tablet: the public page, no account needed.

The server under test is a separate process reading its settings from the environment, so the
test PKI's root is registered as a TrustRoot row in the test database (which that process
shares) rather than through pytest's ``settings`` fixture.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from signing.pades.trust import trust_root_register
from tests.e2e.helpers import TABLET_PORTRAIT
from tests.signing.helpers import TestPki
from tests.signing.validation.helpers import sign_lta

pytestmark = [pytest.mark.e2e]


@pytest.fixture
def signed_lta(test_pki: TestPki) -> bytes:
    # Playwright's sync API keeps an event loop running in this thread and pyHanko's sync
    # signing calls asyncio.run(): sign in a worker thread.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(sign_lta, test_pki).result()


@pytest.fixture
def trusting_server(server_process: str, test_pki: TestPki) -> str:
    trust_root_register(certificate=(test_pki.layout.certs / "root.cert.pem").read_bytes())
    return server_process


def test_anonymous_visitor_uploads_a_b_lta_pdf_and_reads_the_verdict(
    browser,
    trusting_server,
    signed_lta: bytes,
    tmp_path: Path,
):
    signed = tmp_path / "quyet-dinh-da-ky.pdf"
    signed.write_bytes(signed_lta)
    context = browser.new_context(viewport=TABLET_PORTRAIT, locale="vi-VN")
    page = context.new_page()
    page.goto(f"{trusting_server}/kiem-tra/")
    assert "Kiểm tra chữ ký số" in page.inner_text("h1")
    page.set_input_files("input[type=file]", str(signed))
    page.click("form.validation-form button[type=submit]")
    verdict = page.wait_for_selector("h2.verdict")
    assert verdict.inner_text() == "Hợp lệ"
    report = page.inner_text("article.validation-report")
    assert "Nguyễn Văn Hùng" in report  # the demo signer of the test PKI
    assert "Toàn vẹn dữ liệu đã ký" in report and "B-LTA" in report
    # Readable on the tablet without sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= TABLET_PORTRAIT["width"]
    page.screenshot(path=str(tmp_path / "kiem-tra.png"), full_page=True)
    context.close()
