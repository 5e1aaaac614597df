"""The clerk's path after a meeting, in the browser: open the drafted minutes, edit a section,
save (a new version), send them for signature and land on the signing request; then the
secretary and the chair sign, the clerk numbers and seals, and the minutes are signed.

The meeting is held through the services in this process (polls, ballots, closing); the server
is a separate uvicorn process on the same test database, media folder and PKI.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from meetings.models import MeetingStatus, MinutesDraft, MinutesStatus
from signing.models import RequestStatus
from tests.e2e.helpers import (
    DESKTOP,
    log_in,
    reader_ready,
    screenshot_tablet,
    sign_in_browser,
    sign_on_page,
)
from tests.meetings.minutes.helpers import attach_document, hold_meeting
from tests.signing.helpers import PASSWORD

pytestmark = [pytest.mark.e2e]


def _held(province):
    held = hold_meeting(
        body=province.ubnd,
        clerk=province.clerk,
        chair=province.chair,
        secretary=province.drafter1,
    )
    attach_document(held, title="Tờ trình về Kế hoạch chuyển đổi số năm 2027")
    return held


def _in_own_thread(work):
    """Run *work* in a thread of its own: closing the meeting announces it over the channel
    layer (async_to_sync), which refuses to run in this thread, where Playwright's loop is."""
    from django.db import connection

    def run():
        try:
            return work()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


def _login(browser, base: str, username: str):
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    page = context.new_page()
    log_in(page, base, username, PASSWORD)
    return page


def test_clerk_edits_the_drafted_minutes_and_they_are_signed_numbered_and_sealed(
    browser,
    signing_server,
    province,
    pki_settings,
):
    held = _in_own_thread(
        lambda: _held(province),
    )
    clerk = _login(browser, signing_server, "vanthu")
    clerk.goto(f"{signing_server}/hop/{held.meeting.pk}/bien-ban/")
    clerk.wait_for_selector("#minutes-form")
    assert "Đi công tác tại Hà Nội" in clerk.inner_text("body")
    assert "Thống nhất thông qua Kế hoạch" in clerk.input_value(
        "textarea[name='items.0.conclusion']"
    )

    clerk.fill("textarea[name='items.0.discussion']", "Các thành viên thống nhất với dự thảo.")
    clerk.click("#minutes-save")
    clerk.wait_for_selector("text=Đã lưu biên bản (phiên bản 2)")
    assert clerk.input_value("textarea[name='items.0.discussion']") == (
        "Các thành viên thống nhất với dự thảo."
    )

    clerk.click("#minutes-send")
    clerk.wait_for_selector("text=Đã trình ký biên bản", timeout=60_000)
    assert "/ky-so/yeu-cau/" in clerk.url

    draft = MinutesDraft.objects.get(meeting=held.meeting, version=2)
    assert draft.status == MinutesStatus.IN_SIGNING
    assert draft.signing_request.status == RequestStatus.IN_PROGRESS

    # Back on the editor, the text is locked while the request runs.
    clerk.goto(f"{signing_server}/hop/{held.meeting.pk}/bien-ban/")
    assert clerk.locator("textarea[name='opening'][readonly]").count() == 1
    assert clerk.locator("#minutes-restart").count() == 1

    # The secretary signs, then the chair, each from the request page in the browser; the
    # clerk numbers the minutes and puts the body's seal on them: the minutes are signed.
    request_pk = draft.signing_request_id
    for username in ("daibieu1", "chutich"):
        sign_in_browser(
            browser,
            signing_server,
            username,
            PASSWORD,
            request_pk=request_pk,
            passphrase=pki_settings.passphrase,
            shot=f"minutes-sign-{username}",
        )
    clerk.goto(f"{signing_server}/ky-so/yeu-cau/{request_pk}/")
    clerk.wait_for_selector("text=Đang chờ cấp số")
    clerk.click("form[action$='/cap-so/'] button[type=submit]")
    clerk.wait_for_selector("text=Đã cấp số và ngày ban hành.", timeout=120_000)
    reader_ready(clerk)
    sign_on_page(clerk, pki_settings.passphrase)
    clerk.wait_for_selector(".badge:has-text('Đã ký xong')")
    screenshot_tablet(clerk, "minutes-signed-request")
    draft.refresh_from_db()
    assert draft.status == MinutesStatus.SIGNED
    assert draft.signing_request.status == RequestStatus.COMPLETED
    held.meeting.refresh_from_db()
    assert held.meeting.status == MeetingStatus.MINUTES_SIGNED

    # The signed minutes read as signed on the meeting's minutes page.
    clerk.goto(f"{signing_server}/hop/{held.meeting.pk}/bien-ban/")
    assert "Đã ký" in clerk.inner_text("main")
    screenshot_tablet(clerk, "minutes-signed")
    clerk.context.close()
