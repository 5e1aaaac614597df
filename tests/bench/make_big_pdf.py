"""Make a large scanned-style PDF: pages of incompressible image data, as a scanner produces.

The objects are written page by page (image, content, page dictionary) with a flat page tree,
the layout many scanners produce and the hardest one for a reader that fetches by range: the
page dictionaries are scattered through the whole file.

Usage: make_big_pdf.py OUT.pdf [--megabytes 100] [--pages 300]
"""

from __future__ import annotations

import argparse
import os
import zlib


def make(path: str, *, megabytes: int, pages: int) -> None:
    per_page = megabytes * 1024 * 1024 // pages
    side = int((per_page / 3) ** 0.5)
    offsets: dict[int, int] = {}
    with open(path, "wb") as out:
        out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")

        def obj(number: int, body: bytes) -> None:
            offsets[number] = out.tell()
            out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")

        def stream(number: int, head: str, data: bytes) -> None:
            obj(
                number,
                f"<< {head} /Length {len(data)} >>\nstream\n".encode() + data + b"\nendstream",
            )

        obj(1, b"<< /Type /Catalog /Pages 2 0 R >>")
        obj(3, b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
        kids = []
        for index in range(pages):
            image, content, page = 4 + index * 3, 5 + index * 3, 6 + index * 3
            # Random pixels do not compress: the file is as large as a real scan.
            pixels = zlib.compress(os.urandom(side * side * 3), 0)
            stream(
                image,
                f"/Type /XObject /Subtype /Image /Width {side} /Height {side} "
                "/ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /FlateDecode",
                pixels,
            )
            text = (
                f"q 480 0 0 480 57 300 cm /Im0 Do Q "
                f"BT /F1 24 Tf 57 200 Td (Trang {index + 1}) Tj ET"
            ).encode()
            stream(content, "", text)
            obj(
                page,
                (
                    f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
                    f"/Resources << /XObject << /Im0 {image} 0 R >> /Font << /F1 3 0 R >> >> "
                    f"/Contents {content} 0 R >>"
                ).encode(),
            )
            kids.append(f"{page} 0 R")
        obj(2, f"<< /Type /Pages /Count {pages} /Kids [{' '.join(kids)}] >>".encode())
        start = out.tell()
        size = max(offsets) + 1
        out.write(f"xref\n0 {size}\n0000000000 65535 f \n".encode())
        for number in range(1, size):
            out.write(f"{offsets[number]:010d} 00000 n \n".encode())
        out.write(f"trailer\n<< /Size {size} /Root 1 0 R >>\nstartxref\n{start}\n%%EOF\n".encode())


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--megabytes", type=int, default=100)
    parser.add_argument("--pages", type=int, default=300)
    args = parser.parse_args()
    make(args.out, megabytes=args.megabytes, pages=args.pages)
