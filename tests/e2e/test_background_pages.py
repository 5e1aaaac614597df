"""Staff's operations page and mail catcher in the browser: an invitation's mail task waits in
the queue, the real worker process runs it, and the catcher shows the mail that went out."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import ViewportSize

import kyhop.settings as project_settings
from meetings.models import Meeting, MeetingStatus, Participant
from meetings.preparation.invitations import send_meeting_mail
from tests.background.helpers import DATABASE_BACKEND, run_worker_with
from tests.e2e.helpers import (
    TABLET_LANDSCAPE,
    TABLET_PORTRAIT,
    collect_js_errors,
    log_in,
    screenshot,
)
from tests.factories import make_body, make_user
from tests.live import free_port, start_server, wait_until_healthy

pytestmark = [pytest.mark.e2e]

PASSWORD = "mat-khau-thu-1"
SHOTS = Path("/tmp/mail-shots")


@pytest.fixture
def staff_server(transactional_db, tmp_path, settings) -> Iterator[tuple[str, Path]]:
    """A server whose tasks go to the database and whose mail goes to .eml files."""
    mail_dir = tmp_path / "mail"
    env = {
        "KYHOP_TASKS_BACKEND": "database",
        "EMAIL_BACKEND": "background.mailfiles.EmlFileBackend",
        "KYHOP_MAIL_DIR": str(mail_dir),
    }
    settings.TASKS = {**settings.TASKS, "default": DATABASE_BACKEND}
    # The server process must verify the passwords made here: the real hashers, not the
    # suite's fast one (tests/conftest.py keeps them only for ``server_process``).
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS
    port = free_port()
    process = start_server(port, env)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(base, process)
        yield base, mail_dir
    finally:
        process.terminate()
        process.wait(timeout=10)


def _invited_meeting() -> Meeting:
    body = make_body(code="ubnd", name="Ủy ban nhân dân tỉnh Bắc Ninh", symbol="UBND")
    clerk = make_user(username="vanthu", full_name="Trần Thị Thu Hà", body=body, role="clerk")
    now = timezone.now()
    meeting = Meeting.objects.create(
        body=body,
        title="Phiên họp thường kỳ tháng 12",
        starts_at=now + timedelta(days=2),
        ends_at=now + timedelta(days=2, hours=2),
        place="Phòng họp số 1",
        status=MeetingStatus.INVITED,
        invitation_number="12/GM-UBND",
        created_by=clerk,
    )
    for username, name in (("daibieu1", "Lê Minh Đức"), ("daibieu2", "Phạm Thị Ngọc Ánh")):
        user = make_user(username=username, full_name=name, body=body, email=f"{username}@ex.vn")
        Participant.objects.create(meeting=meeting, user=user, role="voting")
    return meeting


def _login(browser, base: str, viewport: ViewportSize):
    context = browser.new_context(viewport=viewport, locale="vi-VN")
    page = context.new_page()
    log_in(page, base, "quantri", PASSWORD)
    assert "/dang-nhap/" not in page.url, page.inner_text("main")
    return context, page


def test_staff_sees_the_queued_mail_task_then_the_mail_in_the_catcher(browser, staff_server):
    base, mail_dir = staff_server
    settings_mail_dir = str(mail_dir)
    make_user(username="quantri", full_name="Quản Trị", password=PASSWORD, is_staff=True)
    meeting = _invited_meeting()
    send_meeting_mail.enqueue(meeting_id=meeting.pk, method="request")  # as after the commit

    context, page = _login(browser, base, TABLET_LANDSCAPE)
    errors = collect_js_errors(page)
    page.goto(f"{base}/van-hanh/cong-viec-nen/")
    queued = page.locator("table.tasks tr[data-status=READY]")
    assert queued.count() == 1
    assert "send_meeting_mail" in queued.inner_text() and "Đang chờ" in queued.inner_text()
    assert "consultations_close_due" in page.inner_text("table.schedule")
    assert "documents_renew_archive_timestamps" in page.inner_text("table.schedule")
    page.screenshot(path=str(SHOTS / "ops-queued-1280x800.png"), full_page=True)
    screenshot(page, "ops-queued-landscape")

    # The real worker: the meeting's job queues one mail per invitee, then sends them.
    result = run_worker_with(
        EMAIL_BACKEND="background.mailfiles.EmlFileBackend", KYHOP_MAIL_DIR=settings_mail_dir
    )
    assert result.returncode == 0, result.stderr
    page.reload()
    assert page.locator("table.tasks tr").count() == 0
    assert "Không có công việc nào đang chờ hay bị lỗi." in page.inner_text("main")

    page.goto(f"{base}/van-hanh/hop-thu-thu-nghiem/")
    links = page.locator(".mailbox-list a")
    assert links.count() == 2
    links.first.click()
    page.wait_for_selector("h1")
    assert page.inner_text("h1") == "[Giấy mời] Phiên họp thường kỳ tháng 12"
    main = page.inner_text("main")
    assert "cuoc-hop.ics" in main and "@ex.vn" in main
    page.screenshot(path=str(SHOTS / "catcher-1280x800.png"), full_page=True)
    assert errors == []
    context.close()

    context, page = _login(browser, base, TABLET_PORTRAIT)
    page.goto(f"{base}/van-hanh/hop-thu-thu-nghiem/")
    assert page.locator(".mailbox-list a").count() == 2
    assert page.evaluate("document.documentElement.scrollWidth") <= TABLET_PORTRAIT["width"]
    page.screenshot(path=str(SHOTS / "catcher-800x1280.png"), full_page=True)
    page.goto(f"{base}/van-hanh/cong-viec-nen/")
    page.screenshot(path=str(SHOTS / "ops-800x1280.png"), full_page=True)
    context.close()
