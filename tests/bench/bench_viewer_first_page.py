"""Bytes a tablet downloads before page 1 of a 100 MB PDF shows in the reader (target ≤ 2 MB).

A scanned-style 100 MB, 300-page PDF is registered through the document services, served by a
real uvicorn process, and opened in the reader by Debian's Chromium (Playwright) at a tablet
viewport. Every response body for the PDF's URL is counted until the reader reports page 1
drawn. The baseline is the file size (what a plain download would cost).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _harness
import make_big_pdf

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
]


def build(pdf_path: Path) -> tuple[int, int]:
    from django.core.files import File

    from accounts.services import body_create, membership_set, user_create
    from documents.services import document_create

    body = body_create(
        actor=None, code="stttt", name="Sở Thông tin và Truyền thông", symbol="STTTT"
    )
    reader = user_create(
        actor=None, username="daibieu", full_name="Lê Minh Đức", password="bench-pass-123"
    )
    membership_set(actor=None, user=reader, body=body, role="member")
    with pdf_path.open("rb") as handle:
        document = document_create(
            actor=reader,
            owning_body=body,
            doc_type="bao_cao",
            abstract="Hồ sơ quét 300 trang",
            upload=File(handle, name="ho-so-quet.pdf"),
        )
    return document.pk, pdf_path.stat().st_size


def measure(base: str, document_id: int) -> tuple[int, int, float]:
    from playwright.sync_api import sync_playwright

    counted = {"bytes": 0, "requests": 0, "aborted": 0}

    def on_finished(request) -> None:
        # Bytes that actually crossed the wire (headers and body) for the PDF's URL. pdf.js
        # opens with a full GET that it aborts after the headers; that one never "finishes"
        # and is counted by on_failed below with what it had received.
        if "/ban-doc.pdf" in request.url:
            sizes = request.sizes()
            counted["requests"] += 1
            counted["bytes"] += sizes["responseBodySize"] + sizes["responseHeadersSize"]

    def on_failed(request) -> None:
        if "/ban-doc.pdf" in request.url:
            counted["aborted"] += 1

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
        )
        page = browser.new_page(viewport={"width": 800, "height": 1280})
        page.goto(f"{base}/dang-nhap/")
        page.fill("#id_username", "daibieu")
        page.fill("#id_password", "bench-pass-123")
        page.click("button[type=submit].btn-primary")
        page.on("requestfinished", on_finished)
        page.on("requestfailed", on_failed)
        started = time.perf_counter()
        page.goto(f"{base}/van-ban/{document_id}/doc/")
        page.wait_for_selector("#pdf-viewer[data-rendered-page='1']", timeout=120_000)
        elapsed = time.perf_counter() - started
        browser.close()
    return counted["bytes"], counted["requests"], elapsed


def main() -> None:
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop, this thread
    _harness.private_environment()
    _harness.django_ready()
    pdf_path = Path(tempfile.mkdtemp()) / "big.pdf"
    make_big_pdf.make(str(pdf_path), megabytes=100, pages=300)
    document_id, size = build(pdf_path)
    port = _harness.free_port()
    server = _harness.start_server(port)
    try:
        transferred, requests, elapsed = measure(f"http://127.0.0.1:{port}", document_id)
    finally:
        server.terminate()
        server.wait(10)
    print(f"machine: {_harness.machine()}")
    print(f"file: {size / 1e6:.1f} MB, 300 pages, page objects scattered between the images")
    print(
        f"before page 1 showed: {transferred / 1e6:.2f} MB in {requests} responses, {elapsed:.2f} s"
    )
    print(f"ratio to the whole file: {transferred / size:.4f} (target: <= 2 MB transferred)")


if __name__ == "__main__":
    main()
