"""The event envelope every socket sends: one format, one serialiser."""

from __future__ import annotations

import json
from datetime import date

from kyhop.realtime import envelope


def test_an_event_is_type_seq_and_payload_and_nothing_else():
    message = json.loads(envelope("item.current", 7, {"item": 3}))
    assert message == {"type": "item.current", "seq": 7, "payload": {"item": 3}}


def test_a_reply_to_one_socket_carries_no_sequence_number():
    assert json.loads(envelope("pong", None, {}))["seq"] is None


def test_vietnamese_stays_readable_and_dates_become_text():
    text = envelope("bulk.progress", 1, {"message": "Đã ký", "day": date(2026, 12, 2)})
    assert "Đã ký" in text
    assert json.loads(text)["payload"]["day"] == "2026-12-02"
