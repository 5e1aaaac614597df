"""``manage.py seed_demo_meeting``: one prepared meeting of the demo province.

A new user of ``make run`` finds a meeting of the provincial People's Committee next week with
a two-level agenda, a reading pack (a Tờ trình and a report, real multi-page PDFs), the whole
committee invited and the Decree 30 invitation issued — so an official can open the invitation,
reply, read the pack and, once the chair starts the meeting, follow it live. Run after
``seed_demo``; idempotent (the meeting is recognised by its body and title).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import Body, User
from documents.services import document_create
from meetings.models import Meeting
from meetings.preparation import services
from meetings.preparation.invitations import meeting_send_invitations

TITLE = "Phiên họp thường kỳ Ủy ban nhân dân tỉnh tháng 12 năm 2026"
PLACE = "Phòng họp số 1, Trụ sở Ủy ban nhân dân tỉnh"

# (title, minutes, presenter username or "", document kind and abstract or None, children)
AGENDA: list[tuple[str, int, str, tuple[str, str] | None, list[tuple[str, int, str]]]] = [
    ("Khai mạc, thông qua chương trình phiên họp", 5, "chutich", None, []),
    (
        "Tờ trình về dự toán ngân sách địa phương năm 2027",
        45,
        "daibieu2",
        ("to_trinh", "Tờ trình về dự toán thu, chi ngân sách địa phương năm 2027"),
        [
            ("Báo cáo thẩm tra của Sở Tài chính", 10, "daibieu2"),
            ("Thảo luận và biểu quyết", 20, ""),
        ],
    ),
    (
        "Báo cáo tình hình kinh tế - xã hội tháng 11 năm 2026",
        30,
        "",
        ("bao_cao", "Báo cáo tình hình kinh tế - xã hội tháng 11 và nhiệm vụ tháng 12 năm 2026"),
        [],
    ),
    ("Chủ tịch Ủy ban nhân dân tỉnh kết luận phiên họp", 10, "chutich", None, []),
]


class Command(BaseCommand):
    help = "Tạo cuộc họp mẫu đã chuẩn bị (chương trình, tài liệu, giấy mời) cho bản chạy thử."

    def handle(self, *args: Any, **options: Any) -> None:
        body = Body.objects.filter(code="ubnd-tinh").first()
        clerk = User.objects.filter(username="vanthu").first()
        if body is None or clerk is None:
            raise CommandError("Chưa có dữ liệu mẫu: hãy chạy `manage.py seed_demo` trước.")
        if Meeting.objects.filter(body=body, title=TITLE).exists():
            self.stdout.write("Cuộc họp mẫu đã có sẵn.")
            return
        with transaction.atomic():
            meeting = self._prepare(body, clerk)
        self.stdout.write(
            self.style.SUCCESS(
                f"Đã tạo cuộc họp mẫu và phát hành giấy mời số {meeting.invitation_number}."
            )
        )

    def _prepare(self, body: Body, clerk: User) -> Meeting:
        starts_at = _next_working_day_at(time(8, 0))
        meeting = services.meeting_create(
            actor=clerk,
            body=body,
            title=TITLE,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=3, minutes=30),
            place=PLACE,
        )
        people = {user.username: user for user in User.objects.filter(memberships__body=body)}
        for title, minutes, presenter, document, children in AGENDA:
            item = services.agenda_item_add(
                actor=clerk,
                meeting=meeting,
                title=title,
                presenter=people.get(presenter),
                planned_minutes=minutes,
            )
            if document is not None:
                kind, abstract = document
                upload = ContentFile(_pack_pdf(abstract), name=f"{kind}.pdf")
                created = document_create(
                    actor=clerk, owning_body=body, doc_type=kind, abstract=abstract, upload=upload
                )
                services.agenda_document_attach(actor=clerk, item=item, document=created)
            for child_title, child_minutes, child_presenter in children:
                services.agenda_item_add(
                    actor=clerk,
                    meeting=meeting,
                    title=child_title,
                    parent=item,
                    presenter=people.get(child_presenter),
                    planned_minutes=child_minutes,
                )
        services.participants_invite_body(actor=clerk, meeting=meeting, body=body)
        return meeting_send_invitations(actor=clerk, meeting=meeting)


def _next_working_day_at(moment: time) -> datetime:
    """The next Monday–Friday, at least two days away, at *moment* in Vietnam time."""
    day = timezone.localdate() + timedelta(days=2)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, moment))


def _pack_pdf(abstract: str) -> bytes:
    """A readable multi-page PDF for the pack: Vietnamese text that search and notes can use."""
    from html import escape

    from weasyprint import HTML

    paragraph = (
        "Căn cứ Luật Tổ chức chính quyền địa phương và Luật Ngân sách nhà nước, cơ quan soạn "
        "thảo trình Ủy ban nhân dân tỉnh xem xét nội dung sau. Số liệu trong tài liệu này là "
        "số liệu mẫu dùng để chạy thử hệ thống."
    )
    sections = "".join(
        f"<h2>{index}. Nội dung {index}</h2>" + f"<p>{escape(paragraph)}</p>" * 8
        for index in range(1, 13)
    )
    html = (
        "<html lang='vi'><head><meta charset='utf-8'><style>"
        "@page { size: A4; margin: 20mm 20mm 20mm 30mm }"
        "body { font-family: 'Liberation Serif', 'Noto Serif', serif; font-size: 13pt }"
        "h1 { font-size: 14pt; text-align: center } p { text-align: justify }"
        f"</style></head><body><h1>{escape(abstract.upper())}</h1>{sections}</body></html>"
    )
    return HTML(string=html).write_pdf()
