"""A clerk prepares a meeting in the browser; an official reads the invitation and replies.

Covers the preparation path at tablet and desktop sizes: a three-level agenda, a Word file and two
PDFs attached, a whole body invited, invitations issued; the official finds the meeting,
opens the invitation in the reader and sends a substitute; the clerk sees the reply.
"""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest
from django.utils import timezone

from accounts.models import Body, User
from accounts.services import membership_set
from meetings.preparation import services
from meetings.preparation.invitations import meeting_send_invitations
from tests.documents.helpers import docx_bytes, pdf_bytes
from tests.e2e.helpers import TABLET_PORTRAIT, screenshot
from tests.factories import make_body, make_user

pytestmark = [pytest.mark.e2e]

PASSWORD = "Mat-khau-e2e-2026"
DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture
def province(server_process, settings, tmp_path):
    body = make_body(
        code="ubnd", name="Ủy ban nhân dân tỉnh Bắc Ninh", symbol="UBND", total_members=4
    )
    Body.objects.filter(pk=body.pk).update(place_name="Bắc Ninh")
    people = {
        "chutich": ("Nguyễn Văn Hùng", "chair", "Chủ tịch Ủy ban nhân dân tỉnh"),
        "vanthu": ("Trần Thị Thu Hà", "clerk", "Chuyên viên Văn phòng"),
        "daibieu1": ("Lê Minh Đức", "member", "Giám đốc Sở Thông tin và Truyền thông"),
        "daibieu2": ("Phạm Thị Ngọc Ánh", "member", "Giám đốc Sở Tài chính"),
    }
    for username, (name, role, position) in people.items():
        make_user(
            username=username,
            full_name=name,
            password=PASSWORD,
            body=body,
            role=role,
            position=position,
            email=f"{username}@example.vn",
        )
    # The department where daibieu2 works: the deputy there is not on the committee.
    finance = make_body(code="stc", name="Sở Tài chính", symbol="STC")
    membership_set(
        actor=None, user=User.objects.get(username="daibieu2"), body=finance, role="chair"
    )
    make_user(
        username="phogiamdoc",
        full_name="Vũ Thị Hồng Nhung",
        password=PASSWORD,
        body=finance,
        role="member",
        position="Phó Giám đốc Sở Tài chính",
    )
    files = tmp_path / "files"
    files.mkdir()
    (files / "to-trinh.docx").write_bytes(docx_bytes("Tờ trình về kế hoạch chuyển đổi số"))
    (files / "bao-cao.pdf").write_bytes(pdf_bytes(3, "Bao cao"))
    (files / "du-thao.pdf").write_bytes(pdf_bytes(2, "Du thao"))
    return server_process, body, files


def _login(browser, base: str, username: str, viewport: dict):
    context = browser.new_context(viewport=viewport, locale="vi-VN")
    page = context.new_page()
    page.goto(f"{base}/dang-nhap/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].btn-primary")
    page.wait_for_selector("h1")
    return page


def _item(page, title: str):
    return page.locator("li.agenda-item", has=page.locator(".agenda-title", has_text=title))


def _open_tools(page, title: str):
    item = _item(page, title).first
    item.locator("details.item-tools > summary").click()
    return item


def test_clerk_prepares_and_official_replies(browser, province):
    base, body, files = province
    clerk = _login(browser, base, "vanthu", DESKTOP)
    clerk.goto(f"{base}/hop/tao/")
    clerk.select_option("#id_body", str(body.pk))
    clerk.fill("#id_title", "Phiên họp thường kỳ tháng 12 năm 2026")
    clerk.fill("#id_starts_at", "2026-12-03T08:00")
    clerk.fill("#id_ends_at", "2026-12-03T11:30")
    clerk.fill("#id_place", "Phòng họp số 1, trụ sở UBND tỉnh")
    clerk.click("button[type=submit].btn-primary")
    clerk.wait_for_selector("text=Đã tạo cuộc họp")

    for title in ("Khai mạc", "Thảo luận các tờ trình"):
        clerk.fill("#item-add-form #id_title", title)
        clerk.click("#item-add-form button[type=submit]")
        clerk.wait_for_selector(f".agenda-title:has-text('{title}')")
    tools = _open_tools(clerk, "Thảo luận các tờ trình")
    tools.locator("input[name=title]").last.fill("Tờ trình về chuyển đổi số")
    tools.locator("button:has-text('Thêm mục con')").click()
    clerk.wait_for_selector(".agenda-title:has-text('2.1.')")
    tools = _open_tools(clerk, "Tờ trình về chuyển đổi số")
    tools.locator("input[name=title]").last.fill("Ý kiến thẩm định của Sở Tư pháp")
    tools.locator("input[name=presenter_name]").last.fill("Giám đốc Sở Tư pháp")
    tools.locator("input[name=planned_minutes]").last.fill("10")
    tools.locator("button:has-text('Thêm mục con')").click()
    clerk.wait_for_selector(".agenda-title:has-text('2.1.1.')")
    assert "Trình bày: Giám đốc Sở Tư pháp · 10 phút" in clerk.inner_text("li.agenda-item.depth-2")

    for name, abstract in (
        ("to-trinh.docx", "Tờ trình kế hoạch chuyển đổi số"),
        ("bao-cao.pdf", "Báo cáo thẩm tra"),
        ("du-thao.pdf", "Dự thảo"),
    ):
        tools = _open_tools(clerk, "Tờ trình về chuyển đổi số")
        tools.locator("input[type=file]").set_input_files(str(files / name))
        tools.locator("input[name=abstract]").fill(abstract)
        tools.locator("button:has-text('Tải lên và đính kèm')").click()
        clerk.wait_for_selector(f"text=Đã tải lên và đính kèm “{abstract}”")
    links = _item(clerk, "Tờ trình về chuyển đổi số").first.locator("ul.docs li")
    assert links.count() == 3

    clerk.select_option("form[action$='moi-co-quan/'] select[name=body]", str(body.pk))
    clerk.click("form[action$='moi-co-quan/'] button[type=submit]")
    clerk.wait_for_selector("text=Đã mời thêm 4 người")
    # The clerk reads the invitation as it will go out, before anything is numbered.
    preview = clerk.request.get(base + clerk.get_attribute("#preview-invitation", "href"))
    assert preview.headers["content-type"] == "application/pdf"
    assert "Phiên họp thường kỳ tháng 12 năm 2026" in _pdf_text(preview.body())
    # Issuing is irreversible: the first tap only asks.
    clerk.click("#issue-invitations")
    clerk.wait_for_selector("#send-invitations", state="visible")
    clerk.click("#send-invitations")
    clerk.wait_for_selector("text=Đã phát hành giấy mời số 1/GM-UBND")

    official = _login(browser, base, "daibieu2", TABLET_PORTRAIT)
    official.goto(f"{base}/hop/")
    official.click("text=Phiên họp thường kỳ tháng 12 năm 2026")
    assert "Ý kiến thẩm định của Sở Tư pháp" in official.inner_text("ol.agenda")
    assert official.locator("ol.agenda a.doc-link").count() == 3
    official.click("text=Số 1/GM-UBND")
    official.wait_for_selector("#pdf-viewer[data-rendered-page='1']", timeout=30_000)
    official.go_back()
    official.check("input[name=answer][value=substitute]")
    official.fill("#id_reason", "Đi công tác tại Hà Nội")
    official.select_option(
        "#id_substitute", label="Vũ Thị Hồng Nhung — Phó Giám đốc Sở Tài chính (Sở Tài chính)"
    )
    official.click("#rsvp button[type=submit]")
    official.wait_for_selector("text=Đã ghi nhận trả lời của bạn.")
    assert official.evaluate("document.documentElement.scrollWidth") <= TABLET_PORTRAIT["width"]

    substitute = _login(browser, base, "phogiamdoc", TABLET_PORTRAIT)
    substitute.goto(f"{base}/hop/")
    substitute.click("text=Phiên họp thường kỳ tháng 12 năm 2026")
    substitute.wait_for_selector("text=Bạn dự họp thay Phạm Thị Ngọc Ánh.")

    # The clerk's page refreshes the replies by itself.
    clerk.wait_for_selector("#rsvp-panel :text('Đi công tác tại Hà Nội')", timeout=15_000)
    assert "dự thay Phạm Thị Ngọc Ánh" in clerk.inner_text("#rsvp-panel")


def test_changed_time_reissues_the_invitation_officials_read(browser, province):
    """Dead end 4 of the meeting journey: after a change of time the Giấy mời keeps the old one."""
    base, body, _files = province
    clerk_user = User.objects.get(username="vanthu")
    starts = timezone.make_aware(dt.datetime(2026, 12, 10, 8, 0))
    meeting = services.meeting_create(
        actor=clerk_user,
        body=body,
        title="Họp giao ban tháng 12 năm 2026",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=3),
        place="Phòng họp số 2",
    )
    services.agenda_item_add(actor=clerk_user, meeting=meeting, title="Đánh giá tình hình")
    services.participants_invite_body(actor=clerk_user, meeting=meeting, body=body)
    meeting = meeting_send_invitations(actor=clerk_user, meeting=meeting)

    clerk = _login(browser, base, "vanthu", TABLET_PORTRAIT)
    clerk.goto(f"{base}/hop/{meeting.pk}/chuan-bi/")
    clerk.click("summary:has-text('Thông tin cuộc họp')")
    assert "sẽ phát hành lại Giấy mời số 1/GM-UBND" in clerk.inner_text("main")
    clerk.fill("#id_starts_at", "2026-12-11T14:00")
    clerk.fill("#id_ends_at", "2026-12-11T17:00")
    clerk.fill("#id_place", "Hội trường tầng 3")
    clerk.click(f"form[action='/hop/{meeting.pk}/chuan-bi/sua/'] button[type=submit]")
    clerk.wait_for_selector("text=Đã phát hành lại Giấy mời số 1/GM-UBND")
    # Nobody has answered yet: the panel counts them and reminds them, once a day.
    assert "Chưa trả lời: 4" in clerk.inner_text("#rsvp-panel")
    clerk.click("#remind-pending")
    clerk.wait_for_selector("text=Đã gửi thư nhắc tới 4 người chưa trả lời.")
    clerk.click("#remind-pending")
    clerk.wait_for_selector("text=Hôm nay đã nhắc những người chưa trả lời")
    screenshot(clerk, "clerk-reply-panel-800x1280")

    official = _login(browser, base, "daibieu1", TABLET_PORTRAIT)
    official.goto(f"{base}/hop/{meeting.pk}/")
    official.click("text=Số 1/GM-UBND")
    official.wait_for_selector("#pdf-viewer[data-rendered-page='1']", timeout=30_000)
    file_url = official.get_attribute("[data-pdf-url]", "data-pdf-url")
    text = _pdf_text(official.request.get(base + file_url).body())
    assert "14 giờ 00 phút, thứ Sáu, ngày 11/12/2026" in text
    assert "Hội trường tầng 3" in text and "Phòng họp số 2" not in text
    assert "thay thế Giấy mời số 1/GM-UBND" in text


def _pdf_text(data: bytes) -> str:
    """The PDF's text with its line breaks and runs of spaces as single spaces."""
    result = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True)
    return " ".join(result.stdout.decode().split())


def test_the_clerk_reorders_the_agenda_by_dragging(browser, province):
    """agenda.js posts the new order (with the page's CSRF token) and reloads the numbering."""
    base, body, _files = province
    clerk_user = User.objects.get(username="vanthu")
    starts = timezone.make_aware(dt.datetime(2026, 12, 17, 8, 0))
    meeting = services.meeting_create(
        actor=clerk_user,
        body=body,
        title="Họp chuyên đề tháng 12 năm 2026",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        place="Phòng họp số 3",
    )
    for title in ("Khai mạc", "Báo cáo kết quả", "Bế mạc"):
        services.agenda_item_add(actor=clerk_user, meeting=meeting, title=title)

    clerk = _login(browser, base, "vanthu", DESKTOP)
    clerk.goto(f"{base}/hop/{meeting.pk}/chuan-bi/")
    clerk.wait_for_selector(".agenda-title:has-text('3. Bế mạc')")
    _item(clerk, "Bế mạc").first.drag_to(_item(clerk, "Khai mạc").first)
    clerk.wait_for_selector(".agenda-title:has-text('1. Bế mạc')")
    titles = [item.title for item in meeting.agenda_items.order_by("position")]
    assert titles == ["Bế mạc", "Khai mạc", "Báo cáo kết quả"]
