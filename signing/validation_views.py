"""The public validation page: anyone may upload a PDF; signed-in users may check a version.

``?format=json`` (or ``Accept: application/json``) answers the JSON report instead of HTML.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from documents.selectors import document_version_for
from signing.validation.report import Report
from signing.validation.runner import validate_pdf
from signing.validation.services import version_validate


class UploadForm(forms.Form):
    file = forms.FileField(label="Tệp PDF cần kiểm tra")


def _wants_json(request: HttpRequest) -> bool:
    return request.GET.get("format") == "json" or "application/json" in request.headers.get(
        "Accept", ""
    )


def _answer(request: HttpRequest, report: Report, form: UploadForm | None) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse(report.as_json(), json_dumps_params={"ensure_ascii": False})
    context = {"form": form, "report": report.as_json()}
    return render(request, "signing/validation/page.html", context)


@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
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
    context = {"form": UploadForm(), "report": row.report, "version": found}
    return render(request, "signing/validation/page.html", context)
