"""The live meeting page after the language switch: the texts live.js writes come from the
JavaScript catalogue of the chosen language, and switching back is not served a stale one (the
browser keeps each catalogue, so its URL names the language)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from meetings.models import AgendaItem, Meeting, Participant
from tests.e2e.helpers import TABLET_PORTRAIT, district_meeting, open_live, signed_in
from tests.factories import make_body, make_user

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
WAIT = 15_000  # ms


def _switch(page: Page, language: str) -> None:
    page.locator(f"form.lang button[value={language}]").click()
    expect(page.locator("html")).to_have_attribute("lang", language, timeout=WAIT)
    page.locator("#live[data-seq]").wait_for(state="attached", timeout=WAIT)


def test_the_live_page_in_english_and_back(browser: Browser, server_process: str) -> None:
    cast = district_meeting()
    page, _ = signed_in(browser, server_process, cast.people["an"], TABLET_PORTRAIT)
    open_live(page, server_process, cast.meeting)
    attendance = page.locator("[data-role=my-attendance]")
    polls = page.locator("[data-role=polls]")
    quorum = page.locator("[data-role=quorum]")
    status = page.locator(".badge[data-role=status]")
    # Vietnamese by default, exactly as before the catalogue.
    expect(status).to_have_text("Đã gửi giấy mời")
    expect(attendance).to_have_text("Bạn chưa điểm danh.")
    expect(polls).to_have_text("Chưa có biểu quyết.")
    expect(quorum).to_contain_text("Có mặt 0/3 thành viên")

    _switch(page, "en")
    expect(attendance).to_have_text("You have not checked in.", timeout=WAIT)
    expect(polls).to_have_text("No votes yet.")
    expect(quorum).to_contain_text("0/3 members present")
    expect(quorum).to_contain_text("not enough to vote.")
    # The broadcast's label is Vietnamese; the screen shows its status code in English.
    expect(status).to_have_text("Invitations sent")

    _switch(page, "vi")
    expect(attendance).to_have_text("Bạn chưa điểm danh.", timeout=WAIT)
    expect(polls).to_have_text("Chưa có biểu quyết.")
    page.context.close()


def test_a_closed_vote_reads_in_english(browser: Browser, server_process: str) -> None:
    """The stored result sentence is the Vietnamese legal wording (it goes into the minutes);
    an English screen states the verdict and its numbers from the result's codes instead."""
    from meetings.models import ParticipantRole
    from meetings.voting import ballots

    body = make_body(name="Ủy ban nhân dân huyện Quế Võ", symbol="UBND", total_members=3)
    clerk = make_user(full_name="Lê Thị Văn Thư", body=body, role="clerk")
    chair = make_user(full_name="Nguyễn Văn Chủ Tịch", body=body, role="chair")
    an = make_user(full_name="Trần Văn An", body=body, role="member")
    now = timezone.now()
    meeting = Meeting.objects.create(
        body=body,
        title="Phiên họp bất thường",
        starts_at=now,
        ends_at=now + timedelta(hours=2),
        place="Phòng họp tầng 2",
        status="in_progress",
        created_by=clerk,
    )
    Participant.objects.create(
        meeting=meeting, user=chair, role=ParticipantRole.CHAIR, checked_in_at=now
    )
    Participant.objects.create(meeting=meeting, user=an, role="voting", checked_in_at=now)
    item = AgendaItem.objects.create(meeting=meeting, title="Tờ trình dự toán", position=0)
    poll = ballots.poll_create(actor=clerk, item=item, title="Thông qua dự toán")
    poll = ballots.poll_open(actor=chair, poll=poll)
    yes = poll.options.get(key="yes").pk
    ballots.ballot_cast(actor=an, poll=poll, option_ids=[yes])
    ballots.poll_close(actor=chair, poll=poll)

    page, _ = signed_in(browser, server_process, an, TABLET_PORTRAIT)
    open_live(page, server_process, meeting)
    verdict = page.locator("[data-role=polls] .verdict")
    expect(verdict).to_contain_text("Không thông qua: 1/3 thành viên tán thành")
    _switch(page, "en")
    expect(verdict).to_have_text("Not passed (2 needed; base: All members = 3).", timeout=WAIT)
    expect(page.locator("[data-role=polls] .result li").first).to_have_text("For: 1 (33,33%)")
    page.context.close()
