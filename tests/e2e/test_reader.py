"""An official reads a 300-page PDF on a tablet: pages, thumbnails, search, notes, gestures.

A real uvicorn process serves the test database and a private file store; Debian's Chromium
(Playwright) plays the tablet. Every wait is on a selector or attribute the reader sets.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.files import File
from playwright.sync_api import Browser, Page

from accounts.services import body_create, membership_set, user_create
from tests.e2e.helpers import TABLET_PORTRAIT
from tests.live import free_port, start_server, wait_until_healthy

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import make_big_pdf

pytestmark = [pytest.mark.e2e]

PASSWORD = "Doc-tren-may-tinh-bang-1"
NOTE_TEXT = "Hỏi lại số liệu ở trang này"


@dataclass
class Scene:
    base_url: str
    document_id: int


@pytest.fixture
def scene(transactional_db, settings, tmp_path: Path) -> Iterator[Scene]:
    """The 300-page document, its reader and a colleague, and a server sharing the file store."""
    # The server process checks passwords with the project's hashers, not the tests' fast one.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    media = tmp_path / "media"
    media.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(media)},
        },
    }
    document_id = _document(tmp_path / "ho-so-300-trang.pdf")
    port = free_port()
    process = start_server(port, {"KYHOP_MEDIA_ROOT": str(media)})
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(base_url, process)
        yield Scene(base_url, document_id)
    finally:
        process.terminate()
        process.wait(timeout=10)


def _document(path: Path) -> int:
    from documents.services import document_create

    body = body_create(
        actor=None, code="stttt", name="Sở Thông tin và Truyền thông", symbol="STTTT"
    )
    official = user_create(
        actor=None, username="daibieu", full_name="Lê Minh Đức", password=PASSWORD
    )
    colleague = user_create(
        actor=None, username="dongnghiep", full_name="Vũ Thị Hoa", password=PASSWORD
    )
    membership_set(actor=None, user=official, body=body, role="member")
    membership_set(actor=None, user=colleague, body=body, role="clerk")
    make_big_pdf.make(str(path), megabytes=8, pages=300)
    with path.open("rb") as handle:
        document = document_create(
            actor=official,
            owning_body=body,
            doc_type="bao_cao",
            abstract="Báo cáo tổng hợp 300 trang",
            upload=File(handle, name=path.name),
        )
    return document.pk


def _login(browser: Browser, base_url: str, username: str) -> Page:
    context = browser.new_context(viewport=TABLET_PORTRAIT, has_touch=True, locale="vi-VN")
    page = context.new_page()
    page.goto(f"{base_url}/dang-nhap/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].btn-primary")
    page.wait_for_selector("h1")
    return page


def _open_reader(page: Page, scene: Scene) -> None:
    page.goto(f"{scene.base_url}/van-ban/{scene.document_id}/doc/")
    page.wait_for_selector("#pdf-viewer[data-rendered-page='1']")
    page.wait_for_selector("#pdf-viewer[data-notes-loaded='1']")


def _rendered(page: Page, number: int) -> None:
    page.wait_for_selector(f"#pdf-viewer[data-rendered-page='{number}']")


def _touch(cdp, kind: str, points: list[tuple[float, float]]) -> None:
    cdp.send(
        "Input.dispatchTouchEvent",
        {
            "type": kind,
            "touchPoints": [{"x": x, "y": y, "id": i} for i, (x, y) in enumerate(points)],
        },
    )


def test_an_official_reads_a_300_page_pdf_with_notes_on_a_tablet(browser, scene):
    page = _login(browser, scene.base_url, "daibieu")
    csp_errors: list[str] = []
    page.on(
        "console",
        lambda message: (
            csp_errors.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    _open_reader(page, scene)
    assert page.inner_text("[data-role=count]") == "300"

    # Jump to page 150 by number; the keyboard turns pages too.
    page.fill("[data-role=page]", "150")
    page.press("[data-role=page]", "Enter")
    _rendered(page, 150)
    page.click(".viewer-sheet")
    page.keyboard.press("ArrowRight")
    _rendered(page, 151)
    page.keyboard.press("ArrowLeft")
    _rendered(page, 150)

    # Thumbnails exist only once the panel opens, and only the visible ones are drawn.
    assert page.locator(".viewer-thumb").count() == 0
    page.click("[data-action=panel][data-panel=thumbs]")
    page.wait_for_selector(".viewer-thumb[data-page='150'][aria-current=page]")
    page.wait_for_selector(".viewer-thumb[data-page='150'][data-rendered='1']")
    assert page.locator(".viewer-thumb").count() == 300
    assert page.locator(".viewer-thumb[data-rendered='1']").count() < 40
    page.click(".viewer-thumb[data-page='149']")
    _rendered(page, 149)

    # Search without caring about case or diacritics; jump to the hit, boxed on the page.
    page.click("[data-action=panel][data-panel=search]")
    page.fill("[data-role=search-input]", "TRÁNG 151")
    page.press("[data-role=search-input]", "Enter")
    page.wait_for_selector("[data-role=search-results][data-done='1']", timeout=120_000)
    results = page.locator(".viewer-result")
    assert results.count() == 1
    assert "Trang 151" in results.first.inner_text()
    results.first.click()
    _rendered(page, 151)
    page.wait_for_selector(".viewer-hit")
    assert (
        page.evaluate(
            "import('/static/js/viewer-search.js').then((m) => m.fold('Quyết  ĐỊNH đầu tư'))"
        )
        == "quyet dinh dau tu"
    )

    # A text note for this page and a highlight dragged on it.
    page.click("[data-action=panel][data-panel=notes]")
    page.fill("[data-role=note-text]", NOTE_TEXT)
    page.click("[data-role=note-form] button[type=submit]")
    page.wait_for_selector(f".viewer-note:has-text('{NOTE_TEXT}')")
    page.click("[data-action=draw]")
    box = page.locator(".viewer-sheet").bounding_box()
    page.mouse.move(box["x"] + 60, box["y"] + 80)
    page.mouse.down()
    page.mouse.move(box["x"] + 200, box["y"] + 160, steps=5)
    page.mouse.up()
    page.wait_for_selector(".viewer-note-mark")
    assert page.locator(".viewer-note").count() == 2

    # After a reload both notes are there, and the highlight is back on page 151.
    page.reload()
    page.wait_for_selector("#pdf-viewer[data-notes-loaded='1']")
    page.click("[data-action=panel][data-panel=notes]")  # the notes are in their drawer
    page.wait_for_selector("#viewer-notes.show")
    texts = page.locator(".viewer-note").all_inner_texts()
    assert len(texts) == 2
    assert any(NOTE_TEXT in text and "Trang 151" in text for text in texts)
    assert any("Đánh dấu" in text for text in texts)
    page.fill("[data-role=page]", "151")
    page.press("[data-role=page]", "Enter")
    _rendered(page, 151)
    page.wait_for_selector(".viewer-note-mark")
    assert not csp_errors, csp_errors
    page.context.close()

    # A colleague (a clerk of the same body) reads the same document and sees none of it.
    other = _login(browser, scene.base_url, "dongnghiep")
    _open_reader(other, scene)
    other.click("[data-action=panel][data-panel=notes]")
    assert other.locator(".viewer-note").count() == 0
    assert NOTE_TEXT not in other.content()
    listing = other.request.get(f"{scene.base_url}/van-ban/{scene.document_id}/ghi-chu/")
    assert listing.json()["notes"] == []
    other.context.close()


def test_touch_gestures_turn_pages_and_zoom(browser, scene):
    page = _login(browser, scene.base_url, "daibieu")
    _open_reader(page, scene)
    cdp = page.context.new_cdp_session(page)
    stage = page.locator("[data-role=stage]").bounding_box()
    y = stage["y"] + 300

    # A swipe to the left turns to the next page, to the right back.
    _touch(cdp, "touchStart", [(stage["x"] + 600, y)])
    _touch(cdp, "touchMove", [(stage["x"] + 350, y)])
    _touch(cdp, "touchMove", [(stage["x"] + 150, y)])
    _touch(cdp, "touchEnd", [])
    _rendered(page, 2)
    _touch(cdp, "touchStart", [(stage["x"] + 150, y)])
    _touch(cdp, "touchMove", [(stage["x"] + 350, y)])
    _touch(cdp, "touchMove", [(stage["x"] + 600, y)])
    _touch(cdp, "touchEnd", [])
    _rendered(page, 1)

    # Two fingers moving apart zoom in; the page is drawn again, larger.
    fitted = page.inner_text("[data-role=zoom]")
    width = page.evaluate("document.querySelector('.viewer-sheet').offsetWidth")
    cx = stage["x"] + 400
    _touch(cdp, "touchStart", [(cx - 50, y), (cx + 50, y)])
    _touch(cdp, "touchMove", [(cx - 100, y), (cx + 100, y)])
    _touch(cdp, "touchMove", [(cx - 150, y), (cx + 150, y)])
    _touch(cdp, "touchEnd", [])
    page.wait_for_function(f"document.querySelector('.viewer-sheet').offsetWidth > {width * 2.5}")
    assert page.inner_text("[data-role=zoom]") != fitted

    # A double tap goes back to the page fitted to the screen.
    page.touchscreen.tap(cx, y)
    page.touchscreen.tap(cx, y)
    page.wait_for_function(f"document.querySelector('.viewer-sheet').offsetWidth <= {width}")
    assert page.inner_text("[data-role=zoom]") == fitted
    page.context.close()
