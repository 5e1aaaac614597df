"""Signing screens: inbox, the clerk's "Trình ký", the request page and its step actions.

Each view parses input, calls one service or selector, renders. What a person may not see
answers 404. The passphrase is read from POST, handed to the service and never logged,
stored or sent back (the sign form does not re-render its value).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.http import AuthenticatedRequest
from accounts.models import Body, Membership, User
from documents.register.selectors import register_next_number
from documents.selectors import (
    document_latest_version,
    document_version_for,
    documents_visible_to,
)
from signing import services
from signing.forms import (
    BulkSignForm,
    DeadlineForm,
    NumberForm,
    RequestForm,
    ReturnForm,
    SignForm,
)
from signing.models import SigningNotice, SigningRequest, StepAssignee, StepKind
from signing.pades.appearances import Placement
from signing.pades.sign import SigningUnavailable
from signing.requests.delegation_forms import DelegationForm
from signing.requests.record import record_pdf, request_record
from signing.requests.steps import step_delegation_outlook
from signing.selectors import (
    acted_by,
    default_level_for,
    main_request_choices,
    my_action,
    request_for,
    request_may_manage,
    request_number_refusal,
    request_steps,
    requests_created_by,
    waiting_for,
)
from signing.services import AssigneeSpec, StepSpec


def _people_of(request: SigningRequest | None, *, body_ids: list[int]) -> QuerySet[User]:
    members = Membership.objects.filter(body_id__in=body_ids).values("user_id")
    return User.objects.filter(pk__in=members, is_active=True).order_by("full_name")


def _visible_request(http: AuthenticatedRequest, pk: int) -> SigningRequest:
    found = request_for(http.user, pk)
    if found is None:
        raise Http404(gettext("Không tìm thấy yêu cầu trình ký."))
    return found


def _assignee_for(http: AuthenticatedRequest, pk: int) -> StepAssignee:
    assignee = get_object_or_404(StepAssignee.objects.select_related("step__request"), pk=pk)
    if request_for(http.user, assignee.step.request_id) is None:
        raise Http404(gettext("Không tìm thấy yêu cầu trình ký."))
    return assignee


def _refused(
    http: HttpRequest, exc: ValidationError | PermissionDenied | SigningUnavailable
) -> None:
    text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
    messages.error(http, text)


@login_required
@require_safe
def inbox(http: AuthenticatedRequest) -> HttpResponse:
    context = {
        "waiting": waiting_for(http.user)[:200],
        "done": acted_by(http.user)[:50],
        "mine": requests_created_by(http.user)[:50],
        "notices": SigningNotice.objects.filter(user=http.user, read_at=None)[:20],
        "bulk_form": BulkSignForm(assignees=waiting_for(http.user)),
    }
    return render(http, "signing/inbox.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def request_new(http: AuthenticatedRequest, pk: int, number: int) -> HttpResponse:
    version = document_version_for(http.user, document_id=pk, number=number)
    if version is None:
        raise Http404(gettext("Không tìm thấy văn bản."))
    document = version.document
    body = document.issuing_body or document.owning_body
    people = _people_of(None, body_ids=[document.owning_body_id, body.pk])
    form = RequestForm(
        http.POST or None,
        people=people,
        level=default_level_for(body),
        main_requests=main_request_choices(http.user, body.pk),
    )
    if http.method == "POST" and form.is_valid():
        try:
            created = services.request_create(
                actor=http.user,
                version=version,
                steps=_steps_from(form.cleaned_data, body),
                readers=tuple(form.cleaned_data["readers"]),
                level=form.cleaned_data["level"],
                title=form.cleaned_data["title"],
                is_attachment=form.cleaned_data["is_attachment"],
                deadline=form.cleaned_data["deadline"],
                main_request=form.cleaned_data["main_request"],
                number_placement=form.cleaned_data["number_placement"],
                date_placement=form.cleaned_data["date_placement"],
            )
        except (ValidationError, PermissionDenied) as exc:
            _refused(http, exc)
        else:
            messages.success(
                http, gettext("Đã tạo yêu cầu trình ký. Kiểm tra lại rồi bấm “Gửi trình ký”.")
            )
            return redirect("signing:request_detail", pk=created.pk)
    return render(http, "signing/request_form.html", {"form": form, "version": version})


@login_required
@require_safe
def request_new_latest(http: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The "Trình ký" button's target: the request form for the document's latest version."""
    document = documents_visible_to(http.user).filter(pk=pk).first()
    version = document_latest_version(document) if document is not None else None
    if version is None:
        raise Http404(gettext("Không tìm thấy văn bản."))
    return redirect("signing:request_new", pk=pk, number=version.number)


def _steps_from(data: dict[str, Any], body: Body) -> list[StepSpec]:
    placement = None
    if data.get("page"):
        placement = Placement(data["page"] - 1, data["x"], data["y"], data["width"], data["height"])
    if data["is_attachment"]:
        # Decree 30: an attachment in its own file is signed by the agency only (top right of
        # page 1, no image); the services refuse any other step for it.
        return [StepSpec(StepKind.SEAL, (AssigneeSpec(seal_body=body, placement=placement),))]
    steps = []
    for group in data["initial_steps"]:
        steps.append(StepSpec(StepKind.INITIAL, tuple(AssigneeSpec(user=u) for u in group)))
    main = AssigneeSpec(user=data["main_signer"], placement=placement)
    steps.append(StepSpec(StepKind.MAIN, (main,)))
    if data["with_seal"]:
        steps.append(StepSpec(StepKind.SEAL, (AssigneeSpec(seal_body=body),)))
    return steps


@login_required
@require_safe
def request_detail(http: AuthenticatedRequest, pk: int) -> HttpResponse:
    found = _visible_request(http, pk)
    action = my_action(http.user, found)
    if action is not None:
        services.request_viewed(actor=http.user, request=found)
    people = _people_of(found, body_ids=[found.body_id, found.document.owning_body_id])
    today = timezone.localdate()
    context = {
        "req": found,
        "steps": request_steps(found),
        "action": action,
        "can_manage": request_may_manage(http.user, found),
        "sign_form": SignForm(),
        "return_form": ReturnForm(),
        "delegate_form": DelegationForm(people=people.exclude(pk=http.user.pk)),
        # Numbered today unless the clerk says otherwise (Decree 30 Art. 15.3).
        "number_form": NumberForm(initial={"issued_on": today}),
        "deadline_form": _deadline_form_for(found),
        "next_number": register_next_number(document=found.document, year=today.year),
        "needs_number": request_number_refusal(found) is None,
        "record": request_record(found),
    }
    return render(http, "signing/request_detail.html", context)


def _deadline_form_for(found: SigningRequest) -> DeadlineForm:
    """The form to move the deadline, showing the current one (Vietnam's time)."""
    if found.deadline is None:
        return DeadlineForm()
    local = timezone.localtime(found.deadline)
    return DeadlineForm(initial={"deadline_date": local.date(), "deadline_time": local.time()})


@login_required
@require_safe
def request_record_pdf(http: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The completion record as a PDF, for whoever may see the request."""
    found = _visible_request(http, pk)
    response = HttpResponse(record_pdf(request_record(found)), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="ho-so-hoan-thanh-{found.pk}.pdf"'
    return response


@login_required
@require_POST
def request_send_view(http: AuthenticatedRequest, pk: int) -> HttpResponse:
    found = _visible_request(http, pk)
    try:
        services.request_send(actor=http.user, request=found)
        messages.success(http, gettext("Đã gửi trình ký."))
    except (ValidationError, PermissionDenied) as exc:
        _refused(http, exc)
    return redirect("signing:request_detail", pk=pk)


@login_required
@require_POST
def request_number_view(http: AuthenticatedRequest, pk: int) -> HttpResponse:
    found = _visible_request(http, pk)
    form = NumberForm(http.POST)
    if not form.is_valid():
        messages.error(http, gettext("Hãy nhập số và ngày ban hành hợp lệ."))
        return redirect("signing:request_detail", pk=pk)
    try:
        services.request_number_assign(actor=http.user, request=found, **form.cleaned_data)
        messages.success(http, gettext("Đã cấp số và ngày ban hành."))
    except (ValidationError, PermissionDenied) as exc:
        _refused(http, exc)
    return redirect("signing:request_detail", pk=pk)


@sensitive_post_parameters("passphrase")
@login_required
@require_POST
def step_sign_view(http: AuthenticatedRequest, pk: int) -> HttpResponse:
    assignee = _assignee_for(http, pk)
    form = SignForm(http.POST)
    if not form.is_valid():
        messages.error(http, gettext("Hãy nhập mật khẩu (mã PIN) của khóa ký."))
        return redirect("signing:request_detail", pk=assignee.step.request_id)
    try:
        services.step_sign(
            actor=http.user,
            assignee=assignee,
            passphrase=form.cleaned_data["passphrase"],
            reason=form.cleaned_data["reason"],
        )
        messages.success(http, gettext("Đã ký số thành công."))
    except (ValidationError, PermissionDenied, SigningUnavailable) as exc:
        _refused(http, exc)
    return redirect("signing:request_detail", pk=assignee.step.request_id)


@login_required
@require_POST
def step_return_view(http: AuthenticatedRequest, pk: int) -> HttpResponse:
    assignee = _assignee_for(http, pk)
    form = ReturnForm(http.POST)
    try:
        if not form.is_valid():
            raise ValidationError(gettext("Hãy ghi lý do trả lại."))
        services.step_return(actor=http.user, assignee=assignee, reason=form.cleaned_data["reason"])
        messages.success(http, gettext("Đã trả lại văn bản cho người trình."))
    except (ValidationError, PermissionDenied) as exc:
        _refused(http, exc)
    return redirect("signing:request_detail", pk=assignee.step.request_id)


@login_required
@require_POST
def step_delegate_view(http: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Two posts: the first shows the delegator what the delegation will print (the new
    signer block, one per way the delegate may sign) or why it cannot be made; the second,
    from that page's button, makes it."""
    assignee = _assignee_for(http, pk)
    found = assignee.step.request
    people = _people_of(found, body_ids=[found.body_id, found.document.owning_body_id])
    form = DelegationForm(http.POST, people=people.exclude(pk=http.user.pk))
    if not form.is_valid():
        messages.error(http, gettext("Hãy chọn người được ủy quyền."))
        return redirect("signing:request_detail", pk=found.pk)
    data = form.cleaned_data
    if not data["confirm"]:
        try:
            outlook = step_delegation_outlook(
                actor=http.user, assignee=assignee, to_user=data["to_user"]
            )
        except PermissionDenied as exc:
            _refused(http, exc)
            return redirect("signing:request_detail", pk=found.pk)
        context = {"req": found, "assignee": assignee, "form": form, "outlook": outlook}
        return render(http, "signing/delegate_confirm.html", context)
    try:
        services.step_delegate(
            actor=http.user,
            assignee=assignee,
            to_user=data["to_user"],
            reason=data["reason"],
            signs_as=data["signs_as"],
        )
        messages.success(http, gettext("Đã ủy quyền."))
    except (ValidationError, PermissionDenied) as exc:
        _refused(http, exc)
        return redirect("signing:request_detail", pk=found.pk)
    return redirect("signing:inbox")


@login_required
@require_POST
def request_cancel_view(http: AuthenticatedRequest, pk: int) -> HttpResponse:
    found = _visible_request(http, pk)
    try:
        services.request_cancel(actor=http.user, request=found)
        messages.success(http, gettext("Đã hủy yêu cầu trình ký."))
    except (ValidationError, PermissionDenied) as exc:
        _refused(http, exc)
    return redirect("signing:request_detail", pk=pk)


@login_required
@require_POST
def request_deadline_view(http: AuthenticatedRequest, pk: int) -> HttpResponse:
    found = _visible_request(http, pk)
    form = DeadlineForm(http.POST)
    if not form.is_valid():
        messages.error(http, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("signing:request_detail", pk=pk)
    deadline = form.cleaned_data["deadline"]
    try:
        services.request_deadline_set(actor=http.user, request=found, deadline=deadline)
        if deadline is None:
            messages.success(http, gettext("Đã bỏ hạn xử lý."))
        else:
            messages.success(http, gettext("Đã đổi hạn xử lý."))
    except (ValidationError, PermissionDenied) as exc:
        _refused(http, exc)
    return redirect("signing:request_detail", pk=pk)
