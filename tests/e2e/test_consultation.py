"""A written consultation from creation to result, in the browser: the clerk creates and sends
it, two members answer on their tablets (one changes her mind), the clerk sees who has not
answered, reminds, closes early and downloads the Decree 30 result sheet."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import ViewportSize
from pypdf import PdfReader

from tests.e2e.helpers import (
    TABLET_LANDSCAPE,
    TABLET_PORTRAIT,
    assert_no_english,
    collect_js_errors,
    log_in,
    screenshot,
)
from tests.factories import make_body, make_user

pytestmark = [pytest.mark.e2e]

PASSWORD = "Mat-khau-e2e-2026"
SHOTS = Path("/tmp/consult-shots")


@pytest.fixture
def committee(server_process):
    body = make_body(code="ubnd", name="Ủy ban nhân dân huyện Tiên Du", symbol="UBND")
    people = {
        "chutich": ("Nguyễn Văn Hùng", "chair"),
        "vanthu": ("Trần Thị Thu Hà", "clerk"),
        "thanhvien1": ("Lê Minh Đức", "member"),
        "thanhvien2": ("Phạm Thị Ngọc Ánh", "member"),
    }
    for username, (name, role) in people.items():
        make_user(
            username=username,
            full_name=name,
            password=PASSWORD,
            body=body,
            role=role,
            email=f"{username}@example.vn",
        )
    return server_process, body


def _login(browser, base: str, username: str, viewport: ViewportSize):
    context = browser.new_context(viewport=viewport, locale="vi-VN", accept_downloads=True)
    page = context.new_page()
    errors = collect_js_errors(page)
    log_in(page, base, username, PASSWORD)
    return page, errors


def _shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    path = screenshot(page, f"consultation-{name}")
    shutil.copy(path, SHOTS / path.name)


def _answer(browser, base: str, username: str, labels: list[str]) -> list[str]:
    page, errors = _login(browser, base, username, TABLET_PORTRAIT)
    page.click("text=Chọn ngày tổ chức hội nghị tổng kết")
    for label in labels:
        page.click(f"label:has-text('{label}')")
        button = page.locator("button[type=submit].btn-lg")
        assert button.bounding_box()["height"] >= 44
        button.click()
        page.wait_for_selector(".alert-success")
    assert_no_english(page)
    _shot(page, f"{username}-answered-portrait")
    page.context.close()
    return errors


def test_consultation_from_creation_to_result(browser, committee):
    base, _body = committee
    clerk, clerk_errors = _login(browser, base, "vanthu", TABLET_LANDSCAPE)
    clerk.goto(f"{base}/hop/lay-y-kien/tao/")
    clerk.fill("#id_title", "Chọn ngày tổ chức hội nghị tổng kết")
    clerk.select_option("#id_kind", "one_of_n")
    clerk.fill("#id_options", "Thứ Hai, 14/12\nThứ Tư, 16/12\nThứ Sáu, 18/12")
    deadline = timezone.localtime() + timedelta(days=2)
    clerk.fill("#id_deadline", deadline.strftime("%Y-%m-%dT%H:%M"))
    assert_no_english(clerk)
    _shot(clerk, "create-landscape")
    clerk.click("button[type=submit].btn-primary")
    clerk.wait_for_selector("text=Gửi phiếu lấy ý kiến")
    detail_url = clerk.url
    clerk.click("button:has-text('Gửi phiếu lấy ý kiến')")
    clerk.click("button:has-text('Xác nhận gửi')")
    clerk.wait_for_selector("text=Chưa trả lời: 3/3")

    errors = _answer(browser, base, "thanhvien1", ["Thứ Tư, 16/12"])
    errors += _answer(browser, base, "thanhvien2", ["Thứ Hai, 14/12", "Thứ Tư, 16/12"])

    clerk.goto(detail_url)
    clerk.wait_for_selector("text=Chưa trả lời: 1/3")
    row = clerk.locator("#kh-recipients li", has_text="Nguyễn Văn Hùng")
    assert "Chưa trả lời" in row.inner_text()
    clerk.click("button:has-text('Nhắc người chưa trả lời')")
    clerk.wait_for_selector("text=Đã gửi thư nhắc")
    _shot(clerk, "who-has-not-answered-landscape")
    clerk.click("button:has-text('Kết thúc lấy ý kiến')")
    clerk.click("button:has-text('Xác nhận kết thúc')")
    clerk.wait_for_selector("text=Tải phiếu tổng hợp kết quả")
    assert_no_english(clerk)
    _shot(clerk, "result-landscape")
    clerk.set_viewport_size(TABLET_PORTRAIT)
    _shot(clerk, "result-portrait")
    with clerk.expect_download() as download:
        clerk.click("text=Tải phiếu tổng hợp kết quả")
    pdf = Path(download.value.path()).read_bytes()
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "KẾT QUẢ LẤY Ý KIẾN" in text.upper()
    assert "Chọn ngày tổ chức hội nghị tổng kết" in " ".join(text.split())
    assert "Phạm Thị Ngọc Ánh" in text and "Lê Minh Đức" in text
    SHOTS.mkdir(exist_ok=True)
    (SHOTS / "result.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", str(SHOTS / "result.pdf"), str(SHOTS / "result")],
        check=True,
    )
    assert clerk_errors == [] and errors == []
