"""A person on a 10-inch tablet opens KyHop, logs in with a demo account and sees their roles."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from accounts import demo_data
from tests.e2e.helpers import TABLET_LANDSCAPE, TABLET_PORTRAIT

pytestmark = [pytest.mark.e2e]


@pytest.fixture
def demo_server(server_process):
    call_command("seed_demo", verbosity=0)
    return server_process


@pytest.mark.parametrize(
    "viewport", [TABLET_PORTRAIT, TABLET_LANDSCAPE], ids=["portrait", "landscape"]
)
def test_each_demo_user_logs_in_on_a_tablet(browser, demo_server, viewport, tmp_path):
    for username, full_name, _position, _body, _role, _staff in demo_data.DEMO_LOGINS:
        context = browser.new_context(viewport=viewport, locale="vi-VN")
        page = context.new_page()
        page.goto(f"{demo_server}/")
        assert "/dang-nhap/" in page.url
        page.fill("#id_username", username)
        page.fill("#id_password", demo_data.DEMO_PASSWORD)
        page.click("button[type=submit].btn-primary")
        page.wait_for_selector("h1")
        assert full_name in page.inner_text("h1")
        assert "Ủy ban nhân dân tỉnh Bắc Ninh" in page.inner_text("main")
        # Nothing wider than the screen: the layout fits the tablet without sideways scrolling.
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        page.screenshot(path=str(tmp_path / f"{username}.png"))
        context.close()


def test_wrong_password_shows_vietnamese_error(browser, demo_server):
    # A Vietnamese tablet (an English browser gets the English catalogue, as Django's i18n does).
    page = browser.new_page(viewport=TABLET_PORTRAIT, locale="vi-VN")
    page.goto(f"{demo_server}/dang-nhap/")
    page.fill("#id_username", "chutich")
    page.fill("#id_password", "sai-mat-khau")
    page.click("button[type=submit].btn-primary")
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in page.inner_text("[role=alert]")
    page.close()
