"""A leader signs in the browser: several documents in bulk under one passphrase, watching
the progress reach 100% with a result per document, then one more from its request page.

The data are made through the services in this process on the test database; the server is a
separate uvicorn process pointed (through its environment) at the same files and at the test
PKI served in this process, so its time-stamps come from the same in-process TSA.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from signing.models import RequestStatus, SigningRequest, StepKind
from signing.services import AssigneeSpec, StepSpec, request_create, request_send
from tests.e2e.helpers import (
    TABLET_LANDSCAPE,
    assert_no_english,
    collect_js_errors,
    screenshot_tablet,
)
from tests.signing.helpers import PASSWORD, register, to_trinh

pytestmark = [pytest.mark.e2e]


@pytest.fixture
def waiting_requests(signing_server, province) -> tuple[str, list[SigningRequest]]:
    """Four Tờ trình waiting for the chair's signature (B-T: the TSA is asked for each)."""
    world = province
    pdf = to_trinh()[0]
    made = []
    for _ in range(4):
        version = register(world, pdf)
        steps = [StepSpec(StepKind.MAIN, (AssigneeSpec(user=world.chair),))]
        request = request_create(actor=world.clerk, version=version, steps=steps, level="B-T")
        made.append(request_send(actor=world.clerk, request=request))
    return signing_server, made


def _login(browser, base: str, username: str):
    context = browser.new_context(viewport=TABLET_LANDSCAPE, locale="vi-VN")
    page = context.new_page()
    page.goto(f"{base}/dang-nhap/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit].btn-primary")
    page.wait_for_selector("h1")
    return page


def test_a_leader_signs_three_documents_at_once_then_one_alone(
    browser, waiting_requests, pki_settings
):
    base, requests = waiting_requests
    page = _login(browser, base, "chutich")
    page.goto(f"{base}/ky-so/")
    page.wait_for_selector("text=Chờ tôi xử lý (4)")
    bulk, alone = requests[:3], requests[3]
    for request in bulk:
        row = page.locator("tr", has=page.locator(f"a[href='/ky-so/yeu-cau/{request.pk}/']"))
        row.locator("input[name=assignees]").check()
    page.wait_for_selector("[data-role=selected-count]:has-text('3')")
    page.fill("#bulk-sign input[name=passphrase]", pki_settings.passphrase)
    page.click("[data-role=bulk-submit]")

    page.wait_for_selector("[data-role=bulk-progress][data-state=finished]", timeout=60_000)
    assert page.inner_text("[data-role=bulk-percent]") == "100%"
    assert page.locator("[data-role=bulk-bar]").get_attribute("value") == "100"
    results = page.locator("[data-role=bulk-results] li")
    assert results.count() == 3
    assert page.locator("[data-role=bulk-results] li.bulk-ok").count() == 3
    assert "Đã ký 3/3 văn bản." in page.inner_text("[data-role=bulk-status]")
    assert page.input_value("#bulk-sign input[name=passphrase]") == ""

    page.click(f"a[href='/ky-so/yeu-cau/{alone.pk}/']")
    page.wait_for_selector("text=Đồng ý và ký")
    page.fill("#id_passphrase", pki_settings.passphrase)
    page.click("button:has-text('Đồng ý và ký')")
    page.wait_for_selector("text=Đã ký số thành công.", timeout=60_000)

    statuses = set(
        SigningRequest.objects.filter(pk__in=[r.pk for r in requests]).values_list(
            "status", flat=True
        )
    )
    # Signed by the competent person, each now waits for the clerk's "Cấp số" (Art. 15.3).
    assert statuses == {RequestStatus.IN_PROGRESS}
    assert all(
        r.numbered_at is None
        for r in SigningRequest.objects.filter(pk__in=[r.pk for r in requests])
    )


def test_the_clerk_drags_the_signature_area_on_the_page(browser, signing_server, province):
    version = register(province, to_trinh()[0])
    page = _login(browser, signing_server, "vanthu")
    page.goto(f"{signing_server}/ky-so/trinh/{version.document_id}/{version.number}/")
    page.wait_for_selector("#pdf-viewer[data-rendered-page='1']", timeout=30_000)
    overlay = page.locator("#pdf-viewer .viewer-overlay")
    scale = overlay.bounding_box()["width"] / 595  # the page is A4: 595 points wide
    # Bring the area around (300, 600) points from the top-left into the window first.
    page.evaluate(f"window.scrollBy(0, {overlay.bounding_box()['y'] + 600 * scale - 200})")
    sheet = overlay.bounding_box()
    left, top = sheet["x"] + 300 * scale, sheet["y"] + 600 * scale
    page.mouse.move(left, top)
    page.mouse.down()
    page.mouse.move(left + 100 * scale, top + 50 * scale, steps=5)
    page.mouse.up()
    page.wait_for_selector(".signing-rect:not([hidden])")
    values = {
        name: float(page.input_value(f"#id_{name}")) for name in ("x", "y", "width", "height")
    }
    assert page.input_value("#id_page") == "1"
    assert values["x"] == pytest.approx(300, abs=3)
    assert values["width"] == pytest.approx(100, abs=3)
    assert values["height"] == pytest.approx(50, abs=3)
    assert values["y"] == pytest.approx(842 - 600 - 50, abs=3)  # PDF's y runs from the bottom
    # The picker's select labels people with position and unit: chosen by key.
    page.select_option("#id_main_signer", str(province.chair.pk))
    page.click("button:has-text('Tạo yêu cầu trình ký')")
    page.wait_for_selector("text=Đã tạo yêu cầu trình ký")
    main = SigningRequest.objects.get(document=version.document).steps.get().assignees.get()
    assert (main.page, round(main.x), round(main.width)) == (0, 300, 100)


def test_the_clerk_places_the_number_and_date_fields_on_the_page(browser, signing_server, province):
    version = register(province, to_trinh()[0])
    page = _login(browser, signing_server, "vanthu")
    errors = collect_js_errors(page)
    page.goto(f"{signing_server}/ky-so/trinh/{version.document_id}/{version.number}/")
    page.wait_for_selector("#pdf-viewer[data-rendered-page='1']", timeout=30_000)
    overlay = page.locator("#pdf-viewer .viewer-overlay")
    scale = overlay.bounding_box()["width"] / 595  # A4: 595 points wide
    page.evaluate(f"window.scrollBy(0, {overlay.bounding_box()['y'] - 100})")

    def drag(left_pt: float, top_pt: float, width_pt: float, height_pt: float) -> None:
        sheet = overlay.bounding_box()
        left, top = sheet["x"] + left_pt * scale, sheet["y"] + top_pt * scale
        page.mouse.move(left, top)
        page.mouse.down()
        page.mouse.move(left + width_pt * scale, top + height_pt * scale, steps=5)
        page.mouse.up()

    page.click("label[for=pick-number]")
    drag(80, 120, 160, 22)
    page.click("label[for=pick-date]")
    drag(300, 120, 230, 22)
    expect(page.locator(".signing-number-box")).to_have_count(1)
    expect(page.locator(".signing-date-box")).to_have_count(1)
    expect(page.locator(".signing-rect-box")).to_have_count(0)  # the signature is untouched
    expect(page.locator(".signing-box[data-box=number_box]")).to_be_visible()
    page_number, x, y, width, height = (
        float(v) for v in page.input_value("#id_number_box").split(",")
    )
    assert (page_number, x, width) == (1, pytest.approx(80, abs=3), pytest.approx(160, abs=3))
    assert y == pytest.approx(842 - 120 - 22, abs=3) and height == pytest.approx(22, abs=3)
    assert_no_english(page)
    screenshot_tablet(page, "trinh-ky-number-fields-placed")
    page.select_option("#id_main_signer", str(province.chair.pk))
    page.click("button:has-text('Tạo yêu cầu trình ký')")
    page.wait_for_selector("text=Đã tạo yêu cầu trình ký")
    request = SigningRequest.objects.get(document=version.document)
    assert [round(v) for v in request.number_field_rect] == [0, 80, 700, 160, 22]
    assert round(request.date_field_rect[1]) == 300
    assert errors == []


def test_a_batch_the_server_does_not_answer_is_never_silent(
    browser, waiting_requests, pki_settings
):
    """Tried once: "Ký các văn bản đã chọn" did nothing for minutes, the passphrase still in
    the field. Now the page says at once that it is starting, clears the passphrase, and tells
    the signer when the server has not answered."""
    base, requests = waiting_requests
    page = _login(browser, base, "chutich")
    errors = collect_js_errors(page)
    page.goto(f"{base}/ky-so/")
    # The server never answers the start of the batch (the request is held, not forwarded).
    held = []
    page.route("**/ky-so/ky-hang-loat/", lambda route: held.append(route))
    page.locator("#bulk-sign").evaluate("form => { form.dataset.startTimeout = '3000'; }")
    row = page.locator("tr", has=page.locator(f"a[href='/ky-so/yeu-cau/{requests[0].pk}/']"))
    row.locator("input[name=assignees]").check()
    page.fill("#bulk-sign input[name=passphrase]", pki_settings.passphrase)
    page.click("[data-role=bulk-submit]")
    status = page.locator("[data-role=bulk-status]")
    expect(status).to_have_text("Đang bắt đầu lượt ký…", timeout=2_000)
    assert page.input_value("#bulk-sign input[name=passphrase]") == ""
    expect(status).to_contain_text("Máy chủ chưa trả lời", timeout=10_000)
    expect(page.locator("[data-role=bulk-progress]")).to_have_attribute("data-state", "failed")
    expect(page.locator("[data-role=bulk-submit]")).to_be_enabled()
    assert len(held) == 1
    assert not SigningRequest.objects.filter(pk=requests[0].pk, steps__assignees__status="signed")
    # The browser logs the aborted request; nothing else went wrong on the page.
    assert [e for e in errors if "TimeoutError" not in e and "signal timed out" not in e] == []
    page.context.close()
