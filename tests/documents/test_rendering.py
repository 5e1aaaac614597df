"""Decree 30 documents: date line, PDF/A, embedded fonts, Vietnamese text, layout, signer boxes."""

from __future__ import annotations

import base64
import datetime as dt
import io
import re
import subprocess
import unicodedata
from pathlib import Path
from typing import Any

import pypdf
import pytest
from django.utils.safestring import mark_safe
from PIL import Image

from documents.rendering import (
    AdministrativeDocument,
    Annex,
    PdfRect,
    RenderedDocument,
    Signer,
    render,
    render_html,
    render_pdf,
    signature_rects,
    vietnamese_date_line,
)

MM = 72 / 25.4  # PDF points per millimetre
A4_WIDTH, A4_HEIGHT = 210 * MM, 297 * MM
NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"

PARAGRAPH = (
    "<p>Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác "
    "văn thư, Sở Thông tin và Truyền thông kính trình Ủy ban nhân dân tỉnh xem xét, phê duyệt "
    "Kế hoạch chuyển đổi số năm 2026 của các cơ quan nhà nước trên địa bàn tỉnh.</p>"
)


def submission(paragraphs: int = 3, **changes: object) -> AdministrativeDocument:
    """A tờ trình signed by a deputy director on behalf of the director."""
    fields: dict[str, object] = {
        "parent_body": "Ủy ban nhân dân tỉnh Bắc Ninh",
        "issuing_body": "Sở Thông tin và Truyền thông",
        "number_symbol": "45/TTr-STTTT",
        "date": dt.date(2026, 2, 5),
        "place_name": "Bắc Ninh",
        "document_type": "Tờ trình",
        "abstract": "Về việc phê duyệt Kế hoạch chuyển đổi số năm 2026",
        "addressees": ("Ủy ban nhân dân tỉnh Bắc Ninh",),
        "body_html": mark_safe(PARAGRAPH * paragraphs),  # noqa: S308 -- fixed test markup
        "signers": (
            Signer(
                authority=("KT. Giám đốc",),
                position="Phó Giám đốc",
                full_name="Nguyễn Thị Thu Hà",
                field_id="giam-doc",
            ),
        ),
        "recipients": ("Như trên;", "Giám đốc Sở (để b/c);", "Lưu: VT, KHTC."),
    }
    fields.update(changes)
    return AdministrativeDocument(**fields)  # type: ignore[arg-type]


def minutes() -> AdministrativeDocument:
    """Biên bản: secretary on the left, chair on the right, documents as annexes."""
    return submission(
        number_symbol="12/BB-STTTT",
        document_type="Biên bản",
        abstract="Họp giao ban tháng 02 năm 2026",
        addressees=(),
        signers=(
            Signer(position="Thư ký", full_name="Trần Văn Đức", field_id="thu-ky"),
            Signer(position="Chủ tọa", full_name="Nguyễn Thị Thu Hà", field_id="chu-toa"),
        ),
        annexes=(Annex("Tờ trình số 45/TTr-STTTT", "Bản điện tử"),),
    )


@pytest.fixture(scope="module")
def one_page() -> RenderedDocument:
    return render(submission())


@pytest.fixture(scope="module")
def one_page_path(one_page: RenderedDocument, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("decree30") / "to-trinh.pdf"
    path.write_bytes(one_page.pdf)
    return path


@pytest.fixture(scope="module")
def long_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("decree30") / "dai.pdf"
    path.write_bytes(render_pdf(submission(paragraphs=30)))
    return path


def pdftotext(path: Path, *options: str) -> str:
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", *options, str(path), "-"],
        check=True,
        capture_output=True,
    )
    return result.stdout.decode("utf-8")


def top_margin_text(path: Path, page: int) -> str:
    """Text inside the top 20 mm of a page (where Decree 30 puts the page number)."""
    height = str(int(20 * MM))
    return pdftotext(path, "-f", str(page), "-l", str(page), "-r", "72", "-x", "0", "-y", "0",
                     "-W", str(int(A4_WIDTH) + 1), "-H", height).strip()  # fmt: skip


# --- (a) the date line ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2026, 2, 5), "Bắc Ninh, ngày 05 tháng 02 năm 2026"),
        (dt.date(2026, 1, 1), "Bắc Ninh, ngày 01 tháng 01 năm 2026"),
        (dt.date(2026, 3, 15), "Bắc Ninh, ngày 15 tháng 3 năm 2026"),
        (dt.date(2026, 12, 9), "Bắc Ninh, ngày 09 tháng 12 năm 2026"),
        (dt.date(2025, 10, 31), "Bắc Ninh, ngày 31 tháng 10 năm 2025"),
        (dt.date(2026, 2, 28), "Bắc Ninh, ngày 28 tháng 02 năm 2026"),
    ],
)
def test_date_line_pads_days_below_ten_and_january_february(day: dt.date, expected: str) -> None:
    assert vietnamese_date_line("Bắc Ninh", day) == expected


def test_date_line_uses_the_vietnamese_calendar_day_of_an_aware_datetime() -> None:
    # 18:30 UTC on 4 February is 01:30 on 5 February in Hà Nội.
    moment = dt.datetime(2026, 2, 4, 18, 30, tzinfo=dt.UTC)
    assert vietnamese_date_line("Bắc Ninh", moment) == "Bắc Ninh, ngày 05 tháng 02 năm 2026"


def test_date_line_is_nfc_even_from_a_decomposed_place_name() -> None:
    line = vietnamese_date_line(unicodedata.normalize("NFD", "Hà Nội"), dt.date(2026, 4, 30))
    assert line == "Hà Nội, ngày 30 tháng 4 năm 2026"
    assert unicodedata.is_normalized("NFC", line)


def test_date_line_of_a_draft_leaves_the_numbers_blank() -> None:
    line = vietnamese_date_line("Bắc Ninh", None)
    assert line.startswith("Bắc Ninh, ngày")
    assert "tháng" in line and "năm" in line
    assert not re.search(r"\d", line)


# --- (b) PDF/A and fonts --------------------------------------------------------------------


def test_pdf_declares_pdfa_3b_with_an_srgb_output_intent(one_page: RenderedDocument) -> None:
    reader = pypdf.PdfReader(io.BytesIO(one_page.pdf))
    root: Any = reader.trailer["/Root"]  # pypdf's object graph is typed only as PdfObject
    xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
    assert re.search(r'pdfaid:part(="|>)3', xmp)
    assert re.search(r'pdfaid:conformance(="|>)B', xmp)
    intents = [intent.get_object() for intent in root["/OutputIntents"]]
    assert any(intent["/S"] == "/GTS_PDFA1" for intent in intents)
    assert reader.pdf_header.endswith("1.7")


def test_pdf_embeds_liberation_serif_for_every_font(one_page: RenderedDocument) -> None:
    reader = pypdf.PdfReader(io.BytesIO(one_page.pdf))
    page: Any = reader.pages[0]  # pypdf's object graph is typed only as PdfObject
    fonts = page["/Resources"]["/Font"]
    names = []
    for font in (ref.get_object() for ref in fonts.values()):
        descendant = font["/DescendantFonts"][0].get_object()
        assert "/FontFile2" in descendant["/FontDescriptor"].get_object()  # embedded TrueType
        names.append(str(font["/BaseFont"]))
    assert any(name.endswith("+Liberation-Serif") for name in names)
    assert any(name.endswith("+Liberation-Serif-Bold") for name in names)
    assert any(name.endswith("+Liberation-Serif-Italic") for name in names)  # the date line


def test_pdffonts_reports_every_font_embedded(one_page_path: Path) -> None:
    listing = subprocess.run(["pdffonts", str(one_page_path)], check=True, capture_output=True)
    rows = listing.stdout.decode().splitlines()[2:]
    assert rows
    for row in rows:
        assert "Liberation-Serif" in row
        assert re.search(r"\byes yes yes\b", row), row  # embedded, subset, Unicode map


# --- (c) the Vietnamese text survives intact ------------------------------------------------


def test_text_keeps_the_vietnamese_strings_in_nfc(one_page_path: Path) -> None:
    text = pdftotext(one_page_path)
    assert unicodedata.is_normalized("NFC", text)
    for expected in (
        NATIONAL_TITLE,
        MOTTO,
        "Số: 45/TTr-STTTT",
        "Bắc Ninh, ngày 05 tháng 02 năm 2026",
        "SỞ THÔNG TIN VÀ",
        "TỜ TRÌNH",
        "Về việc phê duyệt Kế hoạch chuyển đổi số năm 2026",
        "Kính gửi: Ủy ban nhân dân tỉnh Bắc Ninh",
        "KT. GIÁM ĐỐC",
        "PHÓ GIÁM ĐỐC",
        "Nguyễn Thị Thu Hà",
        "Nơi nhận:",
        "- Lưu: VT, KHTC.",
    ):
        assert expected in text, expected


def test_pypdf_reads_the_same_strings(one_page: RenderedDocument) -> None:
    text = pypdf.PdfReader(io.BytesIO(one_page.pdf)).pages[0].extract_text()
    assert unicodedata.is_normalized("NFC", text)
    assert NATIONAL_TITLE in text and MOTTO in text and "Nguyễn Thị Thu Hà" in text


def test_decomposed_input_comes_out_composed() -> None:
    doc = submission(issuing_body=unicodedata.normalize("NFD", "Sở Tài chính"))
    assert doc.issuing_body == "Sở Tài chính"
    assert "SỞ TÀI CHÍNH" in render_html(doc)


def test_official_letter_puts_the_abstract_under_the_number_without_a_title() -> None:
    letter = submission(
        is_official_letter=True, document_type="", abstract="triển khai họp không giấy"
    )
    html = render_html(letter)
    assert "V/v triển khai họp không giấy" in html
    assert 'class="document-type"' not in html


def test_text_fields_are_escaped_but_the_body_html_is_not() -> None:
    html = render_html(submission(abstract="Về <b>việc</b> thử"))
    assert "Về &lt;b&gt;việc&lt;/b&gt; thử" in html
    assert "<p>Căn cứ Nghị định" in html


def test_minutes_put_secretary_and_chair_side_by_side_and_list_annexes(tmp_path: Path) -> None:
    path = tmp_path / "bien-ban.pdf"
    rendered = render(minutes())
    path.write_bytes(rendered.pdf)
    text = pdftotext(path, "-layout")
    assert re.search(r"THƯ KÝ\s+CHỦ TỌA", text)
    assert re.search(r"Trần Văn Đức\s+Nguyễn Thị Thu Hà", text)
    assert "PHỤ LỤC" in text
    assert "(Kèm theo Biên bản số 12/BB-STTTT ngày 05 tháng 02 năm 2026" in text
    secretary, chair = rendered.signature_rects["thu-ky"], rendered.signature_rects["chu-toa"]
    assert secretary.page_index == chair.page_index == 0
    assert secretary.y1 == pytest.approx(chair.y1) and secretary.x2 <= chair.x1


# --- (d) page numbers from page 2 on --------------------------------------------------------


def test_page_numbers_sit_in_the_top_margin_from_page_two(long_path: Path) -> None:
    pages = len(pypdf.PdfReader(long_path).pages)
    assert pages >= 3
    assert top_margin_text(long_path, 1) == ""
    for page in range(2, pages + 1):
        assert top_margin_text(long_path, page) == str(page)


# --- (e) what the first page looks like -----------------------------------------------------


def first_page_image(path: Path, dpi: int = 60) -> Image.Image:
    root = path.with_suffix("")  # pdftoppm appends ".png"
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-f", "1", "-l", "1", "-png", "-singlefile", str(path), root],
        check=True,
    )
    return Image.open(root.with_suffix(".png")).convert("L")


def ink(image: Image.Image, x1_mm: float, y1_mm: float, x2_mm: float, y2_mm: float) -> int:
    """Dark pixels in a region given in millimetres from the top-left corner of the page."""
    # Separate scales, so a rounded page size never crops outside (Pillow pads that with black).
    sx, sy = image.width / 210, image.height / 297
    box = (round(x1_mm * sx), round(y1_mm * sy), round(x2_mm * sx), round(y2_mm * sy))
    histogram = image.crop(box).histogram()
    return sum(histogram[:128])


def test_first_page_has_ink_in_the_header_and_signer_areas_and_clean_margins(
    one_page: RenderedDocument, one_page_path: Path
) -> None:
    image = first_page_image(one_page_path)
    assert image.size == pytest.approx((210 / 25.4 * 60, 297 / 25.4 * 60), abs=1)  # A4 portrait
    assert ink(image, 30, 20, 90, 50) > 50  # parent and issuing body, top left
    assert ink(image, 100, 20, 195, 35) > 50  # national title and motto, top right
    # Signer block, right half: the position above the signature area and the name below it.
    area = one_page.signature_rects["giam-doc"]
    top_mm, bottom_mm = (A4_HEIGHT - area.y2) / MM, (A4_HEIGHT - area.y1) / MM
    assert ink(image, 110, top_mm - 14, 195, top_mm) > 50
    assert ink(image, 110, bottom_mm, 195, bottom_mm + 8) > 50
    assert ink(image, 110, top_mm + 1, 195, bottom_mm - 1) == 0  # blank, for the signature
    # Margins (a little inside the Decree's 20/15/20/30 mm so anti-aliasing does not count).
    assert ink(image, 0, 0, 210, 18) == 0
    assert ink(image, 0, 279, 210, 297) == 0
    assert ink(image, 0, 0, 28, 297) == 0
    assert ink(image, 197, 0, 210, 297) == 0


# --- (f) where the signatures go ------------------------------------------------------------


def test_signature_rect_lies_on_the_page_in_its_lower_right_part(
    one_page: RenderedDocument,
) -> None:
    rect = one_page.signature_rects["giam-doc"]
    assert rect.page_index == 0
    assert 30 * MM - 0.01 <= rect.x1 < rect.x2 <= A4_WIDTH - 15 * MM + 0.01
    assert 20 * MM <= rect.y1 < rect.y2 <= A4_HEIGHT - 20 * MM
    assert rect.y2 < A4_HEIGHT / 2  # lower half of the page
    assert rect.x1 > A4_WIDTH / 2 - 20 * MM  # right-hand column
    assert rect.y2 - rect.y1 == pytest.approx(30 * MM, abs=0.5)  # the 30 mm signature space


def test_signature_rects_match_the_render_and_follow_a_long_document() -> None:
    doc = submission(paragraphs=30)
    rects = signature_rects(doc)
    pages = len(pypdf.PdfReader(io.BytesIO(render_pdf(doc))).pages)
    assert rects == render(doc).signature_rects
    assert rects["giam-doc"].page_index == pages - 1
    assert isinstance(rects["giam-doc"], PdfRect)


# --- inputs that must be refused, and offline rendering -------------------------------------


def test_plain_string_body_is_refused_as_possibly_unsafe() -> None:
    with pytest.raises(TypeError):
        submission(body_html="<p>chưa được kiểm tra</p>")


@pytest.mark.parametrize("field_id", ["chu.toa", "1chu-toa", "chủ-tọa", ""])
def test_signature_field_names_must_be_portable(field_id: str) -> None:
    with pytest.raises(ValueError, match="ô chữ ký"):
        Signer(position="Chủ tọa", full_name="Nguyễn Văn An", field_id=field_id)


def test_two_signers_need_distinct_fields_and_three_are_refused() -> None:
    chair = Signer(position="Chủ tọa", full_name="Nguyễn Văn An", field_id="chu-toa")
    with pytest.raises(ValueError, match="khác nhau"):
        submission(signers=(chair, chair))
    with pytest.raises(ValueError, match="một hoặc hai"):
        submission(signers=(chair, chair, chair))


def test_rendering_fetches_no_files_but_keeps_inline_images(tmp_path: Path) -> None:
    png = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(png, "PNG")
    picture = tmp_path / "anh.png"
    picture.write_bytes(png.getvalue())
    inline = "data:image/png;base64," + base64.b64encode(png.getvalue()).decode()

    def images(body: str) -> int:
        pdf = render_pdf(submission(body_html=mark_safe(body)))  # noqa: S308 -- test markup
        page = pypdf.PdfReader(io.BytesIO(pdf)).pages[0]
        return len(page.images)

    # A missing image would silently change the document: refuse instead of dropping it.
    with pytest.raises(ValueError, match="data:"):
        images(f'<p><img src="{picture.as_uri()}"></p>')
    with pytest.raises(ValueError, match="data:"):
        images('<p><img src="http://127.0.0.1:9/anh.png"></p>')
    assert images(f'<p><img src="{inline}"></p>') == 1
