"""The delegation form (ủy quyền): who takes one's place, why, and — on the confirmation page,
once the new signer block is shown — how they sign (KT., TL., TUQ.)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.widgets import PeoplePicker
from signing.models import SignsAs


class DelegationForm(forms.Form):
    to_user = forms.ModelChoiceField(
        label=_("Ủy quyền cho"), queryset=User.objects.none(), widget=PeoplePicker
    )
    reason = forms.CharField(label=_("Lý do"), max_length=500, required=False)
    signs_as = forms.ChoiceField(label=_("Hình thức ký"), choices=SignsAs.choices, required=False)
    # Sent by the confirmation page's button only: the first post shows what will happen.
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, people: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["to_user"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = people
