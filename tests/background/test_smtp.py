"""Attachments encoded once for every recipient, and the bytes on the wire unchanged by it."""

from __future__ import annotations

import email.policy
import os
import re
from email import message_from_bytes

import pytest
from django.core.mail import EmailMessage

from background.outbox import mail_send_one
from background.smtp import attachment_part, encoded, wire_bytes

HEADERS = {"Message-ID": "<giay-moi@kyhop.test>", "Date": "Fri, 04 Dec 2026 18:00:00 +0000"}
BOUNDARY = re.compile(rb"=+\d+==")


def _invitation(pdfs: list[tuple[str, bytes]], *, encoded_once: bool) -> EmailMessage:
    message = EmailMessage(
        subject="Giấy mời họp: Hội nghị tổng kết năm 2026",
        body="Kính gửi đồng chí Nguyễn Văn Hùng,\nTrân trọng kính mời đồng chí dự họp.\n",
        from_email="KyHop <kyhop@kyhop.test>",
        to=["hung@kyhop.test"],
        headers=HEADERS,
    )
    for name, content in pdfs:
        if encoded_once:
            message.attach(attachment_part(name, content, "application/pdf"))
        else:
            message.attach(name, content, "application/pdf")
    message.attach("cuoc-hop.ics", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")
    return message


def _smtp_bytes(message: EmailMessage, *, ours: bool) -> bytes:
    mime = message.message(policy=email.policy.SMTP)
    data = wire_bytes(mime) if ours else mime.as_bytes()
    return BOUNDARY.sub(b"BOUNDARY", data)  # the one random part of a message


@pytest.mark.parametrize("sizes", [(130_000, 70_001), (1, 56), (57,), ()])
def test_the_bytes_are_those_djangos_attach_and_as_bytes_give(sizes):
    pdfs = [(f"tài-liệu-{n}.pdf", os.urandom(size)) for n, size in enumerate(sizes)]
    standard = _smtp_bytes(_invitation(pdfs, encoded_once=False), ours=False)
    ours = _smtp_bytes(_invitation(pdfs, encoded_once=True), ours=True)
    assert ours == standard
    # And a reader gets the PDFs back, names with diacritics included.
    parsed = message_from_bytes(ours, policy=email.policy.default)
    got = [(p.get_filename(), p.get_content()) for p in parsed.iter_attachments()]
    assert got[: len(pdfs)] == pdfs


def test_the_same_bytes_are_encoded_once_for_every_recipient():
    content = os.urandom(20_000)
    encoded.cache_clear()
    parts = [attachment_part("giay-moi.pdf", content, "application/pdf") for _ in range(5)]
    assert encoded.cache_info().misses == 1 and encoded.cache_info().currsize == 1
    # Each mail has a part of its own: what is done to one reaches neither the next nor the
    # part the following mails are copied from.
    parts[0].replace_header("Content-Disposition", "inline")
    again = attachment_part("giay-moi.pdf", content, "application/pdf")
    assert parts[1].get_content_disposition() == again.get_content_disposition() == "attachment"
    assert again.get_content() == content


def test_dot_stuffing_skips_only_the_ready_parts():
    message = _invitation([("gm.pdf", os.urandom(9_000))], encoded_once=True)
    message.body = ".\n..hai chấm\n.một chấm\nKết thúc.\n"
    mime = message.message(policy=email.policy.SMTP)
    stuffed = wire_bytes(mime, dot_stuffed=True)
    # What smtplib's DATA would send for the whole message (RFC 5321 4.5.2).
    assert stuffed == re.sub(rb"(?m)^\.", b"..", wire_bytes(mime))
    assert b"\r\n...hai ch" in stuffed


def test_the_message_keeps_its_parts_for_other_backends():
    pdf = os.urandom(3_000)
    mime = _invitation([("giay-moi.pdf", pdf)], encoded_once=True).message(policy=email.policy.SMTP)
    wire_bytes(mime)
    attached = next(mime.iter_attachments())
    assert attached.get_content() == pdf  # the payload is back in place after writing


def test_mails_go_over_one_kept_connection_byte_for_byte(settings, smtp_server):
    settings.MAILERS = {
        "default": {
            "BACKEND": "background.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": smtp_server.port, "timeout": 5},
        }
    }
    pdf = os.urandom(50_000)

    class Row:  # what mail_send_one reads of an outbox row
        def __init__(self, address: str) -> None:
            self.address = address

    for n in range(3):
        mail_send_one(
            Row(f"cb{n}@kyhop.test"), lambda _row: _invitation([("gm.pdf", pdf)], encoded_once=True)
        )
    assert [rcpt for rcpt, _data in smtp_server.received] == [
        [f"cb{n}@kyhop.test"] for n in range(3)
    ]
    assert smtp_server.connections == 1
    parsed = message_from_bytes(smtp_server.received[2][1], policy=email.policy.default)
    assert parsed["To"] == "cb2@kyhop.test"
    assert next(parsed.iter_attachments()).get_content() == pdf


def test_lines_beginning_with_a_dot_arrive_unchanged(settings, smtp_server):
    settings.MAILERS = {
        "default": {
            "BACKEND": "background.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": smtp_server.port, "timeout": 5},
        }
    }
    body = ".\n..hai chấm\n.một chấm\n.\n"
    message = _invitation([("gm.pdf", os.urandom(5_000))], encoded_once=True)
    message.body = body
    sent = message.message(policy=email.policy.SMTP).as_bytes()

    class Row:
        address = "hung@kyhop.test"

    mail_send_one(Row(), lambda _row: message)
    received = smtp_server.received[-1][1]
    assert BOUNDARY.sub(b"", received) == BOUNDARY.sub(b"", sent)
    parsed = message_from_bytes(received, policy=email.policy.default)
    assert parsed.get_body(("plain",)).get_content().replace("\r\n", "\n") == body
