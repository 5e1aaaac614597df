"""People pickers: a select that static/js/people-picker.js turns into a searchable combobox.

Without the script the page shows the plain select (every allowed person, labelled "Name —
Position, Unit" so two people of the same name can be told apart); with it, the select stays
in the page, hidden, and still carries the field's value, so the forms and their validation
are unchanged: the form's queryset remains the only authority on who may be chosen.

Who the search may return: the widget signs the primary keys of the people its select offers
(the field's queryset, evaluated anyway to write the options) into a token in its HTML, and the
search endpoint only looks among those. This needs nothing of the views that build the
querysets, and the endpoint can never return anyone the page itself did not already list to the
person it was rendered for; forwarding the token reveals no more than forwarding the page. The
token expires (``TOKEN_MAX_AGE``) and cannot be altered (Django's signing, salted).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django import forms
from django.core import signing
from django.db.models import QuerySet
from django.forms.renderers import get_default_renderer
from django.forms.utils import flatatt
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from accounts.models import Membership, Role, User

_SALT = "accounts.people-picker"
# A form left open over a working day still searches; an old copied token does not.
TOKEN_MAX_AGE = 12 * 3600


@dataclass(frozen=True)
class Person:
    """One person as the picker shows them."""

    pk: int
    name: str
    detail: str  # "Position, Unit": what tells namesakes apart

    @property
    def label(self) -> str:
        return f"{self.name} — {self.detail}" if self.detail else self.name


def _runs(pks: Iterable[int]) -> list[list[int]]:
    """Sorted keys as [first, count] runs: people created together have consecutive keys, so
    a province's 1,500 people fit in a few dozen bytes."""
    runs: list[list[int]] = []
    for pk in sorted(set(pks)):
        if runs and runs[-1][0] + runs[-1][1] == pk:
            runs[-1][1] += 1
        else:
            runs.append([pk, 1])
    return runs


def picker_token(pks: Iterable[int]) -> str:
    return signing.dumps(_runs(pks), salt=_SALT, compress=True)


def picker_allowed(token: str) -> frozenset[int] | None:
    """The keys a token names, or None when it is forged, damaged or expired."""
    try:
        runs = signing.loads(token, salt=_SALT, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature:  # SignatureExpired is one too
        return None
    if not isinstance(runs, list):
        return None
    allowed: set[int] = set()
    for run in runs:
        if not (isinstance(run, list) and len(run) == 2 and all(isinstance(n, int) for n in run)):
            return None
        allowed.update(range(run[0], run[0] + run[1]))
    return frozenset(allowed)


def details_of(user_ids: Iterable[int] | QuerySet[Any]) -> dict[int, tuple[str, list[str]]]:
    """Each person's role (the first one, translated) and the bodies they belong to: one query.

    *user_ids* may be a subquery of keys, so a whole queryset costs one query, not one per id.
    """
    labels = {value: gettext(label) for value, label in Role.choices}
    roles: dict[int, str] = {}
    units: dict[int, list[str]] = defaultdict(list)
    rows = (
        Membership.objects.filter(user_id__in=user_ids)
        .order_by("user_id", "body__name")
        .values_list("user_id", "role", "body__name")
    )
    for user_id, role, body_name in rows:
        roles.setdefault(user_id, labels.get(role, ""))
        if body_name not in units[user_id]:
            units[user_id].append(body_name)
    return {pk: (roles.get(pk, ""), units.get(pk, [])) for pk in roles}


def person_of(pk: int, name: str, position: str, details: tuple[str, list[str]]) -> Person:
    """The person's own position (chức vụ) if recorded, else their role in their body."""
    role, units = details
    parts = [position or role, *units]
    return Person(pk=pk, name=name, detail=", ".join(part for part in parts if part))


if TYPE_CHECKING:
    _SelectBase = forms.Select
else:
    _SelectBase = object


class _PickerMixin(_SelectBase):
    """Writes the select's options itself (one widget template per option would cost ~100 ms
    for 1,500 people) and wraps it in the picker's template."""

    template_name = "accounts/widgets/people_picker.html"

    def _people_options(self) -> tuple[list[tuple[str, str]], list[int]]:
        entries: list[tuple[str, Any]] = []
        users: list[User] = []
        for value, label in self.choices:
            instance = getattr(value, "instance", None)
            if isinstance(instance, User):
                users.append(instance)
            entries.append(("" if value is None else str(value), instance or label))
        queryset = getattr(self.choices, "queryset", None)
        keys = queryset.values("pk") if queryset is not None else [u.pk for u in users]
        details = details_of(keys) if users else {}
        options = []
        for raw, item in entries:
            if isinstance(item, User):
                person = person_of(
                    item.pk, str(item), item.position, details.get(item.pk, ("", []))
                )
                options.append((raw, person.label))
            else:
                options.append((raw, str(item)))
        return options, [u.pk for u in users]

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        final["class"] = f"{final.get('class', '')} form-select".strip()
        if self.allow_multiple_selected:
            final["multiple"] = True
        selected = set(self.format_value(value))
        options, pks = self._people_options()
        parts = [f"<select{flatatt(final)}>"]
        for raw, label in options:
            mark = " selected" if raw in selected else ""
            parts.append(f'<option value="{escape(raw)}"{mark}>{escape(label)}</option>')
        parts.append("</select>")
        return {
            "widget": {"name": name, "attrs": final, "multiple": self.allow_multiple_selected},
            "select": mark_safe("".join(parts)),  # noqa: S308 - every value and label escaped
            "search_url": reverse("accounts:people_search"),
            "token": picker_token(pks),
        }

    def render(self, name: str, value: Any, attrs: Any = None, renderer: Any = None) -> SafeString:
        context = self.get_context(name, value, attrs)
        html = (renderer or get_default_renderer()).render(self.template_name, context)
        return mark_safe(html)  # noqa: S308 - the template escapes; the select is escaped above


class PeoplePicker(_PickerMixin, forms.Select):
    """One person (a ModelChoiceField over User)."""


class PeoplePickerMultiple(_PickerMixin, forms.SelectMultiple):
    """Several people (a ModelMultipleChoiceField over User), shown as removable chips."""
