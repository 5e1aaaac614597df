"""Sending an issued document to its recipients ("Nơi nhận") and the incoming register page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_safe

from accounts.http import AuthenticatedRequest
from accounts.models import Body
from documents import hooks
from documents.forms import QuickSelect
from documents.incoming.selectors import IncomingQuery, incoming_checks, incoming_entries
from documents.incoming.services import distribution_targets, document_distribute, may_distribute
from documents.register.selectors import register_bodies_for
from documents.selectors import documents_visible_to

PAGE_ROWS = 200


class DistributeForm(forms.Form):
    bodies = forms.ModelMultipleChoiceField(
        label=_("Nơi nhận"),
        queryset=Body.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Hãy chọn ít nhất một nơi nhận.")},
    )

    def __init__(self, *args: Any, targets: list[Body], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["bodies"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = Body.objects.filter(pk__in=[b.pk for b in targets]).order_by("name")


@login_required
@require_http_methods(["GET", "POST"])
def document_distribute_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    document = get_object_or_404(
        documents_visible_to(request.user).select_related("issuing_body", "owning_body"), pk=pk
    )
    if not may_distribute(request.user, document):
        raise PermissionDenied(
            gettext("Chỉ văn thư của cơ quan ban hành mới gửi được văn bản đã ban hành.")
        )
    targets = distribution_targets(document)
    form = DistributeForm(request.POST if request.method == "POST" else None, targets=targets)
    if request.method == "POST" and form.is_valid():
        try:
            entries = document_distribute(
                actor=request.user, document=document, bodies=form.cleaned_data["bodies"]
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            count = len(entries)
            messages.success(
                request,
                ngettext(
                    "Đã gửi văn bản tới %(count)d nơi nhận.",
                    "Đã gửi văn bản tới %(count)d nơi nhận.",
                    count,
                )
                % {"count": count},
            )
            return redirect("documents:detail", pk=document.pk)
    context = {"document": document, "form": form, "has_targets": bool(targets)}
    return render(request, "documents/distribute.html", context)


class IncomingSearchForm(forms.Form):
    body = forms.ModelChoiceField(
        label=_("Cơ quan"),
        required=False,
        queryset=Body.objects.none(),
        empty_label=_("Tất cả"),
        widget=QuickSelect,
    )
    year = forms.IntegerField(label=_("Năm"), required=False, min_value=1945, max_value=9999)
    q = forms.CharField(label=_("Số, ký hiệu, trích yếu, nơi gửi"), required=False, max_length=200)

    def __init__(self, *args: Any, bodies: QuerySet[Body], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["body"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = bodies

    def to_query(self) -> IncomingQuery:
        data = self.cleaned_data if self.is_valid() else {}
        return IncomingQuery(body=data.get("body"), year=data.get("year"), text=data.get("q") or "")


@login_required
@require_safe
def incoming_list(request: AuthenticatedRequest) -> HttpResponse:
    bodies = register_bodies_for(request.user)
    if not bodies.exists():
        raise PermissionDenied(gettext("Chỉ văn thư của cơ quan mới xem được sổ văn bản đến."))
    form = IncomingSearchForm(request.GET or None, bodies=bodies)
    entries = incoming_entries(request.user, form.to_query())
    page = list(entries[:PAGE_ROWS])
    checks = incoming_checks(page)
    context = {
        "form": form,
        "rows": [(entry, checks.get(entry.document_id, [])) for entry in page],
        "check_headings": [column.heading for column in hooks.columns(hooks.DOCUMENT)],
        "more": entries[PAGE_ROWS : PAGE_ROWS + 1].exists(),
    }
    return render(request, "documents/incoming_list.html", context)
