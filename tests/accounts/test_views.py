"""Login, logout, password change, home page, CSV import screen — as a person uses them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Body, User
from audit.models import AuditEvent
from tests.factories import make_body, make_user

PASSWORD = "mat-khau-thu-1"


@pytest.fixture
def official(db):
    body = make_body(code="stttt", name="Sở Thông tin và Truyền thông", symbol="STTTT")
    return make_user(
        username="duc.lm", full_name="Lê Minh Đức", body=body, role="member", position="Giám đốc Sở"
    )


def test_login_page_is_vietnamese_by_default(client, db):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="vi">' in html
    assert "Đăng nhập" in html and "Mật khẩu" in html


def test_anonymous_home_redirects_to_login(client, db):
    response = client.get(reverse("accounts:home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_login_shows_bodies_and_roles(client, official):
    response = client.post(
        reverse("accounts:login"), {"username": "duc.lm", "password": PASSWORD}, follow=True
    )
    html = response.content.decode()
    assert "Xin chào, Lê Minh Đức" in html
    assert "Sở Thông tin và Truyền thông" in html and "Thành viên" in html
    assert AuditEvent.objects.filter(verb="login.succeeded").count() == 1


def test_wrong_password_gets_vietnamese_message(client, official):
    response = client.post(reverse("accounts:login"), {"username": "duc.lm", "password": "sai"})
    assert response.status_code == 200
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_repeated_failures_lock_even_the_right_password(client, official, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        client.post(reverse("accounts:login"), {"username": "duc.lm", "password": "sai"})
    response = client.post(reverse("accounts:login"), {"username": "duc.lm", "password": PASSWORD})
    assert response.status_code == 429
    assert "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau 15 phút." in response.content.decode()
    assert "_auth_user_id" not in client.session
    # The refused fourth try is not a failure: the password was never checked.
    failures = AuditEvent.objects.filter(verb="login.failed").order_by("seq")
    assert [event.details["locked_out"] for event in failures] == [False, False, True]
    assert failures[0].details["ip"] == "127.0.0.1"


def test_logout_is_a_post_and_ends_the_session(client, official):
    client.force_login(official)
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_password_change(client, official):
    client.force_login(official)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Mật-khẩu-mới-2026",
            "new_password2": "Mật-khẩu-mới-2026",
        },
    )
    assert response.status_code == 302
    official.refresh_from_db()
    assert official.check_password("Mật-khẩu-mới-2026")


def test_password_change_with_wrong_old_password_changes_nothing(client, official):
    client.force_login(official)
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": "sai",
            "new_password1": "Mật-khẩu-mới-2026",
            "new_password2": "Mật-khẩu-mới-2026",
        },
    )
    assert response.status_code == 200
    official.refresh_from_db()
    assert official.check_password(PASSWORD)


def test_english_is_available(client, official):
    client.force_login(official)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("accounts:home")).content.decode()
    assert '<html lang="en">' in html
    assert "Your bodies and roles" in html


def test_csv_import_screen_is_for_staff_only(client, official):
    client.force_login(official)
    response = client.get(reverse("accounts:csv_import"))
    assert response.status_code == 302  # to the admin login, not the form


def test_csv_import_screen_reports_rows_and_imports_nothing(client, db):
    from django.core.files.uploadedfile import SimpleUploadedFile

    staff = make_user(username="qt", is_staff=True)
    client.force_login(staff)
    bad = "Mã,Tên cơ quan,Ký hiệu\nok,Cơ quan tốt,OK\nxau,,X\n".encode()
    response = client.post(
        reverse("accounts:csv_import"),
        {"kind": "bodies", "file": SimpleUploadedFile("co-quan.csv", bad, "text/csv")},
    )
    assert response.status_code == 400
    assert "thiếu tên cơ quan" in response.content.decode()
    assert not Body.objects.filter(code="ok").exists()
    good = "Mã,Tên cơ quan,Ký hiệu\nok,Cơ quan tốt,OK\n".encode()
    response = client.post(
        reverse("accounts:csv_import"),
        {"kind": "bodies", "file": SimpleUploadedFile("co-quan.csv", good, "text/csv")},
    )
    assert response.status_code == 200
    assert Body.objects.get(code="ok").name == "Cơ quan tốt"


def _password_change_errors(client, new_password: str) -> str:
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 200
    return response.content.decode()


def test_password_rules_speak_vietnamese_on_the_password_change_page(client, official):
    client.force_login(official)
    html = client.get(reverse("accounts:password_change")).content.decode()
    assert "Mật khẩu phải có ít nhất 8 ký tự." in html  # the rules, before anything is typed
    assert "Mật khẩu quá ngắn: cần ít nhất 8 ký tự." in _password_change_errors(client, "a1b2")
    assert "Mật khẩu này chỉ gồm chữ số." in _password_change_errors(client, "20262027")
    assert "Mật khẩu này quá phổ biến, dễ bị đoán." in _password_change_errors(client, "password")
    assert "Mật khẩu quá giống họ và tên." in _password_change_errors(client, "Lê Minh Đức")
    official.refresh_from_db()
    assert official.check_password(PASSWORD)


def test_password_rules_speak_vietnamese_in_the_admin(client, official, db):
    admin = make_user(username="quantri", is_staff=True)
    User.objects.filter(pk=admin.pk).update(is_superuser=True)
    client.force_login(admin)
    url = reverse("admin:auth_user_password_change", args=[official.pk])
    html = client.get(url).content.decode()
    assert "Đăng nhập bằng mật khẩu" in html
    response = client.post(
        url, {"password1": "a1b2", "password2": "a1b2", "usable_password": "true"}
    )
    html = response.content.decode()
    assert "Mật khẩu quá ngắn: cần ít nhất 8 ký tự." in html
    assert "This password" not in html


def test_the_admin_lists_locked_attempts_in_vietnamese(client, official, settings):
    settings.AXES_FAILURE_LIMIT = 2
    for _ in range(2):
        client.post(reverse("accounts:login"), {"username": "duc.lm", "password": "sai"})
    admin = make_user(username="quantri", is_staff=True)
    User.objects.filter(pk=admin.pk).update(is_superuser=True)
    client.force_login(admin)
    html = client.get(reverse("admin:index")).content.decode()
    assert "Đăng nhập sai" in html and "Access" not in html
    html = client.get(reverse("admin:axes_accessattempt_changelist")).content.decode()
    assert "Địa chỉ IP" in html and "Đang bị khoá" in html and "duc.lm" in html
