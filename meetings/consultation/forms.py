from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.forms.boundfield import BoundField
from django.utils.translation import gettext_lazy as _

from accounts.models import Body, Clearance
from documents.models import Document
from meetings.models import PollKind
from meetings.voting.consultations import QUESTION_KINDS

_DT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class QuestionForm(forms.Form):
    """One question: what is asked, how it is answered, the options of a choice."""

    question = forms.CharField(label=_("Nội dung câu hỏi"), max_length=500)
    kind = forms.ChoiceField(
        label=_("Hình thức trả lời"),
        choices=[(kind.value, _(kind.label)) for kind in QUESTION_KINDS],
        initial=PollKind.YES_NO_ABSTAIN,
    )
    options = forms.CharField(
        label=_("Các phương án (mỗi dòng một phương án)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Chỉ cần khi chọn một hoặc nhiều phương án."),
    )
    max_choices = forms.IntegerField(
        label=_("Số phương án được chọn tối đa"),
        min_value=1,
        max_value=50,
        initial=1,
        help_text=_("Chỉ dùng khi chọn nhiều phương án."),
    )

    def clean_options(self) -> list[str]:
        lines = self.cleaned_data.get("options", "").splitlines()
        return [line.strip() for line in lines if line.strip()]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None  # Form.clean returns cleaned_data
        if data.get("kind") != PollKind.YES_NO_ABSTAIN and len(data.get("options") or []) < 2:
            self.add_error("options", _("Cần ít nhất hai phương án, mỗi phương án một dòng."))
        return data

    def question_data(self) -> dict[str, Any]:
        """The cleaned question as the services take it."""
        data = self.cleaned_data
        return {
            "title": data["question"],
            "kind": data["kind"],
            "options": data["options"] or None,
            "max_choices": data["max_choices"],
        }


class ConsultationForm(forms.Form):
    """The consultation itself: who asks, about what, until when, how secret."""

    body = forms.ModelChoiceField(label=_("Cơ quan lấy ý kiến"), queryset=Body.objects.none())
    title = forms.CharField(label=_("Nội dung lấy ý kiến"), max_length=500)
    description = forms.CharField(
        label=_("Thuyết minh"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    secret = forms.BooleanField(
        label=_("Phiếu kín (không ghi tên người trả lời; không sửa được sau khi gửi)"),
        required=False,
        help_text=_("Áp dụng cho mọi câu hỏi của phiếu."),
    )
    deadline = forms.DateTimeField(label=_("Hạn trả lời"), widget=_DT)
    confidentiality = forms.TypedChoiceField(
        label=_("Độ mật"),
        choices=[(value, _(label)) for value, label in Clearance.choices],
        coerce=int,
        initial=Clearance.NORMAL,
        required=False,
        # Django takes any empty value (here the coerced int); django-stubs types it as str.
        empty_value=Clearance.NORMAL,  # type: ignore[arg-type]
        help_text=_("Phiếu Mật chỉ gửi tới thành viên được phép đọc tài liệu Mật."),
    )

    CONSULTATION_FIELDS = ("body", "title", "description", "deadline", "confidentiality", "secret")

    def __init__(self, *args: Any, bodies: QuerySet[Body] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if bodies is not None:
            body_field = self.fields["body"]
            assert isinstance(body_field, forms.ModelChoiceField)
            body_field.queryset = bodies
            # Most clerks serve one body: nothing to choose then.
            if len(bodies) == 1:
                body_field.initial = bodies[0]

    def consultation_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "description": data["description"],
            "secret": data["secret"],
            "deadline": data["deadline"],
            "confidentiality": data["confidentiality"],
        }

    def consultation_fields(self) -> list[BoundField]:
        return [self[name] for name in self.CONSULTATION_FIELDS]


class ConsultationCreateForm(ConsultationForm, QuestionForm):
    """A new consultation and its question no. 1; further questions are added on its page."""

    field_order = [*ConsultationForm.CONSULTATION_FIELDS, *QuestionForm.base_fields]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        question = self.fields["question"]
        question.required = False
        question.help_text = _("Để trống nếu câu hỏi chính là nội dung lấy ý kiến.")

    def question_fields(self) -> list[BoundField]:
        return [self[name] for name in QuestionForm.base_fields]

    def question_data(self) -> dict[str, Any]:
        data = super().question_data()
        return {**data, "title": data["title"] or self.cleaned_data["title"]}


class DocumentsForm(forms.Form):
    documents = forms.ModelMultipleChoiceField(
        label=_("Tài liệu kèm theo"),
        queryset=Document.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self, *args: Any, documents: QuerySet[Document] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if documents is not None:
            documents_field = self.fields["documents"]
            assert isinstance(documents_field, forms.ModelMultipleChoiceField)
            documents_field.queryset = documents
