"""The few real PDF files every seeded version points at (blobs are shared by content hash).

Each file is a small valid PDF with a line of text per page, stored once through
``documents.storage`` like any upload; 500,000 documents then cost a few kilobytes of disk.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from documents.models import Blob
from documents.search import fold
from documents.storage import blob_write

PDF_MIME = "application/pdf"


@dataclass(frozen=True)
class PoolBlob:
    id: int
    sha256: str
    size: int
    pages: int
    text: str  # folded, as Blob.text


def tiny_pdf(lines: list[str]) -> bytes:
    """A PDF with one page per line, the line in Helvetica (ASCII: the text is folded)."""
    objects: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>", b"", b""]
    objects[2] = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
    kids = []
    for line in lines:
        safe = line.encode("ascii", "replace").replace(b"\\", b"").replace(b"(", b"")
        safe = safe.replace(b")", b"")
        stream = b"BT /F1 12 Tf 72 770 Td (" + safe + b") Tj ET"
        content_number = len(objects) + 2
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources "
            b"<< /Font << /F1 3 0 R >> >> /Contents " + str(content_number).encode() + b" 0 R >>"
        )
        kids.append(len(objects))
        objects.append(
            b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream"
        )
    refs = b" ".join(str(k).encode() + b" 0 R" for k in kids)
    objects[1] = b"<< /Type /Pages /Kids [" + refs + b"] /Count " + str(len(kids)).encode() + b" >>"
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(str(number).encode() + b" 0 obj\n" + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 " + str(len(objects) + 1).encode() + b"\n0000000000 65535 f \n")
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(b"trailer\n<< /Size " + str(len(objects) + 1).encode() + b" /Root 1 0 R >>\n")
    out.write(b"startxref\n" + str(xref).encode() + b"\n%%EOF\n")
    return out.getvalue()


def blob_pool(phrases: list[str], size: int) -> list[PoolBlob]:
    """*size* distinct PDFs (1 to 12 pages) stored through the storage API, reused if present."""
    pool = []
    for index in range(size):
        pages = 1 + (index * 5) % 12
        lines = [
            fold(f"{phrases[(index + page) % len(phrases)]} - trang {page + 1} - mau {index}")
            for page in range(pages)
        ]
        data = tiny_pdf(lines)
        sha256 = hashlib.sha256(data).hexdigest()
        blob = Blob.objects.filter(sha256=sha256).first()
        if blob is None:
            name, _created = blob_write(io.BytesIO(data), sha256=sha256)
            text = " ".join(lines)
            blob = Blob.objects.create(
                sha256=sha256,
                size=len(data),
                storage_name=name,
                mime=PDF_MIME,
                page_count=pages,
                text=text,
            )
        pool.append(PoolBlob(blob.pk, sha256, blob.size, blob.page_count or pages, blob.text))
    return pool
