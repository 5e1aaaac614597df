from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from accounts.csv_import import import_bodies_csv, import_people_csv
from accounts.forms import CsvImportForm, ThrottledAuthenticationForm, lockout_message
from accounts.http import AuthenticatedRequest
from accounts.selectors import memberships_of, people_matching
from accounts.widgets import picker_allowed


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = ThrottledAuthenticationForm
    redirect_authenticated_user = True


def login_locked_out(request: HttpRequest, *_args: Any, **_kwargs: Any) -> HttpResponse:
    """The page django-axes answers when a user name is locked at this address (429).

    Rendered afresh rather than taken from the view: axes' async middleware does not pass the
    view's response. Also shown for the admin's login.
    """
    form = ThrottledAuthenticationForm(
        request, initial={"username": request.POST.get("username", "")}
    )
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = ""
    context = {"form": form, "locked_message": lockout_message(), "next": next_url}
    return render(request, "accounts/login.html", context, status=429)


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


@login_required
def home(request: AuthenticatedRequest) -> HttpResponse:
    return render(request, "accounts/home.html", {"memberships": memberships_of(request.user)})


@staff_member_required
def csv_import(request: AuthenticatedRequest) -> HttpResponse:
    form = CsvImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        importer = import_bodies_csv if form.cleaned_data["kind"] == "bodies" else import_people_csv
        result = importer(form.cleaned_data["file"].read(), actor=request.user)
        if result.ok:
            messages.success(
                request, gettext("Đã nhập %(count)s dòng.") % {"count": result.created}
            )
        else:
            messages.error(
                request, gettext("Tệp có lỗi nên không dòng nào được nhập. Xem chi tiết bên dưới.")
            )
    status = 400 if result is not None and not result.ok else 200
    return render(
        request, "accounts/csv_import.html", {"form": form, "result": result}, status=status
    )


# A page of matches: enough to find someone by a few letters, small enough to read at a glance.
PEOPLE_SEARCH_LIMIT = 20


@login_required
@require_safe
def people_search(request: AuthenticatedRequest) -> JsonResponse:
    """The people picker's search: among the people the widget's signed token names only (see
    accounts.widgets), matched without caring about case or Vietnamese marks on name,
    position, role and unit. Two queries whatever the number of people."""
    allowed = picker_allowed(request.GET.get("token", ""))
    if allowed is None:
        message = gettext("Danh sách người đã hết hạn. Hãy tải lại trang.")
        return JsonResponse({"error": message}, status=400)
    found, more = people_matching(allowed, request.GET.get("q", "")[:200], PEOPLE_SEARCH_LIMIT)
    results = [{"id": p.pk, "name": p.name, "detail": p.detail, "label": p.label} for p in found]
    return JsonResponse({"results": results, "more": more})
