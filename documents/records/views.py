"""Work record (hồ sơ công việc) screens: list, open, detail, add a document, close.

Rules live in the services (who may keep records, closed records are read-only) and selectors
(who sees what); records of other bodies answer 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.http import AuthenticatedRequest
from documents import services
from documents.forms import WorkRecordForm
from documents.models import WorkRecord, WorkRecordStatus
from documents.paging import Page
from documents.selectors import (
    bodies_user_may_keep_records_for,
    documents_visible_to,
    user_may_keep_records,
    work_record_candidates,
    work_record_documents,
    work_records_visible_to,
)

CANDIDATES_SHOWN = 20


def _visible_record(request: AuthenticatedRequest, pk: int) -> WorkRecord:
    queryset = work_records_visible_to(request.user).select_related("owning_body", "created_by")
    return get_object_or_404(queryset, pk=pk)


@login_required
@require_safe
def record_list(request: AuthenticatedRequest) -> HttpResponse:
    records = work_records_visible_to(request.user).select_related("owning_body")
    can_open = bodies_user_may_keep_records_for(request.user).exists()
    return render(request, "documents/record_list.html", {"records": records, "can_open": can_open})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def record_open(request: AuthenticatedRequest) -> HttpResponse:
    bodies = bodies_user_may_keep_records_for(request.user)
    form = WorkRecordForm(request.POST or None, bodies=bodies)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            record = services.work_record_open(
                actor=request.user,
                code=data["code"],
                name=data["name"],
                owning_body=data["owning_body"],
                retention_years=None if data["permanent"] else data["retention_years"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, gettext("Đã lập hồ sơ “%(code)s”.") % {"code": record.code})
            return redirect("documents:record_detail", pk=record.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "documents/record_form.html", {"form": form}, status=status)


@login_required
@require_safe
def record_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    record = _visible_record(request, pk)
    is_open = record.status == WorkRecordStatus.OPEN
    can_edit = is_open and user_may_keep_records(request.user, record.owning_body)
    query = request.GET.get("q", "").strip()[:200]
    candidates = (
        work_record_candidates(request.user, record, query)[:CANDIDATES_SHOWN] if can_edit else []
    )
    context = {
        "record": record,
        # A record can hold thousands of documents: a page at a time, newest first.
        "page": Page.of(work_record_documents(request.user, record), request.GET.get("trang")),
        "can_edit": can_edit,
        "query": query,
        "candidates": candidates,
    }
    return render(request, "documents/record_detail.html", context)


@login_required
@require_POST
def record_add_document(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    record = _visible_record(request, pk)
    document_id = request.POST.get("document", "")
    if not document_id.isdigit():
        raise Http404(gettext("Không tìm thấy văn bản."))
    document = get_object_or_404(documents_visible_to(request.user), pk=int(document_id))
    try:
        services.work_record_add(actor=request.user, record=record, document=document)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(_messages_of(exc)))
    else:
        messages.success(request, gettext("Đã đưa văn bản vào hồ sơ."))
    return redirect("documents:record_detail", pk=record.pk)


@login_required
@require_POST
def record_close(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    record = _visible_record(request, pk)
    try:
        services.work_record_close(actor=request.user, record=record)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(_messages_of(exc)))
    else:
        messages.success(
            request,
            gettext("Đã đóng hồ sơ “%(code)s”; hồ sơ chỉ còn để xem.") % {"code": record.code},
        )
    return redirect("documents:record_detail", pk=record.pk)


def _messages_of(exc: ValidationError | PermissionDenied) -> list[str]:
    return exc.messages if isinstance(exc, ValidationError) else [str(exc)]
