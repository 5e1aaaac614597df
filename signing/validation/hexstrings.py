"""A fast path for reading PDF hex strings, which pyHanko 0.38 reads one byte at a time.

A B-LTA signature's ``/Contents`` is a hex string of some 20,000 digits and its document
time-stamp's another 7,000: pyHanko's tokenizer (a Python generator per byte) spent about as
long reading them as on everything else validation does. This reads up to the closing ``>``
in one call and decodes with ``binascii``; anything unusual (a comment, a stray character, no
closing bracket) goes back to pyHanko's own reader, so its results and errors are unchanged.

``install()`` swaps the function in pyHanko's ``generic`` module (its only caller,
``read_object``, looks it up there); it is idempotent.
"""

from __future__ import annotations

import binascii
from typing import BinaryIO

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PDF_WHITESPACE

_HEX_DIGITS = b"0123456789abcdefABCDEF"
_CHUNK = 64 * 1024
_pyhanko_reader = generic.read_hex_string_from_stream


def _body_until_close(stream: BinaryIO) -> bytes | None:
    """The bytes between ``<`` and ``>`` (stream left after ``>``), or None if there is no ``>``."""
    parts: list[bytes] = []
    while True:
        chunk = stream.read(_CHUNK)
        if not chunk:
            return None
        end = chunk.find(b">")
        if end >= 0:
            parts.append(chunk[:end])
            stream.seek(end + 1 - len(chunk), 1)
            return b"".join(parts)
        parts.append(chunk)


def read_hex_string_from_stream(
    stream: BinaryIO,
) -> generic.ByteStringObject | generic.TextStringObject:
    start = stream.tell()
    stream.read(1)  # the opening "<"
    body = _body_until_close(stream)
    digits = body.translate(None, PDF_WHITESPACE) if body is not None else None
    if digits is None or digits.translate(None, _HEX_DIGITS):
        stream.seek(start)
        return _pyhanko_reader(stream)  # unusual: pyHanko decides, and raises, as before
    if len(digits) % 2:
        digits += b"0"  # ISO 32000: a missing final digit is taken as 0
    return generic.pdf_string(binascii.unhexlify(digits))


def install() -> None:
    generic.read_hex_string_from_stream = read_hex_string_from_stream
