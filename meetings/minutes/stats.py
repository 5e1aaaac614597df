"""Statistics per body and period: paperless meetings, pages not printed, digital signatures.

Definitions (also printed on the page, so a reader can check the numbers):

- registered meetings: the body's meetings in the period that were announced (not drafts,
  not cancelled); held: those that ended (closed, minutes signed, archived);
- paperless: held meetings run in KyHop, i.e. with attendance taken in it (at least one
  check-in); the share is paperless / registered;
- pages distributed digitally: for each held meeting, the pages of its pack (invitation,
  agenda, agenda documents; latest versions) times the people invited (substitutes count for
  the member they replace);
- documents signed digitally: documents issued by the body in the period with a completed
  signing request; the share is of all documents it issued in the period;
- time to sign: from sending a request to its completion, for requests completed in the period.

A fixed number of queries whatever the number of meetings or documents (a test asserts it).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from accounts.models import Body, Membership, User
from documents.models import Document, DocumentStatus, DocumentVersion
from meetings.access import ORGANISER_ROLES
from meetings.minutes.charts import Bar, bar_chart_svg, vi_number
from meetings.models import HELD_AT, AgendaDocument, Meeting, MeetingStatus, Rsvp
from signing.models import RequestStatus, SigningRequest

HELD = (MeetingStatus.CLOSED, MeetingStatus.MINUTES_SIGNED, MeetingStatus.ARCHIVED)
NOT_REGISTERED = (MeetingStatus.DRAFT, MeetingStatus.CANCELLED)


@dataclass(frozen=True)
class Month:
    label: str  # "03/2026"
    registered: int
    held: int
    paperless: int


@dataclass(frozen=True)
class BodyStatistics:
    body: Body
    start: dt.date
    end: dt.date
    meetings_registered: int
    meetings_held: int
    meetings_paperless: int
    pages_digital: int
    documents_issued: int
    documents_signed: int
    requests_completed: int
    average_signing_hours: float | None
    months: list[Month] = field(default_factory=list)

    @property
    def paperless_share(self) -> float:
        return _share(self.meetings_paperless, self.meetings_registered)

    @property
    def signed_share(self) -> float:
        return _share(self.documents_signed, self.documents_issued)


def _share(part: int, whole: int) -> float:
    return round(100 * part / whole, 1) if whole else 0.0


def bodies_with_statistics(user: User) -> QuerySet[Body]:
    """The bodies whose statistics *user* may read: those they organise meetings for."""
    if getattr(user, "is_superuser", False):
        return Body.objects.filter(is_active=True).order_by("name")
    organised = Membership.objects.filter(user=user, role__in=ORGANISER_ROLES)
    return Body.objects.filter(pk__in=organised.values("body_id"), is_active=True).order_by("name")


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    # Calendar days in Vietnam time: a meeting at 07:00 on the 1st belongs to the 1st.
    zone = timezone.get_current_timezone()
    low = dt.datetime.combine(start, dt.time.min, tzinfo=zone)
    high = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return low, high


def _meetings(body: Body, low: dt.datetime, high: dt.datetime) -> list[Mapping[str, Any]]:
    invited = ~Q(participants__rsvp=Rsvp.SUBSTITUTE)
    return list(
        Meeting.objects.annotate(held_at=HELD_AT)
        .filter(body=body, held_at__gte=low, held_at__lt=high)
        .exclude(status__in=NOT_REGISTERED)
        .annotate(
            invited=Count("participants", filter=invited),
            checked_in=Count("participants", filter=Q(participants__checked_in_at__isnull=False)),
        )
        .values(
            "pk",
            "status",
            "held_at",
            "invited",
            "checked_in",
            "invitation_document_id",
            "agenda_document_id",
        )
    )


def _pack_pages(meetings: list[Mapping[str, Any]]) -> dict[int, int]:
    """meeting id → pages in its pack (latest version of each document, counted once)."""
    documents: dict[int, set[int]] = {m["pk"]: set() for m in meetings}
    for meeting in meetings:
        for key in ("invitation_document_id", "agenda_document_id"):
            if meeting[key]:
                documents[meeting["pk"]].add(meeting[key])
    links = AgendaDocument.objects.filter(item__meeting_id__in=list(documents)).values_list(
        "item__meeting_id", "document_id"
    )
    for meeting_id, document_id in links:
        documents[meeting_id].add(document_id)
    wanted = set().union(*documents.values()) if documents else set()
    pages: dict[int, int] = {}
    versions = (
        DocumentVersion.objects.filter(document_id__in=wanted)
        .order_by("document_id", "number")
        .values_list("document_id", "blob__page_count")
    )
    for document_id, count in versions:
        pages[document_id] = count or 0  # the last (latest) version wins
    return {mid: sum(pages.get(d, 0) for d in docs) for mid, docs in documents.items()}


def _documents(body: Body, start: dt.date, end: dt.date) -> tuple[int, int]:
    completed = SigningRequest.objects.filter(
        document=OuterRef("pk"), status=RequestStatus.COMPLETED
    )
    counts = Document.objects.filter(
        issuing_body=body,
        status=DocumentStatus.ISSUED,
        issued_on__gte=start,
        issued_on__lte=end,
    ).aggregate(issued=Count("pk"), signed=Count("pk", filter=Q(Exists(completed))))
    return counts["issued"], counts["signed"]


def _signing_times(body: Body, low: dt.datetime, high: dt.datetime) -> list[float]:
    rows = SigningRequest.objects.filter(
        body=body,
        status=RequestStatus.COMPLETED,
        completed_at__gte=low,
        completed_at__lt=high,
        sent_at__isnull=False,
    ).values_list("sent_at", "completed_at")
    # Both are set on every row the filter keeps; the test only tells the type checker so.
    return [
        (done - sent).total_seconds() / 3600
        for sent, done in rows
        if sent is not None and done is not None
    ]


def _months(meetings: list[Mapping[str, Any]]) -> list[Month]:
    registered: Counter[str] = Counter()
    held: Counter[str] = Counter()
    paperless: Counter[str] = Counter()
    keys: dict[str, tuple[int, int]] = {}
    for meeting in meetings:
        local = timezone.localtime(meeting["held_at"])
        label = f"{local.month:02d}/{local.year}"
        keys[label] = (local.year, local.month)
        registered[label] += 1
        if meeting["status"] in HELD:
            held[label] += 1
            paperless[label] += 1 if meeting["checked_in"] else 0
    ordered = sorted(keys, key=keys.__getitem__)
    return [Month(label, registered[label], held[label], paperless[label]) for label in ordered]


def body_statistics(*, body: Body, start: dt.date, end: dt.date) -> BodyStatistics:
    low, high = _bounds(start, end)
    meetings = _meetings(body, low, high)
    held = [m for m in meetings if m["status"] in HELD]
    pages = _pack_pages(held)
    issued, signed = _documents(body, start, end)
    times = _signing_times(body, low, high)
    return BodyStatistics(
        body=body,
        start=start,
        end=end,
        meetings_registered=len(meetings),
        meetings_held=len(held),
        meetings_paperless=sum(1 for m in held if m["checked_in"]),
        pages_digital=sum(pages[m["pk"]] * m["invited"] for m in held),
        documents_issued=issued,
        documents_signed=signed,
        requests_completed=len(times),
        average_signing_hours=round(sum(times) / len(times), 2) if times else None,
        months=_months(meetings),
    )


def charts(report: BodyStatistics) -> dict[str, SafeString]:
    """Inline SVG for the page (labels are escaped by ``bar_chart_svg``)."""
    monthly = [Bar(m.label, m.paperless, f"{m.paperless}/{m.registered}") for m in report.months]
    shares = [
        Bar(
            "Cuộc họp không giấy", report.paperless_share, f"{vi_number(report.paperless_share)} %"
        ),
        Bar("Văn bản ký số", report.signed_share, f"{vi_number(report.signed_share)} %"),
    ]
    return {
        "monthly": mark_safe(  # noqa: S308 - built by bar_chart_svg, which escapes its text
            bar_chart_svg(monthly, title="Cuộc họp không giấy theo tháng")
        ),
        "shares": mark_safe(bar_chart_svg(shares, title="Tỷ lệ (%)")),  # noqa: S308
    }


def csv_text(report: BodyStatistics) -> str:
    """The figures as CSV (UTF-8 with BOM so spreadsheet programs read Vietnamese correctly)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Cơ quan", report.body.name])
    writer.writerow(["Từ ngày", report.start.isoformat(), "Đến ngày", report.end.isoformat()])
    writer.writerow([])
    writer.writerow(["Chỉ tiêu", "Giá trị"])
    rows = [
        ("Cuộc họp đã đăng ký", report.meetings_registered),
        ("Cuộc họp đã tổ chức", report.meetings_held),
        ("Cuộc họp không giấy (điều hành trên KyHop)", report.meetings_paperless),
        ("Tỷ lệ họp không giấy (%)", report.paperless_share),
        ("Số trang tài liệu phát hành điện tử thay bản in", report.pages_digital),
        ("Văn bản đã ban hành", report.documents_issued),
        ("Văn bản ký số", report.documents_signed),
        ("Tỷ lệ văn bản ký số (%)", report.signed_share),
        ("Yêu cầu ký số hoàn thành", report.requests_completed),
        ("Thời gian trung bình từ trình ký đến ký xong (giờ)", report.average_signing_hours or ""),
    ]
    writer.writerows(rows)
    writer.writerow([])
    writer.writerow(["Tháng", "Đã đăng ký", "Đã tổ chức", "Không giấy"])
    for month in report.months:
        writer.writerow([month.label, month.registered, month.held, month.paperless])
    return "\ufeff" + buffer.getvalue()
