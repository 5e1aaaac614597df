"""A clerk prepares a meeting: agenda tree, participants, invitations; invitees reply."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from icalendar import Calendar

from accounts.services import membership_set
from documents.models import DocumentType
from documents.selectors import document_latest_version
from documents.services import document_create
from documents.storage import blob_open
from meetings.access import meeting_visible_to
from meetings.models import MeetingStatus, Participant, ParticipantRole, Rsvp
from meetings.preparation import services
from meetings.preparation.agenda import agenda_rows
from meetings.preparation.invitations import meeting_send_invitations, time_phrase
from meetings.preparation.selectors import my_meetings
from tests.documents.helpers import pdf_bytes
from tests.factories import make_user


def _ready(host, meeting):
    item = services.agenda_item_add(
        actor=host.clerk,
        meeting=meeting,
        title="Báo cáo tình hình kinh tế - xã hội",
        presenter=host.members[0],
        planned_minutes=30,
    )
    services.participants_invite_body(actor=host.clerk, meeting=meeting, body=host.body)
    return item


def test_only_the_host_bodys_organisers_create_meetings(host, meeting):
    assert meeting.status == MeetingStatus.DRAFT and meeting.created_by == host.clerk
    with pytest.raises(PermissionDenied):
        services.meeting_create(
            actor=host.outsider,
            body=host.body,
            title="x",
            starts_at=meeting.starts_at,
            ends_at=meeting.ends_at,
            place="y",
        )
    with pytest.raises(PermissionDenied):
        services.agenda_item_add(actor=host.members[0], meeting=meeting, title="x")


def test_end_before_start_is_refused(host, meeting):
    with pytest.raises(ValidationError, match="kết thúc phải sau"):
        services.meeting_update(
            actor=host.clerk, meeting=meeting, ends_at=meeting.starts_at - dt.timedelta(hours=1)
        )


def test_agenda_is_a_numbered_tree_of_three_levels(host, meeting):
    one = services.agenda_item_add(actor=host.clerk, meeting=meeting, title="Mục một")
    two = services.agenda_item_add(actor=host.clerk, meeting=meeting, title="Mục hai")
    two_one = services.agenda_item_add(
        actor=host.clerk, meeting=meeting, title="Hai chấm một", parent=two
    )
    services.agenda_item_add(
        actor=host.clerk, meeting=meeting, title="Hai chấm một chấm một", parent=two_one
    )
    with pytest.raises(ValidationError, match="tối đa 3 cấp"):
        services.agenda_item_add(
            actor=host.clerk, meeting=meeting, title="Cấp bốn", parent=two_one.children.get()
        )
    numbers = [(r["number"], r["item"].title) for r in agenda_rows(meeting)]
    assert numbers == [
        ("1", "Mục một"),
        ("2", "Mục hai"),
        ("2.1", "Hai chấm một"),
        ("2.1.1", "Hai chấm một chấm một"),
    ]
    services.agenda_item_move(actor=host.clerk, item=two, direction="up")
    assert [r["number"] + " " + r["item"].title for r in agenda_rows(meeting)][:2] == [
        "1 Mục hai",
        "1.1 Hai chấm một",
    ]
    services.agenda_reorder(
        actor=host.clerk, meeting=meeting, parent=None, ordered_ids=[one.pk, two.pk]
    )
    assert agenda_rows(meeting)[0]["item"] == one
    with pytest.raises(ValidationError, match="không khớp"):
        services.agenda_reorder(
            actor=host.clerk, meeting=meeting, parent=None, ordered_ids=[one.pk]
        )


def test_inviting_the_host_body_follows_memberships(host, meeting):
    added = services.participants_invite_body(actor=host.clerk, meeting=meeting, body=host.body)
    roles = {p.user.username: p.role for p in added}
    assert roles["chutich"] == ParticipantRole.CHAIR
    assert roles["tv0"] == ParticipantRole.VOTING
    assert roles["vanthu"] == ParticipantRole.OBSERVER
    again = services.participants_invite_body(actor=host.clerk, meeting=meeting, body=host.body)
    assert again == []
    with pytest.raises(ValidationError, match="đã có trong danh sách"):
        services.participant_invite(actor=host.clerk, meeting=meeting, user=host.chair)
    guests = services.participants_invite_body(
        actor=host.clerk, meeting=meeting, body=host.other_body
    )
    assert [p.role for p in guests] == [ParticipantRole.GUEST]


def test_sending_invitations_issues_numbered_pdfs_and_mails_each_participant(
    host, meeting, django_capture_on_commit_callbacks
):
    _ready(host, meeting)
    with django_capture_on_commit_callbacks(execute=True):
        meeting = meeting_send_invitations(actor=host.clerk, meeting=meeting)
    assert meeting.status == MeetingStatus.INVITED
    assert meeting.invitation_number == "1/GM-UBND"
    assert meeting.invitation_document.doc_type == DocumentType.INVITATION
    assert meeting.agenda_document.doc_type == DocumentType.AGENDA  # CTr, not "Kế hoạch"
    assert meeting.invitation_document.status == "issued"
    assert len(mail.outbox) == 5
    message = mail.outbox[0]
    assert message.subject == "[Giấy mời] Phiên họp thường kỳ tháng 12 năm 2026"
    names = [part.get_filename() for part in message.message().iter_attachments()]
    assert names == ["giay-moi.pdf", "chuong-trinh.pdf", "cuoc-hop.ics"]
    calendar = Calendar.from_ical(_attachment(message, "cuoc-hop.ics"))
    event = calendar.walk("VEVENT")[0]
    assert calendar["METHOD"] == "REQUEST" and event["SEQUENCE"] == 0
    assert str(event["LOCATION"]) == "Phòng họp số 1, trụ sở UBND tỉnh"
    text = _pdf_text(_attachment(message, "giay-moi.pdf"))
    for fragment in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "GIẤY MỜI",
        "Số: 1/GM-UBND",
        "Phòng họp số 1",
        "08 giờ 00 phút, thứ Năm, ngày 03/12/2026",
        "Nguyễn Văn Hùng",
        "Nơi nhận",
    ):
        assert fragment in text, fragment
    agenda_text = _pdf_text(_attachment(message, "chuong-trinh.pdf"))
    assert "CHƯƠNG TRÌNH" in agenda_text and "Báo cáo tình hình kinh tế" in agenda_text
    with pytest.raises(ValidationError, match="đã được gửi"):
        meeting_send_invitations(actor=host.clerk, meeting=meeting)


def test_invitation_needs_agenda_and_participants(host, meeting):
    with pytest.raises(ValidationError, match="mời ít nhất một người"):
        meeting_send_invitations(actor=host.clerk, meeting=meeting)
    services.participant_invite(
        actor=host.clerk, meeting=meeting, user=host.chair, role=ParticipantRole.CHAIR
    )
    with pytest.raises(ValidationError, match="chương trình"):
        meeting_send_invitations(actor=host.clerk, meeting=meeting)
    assert not mail.outbox


def test_changed_time_sends_an_update_and_cancelling_a_cancellation(
    host, meeting, django_capture_on_commit_callbacks
):
    _ready(host, meeting)
    with django_capture_on_commit_callbacks(execute=True):
        meeting = meeting_send_invitations(actor=host.clerk, meeting=meeting)
    mail.outbox.clear()
    later = meeting.starts_at + dt.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_update(
            actor=host.clerk,
            meeting=meeting,
            starts_at=later,
            ends_at=later + dt.timedelta(hours=2),
        )
    assert len(mail.outbox) == 5
    assert mail.outbox[0].subject.startswith("[Thay đổi lịch họp]")
    event = Calendar.from_ical(_attachment(mail.outbox[0], "cuoc-hop.ics")).walk("VEVENT")[0]
    assert event["SEQUENCE"] == 1 and event["UID"] == f"meeting-{meeting.pk}@kyhop"
    # The invitation itself is re-issued: the mail and the meeting's documents carry the new time.
    text = _pdf_text(_attachment(mail.outbox[0], "giay-moi.pdf"))
    assert time_phrase(later) in " ".join(text.split())
    assert f"thay thế Giấy mời số {meeting.invitation_number}" in " ".join(text.split())
    invitation = document_latest_version(meeting.invitation_document)
    agenda = document_latest_version(meeting.agenda_document)
    assert invitation.number == 2 and agenda.number == 2
    with blob_open(invitation.blob.storage_name) as handle:
        assert handle.read() == _attachment(mail.outbox[0], "giay-moi.pdf")
    assert "thay thế Chương trình" in " ".join(
        _pdf_text(_attachment(mail.outbox[0], "chuong-trinh.pdf")).split()
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_update(actor=host.clerk, meeting=meeting, description="Chỉ sửa nội dung")
    assert not mail.outbox  # nothing the invitees' calendars care about
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_cancel(actor=host.clerk, meeting=meeting, reason="Lãnh đạo đi công tác")
    calendar = Calendar.from_ical(_attachment(mail.outbox[0], "cuoc-hop.ics"))
    assert calendar["METHOD"] == "CANCEL"
    assert "Lãnh đạo đi công tác" in mail.outbox[0].body


def test_rsvp_attending_absent_and_substitute(host, meeting):
    _ready(host, meeting)
    # The deputy of the department members[1] heads: a colleague outside the committee.
    membership_set(actor=None, user=host.members[1], body=host.other_body, role="chair")
    deputy = make_user(full_name="Vũ Thị Hồng Nhung", body=host.other_body)
    meeting = meeting_send_invitations(actor=host.clerk, meeting=meeting)
    invitee = Participant.objects.get(meeting=meeting, user=host.members[1])
    with pytest.raises(PermissionDenied):
        services.rsvp_reply(actor=host.members[0], participant=invitee, answer=Rsvp.ATTENDING)
    with pytest.raises(ValidationError, match="lý do"):
        services.rsvp_reply(actor=host.members[1], participant=invitee, answer=Rsvp.ABSENT)
    services.rsvp_reply(
        actor=host.members[1],
        participant=invitee,
        answer=Rsvp.SUBSTITUTE,
        reason="Đi công tác Hà Nội",
        substitute=deputy,
    )
    substitute = Participant.objects.get(meeting=meeting, user=deputy)
    assert substitute.substitute_for == invitee and substitute.role == invitee.role
    assert substitute.can_vote and not Participant.objects.get(pk=invitee.pk).can_vote
    assert meeting_visible_to(deputy, meeting)
    # Changing one's mind removes the substitute again.
    services.rsvp_reply(actor=host.members[1], participant=invitee, answer=Rsvp.ATTENDING)
    assert not Participant.objects.filter(meeting=meeting, user=deputy).exists()
    assert not meeting_visible_to(deputy, meeting)


def test_substitute_cannot_already_be_invited(host, meeting):
    _ready(host, meeting)
    meeting = meeting_send_invitations(actor=host.clerk, meeting=meeting)
    invitee = Participant.objects.get(meeting=meeting, user=host.members[1])
    with pytest.raises(ValidationError, match="đã có trong danh sách"):
        services.rsvp_reply(
            actor=host.members[1],
            participant=invitee,
            answer=Rsvp.SUBSTITUTE,
            reason="Bận",
            substitute=host.members[2],
        )


def test_draft_meetings_are_for_organisers_only(host, meeting):
    _ready(host, meeting)
    assert meeting_visible_to(host.clerk, meeting)
    assert not meeting_visible_to(host.members[0], meeting)
    meeting_send_invitations(actor=host.clerk, meeting=meeting)
    assert meeting_visible_to(host.members[0], meeting)
    assert not meeting_visible_to(host.outsider, meeting)
    upcoming = my_meetings(host.members[0], now=meeting.starts_at - dt.timedelta(days=2))
    assert upcoming["upcoming"] == [meeting]


def test_secret_meeting_refuses_uncleared_substitute_and_documents(host, meeting):
    services.meeting_update(actor=host.clerk, meeting=meeting, confidentiality=1)
    item = _ready(host, meeting)
    document = document_create(
        actor=host.chair,
        owning_body=host.body,
        doc_type="to_trinh",
        abstract="Tờ trình",
        upload=SimpleUploadedFile("a.pdf", pdf_bytes(), "application/pdf"),
    )
    services.agenda_document_attach(actor=host.clerk, item=item, document=document)
    assert not meeting_visible_to(host.members[0], meeting)  # not cleared for "mật"


def _attachment(message, name: str) -> bytes:
    """The attachment as the recipient's mail program reads it from the message."""
    for part in message.message().iter_attachments():
        if part.get_filename() == name:
            content = part.get_content()
            return content if isinstance(content, bytes) else content.encode()
    raise AssertionError(f"no attachment {name}")


def _pdf_text(data: bytes) -> str:
    result = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    )
    return result.stdout.decode()


def test_invitation_first_page_has_the_decree_30_layout(host, meeting, tmp_path):
    """Rendered to an image: header blocks left and right, centred title, signer bottom right."""
    from PIL import Image

    _ready(host, meeting)
    meeting = meeting_send_invitations(actor=host.clerk, meeting=meeting)
    from documents.selectors import document_latest_version
    from documents.storage import blob_open

    with blob_open(document_latest_version(meeting.invitation_document).blob.storage_name) as f:
        (tmp_path / "giay-moi.pdf").write_bytes(f.read())
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "50",
            "-png",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(tmp_path / "giay-moi.pdf"),
            str(tmp_path / "page"),
        ],
        check=True,
    )
    image = Image.open(tmp_path / "page.png").convert("L")
    width, height = image.size  # A4 at 50 dpi: about 413 x 585

    def ink(x1: float, y1: float, x2: float, y2: float) -> int:
        box = image.crop((int(x1 * width), int(y1 * height), int(x2 * width), int(y2 * height)))
        return sum(1 for value in box.getdata() if value < 128)

    assert abs(width / height - 210 / 297) < 0.01
    assert ink(0.14, 0.03, 0.42, 0.12) > 50  # issuing body and number, top left
    assert ink(0.45, 0.03, 0.95, 0.12) > 100  # national title, motto, date, top right
    assert ink(0.30, 0.14, 0.70, 0.20) > 50  # GIẤY MỜI and the abstract, centred
    assert ink(0.50, 0.45, 0.95, 0.75) > 50  # signer block, bottom right
    assert ink(0.0, 0.0, 0.12, 1.0) == 0  # left margin (30 mm) stays blank
    assert ink(0.0, 0.0, 1.0, 0.025) == 0  # nothing above the top margin on page 1


def test_roles_stay_editable_after_the_meeting_until_the_minutes_are_signed(host, meeting):
    services.participants_invite_body(actor=host.clerk, meeting=meeting, body=host.body)
    clerk_row = Participant.objects.get(meeting=meeting, user=host.clerk)
    member_row = Participant.objects.get(meeting=meeting, user=host.members[0])
    meeting.status = MeetingStatus.CLOSED
    meeting.save()
    services.participant_role_set(
        actor=host.clerk, participant=clerk_row, role=ParticipantRole.SECRETARY
    )
    # Naming another secretary steps the first one down: the minutes have one secretary.
    services.participant_role_set(
        actor=host.clerk, participant=member_row, role=ParticipantRole.SECRETARY
    )
    clerk_row.refresh_from_db()
    assert clerk_row.role == ParticipantRole.OBSERVER
    assert list(
        Participant.objects.filter(meeting=meeting, role=ParticipantRole.SECRETARY).values_list(
            "user__username", flat=True
        )
    ) == [host.members[0].username]
    with pytest.raises(PermissionDenied):
        services.participant_role_set(
            actor=host.members[1], participant=member_row, role=ParticipantRole.VOTING
        )
    meeting.status = MeetingStatus.MINUTES_SIGNED
    meeting.save()
    with pytest.raises(ValidationError, match="không thể đổi vai trò"):
        services.participant_role_set(
            actor=host.clerk, participant=member_row, role=ParticipantRole.VOTING
        )
    member_row.refresh_from_db()
    assert member_row.role == ParticipantRole.SECRETARY


def test_my_meetings_lists_a_meeting_by_the_day_it_was_held(host, meeting):
    _ready(host, meeting)
    meeting_send_invitations(actor=host.clerk, meeting=meeting)
    before = meeting.starts_at - dt.timedelta(days=2)
    # Held and ended two days before its scheduled date: today's, then past, never upcoming.
    meeting.started_at = before
    meeting.status = MeetingStatus.CLOSED
    meeting.save()
    on_the_day = my_meetings(host.members[0], now=before + dt.timedelta(hours=1))
    assert on_the_day["today"] == [meeting] and on_the_day["upcoming"] == []
    next_day = my_meetings(host.members[0], now=before + dt.timedelta(days=1))
    assert next_day["past"] == [meeting] and next_day["upcoming"] == []
