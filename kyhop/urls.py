from django.contrib import admin
from django.urls import include, path

from kyhop.views import healthz

admin.site.site_header = "Quản trị KyHop"
admin.site.site_title = "KyHop"
admin.site.index_title = "Quản trị hệ thống"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("quan-tri/", admin.site.urls),
    path("van-ban/", include("documents.urls")),
    path("hop/", include("meetings.urls")),
    path("ky-so/", include("signing.urls")),
    path("kiem-tra/", include("signing.validation_urls")),
    path("", include("accounts.urls")),
]
