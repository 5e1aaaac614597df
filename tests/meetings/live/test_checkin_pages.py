"""The check-in pages a code opens follow the meeting page's rule: no Mật title to someone
uncleared, no draft to its invitees, nothing to people outside the meeting."""

from __future__ import annotations

import pytest

from accounts.models import Clearance
from meetings.live import qr
from meetings.models import Meeting, MeetingStatus, Participant
from tests.factories import make_user
from tests.meetings.helpers import add_participant

TITLE = "Phiên họp thường kỳ tháng 11"


def _cleared(user, level=Clearance.SECRET):
    user.clearance = level
    user.save(update_fields=["clearance"])
    return user


def _set(room, **changes):
    Meeting.objects.filter(pk=room.meeting.pk).update(**changes)


@pytest.fixture
def invitee(room) -> Participant:
    return add_participant(room.meeting, name="Trần Văn Bình", checked_in=False)


def test_an_uncleared_invitee_gets_not_found_for_a_secret_meeting(client, room, invitee):
    _set(room, confidentiality=Clearance.SECRET)
    client.force_login(invitee.user)
    for path in (qr.room_path(room.meeting.pk), qr.personal_path(invitee.pk)):
        response = client.get(path)
        assert response.status_code == 404, path
        assert TITLE not in response.content.decode()
        assert client.post(path).status_code == 404
    assert Participant.objects.get(pk=invitee.pk).checked_in_at is None


def test_a_cleared_invitee_checks_in_to_a_secret_meeting(client, room, invitee):
    _set(room, confidentiality=Clearance.SECRET)
    client.force_login(_cleared(invitee.user))
    response = client.get(qr.room_path(room.meeting.pk))
    assert response.status_code == 200 and TITLE in response.content.decode()
    assert client.post(qr.room_path(room.meeting.pk)).status_code == 302
    assert Participant.objects.get(pk=invitee.pk).checked_in_at is not None


def test_a_draft_is_not_found_for_its_invitees_but_shown_to_organisers(client, room, invitee):
    _set(room, status=MeetingStatus.DRAFT)
    client.force_login(invitee.user)
    response = client.get(qr.room_path(room.meeting.pk))
    assert response.status_code == 404 and TITLE not in response.content.decode()
    client.force_login(room.chair)  # an organiser of the host body who is also invited
    assert client.get(qr.room_path(room.meeting.pk)).status_code == 200


def test_an_outsider_learns_nothing_from_a_room_code(client, room):
    client.force_login(make_user(full_name="Vũ Thị Ngoài"))
    response = client.get(qr.room_path(room.meeting.pk))
    assert response.status_code == 404 and TITLE not in response.content.decode()


def test_an_uncleared_clerk_cannot_open_a_personal_code_of_a_secret_meeting(client, room, invitee):
    _set(room, confidentiality=Clearance.SECRET)
    _cleared(invitee.user)
    client.force_login(room.clerk)
    response = client.get(qr.personal_path(invitee.pk))
    assert response.status_code == 404 and TITLE not in response.content.decode()
    client.force_login(_cleared(room.clerk))
    assert client.get(qr.personal_path(invitee.pk)).status_code == 200


def test_a_forged_token_is_not_found(client, room, invitee):
    client.force_login(invitee.user)
    assert client.get("/hop/diem-danh/phong/gia-mao/").status_code == 404
