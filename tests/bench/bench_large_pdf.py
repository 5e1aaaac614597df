"""Sign a ~200 MB scanned-style PDF at B-B, file to file: peak memory and time.

The PDF is generated here: pages of uncompressed random RGB image data (incompressible, like a
scan), written straight to disk. Baseline: ``cp`` of the file then ``sha256sum`` of the copy,
in the same run. Ours: ``signing.pades.sign.sign_pdf_file`` in a child process that reports its
idle RSS (after imports and key loading) and its peak RSS during signing (VmHWM, reset via
/proc/self/clear_refs just before signing). Targets: peak over idle ≤ 0.5× the file size, time
≤ 3× the baseline, and a valid signature (checked afterwards, not timed).

    .venv/bin/python tests/bench/bench_large_pdf.py [MEGABYTES]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _harness

SIDE = 1024  # pixels; one page image is SIDE*SIDE*3 bytes = 3 MiB
MIB = 1024 * 1024


def _page_objects(number: int, image_bytes: int) -> list[tuple[bytes, int | None]]:
    """(header, stream length or None) per object of one page; numbering from *number*."""
    page, content, image = number, number + 1, number + 2
    draw = f"q 595 0 0 842 0 0 cm /Im{page} Do Q".encode()
    return [
        (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents {content} 0 R "
            f"/Resources << /XObject << /Im{page} {image} 0 R >> >> >>".encode(),
            None,
        ),
        (f"<< /Length {len(draw)} >>".encode() + b"\nstream\n" + draw + b"\nendstream", None),
        (
            f"<< /Type /XObject /Subtype /Image /Width {SIDE} /Height {SIDE} "
            f"/ColorSpace /DeviceRGB /BitsPerComponent 8 /Length {image_bytes} >>".encode(),
            image_bytes,
        ),
    ]


def generate(path: Path, megabytes: int) -> int:
    """Write the PDF in a streaming way (a few MiB in memory at most); returns its size."""
    image_bytes = SIDE * SIDE * 3
    pages = max(1, megabytes * MIB // image_bytes)
    offsets: list[int] = []
    with open(path, "wb") as out:
        out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")

        def obj(header: bytes, stream_length: int | None) -> None:
            offsets.append(out.tell())
            out.write(f"{len(offsets)} 0 obj\n".encode() + header)
            if stream_length is not None:
                out.write(b"\nstream\n")
                out.write(os.urandom(stream_length))
                out.write(b"\nendstream")
            out.write(b"\nendobj\n")

        kids = " ".join(f"{3 + 3 * n} 0 R" for n in range(pages))
        obj(b"<< /Type /Catalog /Pages 2 0 R >>", None)
        obj(f"<< /Type /Pages /Count {pages} /Kids [{kids}] >>".encode(), None)
        for n in range(pages):
            for header, length in _page_objects(3 + 3 * n, image_bytes):
                obj(header, length)
        xref = out.tell()
        out.write(f"xref\n0 {len(offsets) + 1}\n0000000000 65535 f \n".encode())
        for offset in offsets:
            out.write(f"{offset:010d} 00000 n \n".encode())
        trailer = f"trailer\n<< /Size {len(offsets) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n"
        out.write(trailer.encode() + b"%%EOF\n")
    return path.stat().st_size


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(field)


def child(source: Path, target: Path, mode: str) -> None:
    """Runs in its own process: load, measure idle, reset the peak, sign, measure the peak."""
    import django

    django.setup()
    from bench_signing_pki import PASSPHRASE

    from signing.backends.pkcs12 import Pkcs12KeyBackend
    from signing.devpki import PkiLayout
    from signing.pades.sign import PadesLevel, sign_pdf_file, sign_pdf_file_in_place

    signer = Pkcs12KeyBackend(PkiLayout(Path(os.environ["KYHOP_PKI_DIR"])).identities).signer(
        identity="chutich", passphrase=PASSPHRASE
    )
    function = sign_pdf_file_in_place if mode == "in-place" else sign_pdf_file
    idle = _status_kib("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")  # reset VmHWM to the current RSS
    start = time.perf_counter()
    function(source=source, target=target, signer=signer, level=PadesLevel.B_B)
    elapsed = time.perf_counter() - start
    print(json.dumps({"idle_kib": idle, "peak_kib": _status_kib("VmHWM"), "seconds": elapsed}))


def baseline(source: Path, copy: Path) -> float:
    start = time.perf_counter()
    subprocess.run(["cp", str(source), str(copy)], check=True)
    subprocess.run(["sha256sum", str(copy)], check=True, capture_output=True)
    elapsed = time.perf_counter() - start
    copy.unlink()
    return elapsed


def measure(source: Path, target: Path, mode: str) -> dict:
    script = Path(__file__).resolve()
    result = subprocess.run(
        [sys.executable, str(script), "--child", str(source), str(target), mode],
        check=True,
        capture_output=True,
        text=True,
        env=os.environ.copy(),
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def valid(path: Path, directory: Path) -> bool:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    from signing import devpki

    context = ValidationContext(trust_roots=devpki.trust_roots(directory), allow_fetching=True)
    with open(path, "rb") as handle:
        status = validate_pdf_signature(PdfFileReader(handle).embedded_signatures[0], context)
    return bool(status.bottom_line)


def main() -> int:
    from bench_signing_pki import BenchPki, load

    megabytes = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    pki = BenchPki()
    folder = Path(tempfile.mkdtemp(prefix="kyhop-large-"))
    try:
        source = folder / "scan.pdf"
        size = generate(source, megabytes)
        subprocess.run(["cat", str(source)], check=True, stdout=subprocess.DEVNULL)  # warm cache
        base_s = min(baseline(source, folder / "copy.pdf") for _ in range(3))
        print(f"machine: {_harness.machine()} · load {load()}")
        print(f"file: {size / MIB:.1f} MiB ({size} bytes), B-B, RSA-2048 PSS")
        print(f"baseline cp + sha256sum: {base_s:.2f} s (best of 3)")
        for mode in sys.argv[2:] or ["in-place"]:
            target = folder / f"signed-{mode}.pdf"
            figures = measure(source, target, mode)
            over = (figures["peak_kib"] - figures["idle_kib"]) * 1024
            print(
                f"{mode:>9}: {figures['seconds']:.2f} s = {figures['seconds'] / base_s:.2f}x "
                f"baseline (target <= 3x); peak RSS over idle {over / MIB:.1f} MiB = "
                f"{over / size:.3f}x file size (target <= 0.5x); "
                f"idle {figures['idle_kib'] / 1024:.0f} MiB; "
                f"valid: {valid(target, pki.directory)}"
            )
            target.unlink()
    finally:
        for path in folder.iterdir():
            path.unlink()
        folder.rmdir()
        pki.stop()
    return 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        sys.path.insert(0, str(_harness.ROOT))
        child(Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4])
    else:
        sys.exit(main())
