"""Written consultation screens: the organiser creates, edits, adds and orders its questions,
sends, reminds, closes and prints; a member asked answers every question in one submission
(and changes a named answer) until the deadline."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedRequest
from accounts.models import User
from meetings.access import bodies_user_can_host_for
from meetings.consultation import selectors
from meetings.consultation.facts import consultation_facts
from meetings.consultation.forms import (
    ConsultationCreateForm,
    ConsultationForm,
    DocumentsForm,
    QuestionForm,
)
from meetings.consultation.selectors import ConsultationAccess
from meetings.consultation.sheet import consultation_sheet_pdf
from meetings.models import Consultation, ConsultationStatus, PollKind
from meetings.models.voting import ConsultationQuestion
from meetings.voting import consultations as services


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _access(request: AuthenticatedRequest, pk: int) -> ConsultationAccess:
    # Outsiders get 404, not 403: a consultation's existence is not theirs to learn.
    access = selectors.consultation_access(request.user, pk)
    if access is None:
        raise Http404(gettext("Không tìm thấy phiếu lấy ý kiến."))
    return access


def _managed(request: AuthenticatedRequest, pk: int) -> Consultation:
    access = _access(request, pk)
    if not access.can_manage:
        raise Http404(gettext("Không tìm thấy phiếu lấy ý kiến."))
    return access.consultation


def _status(request: HttpRequest, form: forms.BaseForm) -> int:
    return 400 if request.method == "POST" and form.errors else 200


@login_required
def consultation_list(request: AuthenticatedRequest) -> HttpResponse:
    visible = selectors.consultations_visible_to(request.user).select_related("body")
    context = {
        "consultations": visible.order_by("-created_at")[:100],
        "can_create": bodies_user_can_host_for(request.user).exists(),
    }
    return render(request, "meetings/consultation/list.html", context)


@login_required
def consultation_create(request: AuthenticatedRequest) -> HttpResponse:
    bodies = bodies_user_can_host_for(request.user)
    if not bodies.exists():
        raise PermissionDenied(gettext("Bạn không có quyền lấy ý kiến."))
    form = ConsultationCreateForm(request.POST or None, bodies=bodies)
    if request.method == "POST" and form.is_valid():
        question = form.question_data()
        try:
            consultation = services.consultation_create(
                actor=request.user,
                body=form.cleaned_data["body"],
                **form.consultation_data(),
                question=question.pop("title"),
                **question,
            )
        except ValidationError as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(
                request,
                gettext("Đã tạo phiếu. Hãy thêm câu hỏi (nếu cần), đính kèm tài liệu rồi gửi."),
            )
            return redirect("meetings:consultation_detail", pk=consultation.pk)
    context = {"form": form, "heading": gettext("Tạo phiếu lấy ý kiến")}
    return render(
        request, "meetings/consultation/form.html", context, status=_status(request, form)
    )


def _initial(consultation: Consultation) -> dict[str, Any]:
    return {
        "body": consultation.body,
        "title": consultation.title,
        "description": consultation.description,
        "secret": consultation.secret,
        "deadline": timezone.localtime(consultation.deadline),
        "confidentiality": consultation.confidentiality,
    }


def _draft(request: AuthenticatedRequest, pk: int) -> Consultation | None:
    """The organiser's draft, or None once sent (the caller sends them back to its page)."""
    consultation = _managed(request, pk)
    if consultation.status != ConsultationStatus.DRAFT:
        messages.error(request, gettext("Phiếu lấy ý kiến đã gửi thì không sửa được nữa."))
        return None
    return consultation


@login_required
def consultation_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    consultation = _draft(request, pk)
    if consultation is None:
        return redirect("meetings:consultation_detail", pk=pk)
    bodies = bodies_user_can_host_for(request.user).filter(pk=consultation.body_id)
    form = ConsultationForm(request.POST or None, bodies=bodies, initial=_initial(consultation))
    if request.method == "POST" and form.is_valid():
        try:
            services.consultation_update(
                actor=request.user, consultation=consultation, **form.consultation_data()
            )
        except ValidationError as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(request, gettext("Đã lưu phiếu lấy ý kiến."))
            return redirect("meetings:consultation_detail", pk=pk)
    context = {"form": form, "heading": gettext("Sửa phiếu lấy ý kiến"), "c": consultation}
    return render(
        request, "meetings/consultation/form.html", context, status=_status(request, form)
    )


# --- A draft's questions ------------------------------------------------------------------------


def _question_initial(question: ConsultationQuestion) -> dict[str, Any]:
    poll = question.poll
    labels = list(poll.options.order_by("position").values_list("label", flat=True))
    return {
        "question": poll.title,
        "kind": poll.kind,
        "options": "\n".join(labels) if poll.kind != PollKind.YES_NO_ABSTAIN else "",
        "max_choices": poll.max_choices,
    }


def _question_page(
    request: AuthenticatedRequest,
    consultation: Consultation,
    form: QuestionForm,
    question: ConsultationQuestion | None,
) -> HttpResponse:
    if question is None:
        heading = gettext("Thêm câu hỏi %(number)d") % {
            "number": consultation.questions.count() + 1
        }
    else:
        heading = gettext("Sửa câu hỏi %(number)d") % {"number": question.order}
    context = {"form": form, "heading": heading, "c": consultation, "question": question}
    return render(
        request,
        "meetings/consultation/question_form.html",
        context,
        status=_status(request, form),
    )


@login_required
def consultation_question_add(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    consultation = _draft(request, pk)
    if consultation is None:
        return redirect("meetings:consultation_detail", pk=pk)
    form = QuestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            question = services.consultation_question_add(
                actor=request.user, consultation=consultation, **form.question_data()
            )
        except ValidationError as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(
                request, gettext("Đã thêm câu hỏi %(number)d.") % {"number": question.order}
            )
            return redirect(_questions_url(pk))
    return _question_page(request, consultation, form, None)


def _question_of(consultation: Consultation, question_id: int) -> ConsultationQuestion:
    return get_object_or_404(
        ConsultationQuestion.objects.select_related("poll"),
        pk=question_id,
        consultation=consultation,
    )


def _questions_url(pk: int) -> str:
    return reverse("meetings:consultation_detail", args=[pk]) + "#kh-questions"


@login_required
def consultation_question_edit(
    request: AuthenticatedRequest, pk: int, question_id: int
) -> HttpResponse:
    consultation = _draft(request, pk)
    if consultation is None:
        return redirect("meetings:consultation_detail", pk=pk)
    question = _question_of(consultation, question_id)
    form = QuestionForm(request.POST or None, initial=_question_initial(question))
    if request.method == "POST" and form.is_valid():
        try:
            services.consultation_question_update(
                actor=request.user, question=question, **form.question_data()
            )
        except ValidationError as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(
                request, gettext("Đã lưu câu hỏi %(number)d.") % {"number": question.order}
            )
            return redirect(_questions_url(pk))
    return _question_page(request, consultation, form, question)


def _question_action(
    request: AuthenticatedRequest,
    pk: int,
    question_id: int,
    action: Callable[[ConsultationQuestion], object],
    done: str,
) -> HttpResponse:
    consultation = _managed(request, pk)
    question = _question_of(consultation, question_id)
    try:
        action(question)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return _manage_page(request, Consultation.objects.get(pk=pk), status=400)
    if done:
        messages.success(request, done)
    return redirect(_questions_url(pk))


@login_required
@require_POST
def consultation_question_move(
    request: AuthenticatedRequest, pk: int, question_id: int
) -> HttpResponse:
    direction = request.POST.get("direction", "")
    return _question_action(
        request,
        pk,
        question_id,
        lambda q: services.consultation_question_move(
            actor=request.user, question=q, direction=direction
        ),
        "",
    )


@login_required
@require_POST
def consultation_question_remove(
    request: AuthenticatedRequest, pk: int, question_id: int
) -> HttpResponse:
    return _question_action(
        request,
        pk,
        question_id,
        lambda q: services.consultation_question_remove(actor=request.user, question=q),
        gettext("Đã xoá câu hỏi."),
    )


def _manage_page(
    request: AuthenticatedRequest, consultation: Consultation, status: int = 200
) -> HttpResponse:
    documents = selectors.body_documents_for(request.user, consultation)
    documents_form = DocumentsForm(
        documents=documents, initial={"documents": list(consultation.documents.all())}
    )
    closed = consultation.status == ConsultationStatus.CLOSED
    context = {
        "c": consultation,
        "questions": selectors.consultation_questions(consultation),
        "documents_form": documents_form,
        "attached": selectors.attached_documents_for(request.user, consultation),
        "recipients": consultation.recipients.select_related("user").order_by("user__full_name"),
        "unanswered": services.consultation_unanswered(consultation),
        "facts": consultation_facts(consultation) if closed else None,
        # The clerk sees before and after sending who is not asked because of clearance.
        "left_out": selectors.consultation_left_out(consultation),
        # A chair is asked too and answers from here; a clerk is not asked.
        "is_recipient": consultation.recipients.filter(user=request.user).exists(),
    }
    return render(request, "meetings/consultation/manage.html", context, status=status)


def _answer_page(
    request: AuthenticatedRequest,
    consultation: Consultation,
    status: int = 200,
    submitted: dict[int, list[str]] | None = None,
) -> HttpResponse:
    """The member's page. *submitted*: what a refused submission chose, shown again so that
    filling in the missing question does not mean answering the others twice."""
    closed = consultation.status == ConsultationStatus.CLOSED
    open_now = not closed and timezone.now() < consultation.deadline
    if submitted is None:
        chosen = selectors.my_choice_ids(request.user, consultation)
    else:
        chosen = {int(v) for values in submitted.values() for v in values if v.isdigit()}
    questions = selectors.consultation_questions(consultation)
    context = {
        "c": consultation,
        "questions": questions,
        "missing": [q.pk for q in questions if submitted is not None and not submitted.get(q.pk)],
        "attached": selectors.attached_documents_for(request.user, consultation),
        "answered": selectors.has_answered(request.user, consultation),
        "chosen": chosen,
        "open_now": open_now,
        "facts": consultation_facts(consultation) if closed else None,
    }
    return render(request, "meetings/consultation/answer.html", context, status=status)


@login_required
def consultation_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    access = _access(request, pk)
    if access.can_manage and request.GET.get("xem") != "phieu":
        return _manage_page(request, access.consultation)
    if not access.is_recipient:
        raise Http404(gettext("Không tìm thấy phiếu lấy ý kiến."))
    return _answer_page(request, access.consultation)


@login_required
@require_POST
def consultation_documents(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    consultation = _managed(request, pk)
    form = DocumentsForm(
        request.POST, documents=selectors.body_documents_for(request.user, consultation)
    )
    if not form.is_valid():
        messages.error(request, gettext("Tài liệu đã chọn không hợp lệ."))
        return _manage_page(request, consultation, status=400)
    try:
        services.consultation_documents_set(
            actor=request.user, consultation=consultation, documents=form.cleaned_data["documents"]
        )
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return _manage_page(request, consultation, status=400)
    messages.success(request, gettext("Đã lưu tài liệu kèm theo."))
    return redirect("meetings:consultation_detail", pk=pk)


class _OrganiserAction(Protocol):
    def __call__(self, *, actor: User, consultation: Consultation) -> object: ...


def _organiser_action(
    request: AuthenticatedRequest, pk: int, action: _OrganiserAction, done: str
) -> HttpResponse:
    consultation = _managed(request, pk)
    try:
        action(actor=request.user, consultation=consultation)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return _manage_page(request, Consultation.objects.get(pk=pk), status=400)
    messages.success(request, done)
    return redirect("meetings:consultation_detail", pk=pk)


@login_required
@require_POST
def consultation_send(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    done = gettext("Đã gửi phiếu lấy ý kiến tới các thành viên.")
    response = _organiser_action(request, pk, services.consultation_send, done)
    consultation = _managed(request, pk)
    if consultation.status != ConsultationStatus.DRAFT:
        left_out = selectors.consultation_left_out(consultation)
        if left_out:
            messages.warning(request, _left_out_text(left_out))
    return response


def _left_out_text(names: list[str]) -> str:
    return gettext(
        "Không gửi phiếu và không gửi thư cho: %(names)s (chưa được phép đọc nội dung có độ mật "
        "của phiếu)."
    ) % {"names": ", ".join(names)}


@login_required
@require_POST
def consultation_remind(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    done = gettext("Đã gửi thư nhắc những thành viên chưa trả lời.")
    return _organiser_action(request, pk, services.consultation_remind_by, done)


@login_required
@require_POST
def consultation_close(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    done = gettext("Đã kết thúc lấy ý kiến và tổng hợp kết quả.")
    return _organiser_action(request, pk, services.consultation_close_now, done)


def _submitted(request: HttpRequest, consultation: Consultation) -> dict[int, list[str]]:
    """question id → the option ids ticked for it (fields ``q-<question id>``)."""
    ids = consultation.questions.values_list("pk", flat=True)
    return {pk: request.POST.getlist(f"q-{pk}") for pk in ids}


@login_required
@require_POST
def consultation_answer(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    access = _access(request, pk)
    if not access.is_recipient:
        raise Http404(gettext("Không tìm thấy phiếu lấy ý kiến."))
    submitted = _submitted(request, access.consultation)
    try:
        ack = services.consultation_answer_replace(
            actor=request.user,
            consultation=access.consultation,
            answers={pk: values for pk, values in submitted.items() if values},
        )
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return _answer_page(request, access.consultation, status=400, submitted=submitted)
    messages.success(request, ack.message)
    return redirect(reverse("meetings:consultation_detail", args=[pk]) + "?xem=phieu")


@login_required
def consultation_sheet(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    consultation = _access(request, pk).consultation
    if consultation.status != ConsultationStatus.CLOSED:
        raise Http404(gettext("Chưa có kết quả lấy ý kiến."))
    response = HttpResponse(consultation_sheet_pdf(consultation), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="ket-qua-lay-y-kien-{pk}.pdf"'
    return response
