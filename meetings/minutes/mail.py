"""Mail of the minutes: the signed minutes go to the meeting's participants through the outbox,
only to those who may read them (the meeting page's rule and the document's clearance).

The signing notices of the minutes (sent for signature, each step's turn) are the signing
workflow's own (signing/requests/notices.py: only to those who may open the document); here
the minutes refuse to start a request whose signers could not open what they sign.
"""

from __future__ import annotations

from django.core.mail import EmailMessage
from django.utils.translation import gettext

from accounts.models import User
from background.models import OutboxMail
from background.outbox import Recipient, mail_queue
from background.smtp import attachment_part
from documents.models import Document
from documents.selectors import document_latest_version
from documents.storage import blob_open
from meetings.access import cleared_for, participants_who_may_read, refuse
from meetings.models import Meeting, MinutesDraft, Rsvp
from meetings.preparation.invitations import time_phrase


def minutes_signers_check(meeting: Meeting, signers: list[User]) -> None:
    """Every signer must be cleared for the meeting: otherwise no notice reaches them and the
    request would wait for someone who may not open it."""
    uncleared = [user.full_name for user in signers if not cleared_for(user, meeting)]
    if uncleared:
        refuse(
            gettext(
                "%(names)s chưa được phép đọc tài liệu có độ mật của cuộc họp nên không ký được; "
                "hãy chọn người ký khác."
            )
            % {"names": ", ".join(uncleared)}
        )


def may_receive_minutes(user: User, document: Document) -> bool:
    """The pack's rule for the minutes (meetings/minutes/pack.py): a participant within their
    clearance."""
    return bool(user.is_superuser or document.confidentiality <= user.clearance)


def minutes_recipients(meeting: Meeting, document: Document) -> list[User]:
    readers = participants_who_may_read(meeting).exclude(rsvp=Rsvp.SUBSTITUTE)
    users = [p.user for p in readers.select_related("user").order_by("pk")]
    return [u for u in users if u.email and may_receive_minutes(u, document)]


def minutes_issued_mail(*, draft: MinutesDraft) -> int:
    """Queue the signed minutes (PDF attached) for each participant who may read them, once
    per draft and person; returns the number queued."""
    meeting = Meeting.objects.select_related("body").get(pk=draft.meeting_id)
    document = draft.document
    if document is None:
        return 0
    queued = mail_queue(
        topic=f"meeting:{meeting.pk}",
        purpose="minutes",
        subject=f"[Biên bản] {meeting.title}",
        builder="meetings.minutes.mail.minutes_message",
        recipients=[
            Recipient(
                user=user,
                address=user.email,
                payload={"document": document.pk},
                key=f"minutes:{draft.pk}:{user.pk}",
            )
            for user in minutes_recipients(meeting, document)
        ],
    )
    return len(queued)


def minutes_message(mail: OutboxMail) -> EmailMessage:
    """Built when the worker sends it: the signed PDF as it is then."""
    meeting = Meeting.objects.select_related("body").get(pk=int(mail.topic.split(":")[1]))
    document = Document.objects.get(pk=mail.payload["document"])
    body = (
        f"{meeting.body.name} gửi biên bản cuộc họp đã ký: {meeting.title}\n"
        f"Thời gian họp: {time_phrase(meeting.starts_at)}\n"
        f"Số, ký hiệu: {document.number_symbol}\n\n"
        "Biên bản kèm theo thư này; đồng chí cũng xem được trên KyHop.\n"
    )
    message = EmailMessage(subject=mail.subject, body=body, to=[mail.address])
    version = document_latest_version(document)
    if version is not None:
        with blob_open(version.blob.storage_name) as handle:
            message.attach(attachment_part("bien-ban.pdf", handle.read(), "application/pdf"))
    return message
