"""Screens after the meeting: the minutes editor, sending for signature, vote sheets, the
meeting pack download, archiving, and the statistics page."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedRequest
from accounts.models import Body
from meetings.access import meeting_manageable_by, meetings_visible_to
from meetings.minutes import pack, stats
from meetings.minutes.draft import (
    RECORDABLE,
    minutes_draft_create,
    minutes_latest,
    minutes_people_stale,
    minutes_render,
    minutes_save,
)
from meetings.minutes.signing import (
    conclusion_notice_send,
    meeting_archive,
    minutes_send_for_signature,
    vote_sheet_pdf,
)
from meetings.models import Meeting, MinutesDraft, MinutesStatus, Poll, PollStatus


def _visible(request: AuthenticatedRequest, pk: int) -> Meeting:
    # Outsiders get 404, not 403: a meeting's existence is not theirs to learn.
    meeting = meetings_visible_to(request.user).select_related("body").filter(pk=pk).first()
    if meeting is None:
        raise Http404(gettext("Không tìm thấy cuộc họp."))
    return meeting


def _managed(request: AuthenticatedRequest, pk: int) -> Meeting:
    meeting = _visible(request, pk)
    if not meeting_manageable_by(request.user, meeting):
        raise PermissionDenied(gettext("Chỉ văn thư, thư ký hoặc người chủ trì mới lập biên bản."))
    return meeting


def _editor_url(meeting: Meeting) -> str:
    return reverse("meetings:minutes_edit", args=[meeting.pk])


def _narrative_from(post: dict[str, str], draft: MinutesDraft) -> dict[str, str]:
    keys = ["opening", "closing"]
    for index in range(len(draft.content["items"])):
        keys += [f"items.{index}.discussion", f"items.{index}.conclusion"]
    return {key: post.get(key, "") for key in keys if key in post}


@login_required
def minutes_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The editor: one form per section; facts as read-only tables; save = a new version."""
    meeting = _managed(request, pk)
    if meeting.status not in RECORDABLE:
        messages.error(request, gettext("Chỉ lập biên bản sau khi cuộc họp đã kết thúc."))
        return redirect("meetings:detail", meeting.pk)
    try:
        draft = minutes_draft_create(actor=request.user, meeting=meeting)
    except ValidationError as exc:
        # Not an error page: the editor says what is missing and links to where to fix it.
        return render(
            request,
            "meetings/minutes/edit.html",
            {"meeting": meeting, "problem": " ".join(exc.messages)},
        )
    if request.method == "POST":
        try:
            draft = minutes_save(
                actor=request.user,
                meeting=meeting,
                narrative=_narrative_from(request.POST, draft),
                restart=request.POST.get("action") == "restart",
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                gettext("Đã lưu biên bản (phiên bản %(version)d).") % {"version": draft.version},
            )
            return redirect(_editor_url(meeting))
    versions = MinutesDraft.objects.filter(meeting=meeting).select_related("edited_by")
    return render(
        request,
        "meetings/minutes/edit.html",
        {
            "meeting": meeting,
            "draft": draft,
            "c": draft.content,
            "locked": draft.status != MinutesStatus.DRAFT,
            "people_stale": draft.status == MinutesStatus.DRAFT and minutes_people_stale(draft),
            "versions": versions.order_by("-version")[:20],
            "polls": Poll.objects.filter(item__meeting=meeting, status=PollStatus.CLOSED),
        },
    )


@login_required
@require_POST
def minutes_send(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    meeting = _managed(request, pk)
    try:
        draft = minutes_send_for_signature(
            actor=request.user, meeting=meeting, parallel=request.POST.get("parallel") == "1"
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(_editor_url(meeting))
    messages.success(
        request, gettext("Đã trình ký biên bản: thư ký, người chủ trì ký rồi văn thư đóng dấu.")
    )
    return redirect("signing:request_detail", draft.signing_request_id)


@login_required
def minutes_preview(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The latest draft as PDF, exactly as it would be sent for signature."""
    meeting = _managed(request, pk)
    draft = minutes_latest(meeting)
    if draft is None:
        raise Http404(gettext("Biên bản chưa được lập."))
    response = HttpResponse(minutes_render(draft).pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="bien-ban-{meeting.pk}.pdf"'
    return response


@login_required
@require_POST
def conclusion_notice(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    meeting = _managed(request, pk)
    try:
        notice = conclusion_notice_send(actor=request.user, meeting=meeting)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(_editor_url(meeting))
    messages.success(request, gettext("Đã lập và trình ký thông báo kết luận."))
    return redirect("signing:request_detail", notice.signing_request_id)


@login_required
@require_POST
def archive(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    meeting = _managed(request, pk)
    try:
        meeting_archive(actor=request.user, meeting=meeting)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, gettext("Đã lưu trữ hồ sơ cuộc họp; hồ sơ chỉ còn được xem."))
    return redirect(_editor_url(meeting))


@login_required
def vote_sheet(request: AuthenticatedRequest, pk: int, poll_id: int) -> HttpResponse:
    """A closed poll's result sheet, for the room's screen or a participant's tablet."""
    meeting = _visible(request, pk)
    poll = Poll.objects.filter(pk=poll_id, item__meeting=meeting, status=PollStatus.CLOSED).first()
    if poll is None:
        raise Http404(gettext("Không có kết quả biểu quyết này."))
    response = HttpResponse(vote_sheet_pdf(poll), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="ket-qua-bieu-quyet-{poll.pk}.pdf"'
    return response


@login_required
def pack_zip(request: AuthenticatedRequest, pk: int) -> StreamingHttpResponse:
    meeting = _visible(request, pk)
    files = pack.pack_files(request.user, meeting)
    response = StreamingHttpResponse(pack.zip_stream(files), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="tai-lieu-hop-{meeting.pk}.zip"'
    return response


@login_required
def pack_pdf(request: AuthenticatedRequest, pk: int) -> FileResponse:
    meeting = _visible(request, pk)
    merged = pack.merged_pdf(pack.pack_files(request.user, meeting), title=meeting.title)
    return FileResponse(merged, as_attachment=True, filename=f"tai-lieu-hop-{meeting.pk}.pdf")


# --- Statistics --------------------------------------------------------------------------------


def _period(request: AuthenticatedRequest) -> tuple[dt.date, dt.date]:
    today = dt.date.today()
    try:
        start = dt.date.fromisoformat(request.GET.get("tu", "") or f"{today.year}-01-01")
        end = dt.date.fromisoformat(request.GET.get("den", "") or today.isoformat())
    except ValueError:
        raise ValidationError(gettext("Ngày không hợp lệ (định dạng YYYY-MM-DD).")) from None
    if end < start:
        raise ValidationError(gettext("Ngày kết thúc phải sau ngày bắt đầu."))
    return start, end


def _stats_body(request: AuthenticatedRequest) -> Body:
    bodies = stats.bodies_with_statistics(request.user)
    chosen = request.GET.get("co_quan")
    body = bodies.filter(pk=chosen).first() if chosen and chosen.isdigit() else bodies.first()
    if body is None:
        raise Http404(gettext("Bạn không quản lý cơ quan nào."))
    return body


@login_required
def statistics(request: AuthenticatedRequest) -> HttpResponse:
    body = _stats_body(request)
    try:
        start, end = _period(request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        start, end = dt.date(dt.date.today().year, 1, 1), dt.date.today()
    report = _statistics(body, start, end)
    return render(
        request,
        "meetings/minutes/statistics.html",
        {
            "body": body,
            "bodies": stats.bodies_with_statistics(request.user),
            "start": start,
            "end": end,
            "report": report,
            "charts": stats.charts(report),
            "cache_minutes": settings.KYHOP_STATISTICS_CACHE_SECONDS // 60,
        },
    )


def _statistics(body: Body, start: dt.date, end: dt.date) -> stats.BodyStatistics:
    """The report, reused for KYHOP_STATISTICS_CACHE_SECONDS: it is a report over a period
    (a year of a province's committee is ~80 ms of queries), and the page says the figures
    may be that old. 0 computes it on every view."""
    seconds = settings.KYHOP_STATISTICS_CACHE_SECONDS
    if not seconds:
        return stats.body_statistics(body=body, start=start, end=end)
    key = f"statistics:{body.pk}:{start.isoformat()}:{end.isoformat()}"
    report = cache.get(key)
    if report is None:
        report = stats.body_statistics(body=body, start=start, end=end)
        cache.set(key, report, seconds)
    return report


@login_required
def statistics_csv(request: AuthenticatedRequest) -> HttpResponse:
    body = _stats_body(request)
    try:
        start, end = _period(request)
    except ValidationError as exc:
        return HttpResponse(" ".join(exc.messages), status=400, content_type="text/plain")
    report = _statistics(body, start, end)
    response = HttpResponse(stats.csv_text(report), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="thong-ke-{body.code}-{start.isoformat()}-{end.isoformat()}.csv"'
    )
    return response
