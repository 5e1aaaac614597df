"""The clerk takes a document through trình ký in the browser: registers an uploaded draft,
starts the request from the document's page ("Trình ký"), a drafter initials and the chair
signs from the request page (the document shown inline), the clerk numbers it ("Cấp số",
from the outgoing register), and the final PDF carries the number, its signatures all pass
KyHop's own validation, and the register lists it.

One live server (uvicorn on the test database) for the module's one journey.
"""

from __future__ import annotations

import io
import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from documents.models import Document, OutgoingEntry
from documents.storage import blob_open
from signing import devpki
from signing.models import RequestStatus, SigningRequest
from signing.validation.engine import ValidationConfig, validate_bytes
from signing.validation.report import Outcome
from tests.e2e.helpers import (
    TABLET_LANDSCAPE,
    assert_no_english,
    collect_js_errors,
    log_in,
    pdf_first_page_png,
    reader_ready,
    screenshot_tablet,
    sign_in_browser,
    sign_on_page,
)
from tests.signing.helpers import PASSWORD, blank_pdf, to_trinh

pytestmark = [pytest.mark.e2e]


def _login(browser, base: str, username: str):
    context = browser.new_context(viewport=TABLET_LANDSCAPE, locale="vi-VN")
    page = context.new_page()
    errors = collect_js_errors(page)
    log_in(page, base, username, PASSWORD)
    return page, errors


def _pdf_page1_text(data: bytes, tmp_path: Path, name: str = "trinh-ky-final-pdf") -> str:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(data)
    out = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", "-layout", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    pdf_first_page_png(path, name)
    return " ".join(out.stdout.split())


def test_a_clerk_takes_an_uploaded_draft_to_a_numbered_signed_original(
    browser, signing_server, province, pki_settings, tmp_path
):
    base, world = signing_server, province
    draft = tmp_path / "to-trinh.pdf"
    draft.write_bytes(to_trinh()[0])

    # The clerk registers the draft.
    clerk, clerk_errors = _login(browser, base, "vanthu")
    clerk.goto(f"{base}/van-ban/dang-ky/")
    clerk.select_option("#id_owning_body", str(world.ubnd.pk))
    clerk.select_option("#id_doc_type", "to_trinh")
    clerk.fill("#id_symbol", "TTr-UBND")
    clerk.fill("#id_abstract", "Về việc phê duyệt Kế hoạch chuyển đổi số năm 2026")
    clerk.set_input_files("#id_upload", str(draft))
    clerk.click("form button[type=submit].btn-primary")
    clerk.wait_for_selector("text=Đã đăng ký văn bản.")
    document = Document.objects.get(symbol="TTr-UBND")

    # "Trình ký" is on the document's page (and on its row in the list).
    screenshot_tablet(clerk, "trinh-ky-document")
    clerk.goto(f"{base}/van-ban/")
    row = clerk.locator("tr", has=clerk.locator(f"a[href='/van-ban/{document.pk}/']"))
    assert row.locator("a:has-text('Trình ký')").count() == 1
    clerk.goto(f"{base}/van-ban/{document.pk}/")
    clerk.click("a:has-text('Trình ký')")
    clerk.wait_for_selector("h1:has-text('Trình ký')")
    clerk.select_option("#id_initial_signers", [str(world.drafter1.pk)])
    clerk.select_option("#id_main_signer", str(world.chair.pk))
    assert not clerk.is_checked("#id_with_seal")
    screenshot_tablet(clerk, "trinh-ky-request-form")
    clerk.click("button:has-text('Tạo yêu cầu trình ký')")
    clerk.wait_for_selector("text=Đã tạo yêu cầu trình ký.")
    clerk.click("button:has-text('Gửi trình ký')")
    clerk.wait_for_selector("text=Đã gửi trình ký.", timeout=120_000)
    request = SigningRequest.objects.get(document=document)

    # The drafter initials, with an opinion; the chair signs.
    for username, opinion in (("daibieu1", "Đã rà soát nội dung"), ("chutich", "")):
        sign_in_browser(
            browser,
            base,
            username,
            PASSWORD,
            request_pk=request.pk,
            passphrase=pki_settings.passphrase,
            opinion=opinion,
            shot=f"trinh-ky-request-{username}",
        )

    # No seal step: the request waits for the clerk's "Cấp số", the date already today.
    request.refresh_from_db()
    assert request.status == RequestStatus.IN_PROGRESS
    clerk.goto(f"{base}/ky-so/yeu-cau/{request.pk}/")
    clerk.wait_for_selector("text=Đang chờ cấp số")
    reader_ready(clerk)
    assert "Ý kiến: Đã rà soát nội dung" in clerk.inner_text(".signing-steps")
    assert "Số tiếp theo trong sổ văn bản đi: 01" in clerk.inner_text("main")
    assert clerk.input_value("#id_issued_on") != ""
    screenshot_tablet(clerk, "trinh-ky-numbering")
    clerk.click("form[action$='/cap-so/'] button[type=submit]")
    clerk.wait_for_selector("text=Đã cấp số và ngày ban hành.", timeout=60_000)
    clerk.wait_for_selector(".badge:has-text('Đã ký xong')")
    reader_ready(clerk)
    assert_no_english(clerk)
    screenshot_tablet(clerk, "trinh-ky-completed")

    request.refresh_from_db()
    assert request.status == RequestStatus.COMPLETED
    document.refresh_from_db()
    assert document.number_symbol == "01/TTr-UBND"
    with blob_open(request.current_version.blob.storage_name) as handle:
        data = handle.read()
    text = _pdf_page1_text(data, tmp_path)
    assert "Số: 01/TTr-UBND" in text, text

    # KyHop's own validation passes every signature (the number is permitted form filling).
    roots = devpki.trust_roots(Path(pki_settings.directory))
    # In a thread of its own: the validator runs its own event loop, Playwright's is running.
    with ThreadPoolExecutor(max_workers=1) as pool:
        report = pool.submit(
            validate_bytes,
            data,
            file_name="final.pdf",
            config=ValidationConfig(
                trust_roots=tuple(root.dump() for root in roots),
                trust_root_names=("KyHop test root",),
                fetch=False,
                fetch_timeout=10,
                max_signatures=10,
            ),
        ).result()
    assert len(report.signatures) == 2
    assert report.outcome is Outcome.PASSED, report.reasons

    # The register lists it, and the clerk reaches the register from the navigation.
    clerk.goto(f"{base}/")
    clerk.click(".kh-nav a:has-text('Sổ văn bản')")
    clerk.wait_for_selector("h1:has-text('Sổ văn bản đi')")
    assert "01/TTr-UBND" in clerk.inner_text("table")
    assert OutgoingEntry.objects.get(document=document).number == 1
    assert_no_english(clerk)
    screenshot_tablet(clerk, "trinh-ky-register")
    # The clerk takes the register away as an Excel sheet.
    with clerk.expect_download() as download:
        clerk.click("a:has-text('Xuất Excel')")
    assert download.value.suggested_filename == "so-van-ban-di.xlsx"
    # The downloaded file has no extension, which openpyxl's loader insists on: read its bytes.
    sheet = load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    assert "01/TTr-UBND" in [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert clerk_errors == []

    # An attachment in its own file goes with the Tờ trình: the clerk ties it to the main
    # document on the request form, and the agency's signature carries 01/TTr-UBND.
    annex = tmp_path / "phu-luc.pdf"
    annex.write_bytes(blank_pdf())
    clerk.goto(f"{base}/van-ban/dang-ky/")
    clerk.select_option("#id_owning_body", str(world.ubnd.pk))
    clerk.select_option("#id_doc_type", "khac")
    clerk.fill("#id_symbol", "PL-UBND")
    clerk.fill("#id_abstract", "Phụ lục: Danh mục nhiệm vụ chuyển đổi số năm 2026")
    clerk.set_input_files("#id_upload", str(annex))
    clerk.click("form button[type=submit].btn-primary")
    clerk.wait_for_selector("text=Đã đăng ký văn bản.")
    annex_document = Document.objects.get(symbol="PL-UBND")
    clerk.click("a:has-text('Trình ký')")
    clerk.wait_for_selector("h1:has-text('Trình ký')")
    clerk.check("#id_is_attachment")
    clerk.select_option("#id_main_request", str(request.pk))
    screenshot_tablet(clerk, "trinh-ky-attachment-form")
    clerk.click("button:has-text('Tạo yêu cầu trình ký')")
    clerk.wait_for_selector("text=Đã tạo yêu cầu trình ký.")
    expect(clerk.locator("dd.request-main")).to_contain_text("Về việc phê duyệt Kế hoạch")
    clerk.click("button:has-text('Gửi trình ký')")
    clerk.wait_for_selector("text=Đã gửi trình ký.", timeout=120_000)
    reader_ready(clerk)
    sign_on_page(clerk, pki_settings.passphrase)
    clerk.wait_for_selector(".badge:has-text('Đã ký xong')")
    screenshot_tablet(clerk, "trinh-ky-attachment-signed")
    annex_document.refresh_from_db()
    assert annex_document.number_symbol == "01/TTr-UBND"
    annex_request = SigningRequest.objects.get(document=annex_document)
    with blob_open(annex_request.current_version.blob.storage_name) as handle:
        annex_text = _pdf_page1_text(handle.read(), tmp_path, name="trinh-ky-attachment-pdf")
    assert re.search(r"01/TTr-UBND; \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00", annex_text)
    assert clerk_errors == []
