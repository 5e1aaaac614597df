"""Checks for the browser tests, on a Playwright page: accessibility (axe-core), English words on a
Vietnamese screen, JavaScript errors, screenshots kept as artefacts.

Plain functions, imported where needed (fixtures stay in conftest.py):

    errors = collect_js_errors(page)      # before the first goto
    log_in(page, base, "vanthu", PASSWORD)  # or page.goto(url)
    assert_no_english(page)
    assert axe_violations(page) == []
    screenshot(page, "meeting-list-portrait")
    assert errors == []

and the live journeys' meeting (``district_meeting``), opened as one of its people
(``signed_in`` then ``open_live``).
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from playwright.sync_api import Browser, Page, ViewportSize, expect

from accounts.models import User
from documents.services import document_create
from meetings.models import AgendaDocument, AgendaItem, Meeting, MeetingStatus, Participant
from tests.documents.helpers import pdf_bytes
from tests.factories import make_body, make_user
from tests.meetings.live.helpers import session_cookie

TABLET_PORTRAIT: ViewportSize = {"width": 800, "height": 1280}
TABLET_LANDSCAPE: ViewportSize = {"width": 1280, "height": 800}
DESKTOP: ViewportSize = {"width": 1366, "height": 900}

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "static" / "vendor" / "axe" / "axe.min.js"
SCREENS = ROOT / "test-results" / "screens"

# Words of an English user interface that never belong on a Vietnamese screen (Django's and the
# browser's defaults are the usual source: "- Select an option -", "Currently", "Clear"...).
# Whole words, case-sensitive: Vietnamese text does not contain them, acronyms (PDF, CSV, QR,
# PAdES) are not among them.
ENGLISH_WORDS = (
    "Select an option",
    "Select",
    "Choose",
    "Submit",
    "Cancel",
    "Save",
    "Delete",
    "Remove",
    "Edit",
    "Add",
    "Search",
    "Loading",
    "Previous",
    "Next",
    "Back",
    "Page",
    "Close",
    "Open",
    "Menu",
    "Home",
    "Login",
    "Log in",
    "Logout",
    "Log out",
    "Sign in",
    "Sign out",
    "Password",
    "Username",
    "Upload",
    "Download",
    "Currently",
    "Change",
    "Clear",
    "Required",
    "required",
    "This field",
    "Enter a valid",
    "Error",
    "Not Found",
    "Forbidden",
    "Server Error",
    "Bad Request",
    "Page not found",
    "Yes",
    "Confirm",
    "Settings",
    "Help",
    "Welcome",
    "Hello",
    "Meetings",
    "Meeting",
    "Documents",
    "Document",
    "Records",
    "Signing",
    "Signature",
    "Status",
    "Today",
    "Upcoming",
    "Past",
    "Draft",
    "Invited",
    "Name",
    "Date",
    "Time",
    "Show",
    "Hide",
    "More",
    "Print",
    "Send",
    "Reply",
    "Update",
    "Create",
    "January",
    "February",
    "March",
    "April",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
)
_ENGLISH = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, ENGLISH_WORDS)) + r")(?![\w-])")

# Everything a person reads or hears: the text, the options of selects, and the attributes
# screen readers and tooltips announce.
_VISIBLE_TEXT = """() => {
  const parts = [document.title, document.body.innerText];
  for (const node of document.querySelectorAll("option")) parts.push(node.textContent);
  for (const node of document.querySelectorAll("[placeholder], [aria-label], [title], [alt]")) {
    for (const name of ["placeholder", "aria-label", "title", "alt"]) {
      if (node.hasAttribute(name)) parts.push(node.getAttribute(name));
    }
  }
  for (const node of document.querySelectorAll("input[type=submit], input[type=button]")) {
    parts.push(node.value);
  }
  return parts.join("\\n");
}"""


def viewport_of(page: Page) -> ViewportSize:
    """The page's viewport size (every context of these tests is opened with one)."""
    size = page.viewport_size
    assert size is not None, "the context was opened without a viewport"
    return size


def log_in(page: Page, base: str, username: str, password: str) -> None:
    """Sign in through the login form; returns once the page it leads to has a heading."""
    page.goto(f"{base}/dang-nhap/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit].btn-primary")
    page.wait_for_selector("h1")


def english_words(page: Page) -> list[str]:
    """The English words found on the page, each with the line it stands in."""
    text = page.evaluate(_VISIBLE_TEXT)
    return [
        f"{match.group(1)!r} in {line.strip()[:120]!r}"
        for line in text.splitlines()
        for match in _ENGLISH.finditer(line)
    ]


def assert_no_english(page: Page) -> None:
    """Fails when a Vietnamese screen shows an English word (see ENGLISH_WORDS)."""
    assert page.evaluate("document.documentElement.lang") == "vi", page.url
    found = english_words(page)
    assert found == [], f"English on {page.url}: {found}"


def axe_violations(page: Page, impacts: tuple[str, ...] = ("serious", "critical")) -> list[dict]:
    """Runs axe-core (static/vendor/axe, installed by bin/build-assets) on the page as it is now
    and returns the violations of those impacts, each with its rule, help and offending nodes.
    The script is evaluated through the DevTools protocol, not loaded by the page: the CSP
    (scripts from the site only, no inline script) stays as it is, and no page refers to it."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
    results = page.evaluate(
        """async () => {
          const result = await axe.run(document, {resultTypes: ["violations"]});
          return result.violations.map((v) => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map((n) => ({target: n.target.join(" "), summary: n.failureSummary})),
          }));
        }"""
    )
    return [violation for violation in results if violation["impact"] in impacts]


def collect_js_errors(page: Page) -> list[str]:
    """A list that fills with the page's console errors and uncaught exceptions (CSP refusals
    included: Chromium reports them as console errors). Call it before the first navigation."""
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    return errors


def screenshot(page: Page, name: str, *, full_page: bool = True) -> Path:
    """Saves test-results/screens/<name>.png (git-ignored, kept by CI as an artefact)."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    path = SCREENS / f"{re.sub(r'[^A-Za-z0-9._-]+', '-', name)}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def screenshot_tablet(page: Page, name: str) -> None:
    """Saves <name>-landscape.png and <name>-portrait.png (1280×800 and 800×1280), then leaves
    the page in landscape, where the journeys walk."""
    for label, size in (("landscape", TABLET_LANDSCAPE), ("portrait", TABLET_PORTRAIT)):
        page.set_viewport_size(size)
        screenshot(page, f"{name}-{label}")
    page.set_viewport_size(TABLET_LANDSCAPE)


def pdf_first_page_png(pdf: Path, name: str) -> Path:
    """Renders the PDF's first page to test-results/screens/<name>.png (pdftoppm, 80 dpi), to be
    looked at beside the screenshots of the journey that made it."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    stem = SCREENS / re.sub(r"[^A-Za-z0-9._-]+", "-", name)
    subprocess.run(
        ["pdftoppm", "-png", "-singlefile", "-r", "80", "-f", "1", "-l", "1", str(pdf), str(stem)],
        check=True,
    )
    return stem.with_suffix(".png")


# --- The live journeys' meeting -----------------------------------------------------------------

CHAIR, CLERK, AN, BINH = "Nguyễn Văn Chủ Trì", "Lê Thị Văn Thư", "Trần Văn An", "Phạm Thị Bình"
LIVE_WAIT = 30_000  # ms: the first snapshot, on a loaded machine


@dataclass
class LiveMeeting:
    meeting: Meeting
    people: dict[str, User]  # "chair", "clerk", "an", "binh"
    items: list[AgendaItem]


def district_meeting(
    *, with_document: bool = False, status: str = MeetingStatus.INVITED, video_url: str = ""
) -> LiveMeeting:
    """The district committee's December meeting, starting now: a chair, a clerk (not a
    participant), An and Bình voting, two agenda items; with a three-page Tờ trình on the first
    item when asked. The body counts three members, so two present make the quorum."""
    body = make_body(name="Ủy ban nhân dân huyện Tiên Du", symbol="UBND", total_members=3)
    people = {
        "chair": make_user(full_name=CHAIR, body=body, role="chair"),
        "clerk": make_user(full_name=CLERK, body=body, role="clerk"),
        "an": make_user(full_name=AN, body=body, role="member"),
        "binh": make_user(full_name=BINH, body=body, role="member"),
    }
    now = timezone.now()
    meeting = Meeting.objects.create(
        body=body,
        title="Phiên họp UBND huyện tháng 12",
        starts_at=now,
        ends_at=now + timedelta(hours=2),
        place="Phòng họp tầng 2",
        status=status,
        video_url=video_url,
        created_by=people["clerk"],
    )
    Participant.objects.create(meeting=meeting, user=people["chair"], role="chair")
    for name in ("an", "binh"):
        Participant.objects.create(meeting=meeting, user=people[name], role="voting")
    items = [
        AgendaItem.objects.create(meeting=meeting, title="Tờ trình dự toán", position=0),
        AgendaItem.objects.create(meeting=meeting, title="Báo cáo an ninh trật tự", position=1),
    ]
    if with_document:
        document = document_create(
            actor=people["clerk"],
            owning_body=body,
            doc_type="to_trinh",
            abstract="Tờ trình dự toán ngân sách 2027",
            upload=SimpleUploadedFile("tt.pdf", pdf_bytes(3), "application/pdf"),
        )
        AgendaDocument.objects.create(item=items[0], document=document)
    return LiveMeeting(meeting, people, items)


def signed_in(
    browser: Browser, base: str, user: User, viewport: ViewportSize
) -> tuple[Page, list[str]]:
    """A new browser context signed in as *user* (a session cookie: the login form is walked
    in its own tests), and the list its JavaScript errors fill."""
    context = browser.new_context(viewport=viewport, locale="vi-VN")
    context.add_cookies([{"name": "sessionid", "value": session_cookie(user), "url": base}])
    page = context.new_page()
    return page, collect_js_errors(page)


def open_live(page: Page, base: str, meeting: Meeting) -> None:
    """Opens the live screen and waits for its first snapshot: the page then knows its sequence
    number (the CSP forbids eval, so the wait is on an attribute, not a JavaScript predicate)."""
    page.goto(f"{base}/hop/{meeting.pk}/truc-tiep/")
    page.locator("#live[data-seq]").wait_for(state="attached", timeout=LIVE_WAIT)


# --- Signing in the browser -----------------------------------------------------------------------


def reader_ready(page: Page) -> None:
    """The inline reader has drawn page 1 (the status line no longer says it is loading)."""
    expect(page.locator("#pdf-viewer [data-role=status]")).not_to_contain_text(
        "Đang tải", timeout=30_000
    )


def sign_in_browser(
    browser: Browser,
    base: str,
    username: str,
    password: str,
    *,
    request_pk: int,
    passphrase: str,
    opinion: str = "",
    shot: str = "",
) -> None:
    """*username* signs in, opens the request, reads the document inline, enters the
    passphrase (and an opinion), signs, and has nothing more to sign there."""
    context = browser.new_context(viewport=TABLET_LANDSCAPE, locale="vi-VN")
    page = context.new_page()
    errors = collect_js_errors(page)
    log_in(page, base, username, password)
    page.goto(f"{base}/ky-so/yeu-cau/{request_pk}/")
    reader_ready(page)
    if shot:
        screenshot_tablet(page, shot)
    sign_on_page(page, passphrase, opinion=opinion)
    assert page.locator("#id_passphrase").count() == 0
    assert errors == []
    context.close()


def sign_on_page(page: Page, passphrase: str, *, opinion: str = "") -> None:
    """On an open request page whose document has loaded: the passphrase (and an opinion),
    "Đồng ý và ký", and the success message."""
    page.fill("#id_passphrase", passphrase)
    if opinion:
        page.fill("#id_reason", opinion)
    page.click("button:has-text('Đồng ý và ký')")
    page.wait_for_selector("text=Đã ký số thành công.", timeout=150_000)
