"""The hex-string fast path reads exactly what pyHanko's own reader reads, errors included."""

from __future__ import annotations

import io

import pytest

from signing.validation import hexstrings


def _read(reader, data: bytes):
    stream = io.BytesIO(data + b" /Next")
    try:
        value = reader(stream)
    except Exception as exc:  # the comparison is the point: same error type either way
        return ("error", type(exc).__name__)
    return (type(value).__name__, bytes(value.original_bytes), stream.tell())


@pytest.mark.parametrize(
    "data",
    [
        b"<48656C6C6F>",
        b"<48 65\n6c6C\r\n\t6F >",
        b"<486>",
        b"<>",
        b"<" + b"0A" * 40_000 + b">",  # longer than one read chunk
        b"<48 % a comment\n65>",  # unusual: handed to pyHanko
        b"<4G>",
        b"<4865",
    ],
)
def test_fast_path_matches_pyhanko(data: bytes):
    original = hexstrings._pyhanko_reader
    assert _read(hexstrings.read_hex_string_from_stream, data) == _read(original, data)
