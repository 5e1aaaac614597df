"""The inbox's "Ký hàng loạt": the form post that starts a bulk job.

The view parses the selection and the passphrase and hands them to the job service; the
passphrase is never logged, stored or sent back.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from accounts.http import AuthenticatedRequest
from signing.bulk.jobs import bulk_job_start
from signing.forms import BulkSignForm
from signing.selectors import waiting_for


def _wants_json(http: HttpRequest) -> bool:
    return "application/json" in http.headers.get("Accept", "")


@sensitive_post_parameters("passphrase")
@login_required
@require_POST
def bulk_sign_view(http: AuthenticatedRequest) -> HttpResponse:
    """Start signing the selected documents and answer at once (202): the signatures are made
    in the background and their progress arrives on the signer's socket. Without script the
    form still works: the inbox then shows the outcome when reloaded."""
    form = BulkSignForm(http.POST, assignees=waiting_for(http.user))
    try:
        if not form.is_valid():
            raise ValidationError(_form_errors(form))
        job = bulk_job_start(
            actor=http.user,
            assignees=list(form.cleaned_data["assignees"]),
            passphrase=form.cleaned_data["passphrase"],
        )
    except ValidationError as exc:
        if _wants_json(http):
            return JsonResponse({"error": " ".join(exc.messages)}, status=400)
        messages.error(http, " ".join(exc.messages))
        return redirect("signing:inbox")
    if _wants_json(http):
        return JsonResponse({"job": job.id, "total": job.total}, status=202)
    messages.info(
        http,
        gettext("Đang ký %(count)s văn bản; tải lại trang để xem kết quả.") % {"count": job.total},
    )
    return redirect("signing:inbox")


def _form_errors(form: BulkSignForm) -> list[str]:
    return [str(error) for errors in form.errors.values() for error in errors]
