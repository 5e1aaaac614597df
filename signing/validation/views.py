"""The public validation page: anyone may upload a PDF; signed-in users may check a version.

``?format=json`` (or ``Accept: application/json``) answers the JSON report instead of HTML;
``?format=pdf`` the sealed PDF report. An uploaded file is not kept, so the PDF of an upload is
made from the last report shown to this browser (kept in its session).

A stored version's page only reads: GET shows (or downloads) the newest report kept for it, and
checking it again is a POST that stores a new report and its audit entry, then redirects to the
page (post/redirect/get). The JSON keeps the stored Vietnamese sentences and ISO 8601 times; the
page and the PDF report are in the visitor's language (``signing.validation.presentation``).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import render
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts.models import User
from documents.selectors import document_version_for
from signing.validation.presentation import localize
from signing.validation.report import Report
from signing.validation.report_pdf import report_pdf
from signing.validation.runner import validate_pdf
from signing.validation.selectors import version_report_latest
from signing.validation.services import version_validate
from signing.validation.texts import human_time

PAGE = "signing/validation/page.html"


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Tệp PDF cần kiểm tra"))


def _wants_json(request: HttpRequest) -> bool:
    return request.GET.get("format") == "json" or "application/json" in request.headers.get(
        "Accept", ""
    )


SESSION_KEY = "validation_last_report"


def _wants_pdf(request: HttpRequest) -> bool:
    return request.GET.get("format") == "pdf"


def _pdf_answer(report: dict[str, Any]) -> HttpResponse:
    try:
        pdf = report_pdf(report)
    except ValidationError as exc:
        # The platform's seal is misconfigured (wrong passphrase, damaged file): say so plainly.
        return HttpResponse(
            gettext("Không lập được báo cáo PDF có đóng dấu số: ") + " ".join(exc.messages),
            status=503,
            content_type="text/plain; charset=utf-8",
        )
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"bao-cao-kiem-tra-{report['file_sha256'][:12]}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _answer(request: HttpRequest, report: Report, form: UploadForm | None) -> HttpResponse:
    data = report.as_json()
    if _wants_json(request):
        return JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    request.session[SESSION_KEY] = data  # for the "download as PDF" link
    if _wants_pdf(request):
        return _pdf_answer(data)
    context = {"form": form, "report": localize(data), "pdf_link": True}
    return render(request, PAGE, context)


@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        if _wants_pdf(request):
            last = request.session.get(SESSION_KEY)
            if last is None:
                raise Http404(
                    gettext("Chưa có báo cáo nào để tải về: hãy tải tệp lên để kiểm tra trước.")
                )
            return _pdf_answer(last)
        return render(request, PAGE, {"form": UploadForm()})
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, PAGE, {"form": form}, status=400)
    upload = form.cleaned_data["file"]
    if upload.size > settings.KYHOP_VALIDATION_MAX_BYTES:
        # Refused before reading it into memory; validate_pdf would refuse it as well.
        form.add_error("file", gettext("Tệp vượt quá giới hạn dung lượng được kiểm tra."))
        return render(request, PAGE, {"form": form}, status=413)
    # validate_pdf never raises for bad input: it returns a report with a refusal.
    report = validate_pdf(upload.read(), file_name=upload.name or "")
    return _answer(request, report, UploadForm())


@require_http_methods(["GET", "POST"])
def version(request: HttpRequest, document_id: int, number: int) -> HttpResponse:
    """GET: the newest stored report of a version (no side effect). POST: check it again."""
    user = request.user
    # An anonymous visitor sees no stored version: the same 404 as someone not cleared for it.
    if not isinstance(user, User):
        raise Http404(gettext("Không tìm thấy văn bản."))
    found = document_version_for(user, document_id=document_id, number=number)
    if found is None:
        raise Http404(gettext("Không tìm thấy văn bản."))
    if request.method == "POST":
        version_validate(actor=user, version=found)
        response = HttpResponseRedirect(request.path)
        response.status_code = 303  # See Other: the page is read with GET
        return response
    row = version_report_latest(version=found)
    not_checked = gettext("Phiên bản này chưa được kiểm tra chữ ký.")
    if _wants_json(request):
        if row is None:
            error = {"error": "not_checked", "message": not_checked}
            return JsonResponse(error, status=404, json_dumps_params={"ensure_ascii": False})
        return JsonResponse(row.report, json_dumps_params={"ensure_ascii": False})
    if _wants_pdf(request):
        if row is None:
            raise Http404(not_checked)
        return _pdf_answer(row.report)
    context = {
        "version": found,
        "report": localize(row.report) if row is not None else None,
        "checked_at": human_time(row.created_at) if row is not None else "",
        "pdf_link": row is not None,
    }
    return render(request, PAGE, context)
