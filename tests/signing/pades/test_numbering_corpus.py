"""The number and date fields on drafts made outside KyHop: Word- and LibreOffice-made Decree 30
forms (tests/signing/corpus.py), converted by LibreOffice through the upload path's conversion,
get fields that cover their placeholders, and the filled number reads back cleanly at the field
("Số: 12/QĐ-UBND", never "3/QĐ-ᴜQĐ-UBND")."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

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
