from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.services import login_failure_record, login_is_locked, login_success_record


def client_ip(request: Any) -> str:
    # Behind the production proxy REMOTE_ADDR is the proxy; the proxy is configured to overwrite
    # (not append to) X-Real-IP, so it can be trusted there and nowhere else.
    return request.META.get("HTTP_X_REAL_IP") or request.META.get("REMOTE_ADDR", "")


class ThrottledAuthenticationForm(AuthenticationForm):
    """Django's login form, refusing further tries after repeated failures."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Tên đăng nhập hoặc mật khẩu không đúng."),
        "inactive": _("Tài khoản này đã bị khoá."),
        "locked": _("Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau %(minutes)d phút."),
    }

    def clean(self) -> dict[str, Any]:
        from django.conf import settings

        username = self.cleaned_data.get("username") or ""
        ip = client_ip(self.request)
        if login_is_locked(username=username, ip=ip):
            raise ValidationError(
                self.error_messages["locked"],
                code="locked",
                params={"minutes": max(1, settings.LOGIN_LOCKOUT_SECONDS // 60)},
            )
        try:
            cleaned = super().clean()
        except ValidationError:
            login_failure_record(username=username, ip=ip)
            raise
        login_success_record(user=self.get_user(), ip=ip)
        return cleaned


class CsvImportForm(forms.Form):
    KIND_CHOICES = [("bodies", _("Cơ quan")), ("people", _("Người dùng"))]

    kind = forms.ChoiceField(label=_("Loại dữ liệu"), choices=KIND_CHOICES)
    file = forms.FileField(label=_("Tệp CSV (UTF-8)"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > 5 * 1024 * 1024:
            raise ValidationError(_("Tệp CSV quá lớn (tối đa 5 MB)."))
        return upload
