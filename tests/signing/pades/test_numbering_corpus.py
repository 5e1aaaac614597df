"""The number and date fields on drafts made outside KyHop: Word- and LibreOffice-made Decree 30
forms (tests/signing/corpus.py), converted by LibreOffice through the upload path's conversion,
get fields that cover their placeholders, and the filled number reads back cleanly at the field
("Số: 12/QĐ-UBND", never "3/QĐ-ᴜQĐ-UBND")."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pypdfium2 as pdfium
import pytest
from django.core.files.base import ContentFile

from documents.rendering import vietnamese_date_line
from documents.uploads.conversion import office_to_pdf
from signing.pades import appearances
from signing.pades.appearances import FieldValue, SigFieldPlan
from signing.pades.fieldcheck import field_reading, field_reads
from tests.signing.corpus import CORPUS, Draft, draft_bytes

ISSUED_ON = dt.date(2026, 2, 5)


@pytest.fixture(scope="module")
def converted() -> dict[str, bytes]:
    """Every corpus draft as LibreOffice's PDF (one conversion each, shared by the module)."""
    pdfs = {}
    for draft in CORPUS:
        upload = ContentFile(draft_bytes(draft), name=f"du-thao{draft.suffix}")
        with office_to_pdf(upload, suffix=draft.suffix.lstrip(".")) as pdf:
            pdfs[draft.name] = pdf.read()
    return pdfs


def _values(draft: Draft) -> dict[str, FieldValue]:
    number_symbol = f"12/{draft.symbol}"
    return {
        appearances.NUMBER_FIELD: FieldValue(number_symbol, f"Số: {number_symbol}"),
        appearances.DATE_FIELD: FieldValue(
            ISSUED_ON.isoformat(),
            vietnamese_date_line("Bắc Ninh", ISSUED_ON),
            appearances.SERIF_ITALIC,
        ),
    }


def _filled(data: bytes, fields: dict[str, appearances.Placement], draft: Draft) -> bytes:
    prepared = appearances.fields_prepare(
        data=data, signature_fields=[SigFieldPlan("ky_chinh_1_1", None)], text_fields=fields
    )
    return appearances.text_fields_fill(data=prepared, values=_values(draft))


@pytest.mark.parametrize("draft", CORPUS, ids=[d.name for d in CORPUS])
def test_every_draft_is_numbered_cleanly_at_its_fields(converted, draft: Draft):
    data = converted[draft.name]
    fields = appearances.numbering_placements(data)
    assert set(fields) == {appearances.NUMBER_FIELD, appearances.DATE_FIELD}
    filled = _filled(data, fields, draft)
    values = _values(draft)
    for name, area in fields.items():
        shown, font = values[name].shown, values[name].font
        reading = field_reading(filled, area, shown=shown, font=font)
        assert reading.text == shown
        assert reading.fits, f"{shown!r} is wider than the field ({area.width:.0f} pt)"
        assert reading.leftovers == "", "the white box cuts through the draft's glyphs"
        assert field_reads(filled, area, shown=shown, font=font)
        assert _ink_clear_of_the_edges(filled, area), f"{shown!r} is clipped in its field"


def _ink_clear_of_the_edges(data: bytes, area: appearances.Placement) -> bool:
    """Whether the filled text stands inside its field with its top and bottom rows blank: a
    line clipped by the field (its stacked marks or its descenders cut) has ink on them."""
    scale = 4  # pixels per point
    document = pdfium.PdfDocument(data)
    document.init_forms()  # otherwise pdfium leaves the fields' appearances out
    page = document[area.page]
    image = page.render(scale=scale, may_draw_forms=True).to_pil().convert("L")
    height = page.get_height()
    left, right = round(area.x * scale) + 2, round((area.x + area.width) * scale) - 2
    top = round((height - area.y - area.height) * scale) + 1
    bottom = round((height - area.y) * scale) - 2
    inside = image.crop((left, top, right, bottom + 1))
    rows = [inside.crop((0, y, inside.width, y + 1)).getextrema()[0] for y in range(inside.height)]
    dark = [y for y, darkest in enumerate(rows) if darkest < 128]
    return bool(dark) and dark[0] > 0 and dark[-1] < inside.height - 1


@pytest.mark.parametrize("draft", CORPUS[1:2], ids=["nbsp"])
def test_a_field_covering_only_the_label_is_caught(converted, draft: Draft):
    """The reported garbling: a field as wide as "Số:" alone, the symbol left showing beside
    the filled number. The read-back refuses it."""
    data = converted[draft.name]
    found = appearances.numbering_placements(data)
    narrow = replace(found[appearances.NUMBER_FIELD], width=40)
    filled = _filled(data, {appearances.NUMBER_FIELD: narrow}, draft)
    shown = _values(draft)[appearances.NUMBER_FIELD].shown
    assert not field_reads(filled, narrow, shown=shown, font=appearances.SERIF)


@pytest.mark.parametrize("draft", CORPUS, ids=[d.name for d in CORPUS])
def test_the_signature_space_above_the_printed_name_is_found(converted, draft: Draft):
    data = converted[draft.name]
    area = appearances.signer_block_area(data, page=0, full_name="Nguyễn Văn Hùng")
    assert area is not None
    words, height = appearances.page_words(data, 0)
    name_top = min(w[2][1] for w in words if w[1] == "Hùng")
    title_bottom = max(w[2][3] for w in words if w[1] == "TỊCH")
    # In PDF points from the bottom: above the name, below the title, and wide enough.
    assert height - name_top < area.y < area.y + area.height < height - title_bottom
    assert area.height >= 12 * appearances.MM and area.width >= 60 * appearances.MM
    assert appearances.signer_block_area(data, page=0, full_name="Trần Thị Khác") is None
