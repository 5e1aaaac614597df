"""KyHop's own proof that a signature's bytes are the document a reader shows.

pyHanko's coverage level compares sizes: a signature "covers the entire file" when the two
signed ranges plus the length of the ``/Contents`` value add up to the file size. A wrapped
signature can be built to match that sum (``/Contents`` written as a literal string, the gap
sized to fit, the signed second part moved, and a new cross-reference table placed where the
signed ``startxref`` points) — then the difference analysis is skipped and the page shows text
nobody signed (Mladenov et al., CCS 2019, "signature wrapping"; EU DSS checks the ByteRange
against the signature dictionary's own position for the same reason).

So, for each signature, independently of pyHanko's coverage level, this module proves:

1. ``/ByteRange`` is exactly ``[0 a b c]`` (four integers, ``0 < a < b``, ``b + c`` within the
   file), and ``b + c`` is the end of a revision: the signed bytes end with
   ``startxref S %%EOF``;
2. the gap ``[a, b)`` holds exactly one hex string ``<…>``: hex digits only, its value the DER
   signature followed by zero padding only;
3. that hex string is the ``/Contents`` of *this* signature dictionary: the object the final
   cross-reference data gives for the field's ``/V`` is a plain object in the first signed
   part, and reading it token by token puts its ``/Contents`` value at exactly ``a`` … ``b``
   (its ``endobj`` inside the signed bytes);
4. the cross-reference section ``S`` points at is the one the reader uses for the signed
   revision, and it (with its trailer, and any hybrid ``/XRefStm``) lies in the second signed
   part; every earlier section lies in the signed bytes outside the gap;
5. what a reader uses after all updates is the signed objects plus updates appended strictly
   after the signed revision: every object offset of the signed revisions lies in the signed
   bytes outside the gap, and every later section and the objects it writes lie after ``b + c``
   (a later table may list a signed object again at its signed offset, as some tools do).

Whatever fails raises ``Wrapped`` with a code; the engine reports it as signature wrapping.
Each step reads the bytes themselves, so the proof holds whatever pyHanko concluded.
"""

from __future__ import annotations

import binascii
import io
import re
from dataclasses import dataclass

from pyhanko.pdf_utils import generic, misc
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.xref import XRefSectionMetaInfo
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature

_HEX = re.compile(rb"[0-9A-Fa-f]*")
# The end of a revision: "startxref", the offset, "%%EOF", at most one end-of-line after it.
_EOF = re.compile(rb"startxref[\x00\t\n\f\r ]+(\d+)[\x00\t\n\f\r ]*%%EOF(?:\r\n|\r|\n)?\Z")
_OBJ_HEADER = re.compile(rb"[\x00\t\n\f\r ]*(\d+)[\x00\t\n\f\r ]+(\d+)[\x00\t\n\f\r ]+obj")
_ENDOBJ = re.compile(rb"[\x00\t\n\f\r ]*endobj")
_WHITESPACE = b"\x00\t\n\f\r "


class Wrapped(Exception):
    """The proof failed; ``code`` names the step (a key of ``texts`` "wrapping.*")."""

    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__(code)


@dataclass(frozen=True)
class SignedBytes:
    """What the proof established about one signature."""

    first_end: int  # a: the first signed range is [0, a)
    second_start: int  # b: the second is [b, end)
    end: int  # b + c: the end of the signed revision
    startxref: int
    file_size: int

    @property
    def covers_whole_file(self) -> bool:
        return self.end == self.file_size


_RAW_BYTE_RANGE = re.compile(
    rb"/ByteRange[\x00\t\n\f\r ]*\[[\x00\t\n\f\r ]*(-?\d+)[\x00\t\n\f\r ]+(-?\d+)"
    rb"[\x00\t\n\f\r ]+(-?\d+)[\x00\t\n\f\r ]+(-?\d+)[\x00\t\n\f\r ]*\]"
)


def raw_failures(data: bytes) -> list[str]:
    """For a file no reader can parse: the failed step of each ``/ByteRange`` in its raw bytes.

    Moving the signed bytes to make room for others (signature wrapping) also breaks the
    cross-reference offsets, so such a file often cannot be read at all; calling it merely
    "damaged" would hide that a signature in it was tampered with. Only what the bytes alone
    prove is checked: the ranges, the end of the signed revision, the hex string in the gap,
    and that the ``/ByteRange`` itself is signed. An empty list: nothing found, or all sound.
    """
    failures = []
    for match in _RAW_BYTE_RANGE.finditer(data):
        start, a, b, c = (int(group) for group in match.groups())
        if b + c > len(data):
            continue  # a truncated file (an interrupted download) is damaged, not forged
        if start != 0 or not 0 < a < b or c <= 0:
            failures.append("byte_range")
        elif _EOF.search(data, max(0, b + c - 1024), b + c) is None:
            failures.append("not_revision_end")
        elif not _is_hex_string(data[a:b]):
            failures.append("gap_not_hex")
        elif match.end() > a and match.start() < b:
            failures.append("dictionary_elsewhere")
    return failures


def _is_hex_string(gap: bytes) -> bool:
    digits = gap[1:-1]
    return (
        len(gap) >= 4
        and gap[:1] == b"<"
        and gap[-1:] == b">"
        and len(digits) % 2 == 0
        and _HEX.fullmatch(digits) is not None
    )


def prove(data: bytes, reader: PdfFileReader, emb: EmbeddedPdfSignature) -> SignedBytes:
    """The signed bytes of *emb* in *data*, or ``Wrapped`` naming the step that failed."""
    a, b, end = _byte_range(emb, len(data))
    startxref = _revision_end(data, end)
    _gap(data, a, b, emb)
    _dictionary_position(data, reader, emb, a, b, end)
    _sections(reader, emb.signed_revision, a, b, end, startxref)
    _objects(reader, emb.signed_revision, a, b, end)
    _after(data, reader, emb.signed_revision, end)
    return SignedBytes(
        first_end=a, second_start=b, end=end, startxref=startxref, file_size=len(data)
    )


# --- 1. the ByteRange and the end of the signed revision -----------------------------------------


def _byte_range(emb: EmbeddedPdfSignature, size: int) -> tuple[int, int, int]:
    raw = emb.byte_range
    if not isinstance(raw, generic.ArrayObject) or len(raw) != 4:
        raise Wrapped("byte_range")
    values = []
    for item in raw:
        # NumberObject is an int; FloatObject, booleans and references are not acceptable here.
        if not isinstance(item, generic.NumberObject) or isinstance(item, bool):
            raise Wrapped("byte_range")
        values.append(int(item))
    start, a, b, c = values
    if start != 0 or not 0 < a < b or c <= 0 or b + c > size:
        raise Wrapped("byte_range")
    return a, b, b + c


def _revision_end(data: bytes, end: int) -> int:
    match = _EOF.search(data, max(0, end - 1024), end)
    if match is None:
        raise Wrapped("not_revision_end")
    return int(match.group(1))


# --- 2. the gap -----------------------------------------------------------------------------------


def _gap(data: bytes, a: int, b: int, emb: EmbeddedPdfSignature) -> None:
    gap = data[a:b]
    if len(gap) < 4 or gap[:1] != b"<" or gap[-1:] != b">":
        raise Wrapped("gap_not_hex")
    digits = gap[1:-1]
    if len(digits) % 2 or _HEX.fullmatch(digits) is None:
        raise Wrapped("gap_not_hex")
    value = binascii.unhexlify(digits)
    length = _der_length(value)
    if length is None or value[length:].strip(b"\x00"):
        raise Wrapped("gap_padding")
    if value != emb.pkcs7_content:
        raise Wrapped("contents_elsewhere")


def _der_length(value: bytes) -> int | None:
    """Total length of the ASN.1 SEQUENCE at the start of *value*, or None if it is not one.

    BER's indefinite length (``30 80 … 00 00``), which poppler's signer writes, is walked to
    its end-of-contents marker."""
    if value[:1] != b"\x30":
        return None
    try:
        return _tlv_end(value, 0, depth=0)
    except (IndexError, ValueError):
        return None


def _tlv_end(value: bytes, pos: int, *, depth: int) -> int:
    if depth > 64:
        raise ValueError("nested too deeply")
    tag = value[pos]
    pos += 1
    if tag & 0x1F == 0x1F:  # high tag number: base-128 digits
        while value[pos] & 0x80:
            pos += 1
        pos += 1
    first = value[pos]
    pos += 1
    if first == 0x80:  # indefinite: children up to the end-of-contents marker
        if not tag & 0x20:
            raise ValueError("indefinite length on a primitive")
        while value[pos : pos + 2] != b"\x00\x00":
            pos = _tlv_end(value, pos, depth=depth + 1)
        return pos + 2
    if first < 0x80:
        length = first
    else:
        count = first & 0x7F
        if count > 4 or pos + count > len(value):
            raise ValueError("bad length")
        length = int.from_bytes(value[pos : pos + count], "big")
        pos += count
    if pos + length > len(value):
        raise ValueError("past the end")
    return pos + length


# --- 3. the signature dictionary ------------------------------------------------------------------


def _dictionary_position(
    data: bytes, reader: PdfFileReader, emb: EmbeddedPdfSignature, a: int, b: int, end: int
) -> None:
    raw = emb.sig_field.raw_get("/V")
    if not isinstance(raw, generic.IndirectObject):
        raise Wrapped("dictionary_elsewhere")
    ref = raw.reference
    offset = reader.xrefs[ref]
    if not isinstance(offset, int) or isinstance(offset, bool) or not 0 <= offset < a:
        raise Wrapped("dictionary_elsewhere")
    header = _OBJ_HEADER.match(data, offset)
    if header is None or (int(header.group(1)), int(header.group(2))) != (
        ref.idnum,
        ref.generation,
    ):
        raise Wrapped("dictionary_elsewhere")
    stream = io.BytesIO(data)
    stream.seek(header.end())
    misc.read_non_whitespace(stream, seek_back=True)
    spans = _value_spans(stream, generic.Reference(ref.idnum, ref.generation, pdf=reader))
    if spans.get("/Contents") != [(a, b)]:
        raise Wrapped("contents_elsewhere")
    closing = _ENDOBJ.match(data, stream.tell())
    if closing is None or closing.end() > end:
        raise Wrapped("dictionary_elsewhere")


def _value_spans(
    stream: io.BytesIO, container: generic.Reference
) -> dict[str, list[tuple[int, int]]]:
    """Where each value of the dictionary at the stream's position starts and ends."""
    if stream.read(2) != b"<<":
        raise Wrapped("dictionary_elsewhere")
    spans: dict[str, list[tuple[int, int]]] = {}
    while True:
        token = misc.read_non_whitespace(stream)
        if token == b">":
            if stream.read(1) != b">":
                raise Wrapped("dictionary_elsewhere")
            return spans
        if not token:
            raise Wrapped("dictionary_elsewhere")
        stream.seek(-1, io.SEEK_CUR)
        key = generic.NameObject.read_from_stream(stream)
        misc.read_non_whitespace(stream, seek_back=True)
        start = stream.tell()
        generic.read_object(stream, container)
        spans.setdefault(str(key), []).append((start, stream.tell()))


# --- 4. cross-reference sections ------------------------------------------------------------------


def _inside_signed(start: int, stop: int, a: int, b: int, end: int) -> bool:
    """Whether [start, stop) lies in the signed bytes [0, a) ∪ [b, end)."""
    return 0 <= start <= stop and (stop <= a or (start >= b and stop <= end))


def _metas(reader: PdfFileReader, revision: int) -> list[XRefSectionMetaInfo]:
    metas = [reader.xrefs.get_xref_container_info(revision)]
    hybrid = reader.xrefs.get_xref_data(revision).hybrid
    if hybrid is not None:
        metas.append(hybrid.meta_info)
    return metas


def _sections(reader: PdfFileReader, signed: int, a: int, b: int, end: int, startxref: int) -> None:
    xrefs = reader.xrefs
    if xrefs.get_startxref_for_revision(signed) != startxref:
        raise Wrapped("xref_elsewhere")
    for meta in _metas(reader, signed):
        if not (b <= meta.start_location and meta.end_location <= end):
            raise Wrapped("xref_elsewhere")
    for revision in range(signed):
        for meta in _metas(reader, revision):
            if not _inside_signed(meta.start_location, meta.end_location, a, b, end):
                raise Wrapped("xref_elsewhere")
    for revision in range(signed + 1, xrefs.total_revisions):
        for meta in _metas(reader, revision):
            if meta.start_location < end:
                raise Wrapped("update_inside")


# --- 5. objects -----------------------------------------------------------------------------------


def _offsets(reader: PdfFileReader, revision: int) -> dict[int, tuple[int, int]]:
    data = reader.xrefs.get_xref_data(revision)
    found = dict(data.standard_xrefs)
    if data.hybrid is not None:
        for idnum, entry in data.hybrid.xref_data.standard_xrefs.items():
            found.setdefault(idnum, entry)
    return found


def _objects(reader: PdfFileReader, signed: int, a: int, b: int, end: int) -> None:
    as_signed: dict[int, tuple[int, int]] = {}
    for revision in range(signed + 1):
        for idnum, (generation, offset) in _offsets(reader, revision).items():
            if not (offset < a or b <= offset < end):
                raise Wrapped("object_in_gap")
            as_signed[idnum] = (generation, offset)
    for revision in range(signed + 1, reader.xrefs.total_revisions):
        for idnum, entry in _offsets(reader, revision).items():
            if entry[1] < end and as_signed.get(idnum) != entry:
                raise Wrapped("update_inside")


def _after(data: bytes, reader: PdfFileReader, signed: int, end: int) -> None:
    """Bytes after the signed revision that no update the reader sees accounts for."""
    if signed == reader.xrefs.total_revisions - 1 and data[end:].strip(_WHITESPACE):
        raise Wrapped("trailing_data")
