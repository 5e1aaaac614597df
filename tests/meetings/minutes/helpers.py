"""A meeting that really happened, for the minutes tests (no tests here).

Built through the same services the live meeting uses where they exist (polls, ballots,
closing), and with the ORM for what the chair's console would have recorded (speakers done,
conclusions), so the minutes are drafted from real data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from accounts.models import Body, User
from meetings.live.services import meeting_end
from meetings.models import (
    AgendaItem,
    AttendanceMode,
    ItemConclusion,
    Meeting,
    MeetingStatus,
    Participant,
    ParticipantRole,
    Poll,
    PollKind,
    Rsvp,
    SpeakerKind,
    SpeakerRequest,
    SpeakerStatus,
)
from meetings.voting import ballots
from meetings.voting.quorum import VOTING_ROLES
from tests.factories import make_user


@dataclass
class Held:
    meeting: Meeting
    items: list[AgendaItem]
    named_poll: Poll | None
    secret_poll: Poll | None
    chair: User
    secretary: User
    clerk: User
    members: list[User]
    substitute: User


def _join(
    meeting: Meeting, user: User, role: str, *, mode: str = "in_person", **extra
) -> Participant:
    checked_in = mode != ""
    return Participant.objects.create(
        meeting=meeting,
        user=user,
        role=role,
        rsvp=extra.pop("rsvp", Rsvp.ATTENDING),
        checked_in_at=timezone.now() - timedelta(minutes=55) if checked_in else None,
        attendance_mode=mode,
        **extra,
    )


def hold_meeting(
    *,
    body: Body,
    clerk: User,
    chair: User,
    secretary: User | None = None,
    total_members: int = 6,
    with_polls: bool = True,
) -> Held:
    """A meeting of *body*: chair + five members (two in person, one online, one absent with a
    reason, one represented by a substitute), two items with speakers, a named and a secret
    poll, conclusions; then the chair closes it."""
    Body.objects.filter(pk=body.pk).update(total_members=total_members)
    body.refresh_from_db()
    secretary = secretary or make_user(
        full_name="Đinh Thị Thư Ký", position="Chuyên viên Văn phòng", body=body, role="secretary"
    )
    now = timezone.now()
    meeting = Meeting.objects.create(
        body=body,
        title="Phiên họp thường kỳ tháng 12 năm 2026",
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=2),
        place="Phòng họp số 1, trụ sở Ủy ban nhân dân tỉnh",
        status=MeetingStatus.IN_PROGRESS,
        created_by=clerk,
    )
    names = ["Trần Văn An", "Phạm Thị Bình", "Hoàng Văn Cường", "Lý Thị Dung", "Võ Văn Em"]
    members = [make_user(full_name=n, position="Ủy viên", body=body) for n in names]
    _join(meeting, chair, ParticipantRole.CHAIR)
    _join(meeting, secretary, ParticipantRole.SECRETARY)
    speakers = [_join(meeting, members[0], ParticipantRole.VOTING)]
    speakers.append(_join(meeting, members[1], ParticipantRole.VOTING))
    _join(meeting, members[2], ParticipantRole.VOTING, mode=AttendanceMode.REMOTE)
    _join(
        meeting,
        members[3],
        ParticipantRole.VOTING,
        mode="",
        rsvp=Rsvp.ABSENT,
        absence_reason="Đi công tác tại Hà Nội",
    )
    invitee = _join(meeting, members[4], ParticipantRole.VOTING, mode="", rsvp=Rsvp.SUBSTITUTE)
    substitute = make_user(full_name="Ngô Thị Giang", position="Phó Giám đốc Sở", body=None)
    _join(meeting, substitute, ParticipantRole.VOTING, substitute_for=invitee)
    items = [
        AgendaItem.objects.create(
            meeting=meeting,
            position=n,
            title=title,
            presenter_name=presenter,
        )
        for n, (title, presenter) in enumerate(
            [
                ("Tờ trình về Kế hoạch chuyển đổi số năm 2027", "Giám đốc Sở Thông tin"),
                ("Báo cáo tình hình kinh tế - xã hội tháng 11", "Chánh Văn phòng"),
            ]
        )
    ]
    for order, (participant, kind) in enumerate(
        [(speakers[1], SpeakerKind.SPEECH), (speakers[0], SpeakerKind.QUESTION)], start=1
    ):
        SpeakerRequest.objects.create(
            participant=participant,
            item=items[0],
            kind=kind,
            status=SpeakerStatus.DONE,
            order=order,
            requested_at=now - timedelta(minutes=40),
            started_at=now - timedelta(minutes=40 - order * 5),
            ended_at=now - timedelta(minutes=38 - order * 5),
        )
    named = secret = None
    if with_polls:
        named = _vote(items[0], chair, clerk, secret=False, title="Thông qua Kế hoạch")
        secret = _vote(items[1], chair, clerk, secret=True, title="Thông qua Báo cáo")
    for item, text in zip(
        items,
        [
            "Thống nhất thông qua Kế hoạch chuyển đổi số năm 2027.\nGiao Sở Thông tin và "
            "Truyền thông hoàn thiện hồ sơ trước ngày 15/12/2026.",
            "Ghi nhận báo cáo; yêu cầu các sở đẩy nhanh giải ngân vốn đầu tư công.",
        ],
        strict=True,
    ):
        ItemConclusion.objects.create(item=item, text=text, recorded_by=chair, recorded_at=now)
    meeting_end(actor=chair, meeting=meeting)
    meeting.refresh_from_db()
    return Held(meeting, items, named, secret, chair, secretary, clerk, members, substitute)


def _vote(item: AgendaItem, chair: User, clerk: User, *, secret: bool, title: str) -> Poll:
    poll = ballots.poll_create(
        actor=clerk, item=item, title=title, kind=PollKind.YES_NO_ABSTAIN, secret=secret
    )
    poll = ballots.poll_open(actor=chair, poll=poll, override_reason="Thử nghiệm")
    options = {o.key: o.pk for o in poll.options.all()}
    voters = Participant.objects.filter(
        meeting=item.meeting, checked_in_at__isnull=False, role__in=VOTING_ROLES
    ).exclude(rsvp=Rsvp.SUBSTITUTE)
    for n, participant in enumerate(voters.order_by("id")):
        choice = "no" if n == 1 else "yes"
        ballots.ballot_cast(actor=participant.user, poll=poll, option_ids=[options[choice]])
    return ballots.poll_close(actor=chair, poll=poll)


def blank_pdf(pages: int = 1) -> bytes:
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def attach_document(held: Held, *, title: str, pages: int = 3):
    """A document on the first agenda item (the clerk registers it, as in preparation)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from documents.services import document_create
    from meetings.models import AgendaDocument

    document = document_create(
        actor=held.clerk,
        owning_body=held.meeting.body,
        doc_type="to_trinh",
        abstract=title,
        upload=SimpleUploadedFile("tai-lieu.pdf", blank_pdf(pages), "application/pdf"),
    )
    AgendaDocument.objects.create(item=held.items[0], document=document)
    return document
