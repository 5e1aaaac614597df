"""After issuing, "Nơi nhận" in the browser: the issuing clerk sends the document to another
body, whose clerk finds it in the incoming register (sổ văn bản đến) with its number of arrival
and the signature check, and opens it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from accounts.services import body_create, membership_set, user_create
from documents.models import DocumentStatus, IncomingEntry
from documents.services import document_create
from tests.documents.helpers import pdf_bytes, upload
from tests.e2e.helpers import (
    TABLET_LANDSCAPE,
    assert_no_english,
    screenshot_tablet,
    signed_in,
)

pytestmark = [pytest.mark.e2e]


def test_the_clerk_sends_and_the_recipient_finds_it_in_its_incoming_register(
    browser, media_server, world
):
    finance = body_create(actor=None, code="stc", name="Sở Tài chính", symbol="STC")
    body_create(actor=None, code="syt", name="Sở Y tế", symbol="SYT")
    finance_clerk = user_create(
        actor=None, username="vt-stc", full_name="Nguyễn Thị Tài", password="x-Thu-123"
    )
    membership_set(actor=None, user=finance_clerk, body=finance, role="clerk")
    document = document_create(
        actor=world.clerk,
        owning_body=world.stttt,
        doc_type="quyet_dinh",
        abstract="Về việc ban hành quy chế họp không giấy",
        number="12",
        symbol="QĐ-STTTT",
        upload=upload("quyet-dinh.pdf", pdf_bytes()),
        status=DocumentStatus.ISSUED,
    )

    page, errors = signed_in(browser, media_server, world.clerk, TABLET_LANDSCAPE)
    page.goto(f"{media_server}/van-ban/{document.pk}/")
    page.click("#distribute")
    expect(page.get_by_role("heading", name="Gửi nơi nhận")).to_be_visible()
    # The filter needs no accents and keeps only the matching bodies in view.
    page.fill("#body-filter", "so tai chinh")
    expect(page.get_by_label("Sở Y tế")).to_be_hidden()
    page.get_by_label("Sở Tài chính").check()
    assert_no_english(page)
    screenshot_tablet(page, "distribution-form")
    page.click("#distribute-open")
    page.click("#distribute-confirm")
    expect(page.get_by_text("Đã gửi văn bản tới 1 nơi nhận.")).to_be_visible()
    expect(page.locator("#distributions")).to_contain_text("Sở Tài chính")
    assert errors == []

    entry = IncomingEntry.objects.get()
    receiver, receiver_errors = signed_in(browser, media_server, finance_clerk, TABLET_LANDSCAPE)
    receiver.goto(f"{media_server}/")
    receiver.get_by_role("link", name="Sổ văn bản").first.click()
    receiver.get_by_role("link", name="Sổ văn bản đến").click()
    row = receiver.locator("tbody tr").first
    expect(row).to_contain_text(f"{entry.number}/{entry.year}")
    expect(row).to_contain_text("12/QĐ-STTTT")
    expect(row).to_contain_text("Sở Thông tin và Truyền thông")
    assert_no_english(receiver)
    screenshot_tablet(receiver, "incoming-register")
    row.get_by_role("link", name="12/QĐ-STTTT").click()
    expect(receiver.locator("dl.facts")).to_contain_text(
        re.compile(r"Số đến 1/\d{4}, nhận từ Sở Thông tin và Truyền thông")
    )
    expect(receiver.get_by_text("Văn bản đến", exact=True).first).to_be_visible()
    assert_no_english(receiver)
    assert receiver_errors == []
