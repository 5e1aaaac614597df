"""Invitations (giấy mời) and agendas (chương trình) as Decree 30 PDFs, e-mailed with .ics.

Sending renders both PDFs, registers them as issued documents of the host body, numbers the
invitation, and e-mails every participant the PDFs and a calendar entry. A later change of time
or place issues a new version of both PDFs (same number, dated the day of the change and saying
which invitation it replaces) and sends an update (same UID, higher SEQUENCE) carrying them;
cancelling sends a cancellation.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext
from icalendar import Calendar, Event, vCalAddress, vText

from accounts.models import Body, Membership, Role, User
from audit.services import audit_record
from background.models import OutboxMail
from background.outbox import Recipient, mail_queue, mail_queue_plain
from background.smtp import attachment_part
from documents.models import Document, DocumentStatus, DocumentType
from documents.selectors import latest_storage_names
from documents.services import document_create, document_version_store_signed
from documents.storage import blob_open
from meetings.access import meeting_manageable_by, participants_who_may_read
from meetings.models import Meeting, MeetingStatus, Participant, Rsvp
from meetings.preparation.agenda import agenda_rows

if TYPE_CHECKING:
    from documents.rendering import Signer

WEEKDAYS = ["thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật"]
# "Ủy ban nhân dân tỉnh Bắc Ninh" → "ỦY BAN NHÂN DÂN" for "TM. ỦY BAN NHÂN DÂN".
_PLACE_SUFFIX = re.compile(r"\s+(tỉnh|thành phố|huyện|thị xã|xã|phường|thị trấn)\s.*$")


def collective_name(body: Body) -> str:
    return _PLACE_SUFFIX.sub("", body.name).upper()


def time_phrase(moment: dt.datetime) -> str:
    """'08 giờ 00 phút, thứ Năm, ngày 03/12/2026' in Vietnam time."""
    local = timezone.localtime(moment)
    return f"{local:%H} giờ {local:%M} phút, {WEEKDAYS[local.weekday()]}, ngày {local:%d/%m/%Y}"


def _chair(meeting: Meeting) -> User | None:
    chair = Participant.objects.filter(meeting=meeting, role="chair").select_related("user")
    if chair.exists() and (found := chair.first()) is not None:
        return found.user
    membership = (
        Membership.objects.filter(body=meeting.body, role=Role.CHAIR).select_related("user").first()
    )
    return membership.user if membership else None


def _signer(meeting: Meeting, field_id: str) -> Signer:
    chair = _chair(meeting)
    if chair is None:
        raise ValidationError(
            gettext(
                "Cơ quan chưa có Chủ tịch/chủ trì để ký giấy mời. Hãy chỉ định người chủ trì "
                "cuộc họp."
            )
        )
    # The renderer (WeasyPrint, a second to import) only where a PDF is made: the task worker
    # imports this module for every invitation mail, which needs none.
    from documents.rendering import Signer

    return Signer(
        authority=(f"TM. {collective_name(meeting.body)}",),
        position=_short_position(chair),
        full_name=chair.full_name,
        field_id=field_id,
    )


def _short_position(user: User) -> str:
    """'Chủ tịch Ủy ban nhân dân tỉnh' → 'CHỦ TỊCH' (the body is already named above)."""
    position = user.position or "Chủ tịch"
    for marker in (" Ủy ban", " Hội đồng", " Sở", " Văn phòng", " Ban "):
        if marker in position:
            position = position.split(marker)[0]
    return position.upper()


def _recipients(meeting: Meeting) -> tuple[str, ...]:
    return ("Như thành phần mời;", "Lưu: VT.")


def _next_invitation_number(meeting: Meeting) -> str:
    year = timezone.localdate().year
    issued = Document.objects.filter(
        owning_body=meeting.body, doc_type=DocumentType.INVITATION, issued_on__year=year
    ).count()
    return f"{issued + 1}/GM-{meeting.body.symbol}"


class _Header(TypedDict):
    """What the invitation and the agenda share in their Decree 30 header and footer."""

    issuing_body: str
    parent_body: str
    place_name: str
    date: dt.date | None
    recipients: tuple[str, ...]


@dataclass(frozen=True)
class InvitationPdfs:
    invitation: bytes
    agenda: bytes


def invitation_pdfs(
    meeting: Meeting,
    number_symbol: str,
    issued_on: dt.date | None,
    *,
    replaces: dt.date | None = None,
) -> InvitationPdfs:
    """Both PDFs; *replaces* is the date of the invitation a changed one supersedes; without
    *issued_on* (a preview) the number and date are left blank, as on a draft."""
    from documents.rendering import AdministrativeDocument, render_pdf

    participants = meeting.participants.select_related("user").exclude(rsvp=Rsvp.SUBSTITUTE)
    context = {
        "meeting": meeting,
        "replaces": replaces,
        "number_symbol": number_symbol,
        "time": time_phrase(meeting.starts_at),
        "end_time": time_phrase(meeting.ends_at),
        "rows": agenda_rows(meeting),
        "participants": participants,
    }
    common: _Header = {
        "issuing_body": meeting.body.name.upper(),
        "parent_body": meeting.body.parent.name.upper() if meeting.body.parent else "",
        "place_name": meeting.body.place_name or "Bắc Ninh",
        "date": issued_on,
        "recipients": _recipients(meeting),
    }
    invitation = AdministrativeDocument(
        number_symbol=number_symbol,
        document_type="GIẤY MỜI",
        abstract=meeting.title,
        body_html=render_to_string("meetings/pdf/invitation_body.html", context),
        signers=(_signer(meeting, "ChuTich"),),
        **common,
    )
    agenda = AdministrativeDocument(
        number_symbol=number_symbol.replace("GM-", "CTr-"),
        document_type="CHƯƠNG TRÌNH",
        abstract=meeting.title,
        body_html=render_to_string("meetings/pdf/agenda_body.html", context),
        signers=(_signer(meeting, "ChuTich"),),
        **common,
    )
    return InvitationPdfs(invitation=render_pdf(invitation), agenda=render_pdf(agenda))


def meeting_send_invitations(*, actor: User, meeting: Meeting) -> Meeting:
    """Render, register and e-mail the invitation and agenda; the meeting becomes 'invited'."""
    if not meeting_manageable_by(actor, meeting):
        raise PermissionDenied(gettext("Bạn không có quyền gửi giấy mời cuộc họp này."))
    _check_ready(meeting)
    issued_on = timezone.localdate()
    number_symbol = _next_invitation_number(meeting)
    # Rendering takes a second or two: do it before taking any lock.
    pdfs = invitation_pdfs(meeting, number_symbol, issued_on)
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        _check_ready(meeting)
        number, symbol = number_symbol.split("/", 1)
        meeting.invitation_document = _register(
            actor,
            meeting,
            pdfs.invitation,
            number,
            symbol,
            DocumentType.INVITATION,
            issued_on,
            "giay-moi",
        )
        meeting.agenda_document = _register(
            actor,
            meeting,
            pdfs.agenda,
            number,
            symbol.replace("GM-", "CTr-"),
            DocumentType.AGENDA,
            issued_on,
            "chuong-trinh",
        )
        meeting.invitation_number = number_symbol
        meeting.status = MeetingStatus.INVITED
        meeting.invitations_sent_at = timezone.now()
        meeting.save()
        audit_record(
            actor=actor,
            verb="meeting.invitations_sent",
            target=meeting,
            details={"number": number_symbol, "participants": meeting.participants.count()},
        )
        transaction.on_commit(lambda: _enqueue_mail(meeting.pk, "request"))
    return meeting


PREVIEWS = ("giay-moi", "chuong-trinh")


def invitation_preview_pdf(*, actor: User, meeting: Meeting, which: str) -> bytes:
    """The invitation or agenda as it would be issued now, unnumbered and undated; nothing is
    registered or sent."""
    if not meeting_manageable_by(actor, meeting):
        raise PermissionDenied(gettext("Bạn không có quyền chuẩn bị cuộc họp này."))
    if which not in PREVIEWS:
        raise ValidationError(gettext("Không có bản xem trước này."))
    blank = "\u00a0" * 6  # the number is written in by hand or by the register at issue
    pdfs = invitation_pdfs(meeting, f"{blank}/GM-{meeting.body.symbol}", None)
    return pdfs.invitation if which == "giay-moi" else pdfs.agenda


def invitation_reissue_render(meeting: Meeting) -> InvitationPdfs | None:
    """The new version of an issued invitation after *meeting* (unsaved) changed; None if the
    invitations have not been issued. Rendering takes a second or two: call it outside any
    transaction, then store the result with ``invitations_reissue_store``."""
    if meeting.invitation_document_id is None or not meeting.invitation_number:
        return None
    first = meeting.invitation_document.issued_on if meeting.invitation_document else None
    return invitation_pdfs(meeting, meeting.invitation_number, timezone.localdate(), replaces=first)


def invitations_reissue_store(*, actor: User, meeting: Meeting, pdfs: InvitationPdfs) -> None:
    """Store the re-rendered PDFs as the next version of the invitation and of the agenda.

    Runs inside the caller's transaction (``meeting_update``), which has checked that *actor*
    organises the meeting: the versions go in with the meeting's change or not at all.
    """
    note = gettext("Phát hành lại sau khi thay đổi thời gian, địa điểm (lần cập nhật %(n)d)") % {
        "n": meeting.revision
    }
    for document_id, pdf in (
        (meeting.invitation_document_id, pdfs.invitation),
        (meeting.agenda_document_id, pdfs.agenda),
    ):
        if document_id is None:
            continue
        document = Document.objects.select_for_update().get(pk=document_id)
        document_version_store_signed(actor=actor, document=document, data=pdf, note=note)
    audit_record(
        actor=actor,
        verb="meeting.invitations_reissued",
        target=meeting,
        details={"number": meeting.invitation_number, "revision": meeting.revision},
    )


def meeting_reminder_text(meeting: Meeting, *, ask: bool) -> str:
    """The text of a reminder mail (the schedule's and the clerk's); *ask*: the invitee has
    not answered yet. Mail to officials stays Vietnamese, like the invitation it refers to."""
    text = (
        f"{meeting.body.name} nhắc lịch họp: {meeting.title}\n"
        f"Giấy mời số: {meeting.invitation_number}\n"
        f"Thời gian: {time_phrase(meeting.starts_at)}\n"
        f"Địa điểm: {meeting.place}\n"
    )
    if ask:
        text += "\nĐồng chí chưa xác nhận tham dự, vui lòng trả lời trên KyHop.\n"
    return text


@dataclass(frozen=True)
class Reminded:
    queued: int  # mails queued now
    pending: int  # invitees who may read the meeting and have not answered


def invitees_remind(*, actor: User, meeting: Meeting) -> Reminded:
    """The organiser's "nhắc người chưa trả lời": one mail to each invitee who may read the
    meeting and has not answered; at most once a day per person, so a second tap sends nothing."""
    if not meeting_manageable_by(actor, meeting):
        raise PermissionDenied(gettext("Bạn không có quyền chuẩn bị cuộc họp này."))
    if meeting.status != MeetingStatus.INVITED:
        raise ValidationError(
            gettext("Chỉ nhắc trả lời được khi giấy mời đã phát hành và cuộc họp chưa bắt đầu.")
        )
    pending = [
        p.user
        for p in participants_who_may_read(meeting).filter(rsvp=Rsvp.PENDING).select_related("user")
    ]
    with transaction.atomic():
        queued = mail_queue_plain(
            topic=f"meeting:{meeting.pk}",
            purpose="reply-reminder",
            subject=f"[Nhắc trả lời giấy mời] {meeting.title}",
            body=meeting_reminder_text(meeting, ask=True),
            users=pending,
            key=f"meeting:{meeting.pk}:reply-reminder:{timezone.localdate().isoformat()}",
        )
        audit_record(
            actor=actor,
            verb="meeting.invitees_reminded",
            target=meeting,
            details={"queued": len(queued), "pending": len(pending)},
        )
    return Reminded(queued=len(queued), pending=len(pending))


def _check_ready(meeting: Meeting) -> None:
    if meeting.status != MeetingStatus.DRAFT:
        raise ValidationError(gettext("Giấy mời của cuộc họp này đã được gửi."))
    if not meeting.participants.exists():
        raise ValidationError(gettext("Hãy mời ít nhất một người trước khi gửi giấy mời."))
    if not meeting.agenda_items.exists():
        raise ValidationError(gettext("Hãy lập chương trình họp trước khi gửi giấy mời."))


def _register(
    actor: User,
    meeting: Meeting,
    pdf: bytes,
    number: str,
    symbol: str,
    doc_type: str,
    issued_on: dt.date,
    slug: str,
) -> Document:
    chair = _chair(meeting)
    return document_create(
        actor=actor,
        owning_body=meeting.body,
        doc_type=doc_type,
        abstract=meeting.title,
        upload=ContentFile(pdf, name=f"{slug}-{meeting.pk}.pdf"),
        number=number,
        symbol=symbol,
        issued_on=issued_on,
        signer_name=chair.full_name if chair else "",
        confidentiality=meeting.confidentiality,
        status=DocumentStatus.ISSUED,
    )


def _enqueue_mail(meeting_id: int, method: str) -> None:
    send_meeting_mail.enqueue(meeting_id=meeting_id, method=method)


def invitations_send_update(*, meeting_id: int) -> None:
    _enqueue_mail(meeting_id, "request")


def invitations_send_cancellation(*, meeting_id: int) -> None:
    _enqueue_mail(meeting_id, "cancel")


# --- E-mail and calendar ----------------------------------------------------------------------


def meeting_ics(meeting: Meeting, method: str, attendees: list[User]) -> bytes:
    """An iCalendar entry; updates and cancellations keep the UID and raise SEQUENCE."""
    calendar = Calendar()
    calendar.add("prodid", "-//KyHop//Hop khong giay//VI")
    calendar.add("version", "2.0")
    calendar.add("method", method.upper())
    event = Event()
    event.add("uid", f"meeting-{meeting.pk}@kyhop")
    event.add("sequence", meeting.revision)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", timezone.localtime(meeting.starts_at))
    event.add("dtend", timezone.localtime(meeting.ends_at))
    event.add("summary", meeting.title)
    event.add("location", meeting.place)
    description = f"{meeting.body.name}\nGiấy mời số {meeting.invitation_number}"
    if meeting.video_url:
        description += f"\nHọp trực tuyến: {meeting.video_url}"
        event.add("url", meeting.video_url)
    event.add("description", description)
    event.add("status", "CANCELLED" if method == "cancel" else "CONFIRMED")
    organizer = vCalAddress(f"mailto:{settings.DEFAULT_FROM_EMAIL.split('<')[-1].strip('>')}")
    organizer.params["cn"] = vText(meeting.body.name)
    event["organizer"] = organizer
    for user in attendees:
        if user.email:
            attendee = vCalAddress(f"mailto:{user.email}")
            attendee.params["cn"] = vText(user.full_name)
            attendee.params["role"] = vText("REQ-PARTICIPANT")
            event.add("attendee", attendee, encode=False)
    calendar.add_component(event)
    return calendar.to_ical()


def _mail_subject(meeting: Meeting, method: str) -> str:
    if method == "cancel":
        return f"[Hủy họp] {meeting.title}"
    if meeting.revision:
        return f"[Thay đổi lịch họp] {meeting.title}"
    return f"[Giấy mời] {meeting.title}"


def _mail_users(meeting: Meeting) -> list[User]:
    """Invitees who may open the meeting (clearance included), substitutes' principals aside."""
    readers = participants_who_may_read(meeting).exclude(rsvp=Rsvp.SUBSTITUTE)
    return [p.user for p in readers.select_related("user").order_by("pk") if p.user.email]


def meeting_mail_send(*, meeting_id: int, method: str) -> int:
    """Queue the mail for every invitee who may read it; returns the number queued.

    Each message goes out in a task of its own (background/outbox.py): an SMTP outage delays
    the mail without losing it, and this runs in the worker, not in the clerk's request.
    """
    meeting = Meeting.objects.select_related("body").get(pk=meeting_id)
    users = _mail_users(meeting)
    purpose = "cancel" if method == "cancel" else ("update" if meeting.revision else "invitation")
    queued = mail_queue(
        topic=f"meeting:{meeting.pk}",
        purpose=purpose,
        subject=_mail_subject(meeting, method),
        builder="meetings.preparation.invitations.invitation_message",
        recipients=[
            Recipient(user=user, address=user.email, payload={"method": method}) for user in users
        ],
    )
    return len(queued)


def invitation_message(mail: OutboxMail) -> EmailMessage:
    """Built when the worker sends it: the PDFs and the .ics as they are then."""
    meeting = Meeting.objects.select_related("body", "invitation_document", "agenda_document").get(
        pk=int(mail.topic.split(":")[1])
    )
    method = mail.payload["method"]
    body = render_to_string(
        "meetings/email/invitation.txt",
        {"meeting": meeting, "method": method, "time": time_phrase(meeting.starts_at)},
    )
    message = EmailMessage(subject=mail.subject, body=body, to=[mail.address])
    if method != "cancel":
        # The same PDF bytes for every invitee: encoded once (background/smtp.py).
        for name, content in _pdf_attachments(meeting):
            message.attach(attachment_part(name, content, "application/pdf"))
    # Each invitee's calendar entry names that invitee only: the list of everyone invited
    # (their addresses) is not each recipient's business, and building it for every one of
    # N mails made a large invitation cost N² work.
    ics = meeting_ics(meeting, method, [mail.user] if mail.user else [])
    message.attach("cuoc-hop.ics", ics, f"text/calendar; method={method.upper()}")
    return message


@task
def send_meeting_mail(meeting_id: int, method: str) -> int:
    """The background job (django.tasks): invitation, update or cancellation mail with .ics."""
    return meeting_mail_send(meeting_id=meeting_id, method=method)


def _pdf_attachments(meeting: Meeting) -> list[tuple[str, bytes]]:
    named = [
        (name, document_id)
        for name, document_id in (
            ("giay-moi.pdf", meeting.invitation_document_id),
            ("chuong-trinh.pdf", meeting.agenda_document_id),
        )
        if document_id is not None
    ]
    stored = latest_storage_names([document_id for _name, document_id in named])
    return [
        (name, _stored_bytes(stored[document_id]))
        for name, document_id in named
        if document_id in stored
    ]


@functools.lru_cache(maxsize=8)
def _stored_bytes(storage_name: str) -> bytes:
    """A stored file's bytes, kept for the next mails of the same invitation: stored files are
    immutable (named by their hash), so the worker reads each PDF once, not once per invitee."""
    with blob_open(storage_name) as handle:
        return handle.read()
