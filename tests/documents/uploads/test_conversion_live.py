"""The server dies during an office conversion: no LibreOffice process and no temporary file
outlives it. A real uvicorn process converts a large (legal) DOCX uploaded over HTTP, with its
temporary directory pointed at one of this test's; the test kills the server (SIGKILL) while
soffice.bin is busy."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from accounts.services import body_create, membership_set, user_create
from tests.documents.helpers import gone, long_docx_bytes, processes_with
from tests.live import free_port, start_server, wait_until_healthy

pytestmark = [pytest.mark.live]

PASSWORD = "Chuyen-doi-tep-1"


class Browser:
    """Just enough of a browser: cookies and Django's CSRF token."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def token(self, path: str) -> str:
        with self.opener.open(self.base_url + path, timeout=30) as page:
            html = page.read().decode()
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        assert match is not None, "the page carries no CSRF token"
        return match.group(1)

    def post(self, path: str, fields: dict, *, timeout: float = 30) -> int:
        fields = {"csrfmiddlewaretoken": self.token(path), **fields}
        if any(hasattr(value, "read") for value in fields.values()):
            body, content_type = encode_multipart(BOUNDARY, fields), MULTIPART_CONTENT
        else:
            body = urllib.parse.urlencode(fields).encode()
            content_type = "application/x-www-form-urlencoded"
        request = urllib.request.Request(
            self.base_url + path, body, headers={"Content-Type": content_type}
        )
        try:
            with self.opener.open(request, timeout=timeout) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code


def soffice_processes(marker: str) -> list[int]:
    found = []
    for pid in processes_with(marker):
        try:
            if b"soffice.bin" in Path(f"/proc/{pid}/cmdline").read_bytes():
                found.append(pid)
        except OSError:
            continue
    return found


def test_killing_the_server_mid_conversion_leaves_no_libreoffice_and_no_file(
    transactional_db, settings, tmp_path
):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    body = body_create(actor=None, code="stttt", name="Sở TT&TT", symbol="STTTT")
    clerk = user_create(actor=None, username="vanthu", full_name="Trần Thu Hà", password=PASSWORD)
    membership_set(actor=None, user=clerk, body=body, role="clerk")
    private_tmp = tmp_path / "tmp"
    media = tmp_path / "media"
    private_tmp.mkdir()
    media.mkdir()
    marker = str(private_tmp)
    port = free_port()
    server = start_server(port, {"TMPDIR": marker, "KYHOP_MEDIA_ROOT": str(media)})
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(base_url, server)
        browser = Browser(base_url)
        assert browser.post("/dang-nhap/", {"username": "vanthu", "password": PASSWORD}) == 200
        upload = tmp_path / "bao-cao-dai.docx"
        # Tens of seconds of layout for LibreOffice, and a photo that takes the upload past
        # FILE_UPLOAD_MAX_MEMORY_SIZE: the server streams it to a temporary file.
        upload.write_bytes(long_docx_bytes(30_000, photo_bytes=3 << 20))
        outcome: list[object] = []

        def send() -> None:
            with upload.open("rb") as handle:
                fields = {
                    "owning_body": body.pk,
                    "doc_type": "bao_cao",
                    "abstract": "Báo cáo dài",
                    "confidentiality": 0,
                    "status": "draft",
                    "upload": handle,
                }
                try:
                    outcome.append(browser.post("/van-ban/dang-ky/", fields, timeout=120))
                except OSError as error:  # the server died under the request
                    outcome.append(error)

        request = threading.Thread(target=send, daemon=True)
        request.start()
        deadline = time.monotonic() + 60
        while not soffice_processes(marker):
            assert time.monotonic() < deadline, "soffice.bin never started"
            assert request.is_alive(), f"the request ended first: {outcome}"
            time.sleep(0.1)  # polling the process table for a start, not waiting for an outcome
        time.sleep(1)  # LibreOffice is laying the document out
        assert soffice_processes(marker), "the conversion ended before the server was killed"
        assert list(private_tmp.iterdir()), "the conversion's directory is where we look"
        assert upload.stat().st_size > settings.FILE_UPLOAD_MAX_MEMORY_SIZE

        os.kill(server.pid, signal.SIGKILL)
        server.wait(timeout=10)

        assert gone(marker), f"left running: {processes_with(marker)}"
        assert list(private_tmp.iterdir()) == []
        request.join(timeout=10)
        assert outcome and not isinstance(outcome[0], int), outcome
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(timeout=10)
        for pid in processes_with(marker):
            os.kill(pid, signal.SIGKILL)
