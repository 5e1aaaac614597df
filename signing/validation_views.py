"""The public validation page: anyone may upload a PDF; signed-in users may check a version.

``?format=json`` (or ``Accept: application/json``) answers the JSON report instead of HTML;
``?format=pdf`` the sealed PDF report. An uploaded file is not kept, so the PDF of an upload is
made from the last report shown to this browser (kept in its session).
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from documents.selectors import document_version_for
from signing.report_pdf import report_pdf
from signing.validation.report import Report
from signing.validation.runner import validate_pdf
from signing.validation.services import version_validate


class UploadForm(forms.Form):
    file = forms.FileField(label="Tệp PDF cần kiểm tra")


def _wants_json(request: HttpRequest) -> bool:
    return request.GET.get("format") == "json" or "application/json" in request.headers.get(
        "Accept", ""
    )


SESSION_KEY = "validation_last_report"


def _wants_pdf(request: HttpRequest) -> bool:
    return request.GET.get("format") == "pdf"


def _pdf_answer(report: dict) -> HttpResponse:
    try:
        pdf = report_pdf(report)
    except ValidationError as exc:
        # The platform's seal is misconfigured (wrong passphrase, damaged file): say so plainly.
        return HttpResponse(
            "Không lập được báo cáo PDF có đóng dấu số: " + " ".join(exc.messages),
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
    context = {"form": form, "report": data, "pdf_link": True}
    return render(request, "signing/validation/page.html", context)


@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        if _wants_pdf(request):
            last = request.session.get(SESSION_KEY)
            if last is None:
                raise Http404("Chưa có báo cáo nào để tải về: hãy tải tệp lên để kiểm tra trước.")
            return _pdf_answer(last)
        return render(request, "signing/validation/page.html", {"form": UploadForm()})
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "signing/validation/page.html", {"form": form}, status=400)
    upload = form.cleaned_data["file"]
    if upload.size > settings.KYHOP_VALIDATION_MAX_BYTES:
        # Refused before reading it into memory; validate_pdf would refuse it as well.
        form.add_error("file", "Tệp vượt quá giới hạn dung lượng được kiểm tra.")
        return render(request, "signing/validation/page.html", {"form": form}, status=413)
    # validate_pdf never raises for bad input: it returns a report with a refusal.
    report = validate_pdf(upload.read(), file_name=upload.name or "")
    return _answer(request, report, UploadForm())


@require_http_methods(["GET"])
def version(request: HttpRequest, document_id: int, number: int) -> HttpResponse:
    found = document_version_for(request.user, document_id=document_id, number=number)
    if found is None:
        raise Http404("Không tìm thấy văn bản.")
    row = version_validate(actor=request.user, version=found)
    if _wants_json(request):
        return JsonResponse(row.report, json_dumps_params={"ensure_ascii": False})
    if _wants_pdf(request):
        return _pdf_answer(row.report)
    context = {"form": UploadForm(), "report": row.report, "version": found, "pdf_link": True}
    return render(request, "signing/validation/page.html", context)
