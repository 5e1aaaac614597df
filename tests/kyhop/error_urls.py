"""URLs for tests/kyhop/test_front_end.py: views that fail in each way, then the site's own."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import include, path


def _missing(request):
    raise Http404("không có")


def _denied(request):
    raise PermissionDenied("Chỉ văn thư mới làm được việc này.")


def _broken(request):
    raise RuntimeError("hỏng")


urlpatterns = [
    path("thu/khong-co/", _missing),
    path("thu/cam/", _denied),
    path("thu/hong/", _broken),
    path("", include("kyhop.urls")),
]
