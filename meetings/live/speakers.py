"""The speaker queue (đăng ký phát biểu, chất vấn): requests, order, the floor, and its timer.

Every change publishes the whole queue of the current item ("speakers"), so a screen that
missed one event is put right by the next.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext

from accounts.models import User
from meetings.access import may_run, refuse, require_runner
from meetings.live.hub import live_publish
from meetings.live.selectors import OPEN_SPEAKER_STATUSES, live_state_of, speakers_payload
from meetings.live.services import live_state_ensure
from meetings.models import (
    Meeting,
    MeetingStatus,
    Participant,
    ParticipantRole,
    SpeakerKind,
    SpeakerRequest,
    SpeakerStatus,
)


def publish_speakers(meeting: Meeting) -> None:
    live_publish(meeting.pk, "speakers", speakers_payload(live_state_of(meeting)))


@transaction.atomic
def speaker_request(*, actor: User, meeting: Meeting, kind: str) -> SpeakerRequest:
    """A participant asks for the floor on the item under discussion."""
    if kind not in SpeakerKind.values:
        refuse(gettext("Loại đăng ký phát biểu không hợp lệ."))
    participant = Participant.objects.filter(meeting=meeting, user=actor).first()
    if participant is None or participant.role == ParticipantRole.OBSERVER:
        refuse(gettext("Bạn không thuộc danh sách được phát biểu tại cuộc họp này."))
    if meeting.status != MeetingStatus.IN_PROGRESS:
        refuse(gettext("Cuộc họp chưa bắt đầu hoặc đã kết thúc."))
    item_id = live_state_of(meeting).current_item_id
    if item_id is None:
        refuse(gettext("Chưa có nội dung nào đang được thảo luận."))
    last = SpeakerRequest.objects.filter(item_id=item_id).aggregate(m=Max("order"))["m"] or 0
    request = SpeakerRequest(
        participant=participant,
        item_id=item_id,
        kind=kind,
        order=last + 1,
        requested_at=timezone.now(),
    )
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError:
        # The unique open-request constraint: a double tap, or a second tablet.
        refuse(gettext("Bạn đã đăng ký phát biểu ở nội dung này."))
    publish_speakers(meeting)
    return request


def _open_request(request_id: int, meeting: Meeting) -> SpeakerRequest:
    request = (
        SpeakerRequest.objects.select_for_update()
        .filter(pk=request_id, item__meeting=meeting, status__in=OPEN_SPEAKER_STATUSES)
        .first()
    )
    if request is None:
        refuse(gettext("Không tìm thấy lượt đăng ký phát biểu."))
    return request


@transaction.atomic
def speaker_withdraw(*, actor: User, meeting: Meeting, request_id: int) -> SpeakerRequest:
    """The speaker takes back their request; the chair may strike one too."""
    request = _open_request(request_id, meeting)
    if request.participant.user_id != actor.pk and not may_run(actor, meeting):
        refuse(gettext("Bạn chỉ được rút đăng ký của chính mình."))
    request.status = SpeakerStatus.WITHDRAWN
    request.ended_at = timezone.now()
    request.save(update_fields=["status", "ended_at"])
    publish_speakers(meeting)
    return request


@transaction.atomic
def speaker_reorder(*, actor: User, meeting: Meeting, request_ids: Sequence[int]) -> None:
    """The chair sets the order of waiting requests; ids not named keep their place after."""
    require_runner(actor, meeting)
    item_id = live_state_of(meeting).current_item_id
    waiting = {
        r.pk: r
        for r in SpeakerRequest.objects.filter(item_id=item_id, status__in=OPEN_SPEAKER_STATUSES)
    }
    if any(rid not in waiting for rid in request_ids):
        refuse(gettext("Danh sách sắp xếp có lượt đăng ký không hợp lệ."))
    rest = [
        rid for rid in sorted(waiting, key=lambda k: waiting[k].order) if rid not in request_ids
    ]
    for order, rid in enumerate([*request_ids, *rest], start=1):
        waiting[rid].order = order
    SpeakerRequest.objects.bulk_update(waiting.values(), ["order"])
    publish_speakers(meeting)


@transaction.atomic
def speaker_grant(*, actor: User, meeting: Meeting, request_id: int) -> SpeakerRequest:
    """Give the floor: the speaking timer starts; whoever was speaking is finished."""
    require_runner(actor, meeting)
    request = _open_request(request_id, meeting)
    now = timezone.now()
    SpeakerRequest.objects.filter(item_id=request.item_id, status=SpeakerStatus.SPEAKING).exclude(
        pk=request.pk
    ).update(status=SpeakerStatus.DONE, ended_at=now)
    request.status = SpeakerStatus.SPEAKING
    request.started_at = now
    request.save(update_fields=["status", "started_at"])
    publish_speakers(meeting)
    return request


@transaction.atomic
def speaker_end(*, actor: User, meeting: Meeting, request_id: int) -> SpeakerRequest:
    require_runner(actor, meeting)
    request = _open_request(request_id, meeting)
    request.status = SpeakerStatus.DONE
    request.ended_at = timezone.now()
    request.save(update_fields=["status", "ended_at"])
    publish_speakers(meeting)
    return request


@transaction.atomic
def speaking_limit_set(*, actor: User, meeting: Meeting, seconds: int) -> None:
    """The per-turn limit every screen counts down (the meeting's rules of procedure)."""
    require_runner(actor, meeting)
    if not 30 <= seconds <= 3600:
        refuse(gettext("Thời gian phát biểu phải từ 30 giây đến 60 phút."))
    state = live_state_ensure(meeting)
    state.speaking_limit_seconds = seconds
    state.save(update_fields=["speaking_limit_seconds", "updated_at"])
    publish_speakers(meeting)
