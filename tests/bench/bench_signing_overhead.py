"""Service-layer B-B signing of a one-page PDF vs the bare pyHanko call with the same key.

Service layer: read the version's bytes from storage, sign through signing.pades.sign (certificate
checks, field choice) with the cached key from signing.pades.keys, store the new bytes
(content-addressed), and append an audit row, in one transaction on a private SQLite
database. Bare: pyHanko's ``sign_pdf`` on bytes in memory with the same parsed key.
Interleaved, median of ROUNDS each; target ≤ 1.25×.

    .venv/bin/python tests/bench/bench_signing_overhead.py
"""

from __future__ import annotations

import hashlib
import io
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _harness
from bench_signing_pki import BenchPki, load, one_page_pdf

ROUNDS = 60


def bare(data: bytes, signer) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    meta = signers.PdfSignatureMetadata(
        field_name="Signature1", md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES
    )
    out = signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(data)), meta, signer=signer)
    return out.getvalue()


def service(name: str, backend, passphrase: str) -> str:
    from django.db import transaction

    from audit.services import audit_record
    from documents.storage import blob_open, blob_write
    from signing.pades.sign import PadesLevel, sign_pdf_bytes

    with blob_open(name) as handle:
        data = handle.read()
    signer = backend.signer(identity="chutich", passphrase=passphrase)  # cached after the first
    signed = sign_pdf_bytes(data=data, signer=signer, level=PadesLevel.B_B)
    sha = hashlib.sha256(signed).hexdigest()
    with transaction.atomic():
        stored, _new = blob_write(io.BytesIO(signed), sha256=sha)
        audit_record(
            actor=None,
            verb="signature.applied",
            object_type="documents.documentversion",
            object_id=sha[:12],
            details={"sha256": sha, "level": "B-B", "source": name},
        )
    return stored


def main() -> int:
    pki = BenchPki()
    try:
        from bench_signing_pki import PASSPHRASE

        from documents.storage import blob_write
        from signing.backends.pkcs12 import Pkcs12KeyBackend
        from signing.devpki import PkiLayout

        data = one_page_pdf("overhead")
        source, _ = blob_write(io.BytesIO(data), sha256=hashlib.sha256(data).hexdigest())
        backend = Pkcs12KeyBackend(PkiLayout(pki.directory).identities)
        signer = backend.signer(identity="chutich", passphrase=PASSPHRASE)
        for _ in range(5):  # warm up imports, font caches, the key cache, SQLite
            bare(data, signer)
            service(source, backend, PASSPHRASE)
        bare_times, service_times = [], []
        for _ in range(ROUNDS):
            start = time.perf_counter()
            bare(data, signer)
            bare_times.append(time.perf_counter() - start)
            start = time.perf_counter()
            service(source, backend, PASSPHRASE)
            service_times.append(time.perf_counter() - start)
        bare_ms, service_ms = _harness.median_ms(bare_times), _harness.median_ms(service_times)
        print(f"machine: {_harness.machine()} · load {load()}")
        print(f"one-page PDF ({len(data)} bytes), B-B, RSA-2048 PSS, {ROUNDS} rounds interleaved")
        print(
            f"bare pyHanko sign_pdf (cached key):        median {bare_ms:7.1f} ms "
            f"(p90 {statistics.quantiles(bare_times, n=10)[-1] * 1000:.1f})"
        )
        print(
            f"service layer (storage+sign+store+audit):  median {service_ms:7.1f} ms "
            f"(p90 {statistics.quantiles(service_times, n=10)[-1] * 1000:.1f})"
        )
        ratio = service_ms / bare_ms
        print(
            f"ratio service/bare: {ratio:.2f}x (target <= 1.25x) -> "
            f"{'OK' if ratio <= 1.25 else 'MISSED'}"
        )
    finally:
        pki.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
