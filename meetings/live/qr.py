"""QR codes for check-in: the room's code (on the room screen) and each participant's own.

A code is a URL with a signed token, so it cannot be forged or pointed at another meeting.
Scanning opens the URL on the scanner's own device, logged in as themselves: a participant
scanning the room's code checks themselves in; the clerk scanning a personal code checks that
person in.
"""

from __future__ import annotations

import io

import segno
from django.core import signing
from django.urls import reverse

ROOM_SALT = "kyhop.meetings.room-qr"
PERSONAL_SALT = "kyhop.meetings.personal-qr"
# A room code is shown for one sitting; a personal code travels with the invitation.
ROOM_MAX_AGE = 24 * 3600
PERSONAL_MAX_AGE = 30 * 24 * 3600


def room_token(meeting_id: int) -> str:
    return signing.dumps({"m": meeting_id}, salt=ROOM_SALT, compress=True)


def personal_token(participant_id: int) -> str:
    return signing.dumps({"p": participant_id}, salt=PERSONAL_SALT, compress=True)


def room_meeting_id(token: str) -> int | None:
    try:
        return int(signing.loads(token, salt=ROOM_SALT, max_age=ROOM_MAX_AGE)["m"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def personal_participant_id(token: str) -> int | None:
    try:
        return int(signing.loads(token, salt=PERSONAL_SALT, max_age=PERSONAL_MAX_AGE)["p"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def room_path(meeting_id: int) -> str:
    return reverse("meetings:checkin_room", args=[room_token(meeting_id)])


def personal_path(participant_id: int) -> str:
    return reverse("meetings:checkin_personal", args=[personal_token(participant_id)])


def qr_svg(url: str) -> bytes:
    """An SVG (no inline style, so the CSP is satisfied), large enough to scan across a room."""
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=8, border=2, xmldecl=False)
    return out.getvalue()
