"""People pickers in the browser: the clerk finds people by position without typing the marks,
chooses by keyboard and by touch, removes a chip, and the form sends exactly those people; the
same picker invites a person to a meeting.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from documents.services import document_create
from meetings.models import Participant
from meetings.preparation import services as meeting_services
from signing.models import SigningRequest, StepKind
from tests.documents.helpers import pdf_bytes, upload
from tests.e2e.helpers import (
    TABLET_LANDSCAPE,
    assert_no_english,
    axe_violations,
    collect_js_errors,
    log_in,
    screenshot_tablet,
)
from tests.signing.helpers import PASSWORD

pytestmark = [pytest.mark.e2e]


def _clerk(browser, base: str):
    context = browser.new_context(viewport=TABLET_LANDSCAPE, locale="vi-VN", has_touch=True)
    page = context.new_page()
    errors = collect_js_errors(page)
    log_in(page, base, "vanthu", PASSWORD)
    return page, errors


def _picker(page, field: str):
    """The search box of the picker that stands for the select named *field*."""
    return page.locator(f".kh-picker:has(select[name={field}]) [role=combobox]")


def test_clerk_picks_signers_by_position_keyboard_and_touch(browser, signing_server, province):
    base, world = signing_server, province
    document = document_create(
        actor=world.clerk,
        owning_body=world.ubnd,
        doc_type="to_trinh",
        abstract="Về việc phê duyệt Kế hoạch chuyển đổi số năm 2026",
        number="",
        symbol="TTr-UBND",
        upload=upload("to-trinh.pdf", pdf_bytes(1, "To trinh")),
    )
    clerk, errors = _clerk(browser, base)
    clerk.goto(f"{base}/van-ban/{document.pk}/")
    clerk.click("a:has-text('Trình ký')")
    clerk.wait_for_selector("h1:has-text('Trình ký')")

    # The select is still there (what the form sends) but the combobox is what one sees.
    assert clerk.locator("select[name=initial_signers]").get_attribute("aria-hidden") == "true"
    initials = _picker(clerk, "initial_signers")
    assert initials.get_attribute("placeholder") == "Tìm theo tên, chức vụ, đơn vị"
    assert clerk.locator("label:has-text('Ký nháy (song song)')").get_attribute(
        "for"
    ) == initials.get_attribute("id")

    # By keyboard, no marks typed: the deputy is found by position ("Phó Chủ tịch").
    initials.click()
    initials.press_sequentially("pho chu tich", delay=20)
    options = clerk.locator(".kh-picker:has(select[name=initial_signers]) [role=option]")
    live = clerk.locator(".kh-picker:has(select[name=initial_signers]) [aria-live]")
    # Focusing the empty box lists everyone first; wait for the typed search's answer.
    expect(live).to_contain_text("1 người phù hợp")
    expect(options).to_have_count(1)
    assert "Đỗ Quang Vinh" in options.first.inner_text()
    initials.press("ArrowDown")
    assert initials.get_attribute("aria-activedescendant") == options.first.get_attribute("id")
    initials.press("Enter")
    chips = clerk.locator(".kh-picker:has(select[name=initial_signers]) .kh-chip")
    assert chips.all_inner_texts()[0].startswith("Đỗ Quang Vinh")
    assert "Đã chọn Đỗ Quang Vinh" in live.inner_text()

    # By touch: two drafters, one taken off again with its chip's × (a 44 px target).
    for typed, name in (("le minh", "Lê Minh Đức"), ("ngoc anh", "Phạm Thị Ngọc Ánh")):
        initials.fill(typed)
        clerk.locator(f"[role=option]:has-text('{name}')").tap()
    assert chips.count() == 3
    nothing = clerk.locator(".kh-picker:has(select[name=initial_signers]) .kh-picker-empty")
    initials.fill("khong co ai nhu vay")
    nothing.wait_for()
    assert nothing.inner_text() == "Không tìm thấy ai"
    initials.press("Escape")
    remove = chips.nth(2).locator("button")
    assert remove.get_attribute("aria-label") == "Bỏ chọn Phạm Thị Ngọc Ánh — Thành viên, " + (
        "Ủy ban nhân dân tỉnh Bắc Ninh"
    )
    box = remove.bounding_box()
    assert box is not None and box["width"] >= 44 and box["height"] >= 44
    remove.tap()
    assert chips.count() == 2
    # Backspace in the empty box removes the last chosen person; choose them again.
    initials.fill("")
    initials.press("Backspace")
    assert chips.count() == 1
    initials.fill("le minh duc")
    options.first.wait_for()
    initials.press("ArrowDown")
    initials.press("Enter")
    assert chips.count() == 2

    # The competent person: one choice, found by name without marks.
    main = _picker(clerk, "main_signer")
    main.fill("nguyen van hung")
    clerk.locator(".kh-picker:has(select[name=main_signer]) [role=option]").first.wait_for()
    main.press("ArrowDown")
    main.press("Enter")
    assert clerk.input_value("#id_main_signer") == str(world.chair.pk)
    # An outsider is never offered.
    readers = _picker(clerk, "readers")
    readers.fill("hoang van ngoai")
    clerk.locator(".kh-picker:has(select[name=readers]) .kh-picker-empty").wait_for()
    readers.press("Escape")

    readers.fill("nguyen")
    clerk.locator(".kh-picker:has(select[name=readers]) [role=option]").first.wait_for()
    screenshot_tablet(clerk, "people-picker-request-form")
    readers.press("Escape")
    assert axe_violations(clerk) == []
    assert_no_english(clerk)
    clerk.click("button:has-text('Tạo yêu cầu trình ký')")
    clerk.wait_for_selector("text=Đã tạo yêu cầu trình ký.")

    request = SigningRequest.objects.get(document=document)
    steps = {step.kind: step for step in request.steps.all()}
    initial_people = {a.user_id for a in steps[StepKind.INITIAL].assignees.all()}
    assert initial_people == {world.deputy.pk, world.drafter1.pk}
    assert [a.user_id for a in steps[StepKind.MAIN].assignees.all()] == [world.chair.pk]
    assert errors == []

    # Sent, the deputy hands his initials to a colleague through the same picker.
    clerk.click("button:has-text('Gửi trình ký')")
    clerk.wait_for_selector("text=Đã gửi trình ký.", timeout=120_000)
    deputy_page = browser.new_context(viewport=TABLET_LANDSCAPE, locale="vi-VN").new_page()
    deputy_errors = collect_js_errors(deputy_page)
    log_in(deputy_page, base, "lanhdao", PASSWORD)
    deputy_page.goto(f"{base}/ky-so/yeu-cau/{request.pk}/")
    deputy_page.click("button:has-text('Ủy quyền')")
    to_user = _picker(deputy_page, "to_user")
    to_user.wait_for()
    to_user.fill("ngoc anh")
    deputy_page.locator("#step-delegate [role=option]").first.wait_for()
    screenshot_tablet(deputy_page, "people-picker-delegate")
    to_user.press("ArrowDown")
    to_user.press("Enter")
    assert deputy_page.input_value("#id_to_user") == str(world.drafter2.pk)
    assert_no_english(deputy_page)
    deputy_page.click("#step-delegate button[type=submit]")
    # Initials print no signer block: the confirmation page only asks.
    deputy_page.click("#delegate-confirm-button")
    deputy_page.wait_for_selector("text=Đã ủy quyền.")
    initial = request.steps.get(kind=StepKind.INITIAL)
    assert world.drafter2.pk in {a.user_id for a in initial.assignees.all()}
    assert deputy_errors == []


def test_the_same_picker_invites_a_person_to_a_meeting(browser, signing_server, province):
    base, world = signing_server, province
    starts = timezone.make_aware(dt.datetime(2026, 12, 20, 8, 0))
    meeting = meeting_services.meeting_create(
        actor=world.clerk,
        body=world.ubnd,
        title="Họp thường kỳ tháng 12 năm 2026",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=3),
        place="Phòng họp số 1",
    )
    clerk, errors = _clerk(browser, base)
    clerk.goto(f"{base}/hop/{meeting.pk}/chuan-bi/")
    person = _picker(clerk, "user")
    person.fill("pho chu tich")
    option = clerk.locator(".kh-picker:has(select[name=user]) [role=option]").first
    option.wait_for()
    assert "Đỗ Quang Vinh" in option.inner_text()
    person.press("ArrowDown")
    person.press("Enter")
    assert clerk.locator(".kh-picker:has(select[name=user]) .kh-chip").count() == 1
    screenshot_tablet(clerk, "people-picker-meeting-invite")
    assert_no_english(clerk)
    clerk.click("form[action$='moi-ca-nhan/'] button[type=submit]")
    clerk.wait_for_selector("text=Đã mời Đỗ Quang Vinh.")
    assert Participant.objects.filter(meeting=meeting, user=world.deputy).exists()
    assert errors == []

    # Without JavaScript the same field is the plain select, people told apart by their unit.
    context = browser.new_context(
        viewport=TABLET_LANDSCAPE, locale="vi-VN", java_script_enabled=False
    )
    plain = context.new_page()
    log_in(plain, base, "vanthu", PASSWORD)
    plain.goto(f"{base}/hop/{meeting.pk}/chuan-bi/")
    assert plain.locator("[role=combobox]").count() == 0
    assert plain.locator("#id_user").is_visible()
    labels = plain.locator("#id_user option").all_inner_texts()
    assert "Lê Minh Đức — Thành viên, Ủy ban nhân dân tỉnh Bắc Ninh" in labels
    plain.select_option("#id_user", str(world.drafter1.pk))
    plain.click("form[action$='moi-ca-nhan/'] button[type=submit]")
    plain.wait_for_selector("text=Đã mời Lê Minh Đức.")
    context.close()
