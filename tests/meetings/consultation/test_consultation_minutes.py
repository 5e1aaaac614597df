"""A consultation decided between two meetings is written into the next meeting's minutes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from meetings.minutes.draft import minutes_body_html, minutes_facts
from meetings.models import Consultation
from meetings.voting.consultations import (
    consultation_answer,
    consultation_close_now,
    consultation_create,
    consultation_send,
)
from tests.factories import make_body, make_user
from tests.meetings.minutes.helpers import hold_meeting
from tests.meetings.voting.helpers import answers


@pytest.fixture
def held(db, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    body = make_body(name="Ủy ban nhân dân tỉnh Bắc Ninh", symbol="UBND", total_members=6)
    chair = make_user(full_name="Nguyễn Văn Hùng", body=body, role="chair")
    clerk = make_user(full_name="Trần Thị Thu Hà", body=body, role="clerk")
    return hold_meeting(body=body, clerk=clerk, chair=chair, with_polls=False)


def _closed_consultation(held, title: str) -> Consultation:
    consultation = consultation_create(
        actor=held.clerk,
        body=held.meeting.body,
        title=title,
        deadline=timezone.now() + timedelta(days=1),
    )
    consultation = consultation_send(actor=held.clerk, consultation=consultation)
    consultation_answer(
        actor=held.chair, consultation=consultation, answers=answers(consultation, "yes")
    )
    return consultation_close_now(actor=held.clerk, consultation=consultation)


def test_consultation_closed_before_the_meeting_is_in_its_minutes(held):
    before = _closed_consultation(held, "Thống nhất lịch tiếp công dân quý I")
    after = _closed_consultation(held, "Một việc quyết sau cuộc họp")
    meeting = held.meeting
    Consultation.objects.filter(pk=before.pk).update(
        closed_at=meeting.starts_at - timedelta(days=2)
    )
    Consultation.objects.filter(pk=after.pk).update(closed_at=meeting.starts_at + timedelta(days=2))
    facts = minutes_facts(meeting)
    assert [c["title"] for c in facts["consultations"]] == ["Thống nhất lịch tiếp công dân quý I"]
    html = minutes_body_html(facts)
    assert "Kết quả lấy ý kiến bằng văn bản" in html
    assert "Thống nhất lịch tiếp công dân quý I" in html
    assert "Một việc quyết sau cuộc họp" not in html


def test_minutes_drafted_before_this_change_still_render(held):
    facts = minutes_facts(held.meeting)
    facts.pop("consultations")
    assert "Kết quả lấy ý kiến bằng văn bản" not in minutes_body_html(facts)
