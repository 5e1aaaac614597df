"""The chair ends the meeting (after a confirmation), resumes it, and ends it again; the clerk
who prepared it then keeps the minutes without anyone having been named secretary.

One server for the module; the chair on a landscape tablet, the clerk on a portrait one.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from meetings.models import MeetingStatus, MinutesDraft
from tests.e2e.helpers import (
    TABLET_LANDSCAPE,
    TABLET_PORTRAIT,
    assert_no_english,
    district_meeting,
    open_live,
    screenshot,
    signed_in,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
WAIT = 15_000  # ms


def _end(chair: Page) -> None:
    chair.get_by_role("button", name="Kết thúc phiên họp").click()
    dialog = chair.locator("#confirm-modal")
    expect(dialog).to_be_visible(timeout=WAIT)
    expect(dialog).to_contain_text("tiếp tục lại phiên họp")
    dialog.get_by_role("button", name="Xác nhận").click()
    expect(chair.locator("[data-role=status]").first).to_have_text("Đã kết thúc", timeout=WAIT)


def test_chair_ends_resumes_and_ends_then_the_clerk_keeps_the_minutes(
    browser: Browser, server_process: str
) -> None:
    base = server_process
    cast = district_meeting()
    meeting, chair_user, clerk_user = cast.meeting, cast.people["chair"], cast.people["clerk"]

    chair, chair_errors = signed_in(browser, base, chair_user, TABLET_LANDSCAPE)
    open_live(chair, base, meeting)
    chair.get_by_role("button", name="Bắt đầu phiên họp").click()
    expect(chair.locator("[data-role=status]").first).to_have_text("Đang họp", timeout=WAIT)

    # A refused action answers in the one notice area, in sight even scrolled to the bottom.
    # ("Tiếp tục phiên họp" is offered only once the meeting has ended.)
    expect(chair.get_by_role("button", name="Tiếp tục phiên họp")).to_be_hidden()
    chair.get_by_role("button", name="Ghi kết luận").click()
    notice = chair.locator("[data-role=notices] .live-notice")
    expect(notice).to_have_text("Nội dung kết luận không được để trống.", timeout=WAIT)
    chair.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    expect(notice).to_be_in_viewport()
    screenshot(chair, "journey-notice-scrolled-1280", full_page=False)
    # The refused command's HTTP 400 is what Chromium logged; any other error still counts.
    assert [e for e in chair_errors if "status of 400" not in e] == []
    chair_errors.clear()
    chair.evaluate("window.scrollTo(0, 0)")

    # "Quay lại" leaves the meeting running.
    chair.get_by_role("button", name="Kết thúc phiên họp").click()
    expect(chair.locator("#confirm-modal")).to_be_visible(timeout=WAIT)
    screenshot(chair, "journey-end-confirm-1280", full_page=False)
    assert_no_english(chair)
    chair.locator("#confirm-modal").get_by_role("button", name="Quay lại").click()
    expect(chair.locator("#confirm-modal")).to_be_hidden(timeout=WAIT)
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.IN_PROGRESS

    _end(chair)
    chair.get_by_role("button", name="Tiếp tục phiên họp").click()
    expect(chair.locator("[data-role=status]").first).to_have_text("Đang họp", timeout=WAIT)
    _end(chair)
    screenshot(chair, "journey-ended-1280")
    assert chair_errors == []

    clerk, clerk_errors = signed_in(browser, base, clerk_user, TABLET_PORTRAIT)
    clerk.goto(f"{base}/hop/{meeting.pk}/bien-ban/")
    clerk.wait_for_selector("#minutes-form")
    assert "Lê Thị Văn Thư" in clerk.inner_text("#minutes-form")
    clerk.fill("textarea[name='items.0.discussion']", "Thống nhất dự toán sau khi họp lại.")
    latest = MinutesDraft.objects.filter(meeting=meeting).order_by("-version").first()
    assert latest is not None
    clerk.click("#minutes-save")
    clerk.wait_for_selector(f"text=Đã lưu biên bản (phiên bản {latest.version + 1})")
    screenshot(clerk, "journey-minutes-800")
    assert clerk.evaluate("document.documentElement.scrollWidth") <= 800
    assert_no_english(clerk)
    assert clerk_errors == []
    saved = MinutesDraft.objects.filter(meeting=meeting).order_by("-version").first()
    assert saved is not None
    assert saved.content["secretary"]["name"] == "Lê Thị Văn Thư"
    assert saved.content["items"][0]["discussion"] == "Thống nhất dự toán sau khi họp lại."
