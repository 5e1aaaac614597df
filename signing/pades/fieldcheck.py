"""What a filled numbering field actually shows, read back from the PDF.

A field's appearance is drawn over a white box on top of the draft's own "Số: …/QĐ-UBND". The
number reads cleanly only if the appearance's text fits inside the box and every glyph of the
draft the box touches lies wholly inside it (a glyph half outside peeks out beside the number:
"3/QĐ-ᴜQĐ-UBND"). PDFium flattens a copy of the page — the appearances become page content,
drawn after the draft's — and its text page gives the draft's characters with their boxes and,
after them, the text the appearance draws. PDFium reports the appearance's glyph boxes in the
appearance's own space and with default widths, so whether the text fits is measured from the
font's advance widths instead.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from fontTools.ttLib import TTFont

from signing.pades.appearances import FILL_SIZE, Placement, times_font

# Glyph boxes are tight to the ink; this much overhang is anti-aliasing, not a visible glyph.
TOLERANCE = 0.6


@dataclass(frozen=True)
class FieldReading:
    text: str  # what the field's appearance says
    fits: bool  # its glyphs lie inside the field
    leftovers: str  # the draft's glyphs the white box only partly covers


def _inside(box: tuple[float, float, float, float], area: Placement) -> bool:
    left, bottom, right, top = box
    return (
        left >= area.x - TOLERANCE
        and right <= area.x + area.width + TOLERANCE
        and bottom >= area.y - TOLERANCE
        and top <= area.y + area.height + TOLERANCE
    )


def _chars(page: pdfium.PdfPage) -> list[tuple[str, tuple[float, float, float, float]]]:
    text = page.get_textpage()
    out = []
    for index in range(text.count_chars()):
        char = text.get_text_range(index, 1)
        if char.strip():
            out.append((char, text.get_charbox(index)))
    return out


@functools.cache
def _advances(font: Path) -> tuple[dict[int, str], dict[str, int]]:
    loaded = TTFont(str(times_font(font)))
    return loaded.getBestCmap(), {
        name: metric[0] for name, metric in loaded["hmtx"].metrics.items()
    }


def text_width(text: str, font: Path, size: float = FILL_SIZE) -> float:
    """Width in points of *text* set in *font* at *size* (1000 units per em, see times_font)."""
    cmap, widths = _advances(font)
    return sum(widths.get(cmap.get(ord(char), ".notdef"), 500) for char in text) * size / 1000


def field_reading(data: bytes, area: Placement, *, shown: str, font: Path) -> FieldReading:
    """Read the field drawn at *area* in *data*, filled with *shown* in *font*."""
    document = pdfium.PdfDocument(data)
    try:
        page = document[area.page]
        draft = _chars(page)
        # Flattening changes the page only once it is loaded again.
        if pdfium_c.FPDFPage_Flatten(page, pdfium_c.FLAT_PRINT) == pdfium_c.FLATTEN_FAIL:
            raise ValueError("PDFium could not flatten the page")
        page.close()
        page = document[area.page]
        flattened = _chars(page)
    finally:
        document.close()
    # The draft's glyphs come first in content order; the appearances follow, in field order.
    drawn = "".join(char for char, _box in flattened[len(draft) :])
    text = shown if "".join(shown.split()) in drawn else drawn
    return FieldReading(
        text=text,
        fits=text_width(shown, font) <= area.width,
        leftovers="".join(char for char, box in draft if _clipped(box, area)),
    )


def _clipped(box: tuple[float, float, float, float], area: Placement) -> bool:
    """Whether the white box covers part of this glyph but not all of it."""
    left, bottom, right, top = box
    overlap_x = min(right, area.x + area.width) - max(left, area.x)
    overlap_y = min(top, area.y + area.height) - max(bottom, area.y)
    touched = overlap_x > TOLERANCE and overlap_y > TOLERANCE
    return touched and not _inside(box, area)


def field_reads(data: bytes, area: Placement, *, shown: str, font: Path) -> bool:
    """Whether the field at *area* shows exactly *shown*, nothing of the draft peeking out."""
    reading = field_reading(data, area, shown=shown, font=font)
    return reading.fits and not reading.leftovers and reading.text == shown
