"""The shared front end: Vietnamese error pages (also with DEBUG on), the site icon, every form
through the Bootstrap renderer, Django's own texts in Vietnamese (locale/vi)."""

from __future__ import annotations

import gettext
import re
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

import axes
import django
import pytest
from django import forms
from django.conf import settings
from django.test import Client, override_settings
from django.utils import translation

if TYPE_CHECKING:
    from accounts.models import Body

VI_PO = Path(settings.BASE_DIR) / "locale" / "vi" / "LC_MESSAGES" / "django.po"
ERRORS = "tests.kyhop.error_urls"

pytestmark = pytest.mark.django_db


def _get(client: Client, url: str):
    response = client.get(url)
    return response, response.content.decode()


# --- Error pages ----------------------------------------------------------------------------


@pytest.mark.parametrize("debug", [True, False], ids=["development", "production"])
@pytest.mark.parametrize("url", ["/khong-co-trang-nay/", "/thu/khong-co/"], ids=["no-url", "view"])
def test_a_missing_page_is_our_vietnamese_404_in_every_mode(client, debug, url):
    with override_settings(DEBUG=debug, ROOT_URLCONF=ERRORS):
        response, html = _get(client, url)
    assert response.status_code == 404
    assert "Không tìm thấy trang" in html and "Về trang chủ" in html
    assert "Using the URLconf" not in html and "Page not found" not in html
    assert '<html lang="vi">' in html


def test_developers_can_ask_for_djangos_technical_pages(client):
    with override_settings(DEBUG=True, KYHOP_TECHNICAL_ERROR_PAGES=True, ROOT_URLCONF=ERRORS):
        response, html = _get(client, "/khong-co-trang-nay/")
    assert response.status_code == 404
    assert "Page not found" in html and "Không tìm thấy trang" not in html


def test_a_refusal_is_our_403_with_the_reason(client):
    with override_settings(DEBUG=True, ROOT_URLCONF=ERRORS):
        response, html = _get(client, "/thu/cam/")
    assert response.status_code == 403
    assert "Không có quyền truy cập" in html and "Chỉ văn thư mới làm được việc này." in html


def test_a_crash_in_development_is_our_500_and_its_traceback_is_logged(client, caplog):
    with override_settings(DEBUG=True, ROOT_URLCONF=ERRORS), caplog.at_level("ERROR"):
        response, html = _get(client, "/thu/hong/")
    assert response.status_code == 500
    assert "Máy chủ gặp lỗi" in html and "Traceback" not in html
    record = next(r for r in caplog.records if r.name == "django.request")
    assert record.exc_info and "hỏng" in str(record.exc_info[1])


def test_the_production_500_page_needs_no_request():
    from django.template import loader

    html = loader.get_template("500.html").render()
    assert "Máy chủ gặp lỗi" in html and "kyhop.css" in html


def test_an_expired_form_gets_a_vietnamese_csrf_page():
    response = Client(enforce_csrf_checks=True).post(
        "/dang-nhap/", {"username": "a", "password": "b"}
    )
    assert response.status_code == 403
    html = response.content.decode()
    assert "Phiên làm việc đã hết hạn" in html and "CSRF verification failed" not in html


def test_english_visitors_get_the_error_pages_in_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with override_settings(DEBUG=True, ROOT_URLCONF=ERRORS):
        response, html = _get(client, "/khong-co-trang-nay/")
    assert response.status_code == 404 and "Page not found" in html and '<html lang="en">' in html


def test_the_site_icon_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert response.content[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert "max-age" in response["Cache-Control"]


# --- Forms ------------------------------------------------------------------------------------


class _Sample(forms.Form):
    title = forms.CharField(label="Tên cuộc họp", help_text="Ghi đầy đủ")
    kind = forms.ChoiceField(label="Loại", choices=[("", "—"), ("a", "A")], required=False)
    body: forms.ModelChoiceField[Body] = forms.ModelChoiceField(label="Cơ quan", queryset=None)
    text = forms.CharField(label="Nội dung", widget=forms.Textarea)
    secret = forms.BooleanField(label="Mật", required=False)
    answer = forms.ChoiceField(
        label="Trả lời", choices=[("y", "Có"), ("n", "Không")], widget=forms.RadioSelect
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from accounts.models import Body

        self.fields["body"].queryset = Body.objects.all()


def test_every_form_renders_with_bootstrap_classes_and_vietnamese_empty_choice():
    with translation.override("vi"):
        html = str(_Sample())
    assert '<label class="form-label" for="id_title">Tên cuộc họp</label>' in html
    assert re.search(
        r'<input type="text" name="title" class="form-control"'
        r'[^>]*aria-describedby="id_title_helptext"',
        html,
    )
    assert '<div class="form-text" id="id_title_helptext">Ghi đầy đủ</div>' in html
    assert '<select name="body" class="form-select"' in html
    assert '<option value="" selected>— Chọn —</option>' in html
    assert "Select an option" not in html
    assert '<textarea name="text" class="form-control"' in html
    assert '<div class="form-check">' in html and 'class="form-check-input"' in html
    assert '<legend class="form-label">Trả lời</legend>' in html
    assert '<label class="form-check-label" for="id_answer_0">Có</label>' in html


def test_field_errors_are_bootstrap_feedback_tied_to_their_field():
    with translation.override("vi"):
        form = _Sample(data={})
        form.is_valid()
        html = str(form)
    assert 'aria-invalid="true"' in html
    assert re.search(
        r'<ul class="errorlist list-unstyled invalid-feedback d-block" id="id_title_error">', html
    )


def test_the_admin_keeps_its_own_classes():
    """Widget templates write Bootstrap's class beside a widget's own, never instead of it."""
    widget = forms.TextInput(attrs={"class": "vTextField"})
    html = widget.render("name", "x")
    assert 'class="form-control vTextField"' in html and html.count("class=") == 1


# --- Django's own texts in Vietnamese ---------------------------------------------------------


def _msgids(po: Path) -> list[str]:
    text = po.read_text(encoding="utf-8")
    ids = re.findall(r'^msgid ((?:".*"\n)+)', text, flags=re.M)
    return [v for v in ("".join(re.findall(r'"(.*)"', block)) for block in ids) if v]


def test_the_vietnamese_catalogue_holds_only_library_messages_all_translated():
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(VI_PO)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert re.fullmatch(r"\d+ translated messages?\.", result.stderr.strip().splitlines()[-1])
    # Django's and django-axes' own msgids only: KyHop's texts are written in Vietnamese. axes'
    # catalogues lag behind its code, so its msgids are looked up in its source.
    libraries = set()
    for po in Path(django.__file__).parent.glob("**/locale/en/LC_MESSAGES/django.po"):
        libraries.update(_msgids(po))
    axes_source = "".join(p.read_text() for p in Path(axes.__file__).parent.glob("**/*.py"))
    ours = _msgids(VI_PO)
    assert "- Select an option -" in ours
    assert [m for m in ours if m not in libraries and f'"{m}"' not in axes_source] == [], (
        "library msgids only"
    )


def test_the_compiled_vietnamese_catalogue_matches_the_po_file(tmp_path):
    compiled = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "-o", str(compiled), str(VI_PO)], check=True)
    with compiled.open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)._catalog
    entries = {k: v for k, v in catalogue.items() if isinstance(k, str) and k}
    with translation.override("vi"):
        stale = [k for k, v in entries.items() if translation.gettext(k) != v]
    assert stale == [], f"run `make messages`: {stale}"
