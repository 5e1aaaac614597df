"""The live pages as each role gets them: the official's screen with its ballot dialog and
full-screen button, the chair's console, and the room screen as a kiosk without navigation."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.meetings.helpers import add_participant

pytestmark = pytest.mark.django_db


def _page(client, user, name, meeting) -> str:
    client.force_login(user)
    response = client.get(reverse(name, args=[meeting.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_official_gets_the_ballot_dialog_and_full_screen(client, room):
    official = add_participant(room.meeting, name="Phạm Văn Đại Biểu", checked_in=False)
    html = _page(client, official.user, "meetings:live", room.meeting)
    assert 'id="ballot-dialog" role="alertdialog"' in html
    assert 'data-role="fullscreen"' in html
    assert "live-official" in html
    assert 'data-cmd="poll-close"' not in html and 'data-form="poll-create"' not in html


def test_the_chair_gets_the_console_with_its_commands_and_the_roll(client, room):
    html = _page(client, room.chair, "meetings:live", room.meeting)
    assert "live-chair" in html
    assert 'class="live-commands"' in html and 'data-cmd="end"' in html
    assert 'data-role="roll"' in html and 'data-form="poll-create"' in html


def test_the_room_screen_is_a_kiosk_without_the_navigation(client, room):
    html = _page(client, room.clerk, "meetings:live_screen", room.meeting)
    assert "kh-kiosk" in html
    assert 'class="kh-nav"' not in html and "kh-topbar" not in html
    assert 'data-role="polls"' in html and 'data-role="fullscreen"' in html
    assert 'id="ballot-dialog"' not in html  # the room screen never takes a ballot
