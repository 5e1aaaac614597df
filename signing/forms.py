"""Forms of the signing screens. They parse input only; the services decide."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.widgets import PeoplePicker, PeoplePickerMultiple
from signing.models import PadesLevelChoice, SigningRequest, StepAssignee
from signing.pades import appearances
from signing.pades.appearances import Placement


def _choose_from(field: forms.Field, queryset: QuerySet[Any]) -> None:
    """Limit a model choice field (``Form.fields`` holds plain ``Field``s) to *queryset*."""
    if not isinstance(field, forms.ModelChoiceField):
        raise TypeError(f"{field!r} is not a model choice field")
    field.queryset = queryset


def deadline_fields() -> tuple[forms.DateField, forms.TimeField]:
    """Hạn xử lý: a Vietnamese date (ngày/tháng/năm) and an hour, 17:00 (end of office hours)
    when none is given; ``deadline_of`` combines them. Made where a form declares them, so they
    stand there in its order."""
    day = forms.DateField(
        label=_("Hạn xử lý (ngày/tháng/năm)"),
        required=False,
        input_formats=["%d/%m/%Y"],
        widget=forms.DateInput(
            format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"}
        ),
        error_messages={
            "invalid": _("Hãy nhập hạn xử lý theo dạng ngày/tháng/năm, ví dụ 05/12/2026.")
        },
    )
    hour = forms.TimeField(
        label=_("Giờ hạn xử lý"),
        required=False,
        input_formats=["%H:%M"],
        # A text box, not type=time: browsers would show "04:30 PM" whatever the page's language.
        widget=forms.TimeInput(
            format="%H:%M",
            attrs={"placeholder": "hh:mm", "inputmode": "numeric", "maxlength": "5"},
        ),
        error_messages={"invalid": _("Hãy nhập giờ theo dạng giờ:phút, ví dụ 16:30.")},
        initial=dt.time(17, 0),
    )
    return day, hour


def deadline_of(data: dict[str, Any]) -> dt.datetime | None:
    day = data.get("deadline_date")
    hour = data.get("deadline_time") or dt.time(17, 0)
    return timezone.make_aware(dt.datetime.combine(day, hour)) if day is not None else None


class DeadlineForm(forms.Form):
    """The clerk moves the deadline of an open request (an empty date removes it)."""

    deadline_date, deadline_time = deadline_fields()

    def clean(self) -> dict[str, Any]:
        super().clean()
        self.cleaned_data["deadline"] = deadline_of(self.cleaned_data)
        return self.cleaned_data


class RequestForm(forms.Form):
    """The clerk's "Trình ký": drafters' initials, the competent person, the seal, readers."""

    title = forms.CharField(label=_("Nội dung trình"), max_length=500, required=False)
    initial_signers = forms.ModelMultipleChoiceField(
        label=_("Ký nháy (song song)"),
        queryset=User.objects.none(),
        required=False,
        widget=PeoplePickerMultiple,
    )
    # Or initials one after the other, in the order chosen here (each its own step).
    initial_order_1 = forms.ModelChoiceField(
        label=_("Hoặc ký nháy lần lượt — người thứ nhất"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("(không chọn)"),
        widget=PeoplePicker,
    )
    initial_order_2 = forms.ModelChoiceField(
        label=_("Ký nháy lần lượt — người thứ hai"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("(không chọn)"),
        widget=PeoplePicker,
    )
    initial_order_3 = forms.ModelChoiceField(
        label=_("Ký nháy lần lượt — người thứ ba"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("(không chọn)"),
        widget=PeoplePicker,
    )
    main_signer = forms.ModelChoiceField(
        label=_("Người có thẩm quyền ký"), queryset=User.objects.none(), widget=PeoplePicker
    )
    with_seal = forms.BooleanField(label=_("Văn thư đóng dấu cơ quan sau khi ký"), required=False)
    is_attachment = forms.BooleanField(
        label=_("Phụ lục tách tệp (chỉ cơ quan ký, góc trên bên phải trang đầu)"),
        required=False,
        help_text=_("Khi chọn, người có thẩm quyền và ký nháy không áp dụng: văn thư đóng dấu."),
    )
    main_request = forms.ModelChoiceField(
        label=_("Văn bản chính của phụ lục"),
        queryset=SigningRequest.objects.none(),
        required=False,
        empty_label=_("(không chọn)"),
        help_text=_(
            "Chỉ cho phụ lục tách tệp: phụ lục mang số, ký hiệu của văn bản chính và được ký "
            "sau khi văn bản chính được cấp số."
        ),
    )
    readers = forms.ModelMultipleChoiceField(
        label=_("Người nhận để biết"),
        queryset=User.objects.none(),
        required=False,
        widget=PeoplePickerMultiple,
    )
    level = forms.ChoiceField(
        label=_("Mức chữ ký"),
        choices=[(value, _(label)) for value, label in PadesLevelChoice.choices],
    )
    deadline_date, deadline_time = deadline_fields()
    # The signature area the clerk picked in the viewer (signing.js fills these), in points.
    page = forms.IntegerField(label="Trang", min_value=1, required=False)
    x = forms.FloatField(required=False, widget=forms.HiddenInput)
    y = forms.FloatField(required=False, widget=forms.HiddenInput)
    width = forms.FloatField(required=False, widget=forms.HiddenInput)
    height = forms.FloatField(required=False, widget=forms.HiddenInput)
    # The number and date fields, when the clerk places them on the page instead of letting
    # KyHop find the draft's "Số:" and date lines: "page,x,y,width,height" in points.
    number_box = forms.CharField(required=False, widget=forms.HiddenInput, max_length=100)
    date_box = forms.CharField(required=False, widget=forms.HiddenInput, max_length=100)

    ORDERED = ("initial_order_1", "initial_order_2", "initial_order_3")

    def __init__(
        self,
        *args: Any,
        people: QuerySet[User],
        level: str,
        main_requests: QuerySet[SigningRequest] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        for name in ("initial_signers", "main_signer", "readers", *self.ORDERED):
            _choose_from(self.fields[name], people)
        _choose_from(self.fields["main_request"], main_requests or SigningRequest.objects.none())
        self.fields["level"].initial = level
        # An attachment has no competent person's step, so the field is only required
        # otherwise (checked in clean()).
        self.fields["main_signer"].required = False

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not data.get("is_attachment") and not data.get("main_signer"):
            self.add_error("main_signer", _("Hãy chọn người có thẩm quyền ký."))
        if data.get("is_attachment") and not data.get("main_request"):
            self.add_error("main_request", _("Hãy chọn văn bản chính mà phụ lục này kèm theo."))
        ordered = [data[name] for name in self.ORDERED if data.get(name)]
        if ordered and data.get("initial_signers"):
            raise ValidationError(
                _("Chọn ký nháy song song hoặc ký nháy lần lượt, không chọn cả hai.")
            )
        if len({user.pk for user in ordered}) != len(ordered):
            raise ValidationError(_("Mỗi người chỉ ký nháy một lần."))
        # Parallel: one step for everyone; in order: one step each, in the order chosen.
        if ordered:
            data["initial_steps"] = [[user] for user in ordered]
        elif data.get("initial_signers"):
            data["initial_steps"] = [list(data["initial_signers"])]
        else:
            data["initial_steps"] = []
        data["deadline"] = deadline_of(data)
        box = [data.get(k) for k in ("page", "x", "y", "width", "height")]
        if any(v is not None for v in box) and None in box:
            raise ValidationError(_("Hãy chọn đủ vị trí chữ ký trên trang, hoặc bỏ trống."))
        data["number_placement"] = _placed_box(self, "number_box")
        data["date_placement"] = _placed_box(self, "date_box")
        return data


def _placed_box(form: forms.Form, name: str) -> Placement | None:
    """A box the clerk drew ("page,x,y,width,height", page from 1), or None if none was."""
    raw = (form.cleaned_data.get(name) or "").strip()
    if not raw:
        return None
    try:
        page, x, y, width, height = (float(part) for part in raw.split(","))
    except ValueError:
        form.add_error(None, _("Vị trí ô số hoặc ô ngày không hợp lệ; hãy chọn lại trên trang."))
        return None
    if page < 1 or page != int(page) or width < 20 or height < 8 or min(x, y) < 0:
        form.add_error(None, _("Ô số hoặc ô ngày quá nhỏ hoặc nằm ngoài trang; hãy chọn lại."))
        return None
    return Placement(int(page) - 1, x, y, width, height)


class SignForm(forms.Form):
    # render_value=False: a refused form never sends the passphrase back to the browser.
    passphrase = forms.CharField(
        label=_("Mật khẩu (mã PIN) khóa ký"),
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
    reason = forms.CharField(label=_("Ý kiến"), max_length=500, required=False)


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("Lý do trả lại"), max_length=1000, widget=forms.Textarea)


class NumberForm(forms.Form):
    """Only the date: the number is the next one of the outgoing register, taken when saved."""

    issued_on = forms.DateField(
        label=_("Ngày ban hành"), widget=forms.DateInput(attrs={"type": "date"})
    )


class ImageForm(forms.Form):
    image = forms.FileField(label=_("Ảnh chữ ký / con dấu (PNG nền trong suốt)"))

    def clean_image(self) -> bytes:
        upload = self.cleaned_data["image"]
        if upload.size > appearances.IMAGE_MAX_BYTES:
            raise ValidationError(_("Ảnh quá lớn: tối đa 2 MB."))
        data = upload.read()
        appearances.signature_image_check(data)
        return data


class BulkSignForm(forms.Form):
    """Several waiting steps, one passphrase: what the inbox's "Ký hàng loạt" sends."""

    assignees = forms.ModelMultipleChoiceField(
        label=_("Văn bản chọn ký"),
        queryset=StepAssignee.objects.none(),
        error_messages={"required": _("Hãy chọn ít nhất một văn bản để ký.")},
    )
    passphrase = forms.CharField(
        label=_("Mật khẩu (mã PIN) khóa ký"),
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        error_messages={"required": _("Hãy nhập mật khẩu (mã PIN) của khóa ký.")},
    )

    def __init__(self, *args: Any, assignees: QuerySet[StepAssignee], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only what waits for this person now can be chosen; anything else is "not a choice".
        _choose_from(self.fields["assignees"], assignees)
