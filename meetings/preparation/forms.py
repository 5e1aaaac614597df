from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import Body, Clearance, User
from accounts.widgets import PeoplePicker
from meetings.models import MeetingKind, ParticipantRole, Rsvp

_DT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class MeetingForm(forms.Form):
    body = forms.ModelChoiceField(label=_("Cơ quan chủ trì"), queryset=Body.objects.none())
    title = forms.CharField(label=_("Tên cuộc họp"), max_length=500)
    kind = forms.ChoiceField(
        label=_("Hình thức"), choices=[(value, _(label)) for value, label in MeetingKind.choices]
    )
    starts_at = forms.DateTimeField(label=_("Bắt đầu"), widget=_DT)
    ends_at = forms.DateTimeField(label=_("Dự kiến kết thúc"), widget=_DT)
    place = forms.CharField(label=_("Địa điểm"), max_length=300)
    video_url = forms.URLField(
        label=_("Đường dẫn họp trực tuyến"), required=False, assume_scheme="https"
    )
    confidentiality = forms.TypedChoiceField(
        label=_("Độ mật"),
        choices=[(value, _(label)) for value, label in Clearance.choices],
        coerce=int,
        initial=Clearance.NORMAL,
    )
    description = forms.CharField(
        label=_("Nội dung"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, bodies: QuerySet[Body] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if bodies is not None:
            body_field = self.fields["body"]
            assert isinstance(body_field, forms.ModelChoiceField)
            body_field.queryset = bodies

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None  # Form.clean returns cleaned_data
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            raise ValidationError(_("Thời gian kết thúc phải sau thời gian bắt đầu."))
        return data


class AgendaItemForm(forms.Form):
    title = forms.CharField(label=_("Nội dung"), max_length=500)
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)
    presenter = forms.ModelChoiceField(
        label=_("Người trình bày"),
        queryset=User.objects.none(),
        required=False,
        widget=PeoplePicker,
    )
    presenter_name = forms.CharField(label=_("hoặc ghi tên"), max_length=200, required=False)
    planned_minutes = forms.IntegerField(
        label=_("Thời lượng (phút)"), min_value=0, max_value=600, required=False
    )
    description = forms.CharField(
        label=_("Mô tả"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, presenters: QuerySet[User] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if presenters is not None:
            presenter_field = self.fields["presenter"]
            assert isinstance(presenter_field, forms.ModelChoiceField)
            presenter_field.queryset = presenters


class InviteBodyForm(forms.Form):
    body = forms.ModelChoiceField(
        label=_("Mời cả cơ quan"), queryset=Body.objects.filter(is_active=True)
    )
    role = forms.ChoiceField(
        label=_("Vai trò"),
        required=False,
        choices=[
            ("", _("Theo chức danh trong cơ quan")),
            *[(value, _(label)) for value, label in ParticipantRole.choices],
        ],
    )


class InvitePersonForm(forms.Form):
    user = forms.ModelChoiceField(
        label=_("Mời cá nhân"), queryset=User.objects.filter(is_active=True), widget=PeoplePicker
    )
    role = forms.ChoiceField(
        label=_("Vai trò"),
        choices=[(value, _(label)) for value, label in ParticipantRole.choices],
        initial=ParticipantRole.VOTING,
    )


ROLE_CHOICES = [(value, _(label)) for value, label in ParticipantRole.choices]


class ParticipantRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Vai trò"), choices=ROLE_CHOICES)


RSVP_ANSWERS = [
    (Rsvp.ATTENDING, _("Tham dự")),
    (Rsvp.ABSENT, _("Vắng mặt")),
    (Rsvp.SUBSTITUTE, _("Cử người dự thay")),
]


class RsvpForm(forms.Form):
    """Parses the reply; the meeting page renders its inputs itself (see detail.html)."""

    answer = forms.ChoiceField(label=_("Trả lời"), choices=RSVP_ANSWERS)
    reason = forms.CharField(label=_("Lý do vắng"), max_length=500, required=False)
    # Any person parses; whether they may attend in the invitee's place is the reply service's
    # rule (meetings.preparation.substitutes), which answers with a reason in words.
    substitute = forms.ModelChoiceField(
        label=_("Người dự thay"), queryset=User.objects.all(), required=False
    )


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Lý do hủy"), max_length=500)
