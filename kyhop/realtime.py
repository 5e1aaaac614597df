"""The one event envelope every KyHop socket speaks: ``{type, seq, payload}``.

``type`` names the event, ``payload`` is a JSON object, and ``seq`` is the stream's sequence
number: the meeting's for live events, the signing job's for bulk progress, and ``null`` for a
reply meant for one socket (``pong``, ``error``, acknowledgements). A client applies numbered
events in order, drops those at or below the number it has, and asks for a snapshot when it
sees a gap (static/js/socket.js).

Events are serialised once here and the same text goes to every socket: compact, UTF-8
(Vietnamese stays readable in the frame), and anything JSON does not know (dates, decimals)
as its string form.
"""

from __future__ import annotations

import json
from typing import Any, TypedDict


class Envelope(TypedDict):
    type: str
    seq: int | None
    payload: dict[str, Any]


def envelope(kind: str, seq: int | None, payload: dict[str, Any]) -> str:
    """The frame's text for one event."""
    message: Envelope = {"type": kind, "seq": seq, "payload": payload}
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"), default=str)
