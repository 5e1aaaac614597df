"""Staff pages: the mail catcher lists and opens .eml files; operations shows and retries."""

from __future__ import annotations

import pytest
from django.core.mail import EmailMessage
from django.urls import reverse

from background.mailfiles import EmlFileBackend, caught_mail_names
from background.models import MailStatus, OutboxMail
from background.outbox import mail_deliver
from tests.factories import make_user


@pytest.fixture
def staff(db):
    return make_user(username="quantri", is_staff=True)


def test_the_catcher_keeps_each_mail_as_an_eml_file_that_staff_can_open(
    staff, client, settings, tmp_path
):
    settings.KYHOP_MAIL_DIR = tmp_path
    message = EmailMessage(subject="[Giấy mời] Họp giao ban", body="Kính mời", to=["a@example.vn"])
    message.attach("giay-moi.pdf", b"%PDF-1.7 thu", "application/pdf")
    assert EmlFileBackend().send_messages([message]) == 1
    [name] = caught_mail_names()
    assert name.endswith(".eml")
    client.force_login(staff)
    listing = client.get(reverse("background:mailbox")).content.decode()
    assert name in listing
    page = client.get(reverse("background:mailbox_message", args=[name])).content.decode()
    assert "[Giấy mời] Họp giao ban" in page and "Kính mời" in page and "giay-moi.pdf" in page
    outside = reverse("background:mailbox_message", args=["secret_key"])
    assert client.get(outside).status_code == 404


def test_the_staff_pages_are_refused_to_others(db, client):
    client.force_login(make_user(username="thuong"))
    for url in (reverse("background:mailbox"), reverse("background:operations")):
        assert client.get(url).status_code == 302  # to the login page, as the admin does


def test_operations_lists_the_schedule_and_retries_a_failed_mail(
    staff, client, django_capture_on_commit_callbacks
):
    mail = OutboxMail.objects.create(
        topic="meeting:1",
        purpose="invitation",
        address="b@example.vn",
        subject="[Giấy mời] Họp",
        builder="background.outbox.plain_message",
        payload={"body": "x"},
        status=MailStatus.FAILED,
        attempts=5,
        last_error="SMTPDataError: 451",
    )
    client.force_login(staff)
    page = client.get(reverse("background:operations")).content.decode()
    assert "consultations_close_due" in page and "SMTPDataError: 451" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("background:mail_retry", args=[mail.pk]))
    mail.refresh_from_db()
    assert mail.status == MailStatus.SENT and mail.attempts == 1  # the inline test backend


def test_the_staff_pages_speak_english_to_an_english_browser(
    staff, client, settings, tmp_path, database_tasks
):
    settings.KYHOP_MAIL_DIR = tmp_path
    mail_deliver.enqueue(mail_id=0)  # a queued task for the table
    client.force_login(staff)
    english = {"HTTP_ACCEPT_LANGUAGE": "en"}
    page = client.get(reverse("background:operations"), **english).content.decode()
    for text in ("Schedule", "Next run", "Last result", "Waiting, running, failed", "Waiting"):
        assert text in page, text
    for text in ("Lịch chạy", "Đang chờ", "Thư gửi không được"):
        assert text not in page, text
    catcher = client.get(reverse("background:mailbox"), **english).content.decode()
    assert "No mail yet." in catcher and "Chưa có thư nào." not in catcher
