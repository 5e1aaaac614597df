"""The outgoing register's page and its CSV export, for the clerks who keep it."""

from __future__ import annotations

import csv
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from accounts.models import Body
from documents.forms import DateInput, QuickSelect
from documents.models import DocumentType, OutgoingEntry
from documents.register.selectors import RegisterQuery, register_bodies_for, register_entries

PAGE_ROWS = 200


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


class _Echo:
    def write(self, value: str) -> str:
        return value


# The register's columns, as an archivist reads them (Decree 30, Appendix: sổ văn bản đi).
def _headings() -> list[str]:
    return [
        gettext("Số thứ tự"),
        gettext("Số, ký hiệu"),
        gettext("Ngày văn bản"),
        gettext("Loại văn bản"),
        gettext("Trích yếu"),
        gettext("Người ký"),
        gettext("Cơ quan"),
        gettext("Người vào sổ"),
        gettext("Vào sổ lúc"),
    ]


def _row(entry: OutgoingEntry) -> list[str]:
    return [
        str(entry.number),
        entry.number_symbol,
        entry.issued_on.strftime("%d/%m/%Y"),
        gettext(entry.get_doc_type_display()),
        entry.abstract,
        entry.signer_name,
        entry.body.name,
        str(entry.recorded_by),
        timezone.localtime(entry.recorded_at).isoformat(timespec="seconds"),
    ]


@login_required
@require_safe
def register_export_csv(request: HttpRequest) -> StreamingHttpResponse:
    _form, entries = _searched(request)
    writer = csv.writer(_Echo())

    def lines():
        # A byte-order mark, so that spreadsheet programs read the Vietnamese as UTF-8.
        yield "\ufeff" + writer.writerow(_headings())
        for entry in entries.iterator(chunk_size=500):
            yield writer.writerow(_row(entry))

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="so-van-ban-di.csv"'
    return response
