"""Every main screen, as the person who uses it, on a tablet held both ways (1280×800 and
800×1280): no JavaScript error (CSP refusals included), nothing wider than the screen, no English
word on a Vietnamese screen, and on the official's screens (meeting list, meeting page, reader,
live page) no serious or critical axe-core violation. Each screen is saved under
test-results/screens/ to be looked at.

The demo province (seed_demo, seed_demo_meeting) plus a meeting already held (for the minutes),
a work record and a Tờ trình waiting for the vice-chair's signature; a uvicorn process serves
them from this test's database and file store.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, Page

from tests.e2e.helpers import (
    TABLET_LANDSCAPE,
    TABLET_PORTRAIT,
    assert_no_english,
    axe_violations,
    collect_js_errors,
    english_words,
    screenshot,
    viewport_of,
)
from tests.live import free_port, start_server, wait_until_healthy
from tests.meetings.live.helpers import session_cookie

if TYPE_CHECKING:
    from accounts.models import User

pytestmark = [pytest.mark.e2e]

SIZES = {"landscape": TABLET_LANDSCAPE, "portrait": TABLET_PORTRAIT}
WAIT = 30_000


@dataclass
class Demo:
    base: str
    meeting: int
    held: int
    document: int
    version: int
    record: int
    request: int
    users: dict[str, User] = field(default_factory=dict)


T = TypeVar("T")


def _in_own_thread(work: Callable[[], T]) -> T:
    """Closing a meeting announces it through the channel layer (async_to_sync), which refuses
    the thread where Playwright's event loop runs."""
    from django.db import connection

    def run() -> T:
        try:
            return work()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


def _province() -> dict[str, int]:
    from accounts.models import User
    from documents.models import Document
    from documents.services import work_record_add, work_record_open
    from meetings.models import AgendaDocument, Meeting
    from signing.models import StepKind
    from signing.services import AssigneeSpec, StepSpec, request_create, request_send
    from tests.meetings.minutes.helpers import attach_document, hold_meeting

    call_command("seed_demo", verbosity=0)
    call_command("seed_demo_meeting", verbosity=0)
    meeting = Meeting.objects.get()
    clerk = User.objects.get(username="vanthu")
    held = hold_meeting(
        body=meeting.body,
        clerk=clerk,
        chair=User.objects.get(username="chutich"),
        secretary=clerk,
        total_members=meeting.body.total_members,
    )
    attach_document(held, title="Tờ trình về Kế hoạch chuyển đổi số năm 2027")
    document = Document.objects.get(
        pk=AgendaDocument.objects.filter(item__meeting=meeting).values("document")[:1]
    )
    record = work_record_open(
        actor=clerk,
        code="HS-01/2026",
        name="Hồ sơ dự toán ngân sách địa phương năm 2027",
        owning_body=meeting.body,
        retention_years=10,
    )
    work_record_add(actor=clerk, record=record, document=document)
    version = document.versions.order_by("-number").first()
    assert version is not None
    request = request_create(
        actor=clerk,
        version=version,
        steps=[StepSpec(StepKind.MAIN, (AssigneeSpec(user=User.objects.get(username="lanhdao")),))],
    )
    request_send(actor=clerk, request=request)
    newest = document.versions.order_by("-number").first()
    assert newest is not None
    return {
        "meeting": meeting.pk,
        "held": held.meeting.pk,
        "document": document.pk,
        "version": newest.number,
        "record": record.pk,
        "request": request.pk,
    }


@pytest.fixture
def demo(transactional_db, settings, tmp_path: Path) -> Iterator[Demo]:
    from accounts.models import User

    media = tmp_path / "media"
    media.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(media)},
        },
    }
    ids = _in_own_thread(_province)
    users = {u.username: u for u in User.objects.filter(username__in=ROLES)}
    port = free_port()
    process = start_server(port, {"KYHOP_MEDIA_ROOT": str(media)})
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(base, process)
        yield Demo(base=base, users=users, **ids)
    finally:
        process.terminate()
        process.wait(timeout=10)


# Who looks at what: (name, path, what to wait for); {…} are filled from the Demo.
READER = "#pdf-viewer[data-rendered-page='1']"
LIVE = "#live[data-seq]"
ROLES: dict[str | None, list[tuple[str, str, str | None]]] = {
    None: [
        ("login", "/dang-nhap/", None),
        ("validation", "/kiem-tra/", None),
        ("not-found", "/khong-co-trang-nay/", None),
    ],
    "daibieu1": [
        ("official-meetings", "/hop/", None),
        ("official-meeting", "/hop/{meeting}/", None),
        ("official-reader", "/van-ban/{document}/doc/", READER),
        ("official-live", "/hop/{meeting}/truc-tiep/", LIVE),
    ],
    "chutich": [("chair-live", "/hop/{meeting}/truc-tiep/", LIVE)],
    "vanthu": [
        ("clerk-home", "/", None),
        ("clerk-meetings", "/hop/", None),
        ("clerk-meeting-create", "/hop/tao/", None),
        ("clerk-meeting-prepare", "/hop/{meeting}/chuan-bi/", None),
        ("clerk-room-screen", "/hop/{meeting}/truc-tiep/man-hinh/", LIVE),
        ("clerk-minutes", "/hop/{held}/bien-ban/", None),
        ("clerk-statistics", "/hop/thong-ke/", None),
        ("clerk-documents", "/van-ban/", None),
        ("clerk-document", "/van-ban/{document}/", None),
        ("clerk-document-form", "/van-ban/dang-ky/", None),
        ("clerk-records", "/van-ban/ho-so/", None),
        ("clerk-record", "/van-ban/ho-so/{record}/", None),
        ("clerk-record-form", "/van-ban/ho-so/lap/", None),
        ("clerk-signing-inbox", "/ky-so/", None),
        ("clerk-signing-form", "/ky-so/trinh/{document}/{version}/", READER),
        ("clerk-signing-request", "/ky-so/yeu-cau/{request}/", None),
        ("clerk-password", "/doi-mat-khau/", None),
        ("clerk-csv-import", "/nhap-csv/", None),
    ],
    "lanhdao": [
        ("signer-inbox", "/ky-so/", None),
        ("signer-request", "/ky-so/yeu-cau/{request}/", None),
    ],
}
# The official's screens: axe-core must find nothing serious or critical there.
AXE_SCREENS = {"official-meetings", "official-meeting", "official-reader", "official-live"}


def _visit(
    page: Page, errors: list[str], demo: Demo, name: str, path: str, ready: str | None
) -> list[str]:
    """Open one screen at the page's current size and list what is wrong with it."""
    size = "x".join(str(v) for v in viewport_of(page).values())
    errors.clear()
    response = page.goto(demo.base + path.format(**vars(demo)))
    assert response is not None
    expected = 404 if name == "not-found" else 200
    problems = [] if response.status == expected else [f"HTTP {response.status}"]
    if ready:
        page.locator(ready).wait_for(state="attached", timeout=WAIT)
    page.wait_for_load_state("networkidle")
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if width[0] > width[1]:
        problems.append(f"{width[0]} px wide in {width[1]} px")
    bar = page.evaluate(
        "(n => n && [n.scrollWidth, n.parentElement.clientWidth])"
        "(document.querySelector('.kh-nav .nav'))"
    )
    if bar and bar[0] > bar[1]:
        problems.append(f"the navigation needs {bar[0]} px of {bar[1]}")
    try:
        assert_no_english(page)
    except AssertionError as english:
        problems.append(str(english))
    if name in AXE_SCREENS:
        problems += [f"axe {v['id']}: {v['help']} {v['nodes'][:3]}" for v in axe_violations(page)]
    screenshot(page, f"{name}-{size}")
    if name == "not-found":  # the page's own 404 is reported as a failed resource
        errors[:] = [e for e in errors if "404 (Not Found)" not in e]
    problems += [f"JavaScript: {e}" for e in errors]
    return [f"{name} {size}: {p}" for p in problems]


def _reader_drawer(page: Page, size: str) -> list[str]:
    """Notes open in a drawer over the page, which keeps the width of the screen."""
    stage = page.evaluate("document.querySelector('[data-role=stage]').clientWidth")
    page.click("[data-action=panel][data-panel=notes]")
    page.locator("#viewer-notes.show").wait_for()
    page.wait_for_timeout(400)  # the drawer's slide
    problems = []
    if page.evaluate("document.querySelector('[data-role=stage]').clientWidth") != stage:
        problems.append("the notes squeeze the page")
    if stage < 0.95 * viewport_of(page)["width"]:
        problems.append(f"the page is {stage} px of {viewport_of(page)['width']}")
    problems += [f"axe {v['id']}: {v['help']}" for v in axe_violations(page)]
    screenshot(page, f"official-reader-notes-{size}", full_page=False)
    page.keyboard.press("Escape")
    page.locator("#viewer-notes:not(.show)").wait_for(state="hidden")
    return [f"reader with notes {size}: {p}" for p in problems]


def test_every_main_screen_on_a_tablet_both_ways(browser: Browser, demo: Demo) -> None:
    problems: list[str] = []
    for username, screens in ROLES.items():
        context = browser.new_context(viewport=TABLET_LANDSCAPE, locale="vi-VN")
        if username:
            cookie = session_cookie(demo.users[username])
            context.add_cookies([{"name": "sessionid", "value": cookie, "url": demo.base}])
        page = context.new_page()
        errors = collect_js_errors(page)
        for size_name, size in SIZES.items():
            page.set_viewport_size(size)
            for name, path, ready in screens:
                problems += _visit(page, errors, demo, name, path, ready)
                if name == "official-reader":
                    problems += _reader_drawer(page, size_name)
        context.close()
    assert problems == [], "\n".join(problems)


def test_the_english_check_sees_an_english_screen(browser: Browser, demo: Demo) -> None:
    """The check above is only worth something if it fails on English: a visitor who chose
    English gets the same screen with its English words found."""
    context = browser.new_context(viewport=TABLET_PORTRAIT, locale="en-GB")
    cookie = session_cookie(demo.users["daibieu1"])
    context.add_cookies([{"name": "sessionid", "value": cookie, "url": demo.base}])
    page = context.new_page()
    page.goto(f"{demo.base}/hop/")
    assert page.evaluate("document.documentElement.lang") == "en"
    found = " ".join(english_words(page))
    assert "'Meetings'" in found and "'Upcoming'" in found
    context.close()
