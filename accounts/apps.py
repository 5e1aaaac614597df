import axes.apps
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Cơ quan và người dùng"


class AxesConfig(axes.apps.AppConfig):
    """django-axes under a Vietnamese name in the admin (its models are translated in
    locale/vi, since axes ships no Vietnamese)."""

    default = False  # accounts' own config stays the default of this module
    verbose_name = _("Đăng nhập sai")
