"""Show what changed: pages rendered as signed and as now, compared.

KyHop's own workflow (signature, number and date filled in, then the seal over the signature)
changes the page only where it expects to, and passes plainly; a permitted change that alters
the page elsewhere passes only "with warnings", the pages and regions named and pictured; the
attacks that change the page fail, and their pictures show where.
"""

from __future__ import annotations

import io
import subprocess

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from signing.pades import appearances
from signing.pades.appearances import FieldValue, Placement, SigFieldPlan
from signing.pades.sign import PadesLevel
from signing.validation.report import CheckStatus, Outcome
from signing.validation.runner import validate_pdf
from tests.signing.validation import attacks

pytestmark = pytest.mark.django_db

LEVEL = PadesLevel.B_LT
MAIN, SEAL = "ChuKy_ChuTich", "ConDau"
NUMBER, DATE = appearances.NUMBER_FIELD, appearances.DATE_FIELD


def _visual(result) -> list:
    return [c for c in result.checks if c.code == "visual"]


def _prepared(extra_text_fields: dict[str, Placement] | None = None) -> bytes:
    """A draft as KyHop sends it for signing: signature fields (the main one locking all but
    the seal and the numbering fields) and the number and date fields."""
    draft = attacks.text_pdf(["UY BAN NHAN DAN TINH", "Chi 1.000 dong cho hoi nghi"])
    main = Placement(0, 330, 80, 200, 80)
    return appearances.fields_prepare(
        data=draft,
        signature_fields=[
            # As signing.request_fields plans them: each keeps its own and later fields open.
            SigFieldPlan(MAIN, main, (MAIN, SEAL, NUMBER, DATE)),
            SigFieldPlan(SEAL, appearances.seal_placement(main=main), (SEAL, NUMBER, DATE)),
        ],
        text_fields={
            NUMBER: Placement(0, 60, 700, 160, 20),
            DATE: Placement(0, 330, 700, 220, 20),
            **(extra_text_fields or {}),
        },
    )


def _kyhop_flow(sign, prepared: bytes) -> bytes:
    signed = sign(
        prepared,
        level=LEVEL,
        field_name=MAIN,
        stamp_style=appearances.image_style(appearances.signature_scribble_png("Nguyễn Văn A")),
    )
    numbered = appearances.text_fields_fill(
        data=signed,
        values={
            NUMBER: FieldValue("45/QĐ-UBND", "Số: 45/QĐ-UBND"),
            DATE: FieldValue("2026-02-05", "Bắc Ninh, ngày 05 tháng 02 năm 2026"),
        },
    )
    return sign(
        numbered,
        level=LEVEL,
        field_name=SEAL,
        stamp_style=appearances.image_style(appearances.seal_png("Ủy ban nhân dân tỉnh")),
    )


def test_kyhop_numbered_and_sealed_document_passes_plainly(sign):
    report = validate_pdf(_kyhop_flow(sign, _prepared()))
    assert report.outcome is Outcome.PASSED, report.reasons
    main, seal = report.signatures
    (line,) = _visual(main)
    assert line.status is CheckStatus.PASSED and line.message_id == "visual.expected_only"
    # The page changed: where the number, the date and the seal went, and only there.
    (page,) = main.visual_changes
    assert page.page == 1 and page.regions == () and page.expected
    assert page.thumbnail_signed == page.thumbnail_now == ""
    assert main.pages_compared == 1
    # The seal is the last signature: nothing after it to compare (only its DSS update).
    assert [c.message_id for c in _visual(seal)] in ([], ["visual.same"])


def test_a_permitted_form_fill_that_changes_the_page_elsewhere_passes_with_warnings(sign):
    # Another field, prepared before signing and left fillable, is filled afterwards with
    # words laid over the amount: form filling is permitted, the picture is not what was signed.
    prepared = _prepared({"ghi_chu": Placement(0, 60, 720, 400, 40)})
    # A new field, with no lock: after it, form filling is allowed.
    signed = sign(prepared, level=LEVEL, field_name="ChuKyKhac")
    filled = appearances.text_fields_fill(
        data=signed, values={"ghi_chu": FieldValue("x", "Chi 9.000.000.000 dong")}
    )
    report = validate_pdf(filled)
    assert report.outcome is Outcome.PASSED_WITH_WARNINGS, report.reasons
    assert report.outcome_label == "Hợp lệ, có cảnh báo"
    (sig,) = report.signatures
    assert {c.code: c.status for c in sig.checks}["changes"] is CheckStatus.PASSED
    (line,) = _visual(sig)
    assert line.status is CheckStatus.CAUTION and "trang 1" in line.message.lower()
    (page,) = sig.visual_changes
    assert page.page == 1 and page.regions
    x1, y1, x2, y2 = page.regions[0]
    assert x1 >= 40 and x2 <= 480 and y1 >= 690 and y2 <= 780  # where the field is
    assert page.thumbnail_signed.startswith("data:image/png;base64,")
    assert page.thumbnail_now.startswith("data:image/png;base64,")
    assert page.thumbnail_signed != page.thumbnail_now
    assert len(page.thumbnail_now) < 40_000
    data = report.as_json()
    assert data["outcome"] == "passed_with_warnings"
    assert data["signatures"][0]["visual_changes"][0]["regions"]


def _with_hidden_layer(data: bytes) -> bytes:
    """A draft with an optional-content group, off by default, holding other words."""
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    group = writer.add_object(
        generic.DictionaryObject(
            {
                generic.NameObject("/Type"): generic.NameObject("/OCG"),
                generic.NameObject("/Name"): generic.TextStringObject("An"),
            }
        )
    )
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    resources = page["/Resources"]
    resources[generic.NameObject("/Properties")] = generic.DictionaryObject(
        {generic.NameObject("/An"): group}
    )
    stream = writer.add_object(
        generic.StreamObject(
            stream_data=b"/OC /An BDC BT /F1 18 Tf 72 500 Td (Chi 9.000.000.000 dong) Tj ET EMC"
        )
    )
    page[generic.NameObject("/Contents")] = generic.ArrayObject([page.raw_get("/Contents"), stream])
    writer.update_container(page)
    writer.root[generic.NameObject("/OCProperties")] = generic.DictionaryObject(
        {
            generic.NameObject("/OCGs"): generic.ArrayObject([group]),
            generic.NameObject("/D"): generic.DictionaryObject(
                {generic.NameObject("/OFF"): generic.ArrayObject([group])}
            ),
        }
    )
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _layer_switched_on(signed: bytes) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    writer.root["/OCProperties"]["/D"][generic.NameObject("/OFF")] = generic.ArrayObject()
    writer.update_container(writer.root["/OCProperties"])
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_hidden_content_switched_on_after_signing_is_never_passed(sign):
    signed = sign(_with_hidden_layer(attacks.text_pdf(["Chi 1.000 dong"])), level=LEVEL)
    assert validate_pdf(signed).outcome is Outcome.PASSED
    report = validate_pdf(_layer_switched_on(signed))
    assert report.outcome in (Outcome.FAILED, Outcome.PASSED_WITH_WARNINGS), report.reasons
    (sig,) = report.signatures
    (page,) = sig.visual_changes
    assert page.regions and page.thumbnail_now
    x1, y1, x2, y2 = page.regions[0]
    assert x1 < 100 < x2 and y1 < 505 < y2  # the words that appeared


@pytest.mark.parametrize(
    "attack", [attacks.shadow_hide, attacks.shadow_replace, attacks.shadow_hide_and_replace]
)
def test_shadow_attacks_show_the_changed_page(sign, attack):
    signed = sign(attacks.shadow_prepared_pdf(), level=LEVEL)
    report = validate_pdf(attack(signed))
    assert report.outcome is Outcome.FAILED
    (sig,) = report.signatures
    (page,) = sig.visual_changes
    assert page.page == 1 and page.regions and page.thumbnail_signed and page.thumbnail_now


def test_an_overlay_annotation_is_pictured(sign):
    report = validate_pdf(attacks.annotation_added(sign(level=LEVEL)))
    assert report.outcome is Outcome.FAILED
    (page,) = report.signatures[0].visual_changes
    x1, y1, x2, y2 = page.regions[0]
    assert x1 >= 320 and x2 <= 570 and y1 >= 70 and y2 <= 160  # the stamp's rectangle


def test_visual_comparison_can_be_switched_off(sign, settings):
    settings.KYHOP_VALIDATION_VISUAL = False
    report = validate_pdf(attacks.annotation_added(sign(level=LEVEL)))
    assert report.outcome is Outcome.FAILED
    assert report.signatures[0].visual_changes == [] and not _visual(report.signatures[0])


@pytest.fixture
def warned(sign) -> bytes:
    """A permitted change that alters the page outside the expected areas."""
    prepared = _prepared({"ghi_chu": Placement(0, 60, 720, 400, 40)})
    signed = sign(prepared, level=LEVEL, field_name="ChuKyKhac")
    return appearances.text_fields_fill(
        data=signed, values={"ghi_chu": FieldValue("x", "Chi 9.000.000.000 dong")}
    )


def test_the_web_page_the_pdf_report_and_the_stored_row_show_the_warning(client, warned, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from signing.validation.report_pdf import report_pdf
    from signing.validation.services import report_save

    upload = SimpleUploadedFile("canh-bao.pdf", warned, content_type="application/pdf")
    page = client.post(reverse("validation:upload"), {"file": upload})
    assert page.status_code == 200
    assert "Hợp lệ, có cảnh báo" in page.text
    assert page.text.count('src="data:image/png;base64,') == 2  # as signed, and now
    report = validate_pdf(warned, file_name="canh-bao.pdf")

    def pictures(data: dict) -> int:
        path = tmp_path / "report.pdf"
        path.write_bytes(report_pdf(data))
        listed = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True)
        return len(listed.stdout.strip().splitlines())

    plain = report.as_json()
    for item in plain["signatures"]:
        item["visual_changes"] = []
    assert pictures(report.as_json()) == pictures(plain) + 2  # as signed, and now
    row = report_save(report=report)
    assert row.verdict == "passed_with_warnings" and row.report["outcome"] == "passed_with_warnings"


def test_the_comparison_fits_a_tight_memory_cap(warned, settings):
    settings.KYHOP_VALIDATION_MAX_MEMORY_MB = 512
    report = validate_pdf(warned)
    assert report.refusal is None and report.outcome is Outcome.PASSED_WITH_WARNINGS
