"""Minutes drafted from a held meeting, edited in versions, rendered in the Decree 30 layout."""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from pypdf import PdfReader

from accounts.models import Body
from audit.models import AuditEvent
from meetings.minutes.draft import (
    CHAIR_FIELD,
    SECRETARY_FIELD,
    meeting_audit_events,
    minutes_draft_create,
    minutes_render,
    minutes_save,
)
from meetings.minutes.signing import vote_sheet_pdf
from meetings.models import MinutesDraft, MinutesStatus, Participant, ParticipantRole
from tests.factories import make_body, make_user
from tests.meetings.minutes.helpers import attach_document, hold_meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def ubnd():
    body = make_body(name="Ủy ban nhân dân tỉnh Bắc Ninh", symbol="UBND", total_members=6)
    Body.objects.filter(pk=body.pk).update(place_name="Bắc Ninh")
    body.refresh_from_db()
    chair = make_user(
        full_name="Nguyễn Văn Hùng",
        position="Chủ tịch Ủy ban nhân dân tỉnh",
        body=body,
        role="chair",
    )
    clerk = make_user(full_name="Lê Thị Thu", position="Văn thư", body=body, role="clerk")
    return body, chair, clerk


@pytest.fixture
def held(ubnd, settings, tmp_path):
    body, chair, clerk = ubnd
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    held = hold_meeting(body=body, clerk=clerk, chair=chair)
    attach_document(held, title="Tờ trình số 45/TTr-STTTT về Kế hoạch chuyển đổi số")
    return held


def _text(pdf: bytes, *pages: int) -> str:
    args = ["pdftotext", "-layout"]
    if pages:
        args += ["-f", str(pages[0]), "-l", str(pages[-1])]
    out = subprocess.run([*args, "-", "-"], input=pdf, capture_output=True, check=True)
    return " ".join(out.stdout.decode("utf-8").split())


def test_draft_records_attendance_quorum_speakers_votes_and_conclusions(held):
    draft = minutes_draft_create(actor=held.clerk, meeting=held.meeting)
    c = draft.content
    assert draft.version == 1 and draft.status == MinutesStatus.DRAFT
    assert c["chair"]["name"] == "Nguyễn Văn Hùng"
    assert c["secretary"]["name"] == "Đinh Thị Thư Ký"
    attendance = c["attendance"]
    in_person = {p["name"] for p in attendance["in_person"]}
    assert {"Trần Văn An", "Phạm Thị Bình", "Ngô Thị Giang"} <= in_person
    assert [p["name"] for p in attendance["remote"]] == ["Hoàng Văn Cường"]
    assert attendance["absent"] == [
        {
            "name": "Lý Thị Dung",
            "position": "Ủy viên",
            "role": "Thành viên (có biểu quyết)",
            "reason": "Đi công tác tại Hà Nội",
        }
    ]
    assert attendance["substitutes"][0]["for_name"] == "Võ Văn Em"
    # Chair, two in the room, one online, one substitute: 5 of 6, quorum 4.
    assert c["quorum"] | {"explanation": ""} == {
        "met": True,
        "present": 5,
        "total_members": 6,
        "required": 4,
        "rule_name": c["quorum"]["rule_name"],
        "explanation": "",
    }
    first, second = c["items"]
    assert first["presenter"] == "Giám đốc Sở Thông tin"
    assert [s["name"] for s in first["speakers"]] == ["Phạm Thị Bình", "Trần Văn An"]
    assert first["speakers"][1]["kind"] == "Chất vấn"
    named = first["polls"][0]
    counts = {o["key"]: o["count"] for o in named["options"]}
    assert counts == {"yes": 4, "no": 1, "abstain": 0}
    assert named["passed"] and "hơn 1/2 tổng số thành viên" in named["rule"]
    voters = {o["key"]: o["voters"] for o in named["options"]}
    assert len(voters["yes"]) == 4 and len(voters["no"]) == 1
    secret = second["polls"][0]
    assert secret["secret"] and all(o["voters"] == [] for o in secret["options"])
    assert first["conclusion"].startswith("Thống nhất thông qua")


def test_audit_hash_is_the_meetings_events_up_to_closing(held):
    draft = minutes_draft_create(actor=held.clerk, meeting=held.meeting)
    audit = draft.content["audit"]
    events = AuditEvent.objects.filter(meeting_audit_events(held.meeting)).order_by("seq")
    closing = events.get(verb="meeting.ended")
    hashes = [e.hash for e in events if e.seq <= closing.seq]
    assert audit["chain_hash"] == closing.hash and audit["chain_seq"] == closing.seq
    assert audit["digest"] == hashlib.sha256("\n".join(hashes).encode()).hexdigest()
    assert audit["events"] == len(hashes) > 5  # ballots, polls, closing


def test_drafting_is_idempotent_and_refused_before_closing_and_to_outsiders(held, ubnd):
    first = minutes_draft_create(actor=held.clerk, meeting=held.meeting)
    assert minutes_draft_create(actor=held.clerk, meeting=held.meeting).pk == first.pk
    outsider = make_user(full_name="Vũ Thị Ngoài")
    with pytest.raises(PermissionDenied):
        minutes_draft_create(actor=outsider, meeting=held.meeting)
    body, _chair, clerk = ubnd
    from tests.meetings.helpers import make_meeting

    open_meeting = make_meeting(body, clerk)
    with pytest.raises(ValidationError, match="sau khi cuộc họp đã kết thúc"):
        minutes_draft_create(actor=clerk, meeting=open_meeting)


def test_without_a_named_secretary_the_clerk_who_prepared_it_keeps_the_record(held):
    Participant.objects.filter(meeting=held.meeting, role=ParticipantRole.SECRETARY).delete()
    draft = minutes_draft_create(actor=held.clerk, meeting=held.meeting)
    assert draft.content["secretary"]["name"] == held.clerk.full_name


def test_secretary_who_did_not_check_in_is_recorded_present_not_absent(held):
    Participant.objects.filter(meeting=held.meeting, role=ParticipantRole.SECRETARY).update(
        checked_in_at=None, attendance_mode=""
    )
    attendance = minutes_draft_create(actor=held.clerk, meeting=held.meeting).content["attendance"]
    assert "Đinh Thị Thư Ký" in [row["name"] for row in attendance["in_person"]]
    assert "Đinh Thị Thư Ký" not in [row["name"] for row in attendance["absent"]]


def test_secretary_who_sent_apologies_stays_absent(held):
    Participant.objects.filter(meeting=held.meeting, role=ParticipantRole.SECRETARY).update(
        checked_in_at=None, rsvp="absent", absence_reason="Đi công tác"
    )
    attendance = minutes_draft_create(actor=held.clerk, meeting=held.meeting).content["attendance"]
    assert [r["reason"] for r in attendance["absent"] if r["name"] == "Đinh Thị Thư Ký"] == [
        "Đi công tác"
    ]


def test_missing_chair_is_a_clear_error(held):
    Participant.objects.filter(meeting=held.meeting, role=ParticipantRole.CHAIR).delete()
    with pytest.raises(ValidationError, match="chưa có người chủ trì"):
        minutes_draft_create(actor=held.clerk, meeting=held.meeting)


def test_meeting_without_quorum_gets_minutes_that_say_so(ubnd):
    body, chair, clerk = ubnd
    held = hold_meeting(body=body, clerk=clerk, chair=chair, total_members=15, with_polls=False)
    draft = minutes_draft_create(actor=clerk, meeting=held.meeting)
    assert draft.content["quorum"]["met"] is False
    assert "KHÔNG đủ số thành viên" in draft.content["opening"]
    text = _text(minutes_render(draft).pdf, 1, 2)
    assert "Cuộc họp không đủ số thành viên theo quy định." in text


def test_saving_makes_a_new_version_and_keeps_facts(held):
    first = minutes_draft_create(actor=held.clerk, meeting=held.meeting)
    second = minutes_save(
        actor=held.clerk,
        meeting=held.meeting,
        narrative={
            "opening": "Người chủ trì khai mạc cuộc họp.",
            "items.0.discussion": "Các ý kiến thống nhất với dự thảo.\nĐề nghị bổ sung kinh phí.",
            "items.1.conclusion": "Ghi nhận báo cáo.",
        },
    )
    first.refresh_from_db()
    assert (first.version, first.status) == (1, MinutesStatus.SUPERSEDED)
    assert (second.version, second.status) == (2, MinutesStatus.DRAFT)
    assert second.content["items"][0]["discussion"].endswith("bổ sung kinh phí.")
    assert second.content["items"][1]["conclusion"] == "Ghi nhận báo cáo."
    assert second.content["items"][0]["polls"] == first.content["items"][0]["polls"]
    assert MinutesDraft.objects.filter(meeting=held.meeting).count() == 2
    with pytest.raises(ValidationError, match="không có trong biên bản"):
        minutes_save(actor=held.clerk, meeting=held.meeting, narrative={"quorum": "đủ"})


def test_rendered_minutes_are_decree30_pdfa_with_two_named_signer_blocks(held, tmp_path):
    draft = minutes_draft_create(actor=held.clerk, meeting=held.meeting)
    rendered = minutes_render(draft)
    reader = PdfReader(io.BytesIO(rendered.pdf))
    metadata = reader.xmp_metadata
    assert metadata is not None and "pdfaid" in str(reader.trailer["/Root"]["/Metadata"].get_data())
    text = _text(rendered.pdf)
    for expected in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "BIÊN BẢN",
        "Số: /BB-UBND",
        "Phiên họp thường kỳ tháng 12 năm 2026",
        "I. THÀNH PHẦN THAM DỰ",
        "Đi công tác tại Hà Nội",
        "Ngô Thị Giang dự thay Võ Văn Em",
        "Biểu quyết: Thông qua Kế hoạch",
        "Kết quả: Thông qua",
        "Nơi nhận:",
        "THƯ KÝ",
        "CHỦ TRÌ",
        "PHỤ LỤC",
        draft.content["audit"]["digest"][:16],
    ):
        assert expected in text, expected
    secretary = rendered.signature_rects[SECRETARY_FIELD]
    chair = rendered.signature_rects[CHAIR_FIELD]
    assert secretary.page_index == chair.page_index
    assert secretary.x2 <= chair.x1  # secretary on the left, chair on the right
    assert abs(secretary.y1 - chair.y1) < 1
    _keep_pngs(rendered.pdf, tmp_path, "minutes")


def test_vote_sheet_has_chart_and_numbers(held, tmp_path):
    pdf = vote_sheet_pdf(held.named_poll)
    _keep_pngs(pdf, tmp_path, "vote-sheet")
    text = _text(pdf)
    assert "KẾT QUẢ BIỂU QUYẾT" in text and "Thông qua Kế hoạch" in text
    assert "Tán thành" in text and "THÔNG QUA" in text
    # The chart is drawn from the SVG as a form XObject, its labels as real text.
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    assert page["/Resources"]["/XObject"]
    raw = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    assert raw.stdout.decode().count("Không tán") >= 2  # table and chart


def _keep_pngs(pdf: bytes, tmp_path: Path, name: str) -> None:
    """Page images for a person to look at; KYHOP_KEEP_PNG=dir keeps them after the run."""
    target = Path(os.environ.get("KYHOP_KEEP_PNG", tmp_path))
    target.mkdir(parents=True, exist_ok=True)
    source = tmp_path / f"{name}.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(source), str(target / name)], check=True)
    assert list(target.glob(f"{name}*.png"))


def test_closing_the_meeting_drafts_the_minutes(ubnd, django_capture_on_commit_callbacks):
    body, chair, clerk = ubnd
    with django_capture_on_commit_callbacks(execute=True):
        held = hold_meeting(body=body, clerk=clerk, chair=chair, with_polls=False)
    draft = MinutesDraft.objects.get(meeting=held.meeting)
    assert draft.version == 1 and draft.edited_by is None
    assert draft.content["audit"]["chain_hash"]
