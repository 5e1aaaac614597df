"""What changed on the page: the signed revision and the final file, rendered and compared.

The object-level analysis (pyHanko's, and ``changes``) says *which kind* of update came after a
signature; it cannot say what a reader now sees. So for every signature followed by later
revisions, each page of the signed revision and of the final file is rendered with PDFium
(pypdfium2) in grey at ``SCALE`` (48 dpi) and compared pixel by pixel. A difference is cut into
cells of ``CELL`` pixels; cells inside the areas KyHop's workflow expects to change are dropped —
the widgets of the signatures made later (the seal over the signature image) and KyHop's own
number and date fields, with the rectangles they had *when signed*; the other cells are grouped
into regions (bounding boxes in PDF points, origin bottom-left of the page's crop box, before
any page rotation). A page whose regions are not empty is a visible change the workflow did not
expect: shown side by side (small PNG thumbnails, the regions outlined) and, if the change was
otherwise permitted, the signature passes *with warnings* only. Hidden content switched on by
an update (an optional-content group turned on, a form field's appearance swapped, an annotation
laid over text) shows up here whatever object it came through.

Rendering is linear: each distinct revision is rendered once (the final file once for all
signatures), one page at a time; only differing pages are kept as thumbnails.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Iterable
from dataclasses import dataclass, field

import pypdfium2 as pdfium
from PIL import Image, ImageChops, ImageDraw, ImageFilter
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import HistoricalResolver, PdfFileReader

SCALE = 2 / 3  # 48 dpi: a digit of 10 pt text is some 7 pixels high
CELL = 6  # pixels per cell of the change grid (9 points)
THRESHOLD = 24  # grey levels: below, anti-aliasing noise
MARGIN = 3.0  # points around an expected area (anti-aliasing at its edges)
THUMB_WIDTH = 200  # pixels
MAX_THUMBNAIL_PAGES = 6  # per signature; further pages are listed without pictures
MAX_SIDE = 2000  # pixels: larger pages are rendered at a smaller scale
KYHOP_TEXT_FIELDS = ("so_van_ban", "ngay_ban_hanh")  # signing.appearances.NUMBERING_FIELDS

Rect = tuple[float, float, float, float]  # x1, y1, x2, y2 in PDF points


@dataclass(frozen=True)
class PageChange:
    page: int  # 1-based
    regions: tuple[Rect, ...]  # outside the expected areas; empty: only expected areas changed
    expected: tuple[Rect, ...] = ()  # changed areas the workflow expects (seal, number, date)
    presence: str = ""  # "added" | "removed" | "" (the page exists in both)
    thumbnail_signed: str = ""  # data: URL (PNG), "" when omitted
    thumbnail_now: str = ""

    @property
    def unexpected(self) -> bool:
        return bool(self.regions) or bool(self.presence)


@dataclass
class Comparison:
    pages_compared: int = 0
    changes: list[PageChange] = field(default_factory=list)
    truncated: bool = False  # the file has more pages than were compared

    @property
    def unexpected(self) -> list[PageChange]:
        return [c for c in self.changes if c.unexpected]


@dataclass(frozen=True)
class _Page:
    image: Image.Image
    scale: float
    box: Rect  # the crop box rendered, in points


class Renderer:
    """Pages of one file's revisions: the final file rendered once for all signatures."""

    def __init__(self, data: bytes, max_pages: int) -> None:
        self.data = data
        self.max_pages = max_pages
        self._cache: dict[int, list[_Page]] = {}

    def pages(self, end: int) -> list[_Page]:
        """The rendered pages of the revision ending at *end*; only the final file's are kept
        (each signed revision is compared once), so memory holds two revisions at most."""
        if end in self._cache:
            return self._cache[end]
        pages = list(self._render(self.data[:end]))
        if end == len(self.data):
            self._cache[end] = pages
        return pages

    def _render(self, data: bytes) -> Iterable[_Page]:
        document = pdfium.PdfDocument(data)
        # Widgets (signature appearances, filled fields) are only drawn with the form
        # environment; their stored appearances are drawn as they are.
        document.init_forms()
        try:
            for index in range(min(len(document), self.max_pages)):
                page = document[index]
                try:
                    yield _render_page(page)
                finally:
                    page.close()
        finally:
            document.close()

    def page_count(self, end: int) -> int:
        document = pdfium.PdfDocument(self.data[:end])
        try:
            return len(document)
        finally:
            document.close()


def _render_page(page: pdfium.PdfPage) -> _Page:
    left, bottom, right, top = page.get_cropbox()
    width, height = right - left, top - bottom
    scale = min(SCALE, MAX_SIDE / max(width, height, 1))
    # Annotations and form widgets are drawn from their stored appearance streams.
    bitmap = page.render(scale=scale, grayscale=True, may_draw_forms=True, draw_annots=True)
    image = bitmap.to_pil().convert("L")
    return _Page(image=image, scale=scale, box=(left, bottom, right, top))


@dataclass
class Expected:
    """Per page index, the areas the workflow expects to change after a signature.

    ``free``: KyHop's number and date fields (their filling covers the draft's placeholder
    text), later signatures in fields that already existed when this one was signed (the
    signer saw where they go; their rectangles as signed), and new ones laid on an earlier
    signature's widget (a seal over the signature image). ``blank``: later signatures in
    fields made after this one — expected to change the page only where it was blank when
    signed: one laid over the signed words is an overlay (the "sneaky signature" of Mainka et
    al., S&P 2021)."""

    free: dict[int, list[Rect]] = field(default_factory=dict)
    blank: dict[int, list[Rect]] = field(default_factory=dict)


INK = 200  # grey level under which a pixel of the signed page counts as drawn


def compare(renderer: Renderer, *, signed_end: int, expected: Expected) -> Comparison:
    """The pages of the revision ending at *signed_end* against the final file's."""
    before = renderer.pages(signed_end)
    after = renderer.pages(len(renderer.data))
    comparison = Comparison(pages_compared=max(len(before), len(after)))
    if len(after) >= renderer.max_pages:
        comparison.truncated = renderer.page_count(len(renderer.data)) > renderer.max_pages
    for index in range(comparison.pages_compared):
        if index >= len(before) or index >= len(after):
            shown = after[index] if index < len(after) else before[index]
            comparison.changes.append(
                PageChange(
                    page=index + 1,
                    regions=(shown.box,),
                    presence="added" if index >= len(before) else "removed",
                )
            )
            continue
        change = _page_change(
            index,
            before[index],
            after[index],
            free=expected.free.get(index, []),
            blank=expected.blank.get(index, []),
        )
        if change is not None:
            comparison.changes.append(change)
    _add_thumbnails(comparison, before, after)
    return comparison


def _page_change(
    index: int, before: _Page, after: _Page, *, free: list[Rect], blank: list[Rect]
) -> PageChange | None:
    if before.image.size != after.image.size or before.box != after.box:
        return PageChange(page=index + 1, regions=(after.box,))
    diff = ImageChops.difference(before.image, after.image).point(
        lambda v: 255 if v > THRESHOLD else 0
    )
    if diff.getbbox() is None:
        return None
    cells = _changed_cells(diff)
    # Pixel-precise: the expected areas are blanked out of the difference, then what is left
    # is cut into cells (a cell straddling an area's edge is judged by its own pixels).
    outside = diff.copy()
    draw = ImageDraw.Draw(outside)
    for rect in free + blank:
        draw.rectangle(_to_pixels(rect, after, margin=MARGIN), fill=0)
    if blank:
        # In a "blank" area, a change over what the signed page had drawn is an overlay.
        area = Image.new("L", diff.size, 0)
        area_draw = ImageDraw.Draw(area)
        for rect in blank:
            area_draw.rectangle(_to_pixels(rect, after, margin=0), fill=255)
        # What the signed page drew, and a few pixels around it: drawing across or beside
        # the signed words counts too, not only covering them.
        ink = before.image.point(lambda v: 255 if v < INK else 0).filter(ImageFilter.MaxFilter(7))
        overlay = ImageChops.darker(ImageChops.darker(diff, ink), area)
        outside = ImageChops.lighter(outside, overlay)
    unexpected = _changed_cells(outside) if outside.getbbox() is not None else set()
    expected_cells = cells - unexpected
    return PageChange(
        page=index + 1,
        regions=tuple(_to_points(b, after) for b in _regions(unexpected)),
        expected=tuple(_to_points(b, after) for b in _regions(expected_cells)),
    )


def _changed_cells(diff: Image.Image) -> set[tuple[int, int]]:
    width, height = diff.size
    columns, rows = -(-width // CELL), -(-height // CELL)
    # A box filter per cell: any changed pixel makes the cell's mean non-zero.
    small = diff.resize((columns, rows), Image.Resampling.BOX, reducing_gap=None)
    values = small.tobytes()
    return {(i % columns, i // columns) for i, v in enumerate(values) if v}


def _regions(cells: set[tuple[int, int]]) -> list[tuple[int, int, int, int]]:
    """Bounding boxes (in cells) of the 8-connected groups of *cells*, largest first."""
    left = set(cells)
    boxes = []
    while left:
        start = left.pop()
        stack, group = [start], [start]
        while stack:
            cx, cy = stack.pop()
            for dx in (-1, 0, 1):
                for dy in (-1, 0, 1):
                    neighbour = (cx + dx, cy + dy)
                    if neighbour in left:
                        left.remove(neighbour)
                        stack.append(neighbour)
                        group.append(neighbour)
        xs, ys = [c[0] for c in group], [c[1] for c in group]
        boxes.append((min(xs), min(ys), max(xs) + 1, max(ys) + 1))
    return sorted(boxes, key=lambda b: (b[2] - b[0]) * (b[3] - b[1]), reverse=True)


def _to_points(box: tuple[int, int, int, int], page: _Page) -> Rect:
    left, _bottom, _right, top = page.box
    x1, y1, x2, y2 = (v * CELL / page.scale for v in box)
    return (round(left + x1, 1), round(top - y2, 1), round(left + x2, 1), round(top - y1, 1))


def _to_pixels(rect: Rect, page: _Page, *, margin: float) -> tuple[float, float, float, float]:
    left, _bottom, _right, top = page.box
    x1, y1, x2, y2 = rect
    return (
        (min(x1, x2) - margin - left) * page.scale,
        (top - max(y1, y2) - margin) * page.scale,
        (max(x1, x2) + margin - left) * page.scale,
        (top - min(y1, y2) + margin) * page.scale,
    )


# --- Thumbnails -----------------------------------------------------------------------------------


def _add_thumbnails(comparison: Comparison, before: list[_Page], after: list[_Page]) -> None:
    shown = 0
    for position, change in enumerate(comparison.changes):
        if not change.unexpected or shown >= MAX_THUMBNAIL_PAGES:
            continue
        shown += 1
        index = change.page - 1
        signed = _thumbnail(before[index], change.regions) if index < len(before) else ""
        now = _thumbnail(after[index], change.regions) if index < len(after) else ""
        comparison.changes[position] = PageChange(
            page=change.page,
            regions=change.regions,
            expected=change.expected,
            presence=change.presence,
            thumbnail_signed=signed,
            thumbnail_now=now,
        )


def _thumbnail(page: _Page, regions: tuple[Rect, ...]) -> str:
    image = page.image.convert("RGB")
    draw = ImageDraw.Draw(image)
    for rect in regions:
        x1, y1, x2, y2 = _to_pixels(rect, page, margin=1.0)
        draw.rectangle((x1, y1, x2, y2), outline=(220, 0, 0), width=2)
    ratio = THUMB_WIDTH / image.width
    image = image.resize(
        (THUMB_WIDTH, max(1, round(image.height * ratio))), Image.Resampling.LANCZOS
    )
    buffer = io.BytesIO()
    image.convert("P", palette=Image.Palette.ADAPTIVE, colors=64).save(buffer, "PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


# --- The areas the workflow expects to change -----------------------------------------------------


def expected_areas(
    reader: PdfFileReader,
    *,
    signed_revision: int,
    earlier_signature_fields: list[generic.Reference],
    later_signature_fields: list[generic.Reference],
) -> Expected:
    """The areas expected to change after the signature of *signed_revision*: the widgets of
    the signatures made later (as they are now), KyHop's number and date fields (with the
    rectangle they had when signed)."""
    later = {(r.idnum, r.generation) for r in later_signature_fields}
    earlier = {(r.idnum, r.generation) for r in earlier_signature_fields}
    signed = reader.get_historical_resolver(signed_revision)
    expected = Expected()
    pages = reader.root["/Pages"]
    for index, ref in enumerate(_page_refs(pages)):
        page = ref.get_object()
        annots = page.get("/Annots")
        if isinstance(annots, generic.IndirectObject):
            annots = annots.get_object()
        later_rects: list[tuple[Rect | None, bool]] = []
        earlier_rects: list[Rect | None] = []
        fields: list[Rect | None] = []
        for annot_ref in annots if isinstance(annots, generic.ArrayObject) else []:
            if not isinstance(annot_ref, generic.IndirectObject):
                continue
            key = (annot_ref.idnum, annot_ref.generation)
            widget = annot_ref.get_object()
            if key in later:
                # A field that was already there, empty, when this signature was made: the
                # signer saw (and signed) where the next signature goes.
                prepared = _signed_rect(signed, annot_ref)
                later_rects.append((prepared or _rect(widget), prepared is not None))
            elif key in earlier:
                earlier_rects.append(_rect(widget))
            elif _field_name(widget) in KYHOP_TEXT_FIELDS:
                fields.append(_signed_rect(signed, annot_ref))  # None if it was not there
        earlier_boxes = [r for r in earlier_rects if r is not None and _area(r) > 1]
        for rect, was_prepared in later_rects:
            if rect is None:
                continue
            free = was_prepared or any(_overlap(rect, other) for other in earlier_boxes)
            (expected.free if free else expected.blank).setdefault(index, []).append(rect)
        for rect in fields:
            if rect is not None:
                expected.free.setdefault(index, []).append(rect)
    return expected


def _signed_rect(signed: HistoricalResolver, ref: generic.IndirectObject) -> Rect | None:
    """The widget's rectangle in the signed revision, or None if it did not exist then."""
    try:
        return _rect(signed.get_object(ref.reference))
    except (PdfError, KeyError, IndexError, ValueError, TypeError):  # not in that revision
        return None


def _area(rect: Rect) -> float:
    return (rect[2] - rect[0]) * (rect[3] - rect[1])


def _overlap(a: Rect, b: Rect) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _page_refs(node, depth: int = 0) -> Iterable[generic.IndirectObject]:
    if depth > 32:
        return
    for kid in node.get("/Kids", generic.ArrayObject()):
        obj = kid.get_object()
        if obj.get("/Type") == "/Pages" or "/Kids" in obj:
            yield from _page_refs(obj, depth + 1)
        else:
            yield kid


def _field_name(widget: generic.PdfObject) -> str:
    if not isinstance(widget, generic.DictionaryObject):
        return ""
    if "/T" in widget:
        return str(widget["/T"])
    parent = widget.get("/Parent")
    if isinstance(parent, generic.DictionaryObject) and "/T" in parent:
        return str(parent["/T"])
    return ""


def _rect(widget: generic.PdfObject) -> Rect | None:
    if not isinstance(widget, generic.DictionaryObject) or "/Rect" not in widget:
        return None
    try:
        x1, y1, x2, y2 = (float(v) for v in widget["/Rect"])
    except (TypeError, ValueError):
        return None
    return (min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2))
