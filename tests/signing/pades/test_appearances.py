"""Appearances: the attachment seal's text, the Times-metric font's spacing, image checks."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from PIL import Image
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.layout import BoxConstraints

from signing.pades import appearances
from tests.signing.helpers import count_pixels, render_page


def _png(mode: str = "RGBA", size=(200, 80)) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, (0, 0, 255) if mode == "RGB" else (0, 0, 255, 0)).save(buffer, "PNG")
    return buffer.getvalue()


def test_attachment_text_sits_top_right_in_a_times_metric_font(make_pdf, tmp_path):
    placement = appearances.attachment_placement(page_width=595, page_height=842)
    assert placement.x + placement.width > 595 - 20 * appearances.MM  # right side
    assert placement.y > 842 - 25 * appearances.MM  # in the top margin
    writer = IncrementalPdfFileWriter(io.BytesIO(_with_content(make_pdf())))
    text = appearances.attachment_text(
        number_symbol="45/TTr-UBND", signed_at_iso="2026-02-05T09:30:00+07:00"
    )
    style = appearances.text_style(text, size=10)
    box = BoxConstraints(width=placement.width, height=placement.height)
    style.create_stamp(writer, box, {}).apply(0, placement.x, placement.y)
    out = io.BytesIO()
    writer.write(out)
    page = render_page(out.getvalue(), tmp_path, dpi=72)
    dark = count_pixels(page, placement.box, lambda r, g, b: r < 100 and g < 100 and b < 100)
    assert dark > 50
    # Spacing: with the 2048-unit font unscaled pyHanko spreads the letters over ~3x the
    # width; rescaled, "45/TTr-UBND; 2026-…" at 10 pt fits in about 190 pt.
    columns = _ink_columns(page, placement.box)
    assert 120 < columns[-1] - columns[0] < 240
    page.crop((300, 0, 595, 60)).resize((885, 180)).save(tmp_path / "attachment.png")


def _ink_columns(page, box) -> list[int]:
    x1, y1, x2, y2 = box
    height = page.height
    crop = page.crop((int(x1), int(height - y2), int(x2), int(height - y1)))
    return [
        x
        for x in range(crop.width)
        if any(sum(crop.getpixel((x, y))) < 300 for y in range(crop.height))
    ]


def _with_content(data: bytes) -> bytes:
    # Stamps append to the page's content stream; a blank page made by pypdf has none.
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, NameObject

    writer = PdfWriter(clone_from=io.BytesIO(data))
    stream = DecodedStreamObject()
    stream.set_data(b"")
    writer.pages[0][NameObject("/Contents")] = writer._add_object(stream)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_seal_covers_the_left_third_of_the_signature_image():
    main = appearances.Placement(0, 300, 100, 180, 72)
    seal = appearances.seal_placement(main=main)
    assert seal.width == pytest.approx(40 * appearances.MM)  # real size
    assert seal.x + seal.width == pytest.approx(main.x + main.width / 3)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"GIF89a not a png", "PNG"),
        (_png("RGB"), "trong suốt"),
        (_png(size=(20, 20)), "quá nhỏ"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "hỏng"),
    ],
)
def test_bad_signature_images_are_refused_in_vietnamese(data, message):
    with pytest.raises(ValidationError, match=message):
        appearances.signature_image_check(data)


def test_generated_images_are_transparent_blue_and_red():
    signature = Image.open(io.BytesIO(appearances.signature_scribble_png("Nguyễn Văn Hùng")))
    seal = Image.open(io.BytesIO(appearances.seal_png("Ủy ban nhân dân tỉnh Bắc Ninh")))
    for image in (signature, seal):
        assert image.mode == "RGBA" and image.getpixel((0, 0))[3] == 0
    appearances.signature_image_check(appearances.seal_png("HĐND"))
