"""Staff pages: the development mail catcher and the operations view of tasks and schedule."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from background.mailfiles import caught_mail_names, caught_mail_open
from background.models import OutboxMail
from background.operations import schedule_rows, task_retry, tasks_recent
from background.outbox import mail_retry


@staff_member_required
def mailbox(request: HttpRequest) -> HttpResponse:
    return render(request, "background/mailbox.html", {"names": caught_mail_names()[:200]})


@staff_member_required
def mailbox_message(request: HttpRequest, name: str) -> HttpResponse:
    message = caught_mail_open(name)
    if message is None:
        raise Http404
    text = message.get_body(preferencelist=("plain", "html"))
    attachments = [part.get_filename() for part in message.iter_attachments()]
    return render(
        request,
        "background/mailbox_message.html",
        {
            "name": name,
            "message": message,
            "text": text.get_content() if text else "",
            "attachments": attachments,
        },
    )


@staff_member_required
def operations(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "background/operations.html",
        {
            "tasks": tasks_recent(),
            "schedule": schedule_rows(),
            "failed_mail": OutboxMail.objects.filter(status="failed").order_by("-updated_at")[:50],
        },
    )


@staff_member_required
@require_POST
def operations_task_retry(request: HttpRequest, task_id: str) -> HttpResponse:
    task_retry(task_id=task_id)
    messages.success(request, gettext("Đã đưa công việc vào hàng đợi để chạy lại."))
    return redirect("background:operations")


@staff_member_required
@require_POST
def operations_mail_retry(request: HttpRequest, mail_id: int) -> HttpResponse:
    mail_retry(mail=get_object_or_404(OutboxMail, pk=mail_id))
    messages.success(request, gettext("Đã đưa thư vào hàng đợi để gửi lại."))
    return redirect("background:operations")
