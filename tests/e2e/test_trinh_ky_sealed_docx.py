"""The whole Decree 30 path in one run, as the clerk and signers walk it in the browser: a Word
draft (.docx, the number and date blank in a two-column table as in the Decree 30 template)
is registered, sent for initials, the competent person's signature and the body's seal; each
signs from the request page; the clerk numbers it and seals it. The final page 1 carries the
register's number where the draft left it blank, the date line, the chair's signature and the
red seal over its left third, and every signature passes KyHop's own validation and poppler's."""

from __future__ import annotations

import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.utils import timezone

from documents.models import Document, OutgoingEntry
from documents.rendering import vietnamese_date_line
from documents.storage import blob_open
from signing import devpki
from signing.models import RequestStatus, SigningRequest, StepAssignee, StepKind
from signing.pades import appearances
from signing.validation.engine import ValidationConfig, validate_bytes
from signing.validation.report import Outcome
from tests.e2e.helpers import (
    TABLET_LANDSCAPE,
    assert_no_english,
    collect_js_errors,
    log_in,
    pdf_first_page_png,
    reader_ready,
    screenshot_tablet,
    sign_in_browser,
    sign_on_page,
)
from tests.signing.corpus import CORPUS, draft_bytes
from tests.signing.helpers import (
    PASSWORD,
    count_pixels,
    field_rect,
    is_blue,
    is_red,
    pdfsig_verdicts_of,
    render_page,
    straddles,
    text_in_rect,
    words_on_page,
)

pytestmark = [pytest.mark.e2e]

DRAFT = next(d for d in CORPUS if d.name == "quyet-dinh-table")


def test_a_word_draft_goes_through_initials_signature_number_and_seal(
    browser, signing_server, province, pki_settings, tmp_path
):
    base, world = signing_server, province
    draft = tmp_path / f"{DRAFT.name}{DRAFT.suffix}"
    draft.write_bytes(draft_bytes(DRAFT))

    context = browser.new_context(viewport=TABLET_LANDSCAPE, locale="vi-VN")
    clerk = context.new_page()
    errors = collect_js_errors(clerk)
    log_in(clerk, base, "vanthu", PASSWORD)

    # The clerk registers the Word draft: KyHop converts it to PDF.
    clerk.goto(f"{base}/van-ban/dang-ky/")
    clerk.select_option("#id_owning_body", str(world.ubnd.pk))
    clerk.select_option("#id_doc_type", "quyet_dinh")
    clerk.fill("#id_symbol", DRAFT.symbol)
    clerk.fill("#id_abstract", "Về việc phê duyệt Kế hoạch chuyển đổi số năm 2026")
    clerk.set_input_files("#id_upload", str(draft))
    clerk.click("form button[type=submit].btn-primary")
    clerk.wait_for_selector("text=Đã đăng ký văn bản.", timeout=180_000)
    document = Document.objects.get(symbol=DRAFT.symbol)

    # Initials, then the chair, then the body's seal.
    clerk.click("a:has-text('Trình ký')")
    clerk.wait_for_selector("h1:has-text('Trình ký')")
    clerk.select_option("#id_initial_signers", [str(world.drafter1.pk)])
    clerk.select_option("#id_main_signer", str(world.chair.pk))
    clerk.check("#id_with_seal")
    assert_no_english(clerk)
    screenshot_tablet(clerk, "trinh-ky-docx-form")
    clerk.click("button:has-text('Tạo yêu cầu trình ký')")
    clerk.wait_for_selector("text=Đã tạo yêu cầu trình ký.")
    clerk.click("button:has-text('Gửi trình ký')")
    clerk.wait_for_selector("text=Đã gửi trình ký.", timeout=120_000)
    request = SigningRequest.objects.get(document=document)

    for username in ("daibieu1", "chutich"):
        sign_in_browser(
            browser,
            base,
            username,
            PASSWORD,
            request_pk=request.pk,
            passphrase=pki_settings.passphrase,
            shot=f"trinh-ky-docx-{username}",
        )

    # Numbering follows the competent person's signature, the seal follows the number.
    clerk.goto(f"{base}/ky-so/yeu-cau/{request.pk}/")
    clerk.wait_for_selector("text=Đang chờ cấp số")
    clerk.click("form[action$='/cap-so/'] button[type=submit]")
    clerk.wait_for_selector("text=Đã cấp số và ngày ban hành.", timeout=120_000)
    reader_ready(clerk)
    screenshot_tablet(clerk, "trinh-ky-docx-to-seal")
    sign_on_page(clerk, pki_settings.passphrase)
    clerk.wait_for_selector(".badge:has-text('Đã ký xong')")
    assert_no_english(clerk)
    screenshot_tablet(clerk, "trinh-ky-docx-completed")
    assert errors == []
    context.close()

    request.refresh_from_db()
    assert request.status == RequestStatus.COMPLETED
    entry = OutgoingEntry.objects.get(document=document)
    assert entry.number_symbol == f"01/{DRAFT.symbol}"
    with blob_open(request.current_version.blob.storage_name) as handle:
        data = handle.read()
    final = tmp_path / "final.pdf"
    final.write_bytes(data)
    pdf_first_page_png(final, "trinh-ky-docx-final-pdf")

    # The number, read where its field is: the register's, not garbled by the draft's blank.
    number_rect = field_rect(data, appearances.NUMBER_FIELD)
    assert f"Số: {entry.number_symbol}" in text_in_rect(data, number_rect, tmp_path)
    # The field's white box covers the draft's own "Số: /QĐ-UBND" whole: no word of the
    # page (poppler's boxes) lies partly inside it, partly out (it would peek out beside).
    for word, box in words_on_page(data, tmp_path):
        assert not straddles(box, number_rect), (word, box, number_rect)
    page_text = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", str(final), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    today = timezone.localdate()
    assert vietnamese_date_line("Bắc Ninh", today) in " ".join(page_text.split())

    # The chair's blue signature in its block and the red seal over its left third.
    main = StepAssignee.objects.get(step__request=request, step__kind=StepKind.MAIN)
    x1, y1, x2, y2 = field_rect(data, main.field_name)
    page = render_page(data, tmp_path)
    third = x1 + (x2 - x1) / 3
    assert count_pixels(page, (third, y1, x2, y2), is_blue) > 200
    assert count_pixels(page, (x1, y1, third, y2), is_red) > 200

    # Every signature (initials, the chair, the seal) passes KyHop's own validation.
    roots = devpki.trust_roots(Path(pki_settings.directory))
    with ThreadPoolExecutor(max_workers=1) as pool:  # the validator runs its own event loop
        report = pool.submit(
            validate_bytes,
            data,
            file_name="final.pdf",
            config=ValidationConfig(
                trust_roots=tuple(root.dump() for root in roots),
                trust_root_names=("KyHop test root",),
                fetch=False,
                fetch_timeout=10,
                max_signatures=10,
            ),
        ).result()
    assert len(report.signatures) == 3
    assert report.outcome is Outcome.PASSED, report.reasons
    # And poppler, a reader that is not KyHop's, finds each signature valid (the B-LTA
    # document time-stamps it lists too, it does not check: "not yet been verified").
    verdicts = pdfsig_verdicts_of(final)
    assert verdicts.count("Signature is Valid.") == 3, verdicts
    assert all(
        v in {"Signature is Valid.", "Signature has not yet been verified."} for v in verdicts
    )
