"""The console made for a tablet: the chair runs two votes, two officials vote at once.

The chair on a landscape tablet, An on a portrait one, Bình on a landscape one, the room screen
as a kiosk. A refused "Mở biểu quyết" answers in the notice area the chair is looking at; the
ballot takes each official's screen and asks one confirmation; the named result shows who voted
what on the chair's console and the room screen; the secret one shows no name anywhere. The
common work fits each screen without scrolling, at 1280×800 and 800×1280; axe-core finds
nothing serious on the officials' screens or the console; no JavaScript error.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from accounts.models import User
from meetings.models import Ballot
from tests.e2e.helpers import (
    AN,
    BINH,
    CHAIR,
    LIVE_WAIT,
    TABLET_LANDSCAPE,
    TABLET_PORTRAIT,
    assert_no_english,
    axe_violations,
    district_meeting,
    screenshot,
    signed_in,
    viewport_of,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
WAIT = 15_000  # ms, for anything that crosses the server and comes back on another page
NAMED = "Thông qua dự toán ngân sách 2027"
SECRET = "Lấy phiếu tín nhiệm"


@dataclass
class Screen:
    page: Page
    errors: list[str] = field(default_factory=list)


def _screen(browser: Browser, base: str, user: User, viewport: ViewportSize, path: str) -> Screen:
    page, errors = signed_in(browser, base, user, viewport)
    page.goto(base + path)
    page.locator("#live[data-seq]").wait_for(state="attached", timeout=LIVE_WAIT)
    return Screen(page, errors)


def _fits(page: Page, *selectors: str) -> None:
    """The page does not scroll, and every key control is in sight as it is."""
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height <= viewport_of(page)["height"], (page.url, height)
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport_of(page)["width"]
    for selector in selectors:
        expect(page.locator(selector).first).to_be_in_viewport()


def _no_serious_axe(page: Page) -> None:
    found = axe_violations(page)
    assert found == [], [(v["id"], v["help"], v["nodes"][:3]) for v in found]


def _create_poll(
    chair: Page, title: str, *, secret: bool, kind: str = "yes_no_abstain", options: str = ""
) -> None:
    if chair.locator("details.poll-create[open]").count() == 0:
        chair.locator("details.poll-create summary").click()
    form = chair.locator("form[data-form=poll-create]")
    form.locator("[name=title]").fill(title)
    form.locator("[name=kind]").select_option(kind)
    if options:
        form.locator("[name=options]").fill(options)
        form.locator("[name=max_choices]").fill("2")
    if secret:
        form.locator("[name=secret]").check()
    form.get_by_role("button", name="Tạo biểu quyết").click()
    expect(chair.locator("article.poll-draft", has_text=title)).to_be_visible(timeout=WAIT)
    chair.locator("details.poll-create summary").click()  # folded away again


def _open_poll(chair: Page, title: str) -> None:
    chair.locator("article.poll-draft", has_text=title).get_by_role(
        "button", name="Mở biểu quyết"
    ).click()


def _choose(page: Page, title: str, choice: str) -> None:
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_be_visible(timeout=WAIT)
    expect(dialog.locator("h2")).to_have_text(title)
    # The focus is in the dialog: the voter can go on with the keyboard.
    assert page.evaluate("document.activeElement.closest('dialog') !== null")
    dialog.get_by_role("button", name=choice, exact=True).click()
    expect(dialog.locator("[data-role=ballot-question]")).to_have_text(f"Xác nhận: {choice}?")


def _confirm(page: Page) -> None:
    page.get_by_role("alertdialog").get_by_role("button", name="Xác nhận", exact=True).click()


def _voted(page: Page, title: str) -> None:
    expect(page.get_by_role("alertdialog")).to_be_hidden(timeout=WAIT)
    poll = page.locator("article.poll-open", has_text=title)
    expect(poll).to_contain_text("Bạn đã bỏ phiếu.", timeout=WAIT)


def _close_poll(chair: Page, title: str) -> None:
    chair.locator("article.poll-open", has_text=title).get_by_role(
        "button", name="Kết thúc biểu quyết"
    ).click()


def test_two_officials_vote_at_once_through_the_takeover(
    browser: Browser, media_server: str
) -> None:
    base = media_server
    built = district_meeting(with_document=True)
    meeting, people = built.meeting, built.people
    live = f"/hop/{meeting.pk}/truc-tiep/"
    chair = _screen(browser, base, people["chair"], TABLET_LANDSCAPE, live)
    an = _screen(browser, base, people["an"], TABLET_PORTRAIT, live)
    binh = _screen(browser, base, people["binh"], TABLET_LANDSCAPE, live)
    room = _screen(browser, base, people["clerk"], TABLET_LANDSCAPE, live + "man-hinh/")
    officials = (an.page, binh.page)

    # The kiosk room screen has no navigation; officials get a full-screen button.
    expect(room.page.locator(".kh-topbar, .kh-nav")).to_have_count(0)
    for page in officials:
        expect(page.get_by_role("button", name="Toàn màn hình")).to_be_visible()

    c = chair.page
    c.get_by_role("button", name="Bắt đầu phiên họp").click()
    expect(c.locator("[data-role=current]")).to_have_text("1. Tờ trình dự toán", timeout=WAIT)
    expect(c.locator("[data-role=conn]")).to_have_text("đã kết nối")
    _fits(
        c,
        "[data-role=notices]",
        "[data-role=current]",
        "[data-role=quorum]",
        "[data-cmd=timer-start]",
        "[data-role=speakers]",
        "[data-role=polls]",
        "details.poll-create summary",
        "[data-role=present]",
    )
    screenshot(c, "console-chair-1280", full_page=False)
    _no_serious_axe(c)

    # Nobody has checked in: "Mở biểu quyết" is refused, and the chair reads why right there.
    _create_poll(c, NAMED, secret=False)
    _open_poll(c, NAMED)
    notice = c.locator("[data-role=notices] .live-notice.bad")
    expect(notice).to_contain_text("Không thể mở biểu quyết", timeout=WAIT)
    expect(notice).to_be_in_viewport()
    _fits(c)
    screenshot(c, "console-chair-refused-1280", full_page=False)

    # Both officials join online; the chair marks himself present on the roll.
    for page in officials:
        page.get_by_role("button", name="Tham gia trực tuyến").click()
        expect(page.locator("[data-role=my-attendance]")).to_have_text(
            "Bạn đã điểm danh.", timeout=WAIT
        )
    c.locator("tr", has_text=CHAIR).get_by_role("button", name="Có mặt").click()
    expect(c.locator("[data-role=quorum]")).to_contain_text("Có mặt 3/3", timeout=WAIT)
    for page in officials:
        _fits(
            page, "[data-role=current]", "[data-role=quorum]", "[data-speak]", "[data-role=polls]"
        )
        _no_serious_axe(page)
    screenshot(an.page, "console-official-800", full_page=False)
    screenshot(binh.page, "console-official-1280", full_page=False)

    # A broadcast reaches every screen's notice area, in sight; an empty one takes it down.
    message = c.locator("form[data-form=message]")
    message.locator("[name=text]").fill("Nghỉ giải lao 10 phút")
    message.get_by_role("button", name="Gửi thông báo").click()
    for page in (*officials, room.page):
        broadcast = page.locator("[data-role=notices] [data-role=message]")
        expect(broadcast).to_have_text("Nghỉ giải lao 10 phút", timeout=WAIT)
        expect(broadcast).to_be_in_viewport()
        _fits(page)
    screenshot(an.page, "console-official-broadcast-800", full_page=False)
    message.locator("[name=text]").fill("")
    message.get_by_role("button", name="Gửi thông báo").click()
    for page in officials:
        expect(page.locator("[data-role=notices] [data-role=message]")).to_be_hidden(timeout=WAIT)

    # The named poll opens: it takes each official's screen (and the chair's, who puts it off).
    _open_poll(c, NAMED)
    expect(c.get_by_role("alertdialog")).to_be_visible(timeout=WAIT)
    c.get_by_role("alertdialog").get_by_role("button", name="Để sau").click()
    expect(c.get_by_role("alertdialog")).to_be_hidden()
    _choose(an.page, NAMED, "Tán thành")
    # Keyboard only for Bình: Tab to "Không tán thành", Enter; the focus lands on "Xác nhận".
    dialog = binh.page.get_by_role("alertdialog")
    expect(dialog).to_be_visible(timeout=WAIT)
    binh.page.keyboard.press("Tab")
    binh.page.keyboard.press("Enter")
    expect(dialog.locator("[data-role=ballot-question]")).to_have_text("Xác nhận: Không tán thành?")
    screenshot(an.page, "console-ballot-confirm-800", full_page=False)
    screenshot(binh.page, "console-ballot-confirm-1280", full_page=False)
    for page in officials:
        _no_serious_axe(page)
    # At once: both confirmations go before either answer is awaited.
    _confirm(an.page)
    binh.page.keyboard.press("Enter")
    for page in officials:
        _voted(page, NAMED)
        expect(page.locator("[data-role=notices] .live-notice")).to_have_text(
            "Đã ghi nhận phiếu của bạn."
        )
    expect(c.locator("article.poll-open", has_text=NAMED)).to_contain_text(
        "Đã bỏ phiếu: 2/3", timeout=WAIT
    )
    # The chair, who put the ballot off, brings it back from the poll and votes.
    c.locator("article.poll-open", has_text=NAMED).get_by_role("button", name="Bỏ phiếu").click()
    _choose(c, NAMED, "Tán thành")
    _confirm(c)
    _voted(c, NAMED)
    expect(c.locator("article.poll-open", has_text=NAMED)).to_contain_text(
        "Đã bỏ phiếu: 3/3", timeout=WAIT
    )
    _close_poll(c, NAMED)

    # Who voted what, on the console and on the room screen; the result is announced.
    for page in (c, room.page):
        names = page.locator("article.poll-closed", has_text=NAMED).locator(".named-result")
        expect(names.locator("[data-option=yes]")).to_contain_text(AN, timeout=WAIT)
        expect(names.locator("[data-option=yes]")).to_contain_text(CHAIR)
        expect(names.locator("[data-option=no]")).to_contain_text(BINH)
        expect(names.locator("[data-option=abstain]")).to_contain_text("(0)")
    for page in officials:
        expect(page.locator("[data-role=notices] .live-notice")).to_contain_text(
            f"Kết quả biểu quyết “{NAMED}”", timeout=WAIT
        )
        # The names are for the chair's console and the room screen, not every tablet.
        expect(
            page.locator("article.poll-closed", has_text=NAMED).locator(".result")
        ).to_be_visible()
        expect(page.locator(".named-result")).to_have_count(0)
    screenshot(c, "console-chair-named-result-1280", full_page=False)
    screenshot(room.page, "console-room-named-result-1280", full_page=False)
    _fits(room.page)

    # The secret poll: same journey, and no name anywhere once it is closed.
    _create_poll(c, SECRET, secret=True)
    _open_poll(c, SECRET)
    _choose(an.page, SECRET, "Tán thành")
    _choose(binh.page, SECRET, "Tán thành")
    _confirm(an.page)
    _confirm(binh.page)
    for page in officials:
        _voted(page, SECRET)
    _choose(c, SECRET, "Không biểu quyết")
    _confirm(c)
    _voted(c, SECRET)
    expect(c.locator("article.poll-open", has_text=SECRET)).to_contain_text(
        "Đã bỏ phiếu: 3/3", timeout=WAIT
    )
    _close_poll(c, SECRET)
    for page in (c, room.page, *officials):
        result = page.locator("article.poll-closed", has_text=SECRET)
        expect(result.locator(".result")).to_contain_text("Tán thành: 2", timeout=WAIT)
        expect(result.locator(".named-result")).to_have_count(0)
        for name in (AN, BINH, CHAIR):
            assert name not in result.inner_text()
    screenshot(room.page, "console-room-secret-result-1280", full_page=False)

    # Several of N: ticked boxes, "Tiếp tục", one confirmation naming both; the chair puts it off.
    title = "Chọn hai công trình ưu tiên"
    _create_poll(
        c, title, secret=False, kind="several_of_n", options="Cầu Lim\nĐường 276\nTrường Nội Duệ"
    )
    _open_poll(c, title)
    c.get_by_role("alertdialog").get_by_role("button", name="Để sau").click()
    dialog = an.page.get_by_role("alertdialog")
    expect(dialog.locator("h2")).to_have_text(title, timeout=WAIT)
    dialog.get_by_label("Cầu Lim").check()
    dialog.get_by_label("Trường Nội Duệ").check()
    dialog.get_by_role("button", name="Tiếp tục").click()
    expect(dialog.locator("[data-role=ballot-question]")).to_have_text(
        "Xác nhận: Cầu Lim, Trường Nội Duệ?"
    )
    _confirm(an.page)
    _voted(an.page, title)
    # Escape on the ballot means "later", never a ballot: the dialog goes, nothing is cast, and
    # the poll keeps its "Bỏ phiếu" button, which brings the same ballot back.
    bdialog = binh.page.get_by_role("alertdialog")
    expect(bdialog.locator("h2")).to_have_text(title, timeout=WAIT)
    bdialog.get_by_label("Đường 276").check()
    binh.page.keyboard.press("Escape")
    expect(bdialog).to_be_hidden()
    again = binh.page.locator("article", has_text=title).get_by_role("button", name="Bỏ phiếu")
    expect(again).to_be_visible()
    assert not Ballot.objects.filter(poll__title=title, voter=people["binh"]).exists()
    again.click()
    expect(bdialog.locator("h2")).to_have_text(title, timeout=WAIT)
    expect(bdialog.get_by_label("Đường 276")).not_to_be_checked()  # a fresh ballot
    bdialog.get_by_role("button", name="Để sau").click()
    expect(bdialog).to_be_hidden()
    _close_poll(c, title)
    assert not Ballot.objects.filter(poll__title=title, voter=people["binh"]).exists()
    names = c.locator("article.poll-closed", has_text=title).locator(".named-result")
    expect(names).to_contain_text("Cầu Lim (1)", timeout=WAIT)
    expect(names).to_contain_text(AN)

    # The chair presents the document: it fills the officials' document panel, page 1 drawn.
    c.locator("[data-role=present-doc]").select_option(label="Tờ trình dự toán ngân sách 2027")
    c.get_by_role("button", name="Trình chiếu", exact=True).click()
    for page in officials:
        expect(page.locator("[data-role=presenter-stage] .viewer")).to_have_attribute(
            "data-rendered-page", "1", timeout=WAIT
        )
        _fits(page, "[data-role=presenter-stage] canvas", "[data-speak]", "[data-role=polls]")
    _fits(c, "[data-role=presenter-stage] .viewer-toolbar", "[data-role=polls]")
    screenshot(an.page, "console-official-presenting-800", full_page=False)
    screenshot(binh.page, "console-official-presenting-1280", full_page=False)
    screenshot(c, "console-chair-presenting-1280", full_page=False)

    # The same console and screens at the other tablet size: still no scrolling.
    c.set_viewport_size(TABLET_PORTRAIT)
    an.page.set_viewport_size(TABLET_LANDSCAPE)
    room.page.set_viewport_size(TABLET_PORTRAIT)
    _fits(
        c, "[data-role=current]", "[data-role=quorum]", "[data-role=polls]", "[data-role=present]"
    )
    _fits(an.page, "[data-role=current]", "[data-speak]", "[data-role=polls]")
    _fits(room.page)
    screenshot(c, "console-chair-800", full_page=False)
    screenshot(an.page, "console-official-after-1280", full_page=False)
    screenshot(room.page, "console-room-800", full_page=False)
    _no_serious_axe(c)

    # Full-screen mode on an official's tablet, and back.
    full = binh.page.locator("[data-role=fullscreen]")
    full.click()
    expect(full).to_have_attribute("aria-pressed", "true", timeout=WAIT)
    expect(full).to_have_text("Thoát toàn màn hình")
    assert binh.page.evaluate("document.fullscreenElement === document.documentElement")
    full.click()
    expect(full).to_have_attribute("aria-pressed", "false", timeout=WAIT)

    for screen in (chair, an, binh, room):
        assert_no_english(screen.page)
    # The refused command's HTTP 400 is what Chromium logged; any other error counts.
    assert [e for e in chair.errors if "status of 400" not in e] == []
    for screen in (an, binh, room):
        assert screen.errors == []
    for screen in (chair, an, binh, room):
        screen.page.context.close()
