"""The minutes editor, the meeting pack downloads and the statistics page, with permissions."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import zipfile

import pikepdf
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Body
from meetings.minutes import stats
from meetings.models import Meeting, MinutesDraft, Participant, ParticipantRole
from tests.factories import make_body, make_user
from tests.meetings.minutes.helpers import attach_document, hold_meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }


@pytest.fixture
def ubnd(storage):
    body = make_body(name="Ủy ban nhân dân tỉnh Bắc Ninh", symbol="UBND", total_members=6)
    Body.objects.filter(pk=body.pk).update(place_name="Bắc Ninh")
    body.refresh_from_db()
    chair = make_user(full_name="Nguyễn Văn Hùng", body=body, role="chair")
    clerk = make_user(full_name="Lê Thị Thu", body=body, role="clerk")
    return body, chair, clerk


@pytest.fixture
def held(ubnd):
    body, chair, clerk = ubnd
    held = hold_meeting(body=body, clerk=clerk, chair=chair)
    held.document = attach_document(held, title="Tờ trình về Kế hoạch chuyển đổi số năm 2027")
    return held


def test_clerk_edits_the_drafted_minutes_section_by_section(client, held):
    client.force_login(held.clerk)
    url = reverse("meetings:minutes_edit", args=[held.meeting.pk])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="items.0.discussion"' in html and 'name="closing"' in html
    assert "Lý Thị Dung" in html and "Đi công tác tại Hà Nội" in html
    response = client.post(
        url,
        {
            "action": "save",
            "opening": "Người chủ trì khai mạc.",
            "items.0.discussion": "Thống nhất với dự thảo.",
            "items.0.conclusion": "Thông qua.",
            "items.1.discussion": "",
            "items.1.conclusion": "Ghi nhận.",
            "closing": "Kết thúc./.",
        },
    )
    assert response.status_code == 302
    latest = MinutesDraft.objects.filter(meeting=held.meeting).order_by("-version").first()
    assert latest.version == 2
    assert latest.content["items"][0]["discussion"] == "Thống nhất với dự thảo."


def test_members_cannot_edit_and_outsiders_see_nothing(client, held):
    member = held.members[0]
    client.force_login(member)
    editor = reverse("meetings:minutes_edit", args=[held.meeting.pk])
    assert client.get(editor).status_code == 403
    outsider = make_user(full_name="Vũ Thị Ngoài")
    client.force_login(outsider)
    for name, args in [
        ("minutes_edit", [held.meeting.pk]),
        ("pack_zip", [held.meeting.pk]),
        ("pack_pdf", [held.meeting.pk]),
        ("vote_sheet", [held.meeting.pk, held.named_poll.pk]),
    ]:
        assert client.get(reverse(f"meetings:{name}", args=args)).status_code == 404, name


def test_missing_chair_is_explained_on_the_editor_with_where_to_fix_it(client, held):
    Participant.objects.filter(meeting=held.meeting, role=ParticipantRole.CHAIR).delete()
    client.force_login(held.clerk)
    page = client.get(reverse("meetings:minutes_edit", args=[held.meeting.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Cuộc họp chưa có người chủ trì" in html
    assert reverse("meetings:prepare", args=[held.meeting.pk]) + "#nguoi-du" in html


def test_role_changed_after_the_closing_reaches_the_minutes_on_the_next_save(client, held):
    client.force_login(held.clerk)
    editor = reverse("meetings:minutes_edit", args=[held.meeting.pk])
    client.get(editor)
    member = Participant.objects.get(meeting=held.meeting, user=held.members[0])
    response = client.post(
        reverse("meetings:participant_role", args=[held.meeting.pk, member.pk]),
        {"role": ParticipantRole.SECRETARY},
    )
    assert response.status_code == 302
    assert "minutes-people-stale" in client.get(editor).content.decode()
    sent = client.post(reverse("meetings:minutes_send", args=[held.meeting.pk]), follow=True)
    assert "hãy bấm “Lưu biên bản” để cập nhật" in sent.content.decode()
    client.post(editor, {"action": "save"})
    latest = MinutesDraft.objects.filter(meeting=held.meeting).order_by("-version").first()
    assert latest.content["secretary"]["name"] == "Trần Văn An"
    assert "minutes-people-stale" not in client.get(editor).content.decode()


def test_participant_downloads_the_pack_as_zip_and_as_one_pdf_with_bookmarks(client, held):
    client.force_login(held.members[1])
    response = client.get(reverse("meetings:pack_zip", args=[held.meeting.pk]))
    assert response.status_code == 200 and response.streaming
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = archive.namelist()
    assert names == ["01-Muc-1-To-trinh-ve-Ke-hoach-chuyen-doi-so-nam-2027.pdf"]
    assert archive.read(names[0]).startswith(b"%PDF")

    response = client.get(reverse("meetings:pack_pdf", args=[held.meeting.pk]))
    assert response.status_code == 200
    merged = pikepdf.Pdf.open(io.BytesIO(b"".join(response.streaming_content)))
    assert len(merged.pages) == 3
    with merged.open_outline() as outline:
        titles = [item.title for item in outline.root]
    assert titles == ["Mục 1: Tờ trình về Kế hoạch chuyển đổi số năm 2027"]


def test_vote_sheet_is_served_to_participants(client, held):
    client.force_login(held.members[0])
    url = reverse("meetings:vote_sheet", args=[held.meeting.pk, held.secret_poll.pk])
    response = client.get(url)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def _statistics(body):
    today = timezone.localdate()
    return stats.body_statistics(
        body=body, start=today - dt.timedelta(days=30), end=today + dt.timedelta(days=1)
    )


def test_statistics_reflect_the_meeting_in_constant_queries(held, ubnd):
    body, chair, clerk = ubnd
    with CaptureQueriesContext(connection) as one:
        report = _statistics(body)
    assert report.meetings_registered == report.meetings_held == 1
    assert report.meetings_paperless == 1 and report.paperless_share == 100.0
    # 3 pages × 7 invited (chair, secretary, five members; the substitute replaces one).
    assert report.pages_digital == 21
    for _ in range(3):
        more = hold_meeting(body=body, clerk=clerk, chair=chair, total_members=6)
        attach_document(more, title="Báo cáo", pages=2)
    with CaptureQueriesContext(connection) as four:
        report = _statistics(body)
    assert report.meetings_held == 4
    assert report.pages_digital == 21 + 3 * 2 * 7
    assert len(four.captured_queries) == len(one.captured_queries)


def test_statistics_page_and_csv(client, held, ubnd):
    body, _chair, clerk = ubnd
    client.force_login(clerk)
    page = client.get(reverse("meetings:statistics"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "Cuộc họp không giấy theo tháng" in html
    response = client.get(reverse("meetings:statistics_csv"), {"co_quan": body.pk})
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeffCơ quan,Ủy ban nhân dân tỉnh Bắc Ninh")
    assert "Số trang tài liệu phát hành điện tử thay bản in,21" in text
    client.force_login(held.members[0])  # not an organiser of any body
    assert client.get(reverse("meetings:statistics")).status_code == 404


def test_a_meeting_held_today_counts_today_though_scheduled_next_month(held, ubnd):
    body, _chair, _clerk = ubnd
    later = timezone.now() + dt.timedelta(days=40)
    Meeting.objects.filter(pk=held.meeting.pk).update(
        starts_at=later, ends_at=later + dt.timedelta(hours=2), started_at=timezone.now()
    )
    today = timezone.localdate()
    report = stats.body_statistics(body=body, start=today, end=today)
    assert report.meetings_registered == report.meetings_held == 1


def test_chart_numbers_use_the_vietnamese_decimal_comma(held, ubnd):
    body, _chair, _clerk = ubnd
    report = _statistics(body)
    shown = dataclasses.replace(report, documents_issued=11, documents_signed=1)
    assert shown.signed_share == 9.1
    svg = str(stats.charts(shown)["shares"])
    assert "9,1 (9,1 %)" in svg and "9.1" not in svg
