"""An official sends a substitute from the invitation page, and the substitute takes the seat.

The invitee heads the Department of Finance and sits on the provincial committee; the
substitute is the department's deputy director, who is not on the committee. The meeting is
Mật: the form offers only the department's cleared people, with position and unit, and a
search box narrows the list (a department has many people).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from playwright.sync_api import ViewportSize

from accounts.models import Clearance, User
from accounts.services import membership_set
from documents.services import document_create
from meetings.models import Meeting, Participant, Rsvp
from meetings.preparation import services
from meetings.preparation.invitations import meeting_send_invitations
from meetings.voting.quorum import present_voters
from tests.documents.helpers import pdf_bytes
from tests.e2e.helpers import (
    TABLET_LANDSCAPE,
    TABLET_PORTRAIT,
    assert_no_english,
    axe_violations,
    collect_js_errors,
    log_in,
    screenshot,
)
from tests.factories import make_body, make_user

pytestmark = [pytest.mark.e2e]

PASSWORD = "Mat-khau-e2e-2026"
TITLE = "Phiên họp chuyên đề về ngân sách năm 2027"


def _person(username: str, full_name: str, position: str, body, role="member", cleared=True):
    user = make_user(
        username=username,
        full_name=full_name,
        password=PASSWORD,
        body=body,
        role=role,
        position=position,
    )
    user.clearance = Clearance.SECRET if cleared else Clearance.NORMAL
    user.save(update_fields=["clearance"])
    return user


@pytest.fixture
def invited(server_process) -> tuple[str, Meeting]:
    committee = make_body(code="ubnd", name="Ủy ban nhân dân tỉnh Bắc Ninh", symbol="UBND")
    finance = make_body(code="stc", name="Sở Tài chính", symbol="STC")
    clerk = _person("vanthu", "Trần Thị Thu Hà", "Chuyên viên Văn phòng", committee, "clerk")
    _person("chutich", "Nguyễn Văn Hùng", "Chủ tịch Ủy ban nhân dân tỉnh", committee, "chair")
    director = _person("giamdoc", "Phạm Thị Ngọc Ánh", "Giám đốc Sở Tài chính", committee)
    membership_set(actor=None, user=director, body=finance, role="chair")
    _person("phogiamdoc", "Vũ Thị Hồng Nhung", "Phó Giám đốc Sở Tài chính", finance)
    _person("chuavienmat", "Lê Văn Chưa", "Chuyên viên", finance, cleared=False)
    for n in range(9):
        _person(f"cv{n}", f"Đinh Văn Chuyên Viên {n}", "Chuyên viên Phòng Ngân sách", finance)
    meeting = services.meeting_create(
        actor=clerk,
        body=committee,
        title=TITLE,
        starts_at=_at(8),
        ends_at=_at(11),
        place="Phòng họp số 1",
    )
    services.meeting_update(actor=clerk, meeting=meeting, confidentiality=Clearance.SECRET)
    item = services.agenda_item_add(actor=clerk, meeting=meeting, title="Dự toán ngân sách")
    document = document_create(
        actor=clerk,
        owning_body=committee,
        doc_type="to_trinh",
        abstract="Tờ trình dự toán ngân sách năm 2027",
        upload=_upload(),
        confidentiality=Clearance.SECRET,
    )
    services.agenda_document_attach(actor=clerk, item=item, document=document)
    services.participants_invite_body(actor=clerk, meeting=meeting, body=committee)
    return server_process, meeting_send_invitations(actor=clerk, meeting=meeting)


def _at(hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2026, 12, 10, hour, 0))


def _upload() -> SimpleUploadedFile:
    return SimpleUploadedFile("du-toan.pdf", pdf_bytes(2, "Du toan"), "application/pdf")


def _login(browser, base: str, username: str, viewport: ViewportSize):
    context = browser.new_context(viewport=viewport, locale="vi-VN")
    page = context.new_page()
    errors = collect_js_errors(page)
    log_in(page, base, username, PASSWORD)
    return page, errors


@pytest.mark.parametrize("viewport", [TABLET_LANDSCAPE, TABLET_PORTRAIT], ids=["1280", "800"])
def test_official_sends_the_departments_deputy_in_their_place(browser, invited, viewport):
    base, meeting = invited
    official, errors = _login(browser, base, "giamdoc", viewport)
    official.goto(f"{base}/hop/")
    official.click(f"text={TITLE}")
    official.wait_for_selector("#rsvp")
    offered = official.locator("#id_substitute option").all_inner_texts()
    assert "Vũ Thị Hồng Nhung — Phó Giám đốc Sở Tài chính (Sở Tài chính)" in offered
    assert not any("Lê Văn Chưa" in text for text in offered)  # not cleared for Mật
    assert not any("Nguyễn Văn Hùng" in text for text in offered)  # already invited
    official.check("input[name=answer][value=substitute]")
    official.fill("#id_reason", "Đi công tác tại Hà Nội")
    # The people picker finds the deputy without the marks typed, and Enter chooses her.
    search = official.locator("#rsvp [role=combobox]")
    search.fill("hong nhung")
    found = official.locator("#rsvp [role=option]")
    found.first.wait_for()
    assert found.count() == 1
    assert "Vũ Thị Hồng Nhung" in found.first.inner_text()
    search.press("ArrowDown")
    search.press("Enter")
    deputy = User.objects.get(username="phogiamdoc")
    assert official.input_value("#id_substitute") == str(deputy.pk)
    screenshot(official, f"substitute-form-{viewport['width']}")
    assert axe_violations(official) == []
    assert_no_english(official)
    official.click("#rsvp button[type=submit]")
    official.wait_for_selector("text=Đã ghi nhận trả lời của bạn.")
    assert "Vũ Thị Hồng Nhung" in official.inner_text("#rsvp")
    assert official.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert errors == []

    substitute, substitute_errors = _login(browser, base, "phogiamdoc", viewport)
    substitute.goto(f"{base}/hop/")
    substitute.click(f"text={TITLE}")
    substitute.wait_for_selector("text=Bạn dự họp thay Phạm Thị Ngọc Ánh.")
    substitute.click("ol.agenda a.doc-link")
    substitute.wait_for_selector("#pdf-viewer[data-rendered-page='1']", timeout=30_000)
    screenshot(substitute, f"substitute-reads-{viewport['width']}")
    assert substitute_errors == []

    invitee = Participant.objects.get(meeting=meeting, user__username="giamdoc")
    assert invitee.rsvp == Rsvp.SUBSTITUTE
    # Both scanned in at the door: only the substitute holds the vote and counts to the quorum.
    Participant.objects.filter(meeting=meeting).update(checked_in_at=meeting.starts_at)
    counted = set(present_voters(meeting).values_list("user__username", flat=True))
    assert "phogiamdoc" in counted and "giamdoc" not in counted


def test_a_refused_substitute_keeps_the_answer_on_screen(browser, invited):
    base, meeting = invited
    official, errors = _login(browser, base, "giamdoc", TABLET_PORTRAIT)
    official.goto(f"{base}/hop/{meeting.pk}/")
    official.check("input[name=answer][value=substitute]")
    official.select_option("#id_substitute", index=1)
    # No reason given: refused, and what was chosen is still there to correct.
    official.click("#rsvp button[type=submit]")
    official.wait_for_selector("#rsvp-error")
    assert "lý do" in official.inner_text("#rsvp-error")
    assert official.is_checked("input[name=answer][value=substitute]")
    assert official.input_value("#id_substitute") != ""
    screenshot(official, "substitute-refused-800")
    assert errors == [] or all("400" in error for error in errors)
