"""A live meeting in four browsers at tablet size: chair, clerk and two officials.

Check-in (room QR, remote join, the clerk's roll), agenda moves, the speaker queue, a named
vote, a secret confidence ballot and presenter mode — each seen live on the other pages.
Every wait is for a specific text or attribute on a page, with Playwright's timeouts.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, expect

from accounts.models import User
from meetings.live import qr
from meetings.models import Meeting
from tests.e2e.helpers import (
    LIVE_WAIT,
    TABLET_LANDSCAPE,
    TABLET_PORTRAIT,
    district_meeting,
    signed_in,
    viewport_of,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
WAIT = 15_000  # ms, for anything that crosses the server and comes back on another page


@dataclass
class Cast:
    meeting: Meeting
    chair: Page
    clerk: Page
    an: Page
    binh: Page
    contexts: list[BrowserContext]
    base: str


def _page(browser: Browser, base: str, user: User, viewport: ViewportSize, path: str) -> Page:
    page, _ = signed_in(browser, base, user, viewport)
    page.goto(base + path)
    page.locator("#live[data-seq]").wait_for(state="attached", timeout=LIVE_WAIT)
    return page


@pytest.fixture
def cast(browser: Browser, media_server: str) -> Iterator[Cast]:
    base = media_server
    built = district_meeting(with_document=True, video_url="https://hop.example.vn/tien-du")
    meeting, people = built.meeting, built.people
    path = f"/hop/{meeting.pk}/truc-tiep/"
    sizes = {
        "chair": TABLET_LANDSCAPE,
        "clerk": TABLET_LANDSCAPE,
        "an": TABLET_PORTRAIT,
        "binh": TABLET_PORTRAIT,
    }
    pages = {name: _page(browser, base, people[name], sizes[name], path) for name in sizes}
    contexts = [page.context for page in pages.values()]
    yield Cast(meeting, pages["chair"], pages["clerk"], pages["an"], pages["binh"], contexts, base)
    for context in contexts:
        context.close()


def _everyone(cast: Cast) -> list[Page]:
    return [cast.chair, cast.clerk, cast.an, cast.binh]


def test_a_live_meeting_seen_on_every_tablet(cast: Cast, tmp_path: Path) -> None:
    checking_in(cast)
    agenda_moves(cast)
    speaker_queue(cast)
    named_vote(cast)
    secret_confidence_ballot(cast)
    presenter_mode(cast)
    for name, page in zip(("chair", "clerk", "an", "binh"), _everyone(cast), strict=True):
        page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)
        width = viewport_of(page)["width"]
        assert page.evaluate("document.documentElement.scrollWidth") <= width


def checking_in(cast: Cast) -> None:
    cast.clerk.get_by_role("button", name="Mở điểm danh").click()
    expect(cast.clerk.locator("[data-role=checkin-state]")).to_have_text(
        "Đang mở điểm danh.", timeout=WAIT
    )
    # An scans the room's code with his tablet and confirms.
    cast.an.goto(cast.base + qr.room_path(cast.meeting.pk))
    cast.an.get_by_role("button", name="Xác nhận điểm danh trực tiếp").click()
    cast.an.locator("#live[data-seq]").wait_for(state="attached", timeout=WAIT)
    expect(cast.an.locator("[data-role=my-attendance]")).to_have_text("Bạn đã điểm danh.")
    # Bình attends remotely: one button.
    with cast.binh.context.expect_page() as video:
        cast.binh.get_by_role("button", name="Tham gia trực tuyến").click()
    video.value.close()
    # The clerk marks the chair present from the roll.
    row = cast.clerk.locator("tr", has_text="Nguyễn Văn Chủ Trì")
    row.get_by_role("button", name="Có mặt").click()
    for page in _everyone(cast):
        expect(page.locator("[data-role=quorum]")).to_contain_text("Có mặt 3/3", timeout=WAIT)
    expect(cast.clerk.locator("tr", has_text="Phạm Thị Bình")).to_contain_text("Trực tuyến")


def agenda_moves(cast: Cast) -> None:
    cast.chair.get_by_role("button", name="Bắt đầu phiên họp").click()
    for page in _everyone(cast):
        expect(page.locator("[data-role=status]").first).to_have_text("Đang họp", timeout=WAIT)
        expect(page.locator("[data-role=current]")).to_have_text(
            "1. Tờ trình dự toán", timeout=WAIT
        )
    cast.chair.locator("li", has_text="Báo cáo an ninh trật tự").get_by_role(
        "button", name="Chuyển đến"
    ).click()
    for page in _everyone(cast):
        expect(page.locator("[data-role=current]")).to_have_text(
            "2. Báo cáo an ninh trật tự", timeout=WAIT
        )


def speaker_queue(cast: Cast) -> None:
    cast.an.get_by_role("button", name="Chất vấn").click()
    queue = cast.chair.locator("[data-role=speakers]")
    expect(queue).to_contain_text("Trần Văn An — Chất vấn", timeout=WAIT)
    queue.get_by_role("button", name="Mời phát biểu").click()
    for page in _everyone(cast):
        expect(page.locator("[data-role=speakers]")).to_contain_text("đang phát biểu", timeout=WAIT)
    expect(cast.binh.locator(".speak-timer")).to_contain_text("còn")
    queue.get_by_role("button", name="Kết thúc").click()
    expect(cast.binh.locator("[data-role=speakers] li")).to_have_count(0, timeout=WAIT)


def _create_poll(chair: Page, title: str, kind: str, *, secret: bool, subject: str = "") -> None:
    if chair.locator("details.poll-create[open]").count() == 0:
        chair.locator("details.poll-create summary").click()
    form = chair.locator("form[data-form=poll-create]")
    form.locator("[name=title]").fill(title)
    form.locator("[name=kind]").select_option(kind)
    form.locator("[name=subject_name]").fill(subject)
    if secret:
        form.locator("[name=secret]").check()
    form.get_by_role("button", name="Tạo biểu quyết").click()
    draft = chair.locator("article.poll-draft", has_text=title)
    draft.get_by_role("button", name="Mở biểu quyết").click()


def _vote(page: Page, title: str, choice: str) -> None:
    """Through the ballot takeover: the dialog, a large choice, one confirmation."""
    dialog = page.locator("#ballot-dialog")
    expect(dialog.locator("[data-role=ballot-title]")).to_contain_text(title, timeout=WAIT)
    dialog.get_by_role("button", name=choice, exact=True).click()
    expect(dialog.locator("[data-role=ballot-question]")).to_have_text(f"Xác nhận: {choice}?")
    dialog.get_by_role("button", name="Xác nhận", exact=True).click()
    expect(dialog).to_be_hidden(timeout=WAIT)
    poll = page.locator("article.poll-open", has_text=title)
    expect(poll).to_contain_text("Bạn đã bỏ phiếu.", timeout=WAIT)


def named_vote(cast: Cast) -> None:
    title = "Thông qua báo cáo an ninh trật tự"
    _create_poll(cast.chair, title, "yes_no_abstain", secret=False)
    _vote(cast.an, title, "Tán thành")
    # The chair sees who has not voted yet, by name, on a named poll.
    expect(cast.chair.locator(".not-voted")).to_contain_text("Phạm Thị Bình", timeout=WAIT)
    _vote(cast.binh, title, "Không tán thành")
    _vote(cast.chair, title, "Tán thành")
    expect(cast.chair.locator("article.poll-open", has_text=title)).to_contain_text(
        "Đã bỏ phiếu: 3/3", timeout=WAIT
    )
    cast.chair.locator("article", has_text=title).get_by_role(
        "button", name="Kết thúc biểu quyết"
    ).click()
    for page in _everyone(cast):
        result = page.locator("article.poll-closed", has_text=title)
        expect(result.locator(".result")).to_contain_text("Tán thành: 2", timeout=WAIT)


def secret_confidence_ballot(cast: Cast) -> None:
    title = "Lấy phiếu tín nhiệm"
    _create_poll(cast.chair, title, "confidence", secret=True, subject="Đỗ Văn Cường")
    expect(cast.an.locator("article.poll-open", has_text=title)).to_contain_text(
        "bỏ phiếu kín", timeout=WAIT
    )
    _vote(cast.an, title, "Tín nhiệm cao")
    _vote(cast.binh, title, "Tín nhiệm")
    _vote(cast.chair, title, "Tín nhiệm cao")
    # A secret poll shows no names while it is open, even to the chair.
    expect(cast.chair.locator("article.poll-open .not-voted")).to_have_count(0)
    cast.chair.locator("article", has_text=title).get_by_role(
        "button", name="Kết thúc biểu quyết"
    ).click()
    for page in _everyone(cast):
        result = page.locator("article.poll-closed", has_text=title).locator(".result")
        expect(result).to_contain_text("Tín nhiệm cao: 2", timeout=WAIT)


def presenter_mode(cast: Cast) -> None:
    cast.chair.locator("[data-role=present-doc]").select_option(
        label="Tờ trình dự toán ngân sách 2027"
    )
    cast.chair.get_by_role("button", name="Trình chiếu", exact=True).click()
    for page in (cast.an, cast.binh):
        expect(page.locator("[data-role=presenter-state]")).to_contain_text("trang 1", timeout=WAIT)
        expect(page.locator("[data-role=presenter-stage] .viewer")).to_have_attribute(
            "data-rendered-page", "1", timeout=WAIT
        )
    # The chair turns the page: the followers' readers turn with it.
    expect(cast.chair.locator("[data-role=presenter-stage] .viewer")).to_have_attribute(
        "data-rendered-page", "1", timeout=WAIT
    )
    cast.chair.locator("[data-role=presenter-stage] [data-action=next]").click()
    for page in (cast.an, cast.binh):
        expect(page.locator("[data-role=presenter-stage] .viewer")).to_have_attribute(
            "data-rendered-page", "2", timeout=WAIT
        )
    # Bình browses on her own, then rejoins with one tap.
    cast.binh.locator("[data-role=presenter-stage] [data-action=next]").click()
    follow = cast.binh.get_by_role("button", name="Theo người trình chiếu")
    expect(follow).to_be_visible(timeout=WAIT)
    follow.click()
    expect(cast.binh.locator("[data-role=presenter-stage] .viewer")).to_have_attribute(
        "data-rendered-page", "2", timeout=WAIT
    )
