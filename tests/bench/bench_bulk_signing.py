"""Bulk B-T signing of 100 one-page documents vs a plain sequential loop of bare pyHanko.

Both use the same parsed key and the same certomancer TSA (a separate process on loopback).
Baseline: for each document, pyHanko's ``sign_pdf`` with one HTTPTimeStamper made before the
loop. Ours: ``signing.bulk.bulk_sign`` under one confirmation. Target: ≥ 5× faster.

    .venv/bin/python tests/bench/bench_bulk_signing.py [N]
"""

from __future__ import annotations

import asyncio
import io
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _harness
from bench_signing_pki import BenchPki, load, one_page_pdf


def sequential(documents: list[bytes], signer, tsa_url: str) -> list[bytes]:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.sign.timestamps import HTTPTimeStamper

    meta = signers.PdfSignatureMetadata(
        field_name="Signature1", md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES
    )
    timestamper = HTTPTimeStamper(tsa_url)
    return [
        signers.sign_pdf(
            IncrementalPdfFileWriter(io.BytesIO(data)), meta, signer=signer, timestamper=timestamper
        ).getvalue()
        for data in documents
    ]


def bulk(documents: list[bytes], signer, concurrency: int):
    from signing.bulk import BulkItem, bulk_sign
    from signing.pades import PadesLevel

    items = [BulkItem(key=str(n), data=data) for n, data in enumerate(documents)]
    return asyncio.run(
        bulk_sign(
            items, signer_factory=lambda: signer, level=PadesLevel.B_T, concurrency=concurrency
        )
    )


def check(data: bytes, pki: BenchPki) -> bool:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    from signing import pki as dev_pki

    context = ValidationContext(trust_roots=dev_pki.trust_roots(pki.directory), allow_fetching=True)
    status = validate_pdf_signature(PdfFileReader(io.BytesIO(data)).embedded_signatures[0], context)
    return bool(
        status.bottom_line and status.timestamp_validity and status.timestamp_validity.valid
    )


def run(count: int, delay: float) -> bool:
    pki = BenchPki(remote_tsa_delay=delay)
    try:
        from signing.bulk import DEFAULT_CONCURRENCY

        signer = pki.signer()
        documents = [one_page_pdf(str(n)) for n in range(count)]
        sequential(documents[:3], signer, pki.tsa_url)  # warm-up for both paths
        bulk(documents[:3], signer, DEFAULT_CONCURRENCY)
        start = time.perf_counter()
        baseline = sequential(documents, signer, pki.tsa_url)
        seq_s = time.perf_counter() - start
        start = time.perf_counter()
        results = bulk(documents, signer, DEFAULT_CONCURRENCY)
        bulk_s = time.perf_counter() - start
        ok = sum(r.ok for r in results)
        for error in sorted({r.error for r in results if not r.ok}):
            print(f"error: {error}")
        valid = (
            all(r.ok for r in results) and check(results[-1].data, pki) and check(baseline[-1], pki)
        )
        tsa = (
            f"remote-TSA model: key parsed once, +{delay * 1000:.0f} ms round trip"
            if delay
            else "certomancer TSA as shipped (CPU-bound: re-parses its key per token)"
        )
        print(f"machine: {_harness.machine()} · load {load()}")
        print(f"{count} one-page PDFs at B-T, RSA-2048; TSA on loopback, own process; {tsa}")
        print(f"sequential bare pyHanko loop: {seq_s:6.2f} s ({seq_s / count * 1000:.0f} ms/doc)")
        print(
            f"bulk_sign (concurrency {DEFAULT_CONCURRENCY}):    {bulk_s:6.2f} s "
            f"({bulk_s / count * 1000:.0f} ms/doc), {ok}/{count} ok, sample valid: {valid}"
        )
        speedup = seq_s / bulk_s
        print(f"speed-up: {speedup:.2f}x (target >= 5x) -> {'OK' if speedup >= 5 else 'MISSED'}")
    finally:
        pki.stop()
    return ok == count


def main() -> int:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    delays = [float(d) for d in sys.argv[2:]] or [0.0, 0.1]
    results = [run(count, delay) for delay in delays]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
