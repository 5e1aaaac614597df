"""Meeting screens: my meetings, the meeting page, and the organiser's preparation page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedRequest
from accounts.models import User
from documents.models import Document
from documents.selectors import documents_visible_to
from meetings.access import (
    MeetingAccess,
    bodies_user_can_host_for,
    meeting_access,
    meeting_manageable_by,
    meetings_visible_to,
    members_not_cleared,
)
from meetings.models import AgendaItem, Meeting, MeetingStatus, Participant, Rsvp
from meetings.preparation import forms, services
from meetings.preparation.agenda import cached_agenda_html
from meetings.preparation.invitations import invitation_preview_pdf, meeting_send_invitations
from meetings.preparation.invitations import invitees_remind as remind_invitees
from meetings.preparation.selectors import agenda_tree, my_meetings, rsvp_counts
from meetings.preparation.substitutes import substitute_choices


def _visible_meeting(request: AuthenticatedRequest, pk: int) -> Meeting:
    meeting = meetings_visible_to(request.user).select_related("body").filter(pk=pk).first()
    if meeting is None:
        raise Http404(gettext("Không tìm thấy cuộc họp."))
    return meeting


def _managed_meeting(request: AuthenticatedRequest, pk: int) -> Meeting:
    meeting = _visible_meeting(request, pk)
    if not meeting_manageable_by(request.user, meeting):
        raise PermissionDenied(gettext("Bạn không có quyền chuẩn bị cuộc họp này."))
    return meeting


def _error_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@login_required
def meeting_list(request: AuthenticatedRequest) -> HttpResponse:
    organised = (
        Meeting.objects.filter(body__in=bodies_user_can_host_for(request.user))
        .select_related("body")
        .order_by("-starts_at")[:50]
    )
    return render(
        request,
        "meetings/list.html",
        {
            "groups": my_meetings(request.user),
            "organised": organised,
            "can_create": bodies_user_can_host_for(request.user).exists(),
        },
    )


@login_required
def meeting_create(request: AuthenticatedRequest) -> HttpResponse:
    bodies = bodies_user_can_host_for(request.user)
    if not bodies.exists():
        raise PermissionDenied(gettext("Bạn không có quyền tạo cuộc họp."))
    form = forms.MeetingForm(request.POST or None, bodies=bodies)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(
                request, gettext("Đã tạo cuộc họp. Hãy lập chương trình và mời đại biểu.")
            )
            return redirect("meetings:prepare", pk=meeting.pk)
    return render(request, "meetings/form.html", {"form": form}, status=_status(request, form))


def _status(request: HttpRequest, form: django_forms.BaseForm) -> int:
    return 400 if request.method == "POST" and form.errors else 200


@login_required
def meeting_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    access = meeting_access(request.user, pk)
    if access is None:
        raise Http404(gettext("Không tìm thấy cuộc họp."))
    return _detail_page(request, access)


def _detail_page(
    request: AuthenticatedRequest,
    access: MeetingAccess,
    reply: Reply | None = None,
    error: str = "",
) -> HttpResponse:
    """The meeting page; after a refused reply, with the answer as sent and why it was refused."""
    meeting, participant = access.meeting, access.participant
    substitute = _substitute_of(participant)
    agenda_html = cached_agenda_html(
        meeting, request.user, lambda: agenda_tree(meeting, request.user)
    )
    return render(
        request,
        "meetings/detail.html",
        {
            "meeting": meeting,
            "participant": participant,
            "substitute": substitute,
            "agenda_html": agenda_html,
            "answers": forms.RSVP_ANSWERS,
            "reply": reply or _current_reply(participant, substitute),
            "reply_error": error,
            # Exactly whom the reply service accepts (the same selector decides both).
            "colleagues": (
                substitute_choices(participant)
                if participant is not None and _may_reply(access)
                else []
            ),
            "can_manage": access.can_manage,
        },
        status=400 if error else 200,
    )


@dataclass(frozen=True)
class Reply:
    """An answer as the form shows it: the stored one, or the one just refused."""

    answer: str
    reason: str
    substitute: int | None


def _current_reply(participant: Participant | None, substitute: Participant | None) -> Reply:
    if participant is None:
        return Reply("", "", None)
    chosen = substitute.user_id if substitute else None
    return Reply(participant.rsvp, participant.absence_reason, chosen)


def _may_reply(access: MeetingAccess) -> bool:
    participant = access.participant
    return (
        participant is not None
        and participant.substitute_for_id is None
        and access.meeting.status in {MeetingStatus.INVITED, MeetingStatus.IN_PROGRESS}
    )


def _substitute_of(participant: Participant | None) -> Participant | None:
    """Who attends in the invitee's place; only looked up when the answer says there is one."""
    if participant is None or participant.rsvp != Rsvp.SUBSTITUTE:
        return None
    return Participant.objects.select_related("user").filter(substitute_for=participant).first()


@login_required
@require_POST
def rsvp(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    access = meeting_access(request.user, pk)
    if access is None:
        raise Http404(gettext("Không tìm thấy cuộc họp."))
    if access.participant is None:
        raise Http404(gettext("Bạn không có trong danh sách mời."))
    form = forms.RsvpForm(request.POST)
    if not form.is_valid():
        errors = " ".join(str(e) for errors in form.errors.values() for e in errors)
        message = gettext("Trả lời chưa hợp lệ: %(errors)s") % {"errors": errors}
        return _detail_page(request, access, _posted_reply(request), message)
    try:
        services.rsvp_reply(
            actor=request.user,
            participant=access.participant,
            answer=form.cleaned_data["answer"],
            reason=form.cleaned_data["reason"],
            substitute=form.cleaned_data["substitute"],
        )
    except ValidationError as exc:
        return _detail_page(request, access, _posted_reply(request), _error_text(exc))
    messages.success(request, gettext("Đã ghi nhận trả lời của bạn."))
    return redirect("meetings:detail", pk=pk)


def _posted_reply(request: HttpRequest) -> Reply:
    chosen = request.POST.get("substitute", "")
    return Reply(
        request.POST.get("answer", ""),
        request.POST.get("reason", ""),
        int(chosen) if chosen.isdigit() else None,
    )


@login_required
def meeting_prepare(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    meeting = _managed_meeting(request, pk)
    participants = meeting.participants.select_related(
        "user", "substitute_for__user", "invited_body"
    ).order_by("role", "user__full_name")
    items = AgendaItem.objects.filter(meeting=meeting)
    context = {
        "meeting": meeting,
        "rows": agenda_tree(meeting, request.user),
        "participants": participants,
        "items": items,
        "meeting_form": forms.MeetingForm(
            bodies=bodies_user_can_host_for(request.user), initial=_meeting_initial(meeting)
        ),
        "item_form": forms.AgendaItemForm(presenters=_presenters(meeting)),
        "presenters": list(_presenters(meeting)),
        "body_form": forms.InviteBodyForm(),
        "person_form": forms.InvitePersonForm(),
        "cancel_form": forms.CancelForm(),
        **_role_context(meeting),
        "attachable": documents_visible_to(request.user)
        .filter(confidentiality__lte=meeting.confidentiality)
        .order_by("-created_at")[:100],
    }
    return render(request, "meetings/prepare.html", context)


def _presenters(meeting: Meeting) -> QuerySet[User]:
    return User.objects.filter(participations__meeting=meeting).order_by("full_name")


def _meeting_initial(meeting: Meeting) -> dict[str, Any]:
    return {
        "body": meeting.body_id,
        "title": meeting.title,
        "kind": meeting.kind,
        "starts_at": timezone.localtime(meeting.starts_at),
        "ends_at": timezone.localtime(meeting.ends_at),
        "place": meeting.place,
        "video_url": meeting.video_url,
        "confidentiality": meeting.confidentiality,
        "description": meeting.description,
    }


@login_required
def rsvp_panel(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The replies table, refreshed in place on the organiser's page."""
    meeting = _managed_meeting(request, pk)
    participants = meeting.participants.select_related("user", "substitute_for__user").order_by(
        "role", "user__full_name"
    )
    return render(
        request,
        "meetings/_rsvp_panel.html",
        {"meeting": meeting, "participants": participants, **_role_context(meeting)},
    )


def _role_context(meeting: Meeting) -> dict[str, Any]:
    return {
        "rsvp_counts": rsvp_counts(meeting),
        "can_remind": meeting.status == MeetingStatus.INVITED,
        "roles_editable": meeting.status in services.ROLE_EDITABLE,
        "role_choices": forms.ROLE_CHOICES,
    }


# A handler takes the request and the meeting, and the URL's ids (item_id, participant_id) by
# keyword; it answers the success message, or None for none.
ActionHandler = Callable[..., str | None]


def _action(handler: ActionHandler) -> Callable[..., HttpResponse]:
    """Wrap an organiser POST action: permission, error message, back to the page."""

    @login_required
    @require_POST
    def view(request: AuthenticatedRequest, pk: int, **kwargs: int) -> HttpResponse:
        meeting = _managed_meeting(request, pk)
        try:
            done = handler(request, meeting, **kwargs)
        except ValidationError as exc:
            messages.error(request, _error_text(exc))
        else:
            if done:
                messages.success(request, done)
        return redirect("meetings:prepare", pk=meeting.pk)

    view.__name__ = handler.__name__
    return view


def _invalid(form: django_forms.BaseForm) -> ValidationError:
    return ValidationError(
        [
            f"{form.fields[name].label if name in form.fields else ''}: {e}"
            if name != "__all__"
            else str(e)
            for name, errors in form.errors.items()
            for e in errors
        ]
    )


@login_required
def invitation_preview(request: AuthenticatedRequest, pk: int, which: str) -> HttpResponse:
    """The Giấy mời or Chương trình as it would be issued now (unnumbered), to check first."""
    meeting = _managed_meeting(request, pk)
    try:
        pdf = invitation_preview_pdf(actor=request.user, meeting=meeting, which=which)
    except ValidationError as exc:
        raise Http404(_error_text(exc)) from exc
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="xem-truoc-{which}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@_action
def invitees_remind(request: AuthenticatedRequest, meeting: Meeting) -> str:
    reminded = remind_invitees(actor=request.user, meeting=meeting)
    if reminded.queued:
        return ngettext(
            "Đã gửi thư nhắc tới %(n)d người chưa trả lời.",
            "Đã gửi thư nhắc tới %(n)d người chưa trả lời.",
            reminded.queued,
        ) % {"n": reminded.queued}
    if reminded.pending:
        return gettext("Hôm nay đã nhắc những người chưa trả lời; ngày mai có thể nhắc lại.")
    return gettext("Mọi người được mời đã trả lời.")


@_action
def meeting_update(request: AuthenticatedRequest, meeting: Meeting) -> str:
    form = forms.MeetingForm(request.POST, bodies=bodies_user_can_host_for(request.user))
    if not form.is_valid():
        raise _invalid(form)
    data = {k: v for k, v in form.cleaned_data.items() if k != "body"}
    meeting, announced = services.meeting_update(actor=request.user, meeting=meeting, **data)
    if announced and meeting.invitation_number:
        return gettext(
            "Đã lưu. Đã phát hành lại Giấy mời số %(number)s theo thông tin mới và gửi thông báo"
            " thay đổi cho đại biểu."
        ) % {"number": meeting.invitation_number}
    if announced:
        return gettext("Đã lưu. Đã gửi thông báo thay đổi cho đại biểu.")
    return gettext("Đã lưu.")


@_action
def item_update(request: AuthenticatedRequest, meeting: Meeting, item_id: int) -> str:
    item = get_object_or_404(AgendaItem, pk=item_id, meeting=meeting)
    form = forms.AgendaItemForm(request.POST, presenters=_presenters(meeting))
    if not form.is_valid():
        raise _invalid(form)
    data = form.cleaned_data
    item = services.agenda_item_update(
        actor=request.user,
        item=item,
        title=data["title"],
        presenter=data["presenter"],
        presenter_name=data["presenter_name"],
        planned_minutes=data["planned_minutes"] or 0,
        description=data["description"],
    )
    return gettext("Đã sửa mục “%(title)s”.") % {"title": item.title}


@_action
def item_add(request: AuthenticatedRequest, meeting: Meeting) -> str:
    form = forms.AgendaItemForm(request.POST, presenters=_presenters(meeting))
    if not form.is_valid():
        raise _invalid(form)
    data = form.cleaned_data
    parent = (
        get_object_or_404(AgendaItem, pk=data["parent"], meeting=meeting)
        if data.get("parent")
        else None
    )
    services.agenda_item_add(
        actor=request.user,
        meeting=meeting,
        title=data["title"],
        parent=parent,
        presenter=data["presenter"],
        presenter_name=data["presenter_name"],
        planned_minutes=data["planned_minutes"] or 0,
        description=data["description"],
    )
    return gettext("Đã thêm mục vào chương trình.")


@_action
def item_move(request: AuthenticatedRequest, meeting: Meeting, item_id: int) -> None:
    item = get_object_or_404(AgendaItem, pk=item_id, meeting=meeting)
    services.agenda_item_move(
        actor=request.user, item=item, direction=request.POST.get("direction", "")
    )


@_action
def item_delete(request: AuthenticatedRequest, meeting: Meeting, item_id: int) -> str:
    item = get_object_or_404(AgendaItem, pk=item_id, meeting=meeting)
    services.agenda_item_delete(actor=request.user, item=item)
    return gettext("Đã xoá mục khỏi chương trình.")


@login_required
@require_POST
def agenda_reorder(request: AuthenticatedRequest, pk: int) -> JsonResponse:
    """Drag and drop: the new order of one parent's children, as ids."""
    meeting = _managed_meeting(request, pk)
    try:
        ordered = [int(x) for x in request.POST.getlist("order")]
        parent_id = request.POST.get("parent") or None
        parent = get_object_or_404(AgendaItem, pk=parent_id, meeting=meeting) if parent_id else None
        services.agenda_reorder(
            actor=request.user, meeting=meeting, parent=parent, ordered_ids=ordered
        )
    except ValueError:
        return JsonResponse({"error": gettext("Dữ liệu sắp xếp không hợp lệ.")}, status=400)
    except ValidationError as exc:
        return JsonResponse({"error": _error_text(exc)}, status=400)
    return JsonResponse({"ok": True})


@_action
def document_attach(request: AuthenticatedRequest, meeting: Meeting, item_id: int) -> str:
    item = get_object_or_404(AgendaItem, pk=item_id, meeting=meeting)
    document = (
        documents_visible_to(request.user).filter(pk=request.POST.get("document") or 0).first()
    )
    if document is None:
        raise ValidationError(gettext("Hãy chọn một tài liệu."))
    services.agenda_document_attach(actor=request.user, item=item, document=document)
    return gettext("Đã đính kèm “%(document)s”.") % {"document": document.abstract}


@_action
def document_upload(request: AuthenticatedRequest, meeting: Meeting, item_id: int) -> str:
    """Upload a new file straight into an agenda item (PDF, or Word/ODT/Excel converted)."""
    item = get_object_or_404(AgendaItem, pk=item_id, meeting=meeting)
    upload = request.FILES.get("file")
    if upload is None:
        raise ValidationError(gettext("Hãy chọn tệp để tải lên."))
    document = services.agenda_document_upload(
        actor=request.user,
        item=item,
        upload=upload,
        abstract=request.POST.get("abstract", ""),
        doc_type=request.POST.get("doc_type", ""),
    )
    return gettext("Đã tải lên và đính kèm “%(document)s”.") % {"document": document.abstract}


@_action
def document_detach(request: AuthenticatedRequest, meeting: Meeting, item_id: int) -> str:
    item = get_object_or_404(AgendaItem, pk=item_id, meeting=meeting)
    document = get_object_or_404(Document, pk=request.POST.get("document") or 0)
    services.agenda_document_detach(actor=request.user, item=item, document=document)
    return gettext("Đã bỏ tài liệu khỏi mục.")


@_action
def invite_body(request: AuthenticatedRequest, meeting: Meeting) -> str:
    form = forms.InviteBodyForm(request.POST)
    if not form.is_valid():
        raise _invalid(form)
    body = form.cleaned_data["body"]
    added = services.participants_invite_body(
        actor=request.user, meeting=meeting, body=body, role=form.cleaned_data["role"] or None
    )
    done = ngettext("Đã mời thêm %(count)d người.", "Đã mời thêm %(count)d người.", len(added)) % {
        "count": len(added)
    }
    left_out = [m.user.full_name for m in members_not_cleared(meeting, body)]
    if left_out:
        done += " " + gettext(
            "Không mời và không gửi thư cho %(names)s: chưa được phép đọc tài liệu ở mức mật "
            "của cuộc họp."
        ) % {"names": ", ".join(left_out)}
    return done


@_action
def invite_person(request: AuthenticatedRequest, meeting: Meeting) -> str:
    form = forms.InvitePersonForm(request.POST)
    if not form.is_valid():
        raise _invalid(form)
    participant = services.participant_invite(
        actor=request.user,
        meeting=meeting,
        user=form.cleaned_data["user"],
        role=form.cleaned_data["role"],
    )
    return gettext("Đã mời %(name)s.") % {"name": participant.user.full_name}


@_action
def participant_remove(request: AuthenticatedRequest, meeting: Meeting, participant_id: int) -> str:
    participant = get_object_or_404(Participant, pk=participant_id, meeting=meeting)
    services.participant_remove(actor=request.user, participant=participant)
    return gettext("Đã bỏ khỏi danh sách mời.")


@_action
def participant_role(request: AuthenticatedRequest, meeting: Meeting, participant_id: int) -> str:
    participant = get_object_or_404(
        Participant.objects.select_related("user"), pk=participant_id, meeting=meeting
    )
    form = forms.ParticipantRoleForm(request.POST)
    if not form.is_valid():
        raise _invalid(form)
    services.participant_role_set(
        actor=request.user, participant=participant, role=form.cleaned_data["role"]
    )
    return gettext("Đã đổi vai trò của %(name)s thành “%(role)s”.") % {
        "name": participant.user.full_name,
        "role": gettext(participant.get_role_display()),
    }


@_action
def send_invitations(request: AuthenticatedRequest, meeting: Meeting) -> str:
    meeting = meeting_send_invitations(actor=request.user, meeting=meeting)
    return gettext("Đã phát hành giấy mời số %(number)s và gửi thư cho đại biểu.") % {
        "number": meeting.invitation_number
    }


@_action
def cancel(request: AuthenticatedRequest, meeting: Meeting) -> str:
    form = forms.CancelForm(request.POST)
    if not form.is_valid():
        raise _invalid(form)
    services.meeting_cancel(actor=request.user, meeting=meeting, reason=form.cleaned_data["reason"])
    return gettext("Đã hủy cuộc họp.")
