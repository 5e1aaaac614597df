"""The clerk's path after a meeting, in the browser: open the drafted minutes, edit a section,
save (a new version), send them for signature, and land on the signing request.

The meeting is held through the services in this process (polls, ballots, closing); the server
is a separate uvicorn process on the same test database, media folder and PKI.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from meetings.models import MinutesDraft, MinutesStatus
from signing.models import RequestStatus
from tests.e2e.helpers import DESKTOP, log_in
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


def test_clerk_edits_the_drafted_minutes_and_sends_them_for_signature(
    browser,
    signing_server,
    province,
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
