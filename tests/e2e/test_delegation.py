"""The chair delegates a Tờ trình KyHop laid out to a deputy in the browser: the confirmation
page shows the block that will be printed ("KT. CHỦ TỊCH", the deputy's position and name),
the deputy's inbox says "Ký thay (KT.) cho …", and the deputy signs in the browser above their
own printed name. Page 1 of the signed PDF is rendered to look at."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import expect

from documents.storage import blob_open
from signing.models import AssigneeStatus, SigningRequest, StepAssignee
from tests.e2e.helpers import (
    TABLET_LANDSCAPE,
    assert_no_english,
    collect_js_errors,
    log_in,
    pdf_first_page_png,
    reader_ready,
    screenshot_tablet,
    sign_on_page,
)
from tests.signing.helpers import PASSWORD
from tests.signing.requests.helpers import rendered_request

pytestmark = [pytest.mark.e2e]


def _page(browser, base: str, username: str):
    context = browser.new_context(viewport=TABLET_LANDSCAPE, locale="vi-VN")
    page = context.new_page()
    errors = collect_js_errors(page)
    log_in(page, base, username, PASSWORD)
    return context, page, errors


def test_the_chair_delegates_to_a_deputy_who_signs_in_a_reprinted_block(
    browser, signing_server, province, pki_settings, tmp_path
):
    base = signing_server
    province.deputy.position = "Phó Chủ tịch Ủy ban nhân dân tỉnh"
    province.deputy.save()
    request = rendered_request(province, seal=True)

    context, page, errors = _page(browser, base, "chutich")
    page.goto(f"{base}/ky-so/yeu-cau/{request.pk}/")
    reader_ready(page)
    page.click("button:has-text('Ủy quyền')")
    # The people picker: found by position, no marks typed.
    picker = page.locator("#step-delegate [role=combobox]")
    picker.fill("pho chu tich")
    expect(page.locator("#step-delegate [role=option]")).to_have_count(1)
    picker.press("ArrowDown")
    picker.press("Enter")
    assert page.input_value("#id_to_user") == str(province.deputy.pk)
    page.fill("#delegate-reason", "Đi công tác Hà Nội")
    page.click("#delegate-next")
    page.wait_for_selector("#delegate-confirm")
    confirm = page.locator("#delegate-confirm")
    expect(confirm).to_contain_text("KT. CHỦ TỊCH")
    expect(confirm).to_contain_text("PHÓ CHỦ TỊCH")
    expect(confirm).to_contain_text("Đỗ Quang Vinh")
    assert page.locator("input[name=signs_as][value='KT.']").is_checked()
    assert_no_english(page)
    screenshot_tablet(page, "delegation-confirm")
    page.click("#delegate-confirm-button")
    page.wait_for_selector("text=Đã ủy quyền.", timeout=60_000)
    assert errors == []
    context.close()

    context, page, errors = _page(browser, base, "lanhdao")
    page.goto(f"{base}/ky-so/")
    row = page.locator("tr", has=page.locator(f"a[href='/ky-so/yeu-cau/{request.pk}/']"))
    expect(row).to_contain_text("Ký thay (KT.) cho Nguyễn Văn Hùng")
    assert_no_english(page)
    screenshot_tablet(page, "delegation-inbox")
    page.goto(f"{base}/ky-so/yeu-cau/{request.pk}/")
    reader_ready(page)
    expect(page.locator(".action-signs-as")).to_contain_text("Ký thay (KT.) cho Nguyễn Văn Hùng")
    assert_no_english(page)
    screenshot_tablet(page, "delegation-step")
    sign_on_page(page, pki_settings.passphrase)
    assert errors == []
    context.close()

    request = SigningRequest.objects.get(pk=request.pk)
    delegate = StepAssignee.objects.get(step__request=request, user=province.deputy)
    assert delegate.status == AssigneeStatus.SIGNED
    final = tmp_path / "final.pdf"
    with blob_open(request.current_version.blob.storage_name) as handle:
        final.write_bytes(handle.read())
    text = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", str(final), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    words = " ".join(text.split())
    assert "KT. CHỦ TỊCH PHÓ CHỦ TỊCH" in words
    assert "Đỗ Quang Vinh" in words and "Nguyễn Văn Hùng" not in words
    png = pdf_first_page_png(final, "delegation-signed-page-1")
    assert Path(png).stat().st_size > 0
