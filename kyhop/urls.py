import hashlib
from pathlib import Path

import django
from django.conf import settings
from django.contrib import admin
from django.http import Http404
from django.urls import include, path
from django.utils import translation
from django.views.decorators.cache import cache_page
from django.views.i18n import JavaScriptCatalog

from kyhop.metrics import metrics_view
from kyhop.views import favicon, healthz, livez, readyz

admin.site.site_header = "Quản trị KyHop"
admin.site.site_title = "KyHop"
admin.site.index_title = "Quản trị hệ thống"


class LanguageJavaScriptCatalog(JavaScriptCatalog):
    """The browser scripts' texts (domain djangojs) in the language the URL names, not in the
    visitor's: the URL alone decides the content, so browsers may keep it, and after a switch of
    language base.html asks for the other URL instead of reusing the cached catalogue."""

    def get(self, request, *args, language, **kwargs):
        if language not in dict(settings.LANGUAGES):
            raise Http404
        with translation.override(language):
            response = super().get(request, *args, **kwargs)
        response.headers["Content-Language"] = language
        return response


def _catalog_version() -> str:
    """Changes with the compiled djangojs catalogues and with Django (its apps' catalogues, the
    script's template), so new texts get a new URL: what browsers and the cache keep is never
    stale. Read once per process, like the translations themselves."""
    digest = hashlib.sha256(django.get_version().encode())
    for locale in settings.LOCALE_PATHS:
        for mo in sorted(Path(locale).glob("*/LC_MESSAGES/djangojs.mo")):
            digest.update(mo.read_bytes())
    return digest.hexdigest()[:12]


CATALOG_VERSION = _catalog_version()
CATALOG_SECONDS = 24 * 3600
# Built once per language (and per language cookie: the cache's key carries it) and kept by the
# browser for a day, so a page view does not even ask for it.
javascript_catalog = cache_page(CATALOG_SECONDS, key_prefix=f"jsi18n-{CATALOG_VERSION}")(
    LanguageJavaScriptCatalog.as_view()
)

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    path("livez", livez, name="livez"),
    path("readyz", readyz, name="readyz"),
    path("metrics", metrics_view, name="metrics"),
    path("i18n/", include("django.conf.urls.i18n")),
    path(
        f"jsi18n/{CATALOG_VERSION}/<str:language>/",
        javascript_catalog,
        name="javascript-catalog",
    ),
    path("quan-tri/", admin.site.urls),
    path("van-ban/", include("documents.urls")),
    path("hop/", include("meetings.urls")),
    path("ky-so/", include("signing.urls")),
    path("kiem-tra/", include("signing.validation.urls")),
    path("van-hanh/", include("background.urls")),
    path("", include("accounts.urls")),
]
