"""Forms parse input only; the rules live in services and selectors."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.forms.utils import flatatt
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from accounts.models import Body, Secrecy
from documents.models import DocumentStatus, DocumentType, Urgency
from documents.selectors import DocumentQuery
from documents.uploads.checks import ACCEPTED_EXTENSIONS

_FILE_ACCEPT = f"{ACCEPTED_EXTENSIONS},application/pdf"


class DateInput(forms.DateInput):
    input_type = "date"


class QuickSelect(forms.Select):
    """A select whose options are written here rather than through one widget template each:
    the search form's 250 bodies cost ~20 ms per documents page that way."""

    def render(self, name: str, value: Any, attrs: Any = None, renderer: Any = None) -> SafeString:
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        # The Bootstrap class the form renderer's select template gives every other select.
        final["class"] = f"{final.get('class', '')} form-select".strip()
        selected = set(self.format_value(value))
        parts = [f"<select{flatatt(final)}>"]
        for option_value, label in self.choices:
            raw = "" if option_value is None else str(option_value)
            mark = " selected" if raw in selected else ""
            parts.append(f'<option value="{escape(raw)}"{mark}>{escape(label)}</option>')
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every value and label escaped above


class DocumentSearchForm(forms.Form):
    q = forms.CharField(label=_("Từ khoá"), required=False, max_length=200)
    doc_type = forms.ChoiceField(
        label=_("Loại văn bản"),
        required=False,
        choices=[("", _("Tất cả")), *[(value, _(label)) for value, label in DocumentType.choices]],
        widget=QuickSelect,
    )
    body = forms.ModelChoiceField(
        label=_("Cơ quan"),
        required=False,
        queryset=Body.objects.none(),
        empty_label=_("Tất cả"),
        widget=QuickSelect,
    )
    date_from = forms.DateField(label=_("Từ ngày"), required=False, widget=DateInput)
    date_to = forms.DateField(label=_("Đến ngày"), required=False, widget=DateInput)

    def __init__(self, *args: Any, bodies: QuerySet[Body], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = bodies  # type: ignore[attr-defined]  # a ModelChoiceField

    def to_query(self) -> DocumentQuery:
        data = self.cleaned_data if self.is_valid() else {}
        return DocumentQuery(
            text=data.get("q") or "",
            doc_type=data.get("doc_type") or "",
            body=data.get("body"),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )


class DocumentCreateForm(forms.Form):
    owning_body = forms.ModelChoiceField(label=_("Cơ quan quản lý"), queryset=Body.objects.none())
    doc_type = forms.ChoiceField(
        label=_("Loại văn bản"),
        choices=[(value, _(label)) for value, label in DocumentType.choices],
    )
    number = forms.CharField(label=_("Số"), required=False, max_length=20)
    symbol = forms.CharField(
        label=_("Ký hiệu"), required=False, max_length=100, help_text=_("Ví dụ: TTr-STTTT")
    )
    abstract = forms.CharField(
        label=_("Trích yếu"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
    issuing_body = forms.ModelChoiceField(
        label=_("Cơ quan ban hành"),
        required=False,
        queryset=Body.objects.filter(is_active=True),
        empty_label=_("Như cơ quan quản lý"),
    )
    issued_on = forms.DateField(label=_("Ngày văn bản"), required=False, widget=DateInput)
    signer_name = forms.CharField(label=_("Người ký"), required=False, max_length=200)
    confidentiality = forms.TypedChoiceField(
        label=_("Độ mật"),
        choices=[(value, _(label)) for value, label in Secrecy.choices],
        coerce=int,
        initial=Secrecy.NORMAL,
    )
    # Not sent (an older form, a script): an ordinary document, with no urgency mark.
    urgency = forms.TypedChoiceField(
        label=_("Độ khẩn"),
        choices=[(value, _(label)) for value, label in Urgency.choices],
        initial=Urgency.NORMAL,
        required=False,
        empty_value=Urgency.NORMAL,
    )
    status = forms.ChoiceField(
        label=_("Trạng thái"),
        choices=[(value, _(label)) for value, label in DocumentStatus.choices],
        initial=DocumentStatus.DRAFT,
    )
    upload = forms.FileField(
        label=_("Tệp văn bản"),
        help_text=_("PDF, hoặc DOCX/ODT/XLSX (sẽ được chuyển sang PDF, tệp gốc được giữ lại)."),
        widget=forms.ClearableFileInput(attrs={"accept": _FILE_ACCEPT}),
    )
    note = forms.CharField(label=_("Ghi chú"), required=False, max_length=500)

    def __init__(self, *args: Any, bodies: QuerySet[Body], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owning_body"].queryset = bodies  # type: ignore[attr-defined]  # a ModelChoiceField


class VersionAddForm(forms.Form):
    upload = forms.FileField(
        label=_("Tệp phiên bản mới"),
        widget=forms.ClearableFileInput(attrs={"accept": _FILE_ACCEPT}),
    )
    note = forms.CharField(label=_("Ghi chú"), required=False, max_length=500)


class WorkRecordForm(forms.Form):
    code = forms.CharField(
        label=_("Mã hồ sơ"), max_length=50, help_text=_("Ví dụ: 2026.01.HS-STTTT")
    )
    name = forms.CharField(label=_("Tên hồ sơ"), max_length=500)
    owning_body = forms.ModelChoiceField(label=_("Cơ quan lập hồ sơ"), queryset=Body.objects.none())
    retention_years = forms.IntegerField(
        label=_("Thời hạn bảo quản (năm)"), required=False, min_value=1, max_value=100
    )
    permanent = forms.BooleanField(label=_("Bảo quản vĩnh viễn"), required=False)

    def __init__(self, *args: Any, bodies: QuerySet[Body], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owning_body"].queryset = bodies  # type: ignore[attr-defined]  # a ModelChoiceField

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None  # Form.clean returns cleaned_data
        years, permanent = data.get("retention_years"), data.get("permanent")
        if permanent and years:
            raise forms.ValidationError(_("Chọn một: số năm bảo quản hoặc vĩnh viễn."))
        if not permanent and not years and "retention_years" not in self.errors:
            self.add_error("retention_years", _("Nhập số năm bảo quản, hoặc chọn vĩnh viễn."))
        return data
