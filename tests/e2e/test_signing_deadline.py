"""A request with a deadline, through the browser: the clerk registers an urgent ("Khẩn")
draft, routes it with a hạn xử lý typed the Vietnamese way (a date in the past is refused
with a Vietnamese message), the chair sees the deadline in the inbox and signs, the clerk
numbers it, and the request page shows the completion record, downloadable as a PDF that
names the chair's certificate.

One live server (uvicorn on the test database, port 8712) for the module's one journey.
"""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from documents.models import Document
from signing.models import RequestStatus, SigningIdentity, SigningRequest
from tests.e2e.helpers import (
    TABLET_LANDSCAPE,
    assert_no_english,
    collect_js_errors,
    log_in,
    pdf_first_page_png,
    reader_ready,
    screenshot_tablet,
)
from tests.signing.helpers import PASSWORD, to_trinh

pytestmark = [pytest.mark.e2e]


def _login(browser, base: str, username: str):
    context = browser.new_context(viewport=TABLET_LANDSCAPE, locale="vi-VN", accept_downloads=True)
    page = context.new_page()
    errors = collect_js_errors(page)
    log_in(page, base, username, PASSWORD)
    return page, errors


def test_a_request_with_a_deadline_to_its_completion_record(
    browser, signing_server, province, pki_settings, tmp_path
):
    base, world = signing_server, province
    draft = tmp_path / "to-trinh.pdf"
    draft.write_bytes(to_trinh()[0])

    # The clerk registers an urgent draft; the page and the list carry the "Khẩn" mark.
    clerk, clerk_errors = _login(browser, base, "vanthu")
    clerk.goto(f"{base}/van-ban/dang-ky/")
    clerk.select_option("#id_owning_body", str(world.ubnd.pk))
    clerk.select_option("#id_doc_type", "to_trinh")
    clerk.fill("#id_symbol", "TTr-UBND")
    clerk.fill("#id_abstract", "Về việc phê duyệt Kế hoạch chuyển đổi số năm 2026")
    clerk.select_option("#id_urgency", "urgent")
    clerk.set_input_files("#id_upload", str(draft))
    clerk.click("form button[type=submit].btn-primary")
    clerk.wait_for_selector("text=Đã đăng ký văn bản.")
    document = Document.objects.get(symbol="TTr-UBND")
    expect(clerk.locator("[data-mark=urgency]").first).to_have_text("Khẩn")
    screenshot_tablet(clerk, "deadline-document-marks")
    clerk.goto(f"{base}/van-ban/")
    row = clerk.locator("tr", has=clerk.locator(f"a[href='/van-ban/{document.pk}/']"))
    expect(row.locator("[data-mark=urgency]")).to_have_text("Khẩn")

    # "Trình ký" with a deadline; a date already past is refused, in Vietnamese.
    clerk.goto(f"{base}/van-ban/{document.pk}/")
    clerk.click("a:has-text('Trình ký')")
    clerk.wait_for_selector("h1:has-text('Trình ký')")
    clerk.select_option("#id_main_signer", str(world.chair.pk))
    clerk.fill("#id_deadline_date", "01/01/2020")
    clerk.click("button:has-text('Tạo yêu cầu trình ký')")
    clerk.wait_for_selector("text=Hạn xử lý phải là một thời điểm sau hiện tại.")
    assert not SigningRequest.objects.exists()
    due = timezone.localdate() + dt.timedelta(days=3)
    clerk.fill("#id_deadline_date", due.strftime("%d/%m/%Y"))
    clerk.fill("#id_deadline_time", "16:30")
    screenshot_tablet(clerk, "deadline-request-form-deadline")
    clerk.click("button:has-text('Tạo yêu cầu trình ký')")
    clerk.wait_for_selector("text=Đã tạo yêu cầu trình ký.")
    first_shown = f"16:30 {due:%d/%m/%Y}"
    expect(clerk.locator("dd.request-deadline")).to_have_text(first_shown)
    clerk.click("button:has-text('Gửi trình ký')")
    clerk.wait_for_selector("text=Đã gửi trình ký.", timeout=120_000)
    request = SigningRequest.objects.get(document=document)
    assert timezone.localtime(request.deadline).strftime("%H:%M %d/%m/%Y") == first_shown

    # The chair asks for more time: the clerk moves the deadline on the request page.
    clerk.click("button:has-text('Đổi hạn xử lý')")
    moved = clerk.locator("#request-deadline")
    expect(moved.locator("#id_deadline_date")).to_have_value(due.strftime("%d/%m/%Y"))
    due = due + dt.timedelta(days=2)
    moved.locator("#id_deadline_date").fill(due.strftime("%d/%m/%Y"))
    moved.locator("#id_deadline_time").fill("10:00")
    screenshot_tablet(clerk, "deadline-move")
    moved.locator("button:has-text('Lưu hạn xử lý')").click()
    clerk.wait_for_selector("text=Đã đổi hạn xử lý.")
    shown = f"10:00 {due:%d/%m/%Y}"
    expect(clerk.locator("dd.request-deadline")).to_have_text(shown)
    request.refresh_from_db()
    assert timezone.localtime(request.deadline).strftime("%H:%M %d/%m/%Y") == shown

    # The chair finds it in the inbox with its deadline, and signs from the request page.
    chair, chair_errors = _login(browser, base, "chutich")
    chair.goto(f"{base}/ky-so/")
    inbox_row = chair.locator(f"tr:has(a[href='/ky-so/yeu-cau/{request.pk}/'])")
    expect(inbox_row.locator("td.request-deadline")).to_have_text(shown)
    expect(inbox_row.locator("[data-mark=urgency]")).to_have_text("Khẩn")
    screenshot_tablet(chair, "deadline-inbox-deadline")
    chair.goto(f"{base}/ky-so/yeu-cau/{request.pk}/")
    reader_ready(chair)
    chair.fill("#id_passphrase", pki_settings.passphrase)
    chair.click("button:has-text('Đồng ý và ký')")
    chair.wait_for_selector("text=Đã ký số thành công.", timeout=150_000)
    assert chair_errors == []
    chair.context.close()

    # The clerk numbers it; the completion record lists every step, the chair's certificate.
    clerk.goto(f"{base}/ky-so/yeu-cau/{request.pk}/")
    clerk.wait_for_selector("text=Đang chờ cấp số")
    clerk.click("form[action$='/cap-so/'] button[type=submit]")
    clerk.wait_for_selector("text=Đã cấp số và ngày ban hành.", timeout=120_000)
    clerk.wait_for_selector(".badge:has-text('Đã ký xong')")
    request.refresh_from_db()
    assert request.status == RequestStatus.COMPLETED
    record = clerk.locator("#completion-record")
    expect(record).to_contain_text("Mọi mục khớp với chuỗi nhật ký.")
    actions = record.locator("li strong").all_inner_texts()
    assert actions[0] == "Tạo yêu cầu trình ký"
    for done in (
        "Đổi hạn xử lý",
        "Ký chính (người có thẩm quyền)",
        "Cấp số, ngày ban hành",
        "Hoàn thành",
    ):
        assert done in actions, actions
    serial = SigningIdentity.objects.get(owner_user=world.chair).serial
    expect(record.locator("[data-verb='signing.step_signed']")).to_contain_text(serial)
    reader_ready(clerk)
    assert_no_english(clerk)
    screenshot_tablet(clerk, "deadline-completion-record")

    with clerk.expect_download() as caught:
        clerk.click("a:has-text('Tải hồ sơ hoàn thành (PDF)')")
    path = tmp_path / "record.pdf"
    caught.value.save_as(path)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = " ".join(text.split())
    assert "HỒ SƠ HOÀN THÀNH TRÌNH KÝ" in flat
    assert "Ký chính (người có thẩm quyền)" in flat
    assert serial in flat.replace(" ", "")
    pdf_first_page_png(path, "deadline-completion-record-pdf")
    assert clerk_errors == []
