"""The outgoing register's page and its CSV and Excel exports, for the clerks who keep it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from accounts.models import Body
from documents.forms import DateInput, QuickSelect
from documents.models import DocumentType, OutgoingEntry
from documents.register.export import csv_lines, xlsx_bytes
from documents.register.selectors import RegisterQuery, register_bodies_for, register_entries

PAGE_ROWS = 200
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class RegisterSearchForm(forms.Form):
    body = forms.ModelChoiceField(
        label=_("Cơ quan"),
        required=False,
        queryset=Body.objects.none(),
        empty_label=_("Tất cả"),
        widget=QuickSelect,
    )
    doc_type = forms.ChoiceField(
        label=_("Loại văn bản"),
        required=False,
        choices=[("", _("Tất cả")), *[(value, _(label)) for value, label in DocumentType.choices]],
        widget=QuickSelect,
    )
    year = forms.IntegerField(label=_("Năm"), required=False, min_value=1945, max_value=9999)
    q = forms.CharField(label=_("Số, ký hiệu, trích yếu"), required=False, max_length=200)
    issued_from = forms.DateField(label=_("Từ ngày"), required=False, widget=DateInput)
    issued_to = forms.DateField(label=_("Đến ngày"), required=False, widget=DateInput)

    def __init__(self, *args: Any, bodies: QuerySet[Body], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        body_field = self.fields["body"]
        assert isinstance(body_field, forms.ModelChoiceField)
        body_field.queryset = bodies

    def to_query(self) -> RegisterQuery:
        data = self.cleaned_data if self.is_valid() else {}
        return RegisterQuery(
            body=data.get("body"),
            doc_type=data.get("doc_type") or "",
            year=data.get("year"),
            text=data.get("q") or "",
            issued_from=data.get("issued_from"),
            issued_to=data.get("issued_to"),
        )


def _searched(request: HttpRequest) -> tuple[RegisterSearchForm, QuerySet[OutgoingEntry]]:
    bodies = register_bodies_for(request.user)
    if not bodies.exists():
        raise PermissionDenied(gettext("Chỉ văn thư của cơ quan mới xem được sổ văn bản đi."))
    form = RegisterSearchForm(request.GET or None, bodies=bodies)
    return form, register_entries(request.user, form.to_query())


@login_required
@require_safe
def register_list(request: HttpRequest) -> HttpResponse:
    form, entries = _searched(request)
    context = {
        "form": form,
        "entries": entries[:PAGE_ROWS],
        "more": entries[PAGE_ROWS : PAGE_ROWS + 1].exists(),
        "export_query": request.GET.urlencode(),
    }
    return render(request, "documents/register_list.html", context)


@login_required
@require_safe
def register_export_csv(request: HttpRequest) -> StreamingHttpResponse:
    _form, entries = _searched(request)
    response = StreamingHttpResponse(csv_lines(entries), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="so-van-ban-di.csv"'
    return response


@login_required
@require_safe
def register_export_xlsx(request: HttpRequest) -> HttpResponse:
    _form, entries = _searched(request)
    data = xlsx_bytes(entries, title=gettext("Sổ văn bản đi"))
    response = HttpResponse(data, content_type=XLSX_TYPE)
    response["Content-Disposition"] = 'attachment; filename="so-van-ban-di.xlsx"'
    return response
