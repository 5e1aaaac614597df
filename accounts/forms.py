from __future__ import annotations

from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_credentials
from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.services import login_failure_record, login_success_record
from accounts.throttle import client_address


def lockout_minutes() -> int:
    return max(1, int(settings.AXES_COOLOFF_TIME.total_seconds()) // 60)


def lockout_message() -> str:
    return ThrottledAuthenticationForm.error_messages["locked"] % {"minutes": lockout_minutes()}


class ThrottledAuthenticationForm(AuthenticationForm):
    """Django's login form; django-axes counts the failures per user name and address.

    A name locked at this address is refused before its password is checked (axes' backend
    would refuse it too, but only after the form had counted it as a wrong password).
    """

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Tên đăng nhập hoặc mật khẩu không đúng."),
        "inactive": _("Tài khoản này đã bị khoá."),
        "locked": _("Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau %(minutes)d phút."),
    }

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        # LoginView always hands the form its request; the throttle counts by its address.
        assert self.request is not None
        if not AxesProxyHandler.is_allowed(self.request, get_credentials(username)):
            # AxesMiddleware reads this attribute it adds to requests and answers its 429 page.
            self.request.axes_locked_out = True  # type: ignore[attr-defined]
            raise self._locked()
        try:
            cleaned = super().clean()
        except ValidationError:
            locked_out = bool(getattr(self.request, "axes_locked_out", False))
            login_failure_record(
                username=username, ip=client_address(self.request), locked_out=locked_out
            )
            if locked_out:
                raise self._locked() from None
            raise
        login_success_record(user=self.get_user(), ip=client_address(self.request))
        return cleaned

    def _locked(self) -> ValidationError:
        return ValidationError(
            self.error_messages["locked"], code="locked", params={"minutes": lockout_minutes()}
        )


class CsvImportForm(forms.Form):
    KIND_CHOICES = [("bodies", _("Cơ quan")), ("people", _("Người dùng"))]

    kind = forms.ChoiceField(label=_("Loại dữ liệu"), choices=KIND_CHOICES)
    file = forms.FileField(label=_("Tệp CSV (UTF-8)"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > 5 * 1024 * 1024:
            raise ValidationError(_("Tệp CSV quá lớn (tối đa 5 MB)."))
        return upload
