"""The documents meetings lay out keep what they were laid out from, so their main signature
can be delegated with a re-printed block: the conclusion notice, chair → seal."""

from __future__ import annotations

import subprocess

import pytest

from documents.storage import blob_open
from meetings.minutes.draft import minutes_draft_create
from meetings.minutes.signing import conclusion_notice_send
from signing.selectors import waiting_for
from signing.services import step_delegate
from tests.meetings.minutes.helpers import hold_meeting

pytestmark = pytest.mark.django_db


def test_the_chair_delegates_the_conclusion_notice_to_a_deputy(
    province, django_capture_on_commit_callbacks
):
    held = hold_meeting(
        body=province.ubnd, clerk=province.clerk, chair=province.chair, secretary=province.drafter1
    )
    minutes_draft_create(actor=province.clerk, meeting=held.meeting)
    with django_capture_on_commit_callbacks(execute=True):
        notice = conclusion_notice_send(actor=province.clerk, meeting=held.meeting)
    request = notice.signing_request
    request.refresh_from_db()
    assert request.rendered_from["signers"][0]["authority"] == ["TM. ỦY BAN NHÂN DÂN"]
    original = waiting_for(province.chair).get(step__request=request)
    step_delegate(actor=province.chair, assignee=original, to_user=province.deputy)
    request.refresh_from_db()
    with blob_open(request.current_version.blob.storage_name) as handle:
        data = handle.read()
    out = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True)
    text = " ".join(out.stdout.decode().split())
    assert "TM. ỦY BAN NHÂN DÂN KT. CHỦ TRÌ PHÓ CHỦ TỊCH" in text
    assert "Đỗ Quang Vinh" in text
    assert "Kết luận của Nguyễn Văn Hùng" in text  # the notice's text, as it was sent
