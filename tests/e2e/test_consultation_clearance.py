"""A Mật written consultation in the browser: the clerk sets its level, is told before and after
sending which member will not be asked (no clearance), and only the cleared are asked."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from accounts.models import Clearance
from meetings.models import Consultation
from tests.e2e.helpers import (
    TABLET_LANDSCAPE,
    TABLET_PORTRAIT,
    assert_no_english,
    collect_js_errors,
    screenshot,
)
from tests.factories import make_body, make_user

pytestmark = [pytest.mark.e2e]

PASSWORD = "Mat-khau-e2e-2026"
SHOTS = Path("/tmp/mail-shots")


@pytest.fixture
def committee(server_process):
    body = make_body(code="ubnd", name="Ủy ban nhân dân huyện Tiên Du", symbol="UBND")
    people = {
        "chutich": ("Nguyễn Văn Hùng", "chair", Clearance.SECRET),
        "vanthu": ("Trần Thị Thu Hà", "clerk", Clearance.SECRET),
        "thanhvien1": ("Lê Minh Đức", "member", Clearance.SECRET),
        "thanhvien2": ("Phạm Thị Ngọc Ánh", "member", Clearance.NORMAL),
    }
    for username, (name, role, clearance) in people.items():
        user = make_user(
            username=username,
            full_name=name,
            password=PASSWORD,
            body=body,
            role=role,
            email=f"{username}@example.vn",
        )
        user.clearance = clearance
        user.save(update_fields=["clearance"])
    return server_process


def test_a_secret_consultation_tells_the_clerk_who_is_left_out(browser, committee):
    base = committee
    context = browser.new_context(viewport=TABLET_LANDSCAPE, locale="vi-VN")
    page = context.new_page()
    errors = collect_js_errors(page)
    page.goto(f"{base}/dang-nhap/")
    page.fill("#id_username", "vanthu")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].btn-primary")
    page.wait_for_selector("h1")

    page.goto(f"{base}/hop/lay-y-kien/tao/")
    page.fill("#id_title", "Phương án kiện toàn nhân sự")
    page.fill("#id_deadline", (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"))
    page.select_option("#id_confidentiality", str(Clearance.SECRET))
    assert_no_english(page)
    page.screenshot(path=str(SHOTS / "consultation-form-1280x800.png"), full_page=True)
    page.click("button[type=submit].btn-primary")
    page.wait_for_selector("#kh-left-out")
    assert "Sẽ không gửi phiếu cho" in page.inner_text("#kh-left-out")
    assert "Phạm Thị Ngọc Ánh" in page.inner_text("#kh-left-out")
    assert Consultation.objects.get().confidentiality == Clearance.SECRET

    page.click("button:has-text('Gửi phiếu lấy ý kiến')")
    page.click("button:has-text('Xác nhận gửi')")
    page.wait_for_selector("text=Chưa trả lời: 2/2")
    alert = page.locator(".alert-warning", has_text="Không gửi phiếu và không gửi thư cho")
    assert "Phạm Thị Ngọc Ánh" in alert.first.inner_text()
    recipients = page.inner_text("#kh-recipients")
    assert "Lê Minh Đức" in recipients and "Phạm Thị Ngọc Ánh" not in recipients
    assert_no_english(page)
    page.screenshot(path=str(SHOTS / "consultation-sent-1280x800.png"), full_page=True)
    page.set_viewport_size(TABLET_PORTRAIT)
    assert page.evaluate("document.documentElement.scrollWidth") <= TABLET_PORTRAIT["width"]
    page.screenshot(path=str(SHOTS / "consultation-sent-800x1280.png"), full_page=True)
    screenshot(page, "consultation-secret-sent-portrait")
    assert errors == []
    context.close()
