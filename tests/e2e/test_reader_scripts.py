"""The reader never runs what a PDF carries: a PDF whose open action, document script and page
action would raise a dialog and write to the console is read page by page in Debian's
Chromium, and nothing of it runs; the reader shows the Vietnamese warning instead."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

from accounts.services import body_create, membership_set, user_create
from tests.documents.helpers import pdf_action, pdf_changed
from tests.e2e.helpers import TABLET_PORTRAIT
from tests.live import free_port, start_server, wait_until_healthy

pytestmark = [pytest.mark.e2e]

PASSWORD = "Khong-chay-ma-1"
MARKER = "KYHOP-SCRIPT-RAN"
SCRIPT = f"app.alert('{MARKER}'); console.println('{MARKER}'); this.getField('x');"


def hostile_pdf() -> bytes:
    def arm(writer: PdfWriter) -> None:
        root = writer._root_object
        root[NameObject("/OpenAction")] = writer._add_object(pdf_action("JavaScript", JS=SCRIPT))
        root[NameObject("/Names")] = DictionaryObject(
            {
                NameObject("/JavaScript"): writer._add_object(
                    DictionaryObject(
                        {
                            NameObject("/Names"): ArrayObject(
                                [TextStringObject("doc"), pdf_action("JavaScript", JS=SCRIPT)]
                            )
                        }
                    )
                )
            }
        )
        writer.pages[1][NameObject("/AA")] = DictionaryObject(
            {NameObject("/O"): pdf_action("JavaScript", JS=SCRIPT)}
        )

    return pdf_changed(arm, pages=2)


@pytest.fixture
def scene(transactional_db, settings, tmp_path: Path) -> Iterator[tuple[str, int]]:
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
    from documents.services import document_create

    body = body_create(actor=None, code="stttt", name="Sở TT&TT", symbol="STTTT")
    reader = user_create(actor=None, username="daibieu", full_name="Lê Minh Đức", password=PASSWORD)
    membership_set(actor=None, user=reader, body=body, role="clerk")
    document = document_create(
        actor=reader,
        owning_body=body,
        doc_type="cong_van",
        abstract="Công văn đến có mã JavaScript",
        status="incoming",
        upload=ContentFile(hostile_pdf(), name="cong-van-den.pdf"),
    )
    port = free_port()
    process = start_server(port, {"KYHOP_MEDIA_ROOT": str(media)})
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(base_url, process)
        yield base_url, document.pk
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_reader_runs_no_script_a_pdf_carries(browser, scene):
    base_url, document_id = scene
    context = browser.new_context(viewport=TABLET_PORTRAIT, locale="vi-VN")
    page = context.new_page()
    dialogs: list[str] = []
    console: list[str] = []
    requests: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("console", lambda message: console.append(message.text))
    page.on("request", lambda request: requests.append(request.url))

    page.goto(f"{base_url}/dang-nhap/")
    page.fill("#id_username", "daibieu")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].btn-primary")
    page.wait_for_selector("h1")

    page.goto(f"{base_url}/van-ban/{document_id}/doc/")
    page.wait_for_selector("#pdf-viewer[data-rendered-page='1']")
    warning = page.inner_text("[data-role=active-content]")
    assert "Tệp PDF có chứa mã JavaScript / hành động tự chạy; KyHop không chạy các mã này." in (
        warning
    )
    page.click("[data-action=next]")  # page 2 carries an action of its own, on opening it
    page.wait_for_selector("#pdf-viewer[data-rendered-page='2']")
    page.click("[data-action=prev]")
    page.wait_for_selector("#pdf-viewer[data-rendered-page='1']")

    assert dialogs == []
    assert not [text for text in console if MARKER in text]
    assert not [url for url in requests if "sandbox" in url or "scripting" in url]
    # The listener is live: a dialog the page really opens is caught.
    page.evaluate("alert('control')")
    assert dialogs == ["control"]
    context.close()
