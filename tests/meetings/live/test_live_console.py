"""The chair's console, check-in by QR, speakers and presenter mode, through HTTP."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import Clearance, User
from audit.models import AuditEvent
from documents.services import document_create
from meetings.live import hub, presenter, qr, speakers
from meetings.live import services as live_services
from meetings.live.selectors import live_access, live_state_of, snapshot
from meetings.models import (
    AgendaDocument,
    AgendaItem,
    CheckInWindow,
    ItemConclusion,
    LiveState,
    MeetingStatus,
    MinutesDraft,
    MinutesStatus,
    ParticipantRole,
    PollStatus,
    SpeakerStatus,
)
from tests.documents.helpers import pdf_bytes
from tests.factories import make_user
from tests.meetings.helpers import add_participant

# Real commits, so events go out exactly when they would in production (after commit).
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def published(monkeypatch):
    """Every live event sent after commit, decoded: [(type, seq, payload, staff)]."""
    sent: list[tuple[str, int | None, dict, bool]] = []

    def capture(meeting_id: int, seq: int | None, text: str, *, staff: bool) -> None:
        message = json.loads(text)
        sent.append((message["type"], message["seq"], message["payload"], staff))

    monkeypatch.setattr(hub, "_broadcast", capture)
    return sent


def command(client, meeting, action: str, **data):
    url = reverse("meetings:live_command", args=[meeting.pk, action])
    return client.post(url, data)


@pytest.fixture
def official(room):
    return add_participant(room.meeting, name="Phạm Văn Đại Biểu", checked_in=False)


def test_chair_moves_the_item_and_every_screen_is_told(client, room, published):
    second = AgendaItem.objects.create(
        meeting=room.meeting, title="Báo cáo kinh tế", position=1, planned_minutes=15
    )
    client.force_login(room.chair)
    response = command(client, room.meeting, "item", item_id=second.pk)
    assert response.json() == {"ok": True}
    state = LiveState.objects.get(meeting=room.meeting)
    assert state.current_item == second and state.timer_limit_seconds == 900
    kind, seq, payload, staff = published[-1]
    assert (kind, seq, payload["item_id"], staff) == ("item.current", state.seq, second.pk, False)


def test_an_official_cannot_run_the_console(client, room, official, published):
    client.force_login(official.user)
    response = command(client, room.meeting, "item", item_id=room.item.pk)
    assert response.status_code == 400
    assert "chủ trì" in response.json()["error"]
    assert published == []


def test_outsider_gets_404_on_the_live_page_and_commands(client, room):
    client.force_login(make_user(full_name="Người Ngoài"))
    assert client.get(reverse("meetings:live", args=[room.meeting.pk])).status_code == 404
    assert command(client, room.meeting, "start").status_code == 404


def test_live_page_renders_for_participants_with_the_socket_path(client, room, official):
    client.force_login(official.user)
    page = client.get(reverse("meetings:live", args=[room.meeting.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-ws-path="/ws/hop/{room.meeting.pk}/"' in html
    assert "Điều hành" not in html  # the console is the chair's


def test_timer_start_pause_and_extend(room, published):
    live_services.item_set_current(actor=room.chair, meeting=room.meeting, item_id=room.item.pk)
    state = live_services.timer_start(actor=room.chair, meeting=room.meeting)
    LiveState.objects.filter(pk=state.pk).update(
        timer_started_at=timezone.now() - timedelta(seconds=90)
    )
    state = live_services.timer_pause(actor=room.chair, meeting=room.meeting)
    assert state.timer_started_at is None and 90 <= state.timer_elapsed_seconds <= 91
    state = live_services.timer_extend(actor=room.chair, meeting=room.meeting, seconds=300)
    assert state.timer_limit_seconds == 300
    assert [event[0] for event in published][-3:] == ["item.timer"] * 3
    with pytest.raises(ValidationError):
        live_services.timer_extend(actor=room.chair, meeting=room.meeting, seconds=-5)


def test_start_and_end_the_meeting(room, published):
    room.meeting.status = MeetingStatus.INVITED
    room.meeting.save()
    live_services.meeting_start(actor=room.chair, meeting=room.meeting)
    assert LiveState.objects.get(meeting=room.meeting).current_item == room.item
    live_services.meeting_end(actor=room.chair, meeting=room.meeting)
    room.meeting.refresh_from_db()
    assert room.meeting.status == MeetingStatus.CLOSED
    statuses = [p["status"] for kind, _, p, _ in published if kind == "meeting.status"]
    assert statuses == ["in_progress", "closed"]


def test_chair_resumes_an_ended_meeting_and_the_minutes_get_the_whole_session(
    client, room, published
):
    live_services.meeting_end(actor=room.chair, meeting=room.meeting)
    assert MinutesDraft.objects.get(meeting=room.meeting).version == 1
    client.force_login(room.clerk)
    refused = command(client, room.meeting, "resume")
    assert "Chỉ người chủ trì" in refused.json()["error"]
    client.force_login(room.chair)
    assert command(client, room.meeting, "resume").json()["ok"] is True
    room.meeting.refresh_from_db()
    assert room.meeting.status == MeetingStatus.IN_PROGRESS
    assert AuditEvent.objects.filter(verb="meeting.resumed", actor=room.chair).exists()
    command(client, room.meeting, "conclusion", item_id=room.item.pk, text="Thống nhất lại.")
    assert command(client, room.meeting, "end").json()["ok"] is True
    latest = MinutesDraft.objects.filter(meeting=room.meeting).order_by("-version").first()
    assert latest.version == 2 and latest.status == MinutesStatus.DRAFT
    assert latest.content["items"][0]["conclusion"] == "Thống nhất lại."
    statuses = [p["status"] for kind, _, p, _ in published if kind == "meeting.status"]
    assert statuses == ["closed", "in_progress", "closed"]


def test_no_resuming_once_the_minutes_are_in_signing(client, room, published):
    live_services.meeting_end(actor=room.chair, meeting=room.meeting)
    MinutesDraft.objects.filter(meeting=room.meeting).update(status=MinutesStatus.IN_SIGNING)
    client.force_login(room.chair)
    answer = command(client, room.meeting, "resume").json()
    assert answer["error"] == "Biên bản đã trình ký: không thể tiếp tục phiên họp."
    room.meeting.refresh_from_db()
    assert room.meeting.status == MeetingStatus.CLOSED


def test_starting_hours_early_asks_first(client, room, published):
    room.meeting.status = MeetingStatus.INVITED
    room.meeting.starts_at = timezone.now() + timedelta(hours=3)
    room.meeting.ends_at = timezone.now() + timedelta(hours=5)
    room.meeting.save()
    client.force_login(room.chair)
    page = client.get(reverse("meetings:live", args=[room.meeting.pk])).content.decode()
    assert 'data-cmd="start" data-confirm="Cuộc họp dự kiến bắt đầu lúc' in page
    answer = command(client, room.meeting, "start").json()
    assert "hãy xác nhận nếu muốn bắt đầu sớm" in answer["error"]
    room.meeting.refresh_from_db()
    assert room.meeting.status == MeetingStatus.INVITED
    assert command(client, room.meeting, "start", confirmed="1").json()["ok"] is True
    room.meeting.refresh_from_db()
    assert room.meeting.status == MeetingStatus.IN_PROGRESS


def test_conclusion_and_message_are_published(client, room, published):
    client.force_login(room.clerk)
    command(client, room.meeting, "conclusion", item_id=room.item.pk, text="Thống nhất thông qua.")
    command(client, room.meeting, "message", text="Nghỉ giải lao 15 phút")
    assert ItemConclusion.objects.get(item=room.item).text == "Thống nhất thông qua."
    kinds = [(kind, payload.get("text")) for kind, _, payload, _ in published]
    assert ("item.conclusion", "Thống nhất thông qua.") in kinds
    assert ("message", "Nghỉ giải lao 15 phút") in kinds
    seqs = [seq for _, seq, _, staff in published if not staff]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)


def test_room_qr_checks_in_the_scanner_after_confirmation(client, room, official, published):
    room.meeting.status = MeetingStatus.INVITED
    room.meeting.save()
    CheckInWindow.objects.create(
        meeting=room.meeting, opened_at=timezone.now(), opened_by=room.clerk
    )
    url = qr.room_path(room.meeting.pk)
    client.force_login(official.user)
    assert client.get(url).status_code == 200  # a GET (camera preview) changes nothing
    official.refresh_from_db()
    assert official.checked_in_at is None
    response = client.post(url)
    assert response.status_code == 302
    official.refresh_from_db()
    assert official.checked_in_at is not None and official.attendance_mode == "in_person"
    attendance = [p for kind, _, p, _ in published if kind == "attendance"]
    assert attendance[-1]["present"] == 2


def test_room_qr_with_a_forged_token_is_404(client, room, official):
    client.force_login(official.user)
    url = reverse("meetings:checkin_room", args=["bogus:token"])
    assert client.get(url).status_code == 404


def test_clerk_scans_a_personal_qr_and_a_stranger_cannot(client, room, official):
    url = qr.personal_path(official.pk)
    # Not invited: the meeting is hidden from them, so the code is not found either.
    client.force_login(make_user(full_name="Người Lạ", body=room.body))
    assert client.post(url).status_code == 404
    client.force_login(room.clerk)
    assert client.post(url).status_code == 302
    official.refresh_from_db()
    assert official.checked_in_by == room.clerk


def test_qr_images_are_svg_for_the_owner_and_staff_only(client, room, official):
    other = add_participant(room.meeting, name="Người Khác")
    client.force_login(official.user)
    mine = client.get(reverse("meetings:personal_qr", args=[room.meeting.pk, official.pk]))
    assert mine.status_code == 200 and mine["Content-Type"] == "image/svg+xml"
    assert b"<svg" in mine.content
    theirs = reverse("meetings:personal_qr", args=[room.meeting.pk, other.pk])
    assert client.get(theirs).status_code == 403
    assert client.get(reverse("meetings:room_qr", args=[room.meeting.pk])).status_code == 403
    client.force_login(room.clerk)
    assert client.get(reverse("meetings:room_qr", args=[room.meeting.pk])).status_code == 200


def test_remote_join_checks_in_online_and_returns_the_video_link(client, room, official):
    room.meeting.video_url = "https://hop.example.vn/phong-1"
    room.meeting.save()
    client.force_login(official.user)
    answer = client.post(reverse("meetings:join_remote", args=[room.meeting.pk])).json()
    assert answer == {"ok": True, "video_url": "https://hop.example.vn/phong-1"}
    official.refresh_from_db()
    assert official.attendance_mode == "remote"


def test_poll_over_http_open_cast_close_result_on_every_screen(client, room, published):
    voters = [add_participant(room.meeting, name=f"Thành Viên {n}") for n in range(9)]
    client.force_login(room.chair)
    created = command(
        client, room.meeting, "poll-create", item_id=room.item.pk, title="Thông qua tờ trình"
    ).json()
    assert command(client, room.meeting, "poll-open", poll_id=created["poll_id"]).json()["ok"]
    poll_id = created["poll_id"]
    from meetings.models import Poll

    yes = Poll.objects.get(pk=poll_id).options.get(key="yes").pk
    for voter in voters:
        client.force_login(voter.user)
        assert command(client, room.meeting, "ballot", poll_id=poll_id, option_id=yes).json()["ok"]
    client.force_login(room.chair)
    command(client, room.meeting, "poll-close", poll_id=poll_id)
    assert Poll.objects.get(pk=poll_id).status == PollStatus.CLOSED
    closed = [p for kind, _, p, staff in published if kind == "poll.closed" and not staff]
    result = closed[-1]["poll"]["result"]
    assert result["passed"] is True and result["cast"] == 9
    progress = [p for kind, _, p, _ in published if kind == "poll.progress"]
    assert progress[-1]["cast"] == 9  # no hub in a sync test: progress is published at once


def test_poll_without_quorum_needs_the_chairs_reason(client, room, published):
    client.force_login(room.chair)
    created = command(
        client, room.meeting, "poll-create", item_id=room.item.pk, title="Biểu quyết"
    ).json()
    refused = command(client, room.meeting, "poll-open", poll_id=created["poll_id"])
    assert refused.status_code == 400 and "Không thể mở biểu quyết" in refused.json()["error"]
    opened = command(
        client, room.meeting, "poll-open", poll_id=created["poll_id"], reason="Việc gấp"
    )
    assert opened.json()["ok"]


def test_speaker_queue_order_grant_end(room, published):
    live_services.item_set_current(actor=room.chair, meeting=room.meeting, item_id=room.item.pk)
    people = [add_participant(room.meeting, name=f"Đại Biểu {n}") for n in range(3)]
    requests = [
        speakers.speaker_request(actor=p.user, meeting=room.meeting, kind="speech") for p in people
    ]
    speakers.speaker_reorder(
        actor=room.chair, meeting=room.meeting, request_ids=[requests[2].pk, requests[0].pk]
    )
    queue = [row["id"] for row in published[-1][2]["queue"]]
    assert queue == [requests[2].pk, requests[0].pk, requests[1].pk]
    speakers.speaker_grant(actor=room.chair, meeting=room.meeting, request_id=requests[2].pk)
    speakers.speaker_grant(actor=room.chair, meeting=room.meeting, request_id=requests[0].pk)
    requests[2].refresh_from_db()
    assert requests[2].status == SpeakerStatus.DONE  # granting the next ends the previous turn
    speakers.speaker_end(actor=room.chair, meeting=room.meeting, request_id=requests[0].pk)
    with pytest.raises(ValidationError):
        speakers.speaker_withdraw(
            actor=people[0].user, meeting=room.meeting, request_id=requests[1].pk
        )
    speakers.speaker_withdraw(actor=people[1].user, meeting=room.meeting, request_id=requests[1].pk)
    assert published[-1][2]["queue"] == []
    speakers.speaking_limit_set(actor=room.chair, meeting=room.meeting, seconds=120)
    assert published[-1][2]["limit"] == 120


def test_observer_cannot_ask_for_the_floor(room):
    live_services.item_set_current(actor=room.chair, meeting=room.meeting, item_id=room.item.pk)
    observer = add_participant(room.meeting, name="Dự Thính", role=ParticipantRole.OBSERVER)
    with pytest.raises(ValidationError):
        speakers.speaker_request(actor=observer.user, meeting=room.meeting, kind="speech")


@pytest.fixture
def agenda_document(room, doc_storage):
    document = document_create(
        actor=room.clerk,
        owning_body=room.body,
        doc_type="to_trinh",
        abstract="Tờ trình về kế hoạch đầu tư công",
        upload=SimpleUploadedFile("tt.pdf", pdf_bytes(3), "application/pdf"),
    )
    AgendaDocument.objects.create(item=room.item, document=document)
    return document


def test_presenter_shows_an_agenda_document_and_turns_pages(room, agenda_document, published):
    live_services.item_set_current(actor=room.chair, meeting=room.meeting, item_id=room.item.pk)
    presenter.presenter_show(
        actor=room.chair, meeting=room.meeting, document_id=agenda_document.pk, page=1
    )
    presenter.presenter_page(actor=room.chair, meeting=room.meeting, page=3)
    shown = published[-1][2]["presenter"]
    assert (shown["document_id"], shown["page"]) == (agenda_document.pk, 3)
    assert shown["pdf_url"].endswith("/tep.pdf") and shown["by_id"] == room.chair.pk
    presenter.presenter_show(actor=room.chair, meeting=room.meeting, document_id=None)
    assert published[-1][2]["presenter"] is None


def test_presenter_refuses_documents_outside_the_agenda_and_officials(room, agenda_document):
    official = add_participant(room.meeting, name="Người Xem")
    with pytest.raises(ValidationError):
        presenter.presenter_show(
            actor=official.user, meeting=room.meeting, document_id=agenda_document.pk
        )
    AgendaDocument.objects.all().delete()
    with pytest.raises(ValidationError):
        presenter.presenter_show(
            actor=room.chair, meeting=room.meeting, document_id=agenda_document.pk
        )


def test_presenter_offers_and_shows_only_what_everyone_in_the_room_may_read(
    client, room, agenda_document
):
    """A Mật document left on the agenda of a meeting whose confidentiality was lowered."""
    User.objects.filter(pk__in=[room.clerk.pk, room.chair.pk]).update(clearance=Clearance.SECRET)
    room.clerk.refresh_from_db()
    room.chair.refresh_from_db()
    secret = document_create(
        actor=room.clerk,
        owning_body=room.body,
        doc_type="to_trinh",
        abstract="Phương án mật",
        upload=SimpleUploadedFile("mat.pdf", pdf_bytes(1), "application/pdf"),
        confidentiality=Clearance.SECRET,
    )
    AgendaDocument.objects.create(item=room.item, document=secret, position=1)
    client.force_login(room.chair)
    page = client.get(reverse("meetings:live", args=[room.meeting.pk]))
    assert [d.pk for d in page.context["documents"]] == [agenda_document.pk]
    live_services.item_set_current(actor=room.chair, meeting=room.meeting, item_id=room.item.pk)
    with pytest.raises(ValidationError):
        presenter.presenter_show(actor=room.chair, meeting=room.meeting, document_id=secret.pk)
    assert LiveState.objects.get(meeting=room.meeting).presenter_document is None


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("poll-create", {"kind": "several_of_n", "options": "A\nB\nC", "max_choices": "hai"}),
        ("presenter-show", {"document_id": "tờ trình"}),
        ("presenter-show", {"document_id": "1", "page": "đầu"}),
    ],
)
def test_a_bad_number_in_a_command_is_a_clear_400(client, room, published, action, data):
    client.force_login(room.chair)
    response = command(client, room.meeting, action, item_id=room.item.pk, title="Chọn", **data)
    assert response.status_code == 400
    assert "phải là số nguyên" in response.json()["error"]
    assert published == []


def test_a_max_choices_out_of_range_is_refused_by_the_service(client, room, published):
    client.force_login(room.chair)
    data = {"kind": "several_of_n", "options": "A\nB\nC", "max_choices": "4"}
    response = command(client, room.meeting, "poll-create", item_id=room.item.pk, title="C", **data)
    assert response.status_code == 400
    assert "từ 1 đến 3" in response.json()["error"]


def test_reading_the_live_state_writes_nothing(room, official):
    access = live_access(official.user, room.meeting.pk)
    state = snapshot(room.meeting.pk, access)
    assert state["seq"] == 0 and state["state"]["item"]["item_id"] is None
    assert live_state_of(room.meeting).speaking_limit_seconds == 300
    assert not LiveState.objects.filter(meeting=room.meeting).exists()
    speakers.speaking_limit_set(actor=room.chair, meeting=room.meeting, seconds=120)
    assert LiveState.objects.get(meeting=room.meeting).speaking_limit_seconds == 120
