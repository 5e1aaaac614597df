"""Decree 30 (Appendix I) signature appearances, and the form fields a request prepares.

Where things go, in PDF points with the origin at the bottom-left of the page:
- MAIN (competent person): their blue signature image, centred in the signer block's area
  between position and full name (the document's named field, or a rectangle the clerk chose);
- SEAL: the body's red seal at real size (~40 mm), its right edge a third of the way into the
  signature image, so it covers the image's left third;
- SEAL on an attachment sent as a separate file: top right of page 1, no image, the text
  "số và ký hiệu; thời gian ký" in a Times-metric serif at 10 pt;
- INITIAL (ký nháy): a small mark in the left margin beside the signer block.

Fonts: pyHanko's glyph accumulator mixes font units with thousandths of an em, so a font whose
units-per-em is not 1000 (Liberation Serif has 2048) comes out with its letters spread apart.
``times_font`` therefore gives a copy of Liberation Serif rescaled to 1000 units per em, made
once per process; its glyphs and metrics are unchanged, and it covers Vietnamese.
"""

from __future__ import annotations

import functools
import hashlib
import io
import math
import random
import re
import subprocess
import tempfile
import unicodedata
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from fontTools.ttLib import TTFont
from fontTools.ttLib.scaleUpem import scale_upem
from PIL import Image, ImageDraw, ImageFont
from pyhanko.pdf_utils import content, generic, layout
from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
from pyhanko.pdf_utils.generic import pdf_name, pdf_string
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields
from pyhanko.stamp import StaticStampStyle, TextStampStyle

MM = 72 / 25.4
SEAL_DIAMETER_MM = 40
SEAL_SIZE = SEAL_DIAMETER_MM * MM
SIGNATURE_BLUE = (16, 48, 200)
SEAL_RED = (214, 18, 24)
LIBERATION_DIR = Path("/usr/share/fonts/truetype/liberation2")
SERIF = LIBERATION_DIR / "LiberationSerif-Regular.ttf"
SERIF_ITALIC = LIBERATION_DIR / "LiberationSerif-Italic.ttf"
SANS_BOLD = LIBERATION_DIR / "LiberationSans-Bold.ttf"
# The numbering fields are filled at the document's own size (Decree 30: 13 pt).
FILL_SIZE = 13
# Points a number or date field reaches above the draft's line, for stacked diacritics.
FIELD_TOP_ROOM = 3.0
NUMBER_FIELD = "so_van_ban"
DATE_FIELD = "ngay_ban_hanh"
# Limits on uploaded signature and seal images (Decree 30 asks for transparent PNG).
IMAGE_MAX_BYTES = 2 * 1024 * 1024
IMAGE_MAX_SIDE = 3000
IMAGE_MIN_SIDE = 50


@dataclass(frozen=True)
class Placement:
    """A rectangle on one page (0-based) in PDF points, origin bottom-left."""

    page: int
    x: float
    y: float
    width: float
    height: float

    @property
    def box(self) -> tuple[int, int, int, int]:
        # pyHanko wants integer corners; rounding outwards keeps the whole area.
        return (
            math.floor(self.x),
            math.floor(self.y),
            math.ceil(self.x + self.width),
            math.ceil(self.y + self.height),
        )

    @classmethod
    def from_rect(cls, page: int, rect: tuple[float, float, float, float]) -> Placement:
        x1, y1, x2, y2 = rect
        return cls(page, min(x1, x2), min(y1, y2), abs(x2 - x1), abs(y2 - y1))


# --- Fonts ------------------------------------------------------------------------------------


@functools.cache
def times_font(path: Path = SERIF) -> Path:
    """A 1000-units-per-em copy of *path* (see the module docstring), cached by content."""
    data = path.read_bytes()
    target = Path(tempfile.gettempdir()) / f"kyhop-{hashlib.sha256(data).hexdigest()[:16]}.ttf"
    if not target.exists():
        font = TTFont(io.BytesIO(data))
        if font["head"].unitsPerEm != 1000:
            scale_upem(font, 1000)
        partial = target.with_suffix(".part")
        font.save(str(partial))
        partial.replace(target)  # atomic: another process never reads a half-written font
    return target


def _text_box_style(
    *, font: Path, size: int, leading: int | None = None, baseline: int | None = None
) -> TextBoxStyle:
    factory = GlyphAccumulatorFactory(str(times_font(font)), font_size=size)
    # pyHanko pads a text box by 10 pt on every side; a filled number or date line must sit in
    # its field (one line high) without that padding, its baseline *baseline* above the
    # field's bottom, or it is clipped away at the top or the descenders.
    rule = (
        layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID,
            y_align=layout.AxisAlignment.ALIGN_MIN,
            margins=layout.Margins(bottom=baseline),
        )
        if baseline is not None
        else None
    )
    return TextBoxStyle(font=factory, font_size=size, leading=leading, box_layout_rule=rule)


# --- Generated images (the demo's signatures and seals) ---------------------------------------


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def signature_scribble_png(name: str, *, width: int = 600, height: int = 240) -> bytes:
    """A blue handwriting-like scribble on a transparent background, the same for one name.

    Drawn four times larger and scaled down, so the strokes are smooth (antialiased).
    """
    scale = 4
    rng = random.Random(hashlib.sha256(name.encode("utf-8")).digest())  # noqa: S311 - art
    canvas = Image.new("RGBA", (width * scale, height * scale), (0, 0, 0, 0))
    draw = ImageDraw.Draw(canvas)
    # A prolate cycloid draws the loops of joined-up handwriting; each loop its own size.
    loops = rng.randint(4, 6)
    sizes = [0.6 + 0.5 * rng.random() for _ in range(loops)]
    points = []
    steps = 120 * loops
    for i in range(steps + 1):
        theta = i / steps * loops * 2 * math.pi
        size = sizes[min(int(theta / (2 * math.pi)), loops - 1)]
        x = 0.1 + 0.78 * (theta - 1.8 * math.sin(theta)) / (loops * 2 * math.pi)
        y = 0.55 - 0.22 * size * (1 - math.cos(theta)) + 0.08 * theta / (loops * 2 * math.pi)
        points.append((x * width * scale, y * height * scale))
    draw.line(points, fill=(*SIGNATURE_BLUE, 255), width=5 * scale, joint="curve")
    # The underline flourish every signature seems to have.
    flourish = [
        (0.10 * width * scale, 0.80 * height * scale),
        (0.50 * width * scale, 0.70 * height * scale),
        (0.95 * width * scale, 0.74 * height * scale),
    ]
    draw.line(flourish, fill=(*SIGNATURE_BLUE, 255), width=4 * scale, joint="curve")
    return _png(canvas.resize((width, height), Image.Resampling.LANCZOS))


def seal_png(body_name: str, *, size: int = 600) -> bytes:
    """A red round seal: two rings, the body's name around, a star in the middle.

    600 px for 40 mm is about 380 dpi, sharp enough when printed at real size.
    """
    canvas = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(canvas)
    red = (*SEAL_RED, 255)
    centre = size / 2
    draw.ellipse((6, 6, size - 6, size - 6), outline=red, width=16)
    draw.ellipse((size * 0.2, size * 0.2, size * 0.8, size * 0.8), outline=red, width=6)
    _seal_star(draw, centre, size * 0.16, red)
    _seal_text(canvas, body_name.upper(), radius=size * 0.39, colour=red)
    return _png(canvas)


def _seal_star(draw: ImageDraw.ImageDraw, centre: float, radius: float, colour: tuple) -> None:
    points = []
    for i in range(10):
        r = radius if i % 2 == 0 else radius * 0.4
        angle = -math.pi / 2 + i * math.pi / 5
        points.append((centre + r * math.cos(angle), centre + r * math.sin(angle)))
    draw.polygon(points, fill=colour)


def _seal_text(canvas: Image.Image, text: str, *, radius: float, colour: tuple) -> None:
    """Each letter drawn upright, rotated to follow the circle clockwise from the left."""
    size = canvas.width
    font = ImageFont.truetype(str(SANS_BOLD), int(size * 0.065))
    sweep = 1.6 * math.pi  # leave a gap at the bottom, as real seals do
    step = sweep / max(len(text), 1)
    start = math.pi / 2 + (2 * math.pi - sweep) / 2
    for index, letter in enumerate(text):
        angle = start + (index + 0.5) * step
        tile = Image.new("RGBA", (int(size * 0.12), int(size * 0.12)), (0, 0, 0, 0))
        ImageDraw.Draw(tile).text(
            (tile.width / 2, tile.height / 2), letter, font=font, fill=colour, anchor="mm"
        )
        rotated = tile.rotate(-math.degrees(angle) - 90, resample=Image.Resampling.BICUBIC)
        x = size / 2 + radius * math.cos(angle) - rotated.width / 2
        y = size / 2 + radius * math.sin(angle) - rotated.height / 2
        canvas.alpha_composite(rotated, (int(x), int(y)))


def signature_image_check(data: bytes) -> Image.Image:
    """A real PNG with an alpha channel, within the size limits; a refusal (in the active
    language) if not."""
    if len(data) > IMAGE_MAX_BYTES:
        raise ValidationError(
            gettext("Ảnh quá lớn: tối đa %(size)d MB.")
            % {"size": IMAGE_MAX_BYTES // (1024 * 1024)},
            code="image_too_big",
        )
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        raise ValidationError(gettext("Ảnh phải là tệp PNG."), code="not_png")
    try:
        image = Image.open(io.BytesIO(data))
        if max(image.size) > IMAGE_MAX_SIDE:
            # Checked before decoding the pixels: a small file may claim a huge canvas.
            raise ValidationError(
                gettext("Ảnh quá lớn: mỗi chiều tối đa %(side)d điểm ảnh.")
                % {"side": IMAGE_MAX_SIDE},
                code="image_too_big",
            )
        image.load()
    except (OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ValidationError(
            gettext("Tệp PNG bị hỏng hoặc không đọc được."), code="bad_png"
        ) from exc
    if image.format != "PNG":
        raise ValidationError(gettext("Ảnh phải là tệp PNG."), code="not_png")
    if min(image.size) < IMAGE_MIN_SIDE:
        raise ValidationError(
            gettext("Ảnh quá nhỏ: mỗi chiều tối thiểu %(side)d điểm ảnh.")
            % {"side": IMAGE_MIN_SIDE},
            code="image_too_small",
        )
    if "A" not in image.getbands() and "transparency" not in image.info:
        raise ValidationError(
            gettext("Ảnh phải có nền trong suốt (PNG có kênh alpha)."),
            code="image_not_transparent",
        )
    return image.convert("RGBA")


# --- Placements -------------------------------------------------------------------------------


def main_placement(*, area: Placement, image_size: tuple[int, int], fill: float = 0.9) -> Placement:
    """The signature image's rectangle: as large as fits in *fill* of *area*, centred in it."""
    img_w, img_h = image_size
    scale = min(area.width * fill / img_w, area.height * fill / img_h)
    width, height = img_w * scale, img_h * scale
    return Placement(
        page=area.page,
        x=area.x + (area.width - width) / 2,
        y=area.y + (area.height - height) / 2,
        width=width,
        height=height,
    )


def seal_placement(*, main: Placement) -> Placement:
    """Real size; its right edge one third into the signature image, centred vertically."""
    right = main.x + main.width / 3
    centre_y = main.y + main.height / 2
    return Placement(
        page=main.page,
        x=right - SEAL_SIZE,
        y=centre_y - SEAL_SIZE / 2,
        width=SEAL_SIZE,
        height=SEAL_SIZE,
    )


def initial_placement(*, beside: Placement, index: int) -> Placement:
    """A small box in the left margin (30-35 mm wide in Decree 30), level with the signer
    block; several initials stack downwards."""
    width, height = 22 * MM, 9 * MM
    return Placement(
        page=beside.page,
        x=5 * MM,
        y=beside.y + beside.height - height - index * (height + 2 * MM),
        width=width,
        height=height,
    )


def attachment_placement(*, page_width: float, page_height: float) -> Placement:
    """Top right of page 1, inside the 15-20 mm right and 20-25 mm top margins' corner."""
    width, height = 95 * MM, 9 * MM
    return Placement(
        page=0,
        x=page_width - 15 * MM - width,
        y=page_height - 5 * MM - height,
        width=width,
        height=height,
    )


# --- Stamp styles -----------------------------------------------------------------------------


def image_style(png: bytes) -> StaticStampStyle:
    """The image alone, filling the field (its rectangle already has the image's proportions)."""
    image = Image.open(io.BytesIO(png)).convert("RGBA")
    return StaticStampStyle(
        background=PdfImage(image),
        background_opacity=1.0,
        border_width=0,
        background_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID,
            y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins.uniform(0),
            # Shrink, keeping proportions: a field made by another tool may be any shape.
            inner_content_scaling=layout.InnerScaling.SHRINK_TO_FIT,
        ),
    )


def text_style(text: str, *, size: int = 10, font: Path = SERIF) -> TextStampStyle:
    """Black upright text, no border; ``%`` is escaped because pyHanko interpolates the text."""
    return TextStampStyle(
        stamp_text=text.replace("%", "%%"),
        border_width=0,
        text_box_style=_text_box_style(font=font, size=size),
        inner_content_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID,
            y_align=layout.AxisAlignment.ALIGN_MID,
        ),
    )


def attachment_text(*, number_symbol: str, signed_at_iso: str) -> str:
    return f"{number_symbol}; {signed_at_iso}"


# --- Preparing a document: signature fields and numbering fields ------------------------------


@dataclass(frozen=True)
class SigFieldPlan:
    name: str
    placement: Placement | None
    # Fields that stay fillable after this signature (MAIN: the numbering and seal fields).
    unlocked: tuple[str, ...] | None = None


def fields_prepare(
    *, data: bytes, signature_fields: list[SigFieldPlan], text_fields: dict[str, Placement]
) -> bytes:
    """Add empty signature fields and empty text fields in one incremental update.

    A field with ``unlocked`` gets a lock (FieldMDP: every field except those) and the DocMDP
    permission "fill forms", so that after that signature only the numbering fields may be
    filled and the remaining fields signed; anything else breaks it.
    """
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    existing = {name for name, _value, _ref in fields.enumerate_sig_fields(writer.prev)}
    for plan in signature_fields:
        if plan.name in existing:
            continue
        spec = fields.SigFieldSpec(
            sig_field_name=plan.name,
            on_page=plan.placement.page if plan.placement else 0,
            box=plan.placement.box if plan.placement else None,
            field_mdp_spec=(
                fields.FieldMDPSpec(fields.FieldMDPAction.EXCLUDE, list(plan.unlocked))
                if plan.unlocked is not None
                else None
            ),
            doc_mdp_update_value=fields.MDPPerm.FILL_FORMS if plan.unlocked is not None else None,
        )
        fields.append_signature_field(writer, spec)
    for name, placement in text_fields.items():
        _text_field_add(writer, name, placement)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def _text_field_add(writer: IncrementalPdfFileWriter, name: str, placement: Placement) -> None:
    page_ref = writer.find_page_for_modification(placement.page)[0]
    field = generic.DictionaryObject(
        {
            pdf_name("/FT"): pdf_name("/Tx"),
            pdf_name("/T"): pdf_string(name),
            pdf_name("/Type"): pdf_name("/Annot"),
            pdf_name("/Subtype"): pdf_name("/Widget"),
            pdf_name("/F"): generic.NumberObject(4),  # printed
            pdf_name("/Ff"): generic.NumberObject(1),  # read-only for viewers: the system fills it
            pdf_name("/Rect"): generic.ArrayObject([generic.FloatObject(v) for v in placement.box]),
            pdf_name("/P"): page_ref,
            pdf_name("/DA"): pdf_string("/Helv 0 Tf 0 g"),
        }
    )
    ref = writer.add_object(field)
    page = page_ref.get_object()
    annots = page.get("/Annots")
    if annots is None:
        page[pdf_name("/Annots")] = generic.ArrayObject([ref])
    else:
        annots.get_object().append(ref)
        if isinstance(annots, generic.IndirectObject):
            writer.mark_update(annots)
    writer.update_container(page)
    form = writer.root["/AcroForm"].get_object()  # append_signature_field made it
    form["/Fields"].get_object().append(ref)
    writer.update_container(form)


@dataclass(frozen=True)
class FieldValue:
    value: str  # what /V holds, e.g. "45/TTr-STTTT"
    shown: str  # what the page shows, e.g. "Số: 45/TTr-STTTT"
    font: Path = SERIF


def text_fields_fill(*, data: bytes, values: dict[str, FieldValue]) -> bytes:
    """Fill text fields by name: the value and an appearance drawn over a white background.

    Only each field's /V and /AP change, and the appearance is a new stream: the change a
    "fill forms" permission allows, so the signatures before it stay valid.
    """
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    form = writer.root["/AcroForm"]
    for ref in form["/Fields"]:
        field = ref.get_object()
        name = str(field.get("/T", ""))
        if name not in values:
            continue
        filled = values[name]
        x1, y1, x2, y2 = (float(v) for v in field["/Rect"])
        field[pdf_name("/V")] = pdf_string(filled.value)
        appearance = _filled_appearance(
            writer, text=filled.shown, font=filled.font, size=(x2 - x1, y2 - y1)
        )
        field[pdf_name("/AP")] = generic.DictionaryObject({pdf_name("/N"): appearance})
        writer.update_container(field)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


class _WhiteFill(content.PdfContent):
    """Covers the draft's blank number or date underneath the filled-in one."""

    def render(self) -> bytes:
        return b"1 g 0 0 %g %g re f" % (self.box.width, self.box.height)


def _filled_appearance(
    writer: IncrementalPdfFileWriter, *, text: str, font: Path, size: tuple[float, float]
) -> generic.IndirectObject:
    width, height = size
    # The baseline where the draft's line had it: above the field's bottom by the font's
    # descent (about a fifth of the line's box, which is the field without its top room).
    baseline = round((height - FIELD_TOP_ROOM) * 0.2)  # whole points: pyHanko's margins are ints
    style = TextStampStyle(
        stamp_text=text.replace("%", "%%"),
        border_width=0,
        text_box_style=_text_box_style(
            font=font, size=FILL_SIZE, leading=FILL_SIZE, baseline=baseline
        ),
        background=_WhiteFill(box=layout.BoxConstraints(width=width, height=height)),
        background_opacity=1.0,
        background_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID,
            y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins.uniform(0),
        ),
        inner_content_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID,
            y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins.uniform(0),
            # The document's own size (13 pt), even if a little taller than the line's box.
            inner_content_scaling=layout.InnerScaling.NO_SCALING,
        ),
    )
    stamp = style.create_stamp(writer, layout.BoxConstraints(width=width, height=height), {})
    return writer.add_object(stamp.as_form_xobject())


# --- Finding the number and date lines of a rendered Decree 30 document -----------------------


class _BBoxWords(HTMLParser):
    """Reads ``pdftotext -bbox-layout`` output: one (page, text, xMin, yMin, xMax, yMax) a word.

    Words, not lines: poppler splits a line with wide blanks (the draft's "ngày … tháng …")
    into separate flows, so lines are put together again by their common baseline.
    """

    def __init__(self) -> None:
        super().__init__()
        self.words: list[tuple[int, str, tuple[float, float, float, float]]] = []
        self._page = -1
        self._box: tuple[float, float, float, float] | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {key: value or "" for key, value in attrs}
        if tag == "page":
            self._page += 1
        elif tag == "word":
            self._box = (
                float(values["xmin"]),
                float(values["ymin"]),
                float(values["xmax"]),
                float(values["ymax"]),
            )
            self._text = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "word" and self._box is not None:
            self.words.append((self._page, self._text.strip(), self._box))
            self._box = None

    def handle_data(self, data: str) -> None:
        if self._box is not None:
            self._text += data


Word = tuple[int, str, tuple[float, float, float, float]]


def _same_line(words: list[Word], anchor: Word) -> list[Word]:
    page, _text, (_x1, y1, _x2, _y2) = anchor
    return sorted(
        (w for w in words if w[0] == page and abs(w[2][1] - y1) < 1.5), key=lambda w: w[2][0]
    )


# What Word and LibreOffice users type where the number or a date part goes: dots, an ellipsis,
# underscores (spaces, NBSP and tabs leave no word at all, only a gap).
_PLACEHOLDER = re.compile(r"^[.\u2026_\-\u2013]+$")
# Gaps wider than this end a line's run: past it is the other column of the Decree 30 header.
_MAX_BLANK = 160.0


def _is_number_anchor(line: list[Word], index: int) -> bool:
    text = line[index][1]
    if text.startswith("Số:"):
        return True
    following = line[index + 1][1] if index + 1 < len(line) else ""
    return text == "Số" and following.startswith(":")


def _number_run(line: list[Word], index: int) -> list[Word]:
    """ "Số:" and what follows up to the symbol ("/QĐ-UBND"): the blank and the symbol together,
    so the filled number covers all of the draft's placeholder."""
    run = [line[index]]
    if "/" in run[0][1]:
        return run  # "Số:/QĐ-UBND" in one word
    for word in line[index + 1 :]:
        if word[2][0] - run[-1][2][2] > _MAX_BLANK:
            break
        text = word[1]
        if "/" in text:
            run.append(word)
            return run
        if not (_PLACEHOLDER.match(text) or text == ":"):
            break
        run.append(word)
    return run


def _date_run(line: list[Word], index: int) -> list[Word] | None:
    """ "ngày … tháng … năm …" from *index*, with the year's placeholder if there is one."""
    run = [line[index]]
    for word in line[index + 1 :]:
        if word[2][0] - run[-1][2][2] > _MAX_BLANK:
            return None
        run.append(word)
        if word[1].startswith("năm"):
            break
    else:
        return None
    following = line[len(run) + index :]
    near = bool(following) and following[0][2][0] - run[-1][2][2] < _MAX_BLANK / 2
    if near and _PLACEHOLDER.match(following[0][1]):
        run.append(following[0])
    return run


def _place_before(line: list[Word], index: int) -> list[Word]:
    """The place name before "ngày" ("Bắc Ninh,"), words close together."""
    before: list[Word] = []
    for previous in reversed(line[:index]):
        if (before or [line[index]])[0][2][0] - previous[2][2] > 12:
            break
        before.insert(0, previous)
    return before


def numbering_placements(data: bytes) -> dict[str, Placement]:
    """Where a draft shows "Số: …" and the "…, ngày … tháng … năm …" line, if it does.

    poppler's word boxes are the only reliable way to find text drawn by another tool; a
    document without those lines (a scanned letter) simply gets no numbering fields. In the
    Decree 30 template the number and the date line share one row of a table, so each run
    stops at its own end (the symbol; the year) rather than at the next gap.
    """
    words, page_height = page_words(data, 0)
    found: dict[str, Placement] = {}
    for word in words:
        line = _same_line(words, word)
        index = line.index(word)
        if NUMBER_FIELD not in found and _is_number_anchor(line, index):
            run = _number_run(line, index)
            # No symbol found: leave room after "Số:" for the number and symbol to come.
            trailing = 0 if "/" in run[-1][1] else 60
            found[NUMBER_FIELD] = _run_placement(run, page_height, trailing=trailing)
        elif DATE_FIELD not in found and word[1].startswith("ngày"):
            date_run = _date_run(line, index)
            if date_run is None:
                continue
            # With no placeholder after "năm", reserve the year's width ("2026" at 13-14 pt).
            trailing = 0 if _PLACEHOLDER.match(date_run[-1][1]) else 30
            before = _place_before(line, index)
            found[DATE_FIELD] = _run_placement([*before, *date_run], page_height, trailing=trailing)
    return found


def _run_placement(run: list[Word], page_height: float, *, trailing: float) -> Placement:
    # pdftotext measures from the top; PDF from the bottom. Widened on both sides alike so the
    # filled text, centred, lands where the draft's text was centred.
    page = run[0][0]
    x1 = min(w[2][0] for w in run)
    x2 = max(w[2][2] for w in run) + trailing
    top = min(w[2][1] for w in run)
    bottom = max(w[2][3] for w in run)
    pad = 25
    # Vertically the word box itself (the font's ascent to descent, a whole line) and a little
    # room above it for Vietnamese stacked marks (Ố, Ễ): much taller, the white box would hide
    # the header's rule above; shorter, the filled text would be clipped.
    return Placement(
        page=page,
        x=x1 - pad,
        y=page_height - bottom,
        width=x2 - x1 + 2 * pad,
        height=bottom - top + FIELD_TOP_ROOM,
    )


def page_words(data: bytes, page: int) -> tuple[list[Word], float]:
    """The words of one page (0-based) with their boxes (from the top), and its height."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(data)
        handle.flush()
        number = str(page + 1)
        result = subprocess.run(
            ["pdftotext", "-bbox-layout", "-f", number, "-l", number, handle.name, "-"],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
    parser = _BBoxWords()
    parser.feed(result.stdout)
    words = [(page, unicodedata.normalize("NFC", text), box) for _p, text, box in parser.words]
    return words, _page_height(result.stdout)


def _name_runs(words: list[Word], name: str) -> list[list[Word]]:
    """Every place the words of *name* stand in a row on one line, top to bottom."""
    wanted = unicodedata.normalize("NFC", name).casefold().split()
    runs = []
    for word in words:
        if not wanted or word[1].casefold() != wanted[0]:
            continue
        line = _same_line(words, word)
        start = line.index(word)
        run = line[start : start + len(wanted)]
        if [w[1].casefold() for w in run] == wanted:
            runs.append(run)
    return sorted(runs, key=lambda run: run[0][2][1])


# Decree 30's signer block: the authority and title lines, the space for the signature, the
# printed name. The space is looked for above the name, over at most this height.
_SIGNATURE_SPACE_MAX = 45 * MM
_SIGNATURE_SPACE_MIN = 12 * MM


def signer_block_area(data: bytes, *, page: int, full_name: str) -> Placement | None:
    """The space between a signer's title line and their printed name on *page*, where Decree
    30 puts the signature; None when the name is not printed there (then the clerk draws the
    area on the preview, or the default corner is used). The lowest printing of the name counts
    (the signer block closes the document)."""
    words, page_height = page_words(data, page)
    runs = _name_runs(words, full_name)
    if not runs:
        return None
    run = runs[-1]
    x1, top = run[0][2][0], min(w[2][1] for w in run)
    x2 = run[-1][2][2]
    centre = (x1 + x2) / 2
    # The nearest line above the name in the name's column: the title ("CHỦ TỊCH").
    above = [
        w[2][3] for w in words if w[2][3] < top and abs((w[2][0] + w[2][2]) / 2 - centre) < 45 * MM
    ]
    space_top = max([b for b in above if top - b <= _SIGNATURE_SPACE_MAX], default=None)
    if space_top is None:
        space_top = top - 30 * MM
    if top - space_top < _SIGNATURE_SPACE_MIN:
        return None
    width = max(x2 - x1, 60 * MM)
    gap = 1 * MM
    return Placement(
        page=page,
        x=centre - width / 2,
        y=page_height - top + gap,
        width=width,
        height=top - space_top - 2 * gap,
    )


def _page_height(bbox_html: str) -> float:
    match = re.search(r'<page width="[\d.]+" height="([\d.]+)"', bbox_html)
    return float(match.group(1)) if match else 842.0
