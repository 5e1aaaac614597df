"""The signer's own identity screen: setting the signature (or, for a body, seal) image.

The view parses input and calls the service, which checks who may change the image.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from accounts.http import AuthenticatedRequest
from signing.backends.identities import identities_of, identity_image_set
from signing.forms import ImageForm


@login_required
@require_http_methods(["GET", "POST"])
def identity_image_view(http: AuthenticatedRequest, pk: int) -> HttpResponse:
    identity = get_object_or_404(identities_of(http.user), pk=pk)
    form = ImageForm(http.POST or None, http.FILES or None)
    if http.method == "POST" and form.is_valid():
        try:
            identity_image_set(actor=http.user, identity=identity, image=form.cleaned_data["image"])
            messages.success(http, gettext("Đã cập nhật ảnh."))
            return redirect("signing:inbox")
        except ValidationError as exc:
            messages.error(http, " ".join(exc.messages))
        except PermissionDenied as exc:
            messages.error(http, str(exc))
    status = 400 if http.method == "POST" else 200
    return render(
        http, "signing/image_form.html", {"form": form, "identity": identity}, status=status
    )
