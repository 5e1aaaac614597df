"""Bulk signing on every core: worker processes, each signing many documents concurrently.

Why processes: once the time-stamp waits overlap (``bulk.bulk_sign``), what is left is CPU —
pyHanko reading the PDF, hashing, building the CMS with asn1crypto — and that is Python code
holding the GIL, so threads cannot spread it over two cores. Each worker keeps, for its whole
life, its own event loop, one aiohttp session and one TSA client per TSA (keep-alive
connections, the cached size-estimate token), and the parsed signers of the identities it
has seen: a signer is built once per worker from a picklable :class:`Pkcs12SignerSpec`.

The spec carries the PKCS#12 bytes and the passphrase to the worker through the pool's pipe
only (never a file, never a log): the same secret the web process already holds in memory
while the batch runs, and the parsed key is cached the same way as ``signing.backends.pkcs12`` does.

Documents are sent in chunks, a few per worker, so that progress comes back while the batch
runs; each chunk's results are reported one per document, like ``bulk_sign``. A failed
document is its own result; a worker that dies fails its chunk's documents, not the batch.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import math
import multiprocessing
import os
import secrets
import threading
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace

import aiohttp
from django.utils.translation import gettext_noop
from pyhanko.sign.general import SigningError
from pyhanko.sign.signers import Signer
from pyhanko.sign.timestamps import HTTPTimeStamper, TimestampRequestError

from signing.backends.pkcs12 import signer_from_pkcs12
from signing.bulk.inprocess import sign_one
from signing.bulk.types import (
    DEFAULT_CONCURRENCY,
    BulkItem,
    BulkResult,
    ProgressCallback,
    ProgressReporter,
)
from signing.i18n import gettext
from signing.pades.certcheck import CertificateStatus
from signing.pades.sign import (
    PadesLevel,
    SigningServices,
    reservation_for,
    signer_cleared,
    signing_services,
    timestamper_for,
)

CHUNKS_PER_WORKER = 3  # progress granularity vs the idle tail at the end of each chunk
WORKER_LOST = gettext_noop(
    "Tiến trình ký bị dừng bất thường; tài liệu này chưa được ký. Vui lòng ký lại."
)


@dataclass(frozen=True)
class Pkcs12SignerSpec:
    """How a worker builds the signer: a PKCS#12 file's bytes and its passphrase."""

    identity: str
    data: bytes = field(repr=False)
    passphrase: str = field(repr=False)
    prefer_pss: bool = True

    def __call__(self) -> Signer:
        return signer_from_pkcs12(
            data=self.data,
            passphrase=self.passphrase,
            identity=self.identity,
            prefer_pss=self.prefer_pss,
        )


# --- In the worker process ---------------------------------------------------------------------


class _Worker:
    """One per worker process: its loop, HTTP session, TSA clients and parsed signers."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.session: aiohttp.ClientSession | None = None
        self.timestampers: dict[tuple[str, float], HTTPTimeStamper] = {}
        self.signers: dict[str, Signer] = {}
        self.reserved: dict[tuple[str, str], int | None] = {}
        self.salt = secrets.token_bytes(32)

    def signer(self, spec: Pkcs12SignerSpec) -> tuple[str, Signer]:
        # Keyed by the file and an HMAC of the passphrase, never the passphrase itself.
        secret = hmac.new(self.salt, spec.passphrase.encode(), hashlib.sha256).hexdigest()
        key = f"{spec.identity}|{hashlib.sha256(spec.data).hexdigest()}|{secret}|{spec.prefer_pss}"
        if key not in self.signers:
            self.signers[key] = spec()
        return key, self.signers[key]

    def timestamper(self, services: SigningServices) -> HTTPTimeStamper:
        if self.session is None:
            self.session = aiohttp.ClientSession()  # called inside the worker's loop
        key = (services.tsa_url, services.tsa_timeout)
        if key not in self.timestampers:
            self.timestampers[key] = timestamper_for(services, session=self.session)
        return self.timestampers[key]

    async def sign(
        self,
        items: list[BulkItem],
        spec: Pkcs12SignerSpec,
        level: PadesLevel,
        services: SigningServices | None,
        concurrency: int,
        status: CertificateStatus,
    ) -> list[BulkResult]:
        signer_key, signer = self.signer(spec)
        timestamper = self.timestamper(services) if services else None
        reserved_key = (signer_key, timestamper.url if timestamper else "")
        if reserved_key not in self.reserved:
            try:
                self.reserved[reserved_key] = await reservation_for(
                    signer=signer, timestamper=timestamper
                )
            except (TimestampRequestError, SigningError, aiohttp.ClientError):
                # TSA down: each document meets the same error and reports it; not cached.
                return await self._sign_items(
                    items, signer, level, timestamper, services, 1, None, status
                )
        return await self._sign_items(
            items,
            signer,
            level,
            timestamper,
            services,
            concurrency,
            self.reserved[reserved_key],
            status,
        )

    async def _sign_items(
        self,
        items: list[BulkItem],
        signer: Signer,
        level: PadesLevel,
        timestamper: HTTPTimeStamper | None,
        services: SigningServices | None,
        concurrency: int,
        reserved: int | None,
        status: CertificateStatus,
    ) -> list[BulkResult]:
        gate = asyncio.Semaphore(concurrency)

        async def run(item: BulkItem) -> BulkResult:
            async with gate:
                return await sign_one(
                    item,
                    signer=signer,
                    level=level,
                    timestamper=timestamper,
                    services=services,
                    bytes_reserved=reserved,
                    # Checked once by the parent for the whole batch: no worker asks the CA.
                    certificate_status=status,
                )

        return list(await asyncio.gather(*(run(item) for item in items)))


_worker: _Worker | None = None


def _worker_sign(
    items: list[BulkItem],
    spec: Pkcs12SignerSpec,
    level: str,
    services: SigningServices | None,
    concurrency: int,
    status: CertificateStatus,
) -> list[BulkResult]:
    global _worker
    if _worker is None:
        _worker = _Worker()
    return _worker.loop.run_until_complete(
        _worker.sign(items, spec, PadesLevel(level), services, concurrency, status)
    )


def _worker_ready(_index: int) -> int:
    """A no-op the parent runs on every worker so that starting them (imports) is done."""
    return os.getpid()


# --- In the web (or command) process -----------------------------------------------------------

_pool: ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()


def worker_count() -> int:
    return max(1, os.cpu_count() or 1)


def pool() -> ProcessPoolExecutor:
    """The process's pool, started on first use and kept: starting workers costs about a
    second (imports), far more than signing a document. ``forkserver``: forking a web
    process that runs threads (the ASGI server's, the bulk job's) is unsafe."""
    global _pool
    with _pool_lock:
        if _pool is None:
            context = multiprocessing.get_context("forkserver")
            _pool = ProcessPoolExecutor(max_workers=worker_count(), mp_context=context)
        return _pool


def pool_warm() -> None:
    """Start every worker now (e.g. when a server starts, or before a measurement)."""
    executor = pool()
    list(executor.map(_worker_ready, range(worker_count() * 2)))


def pool_shutdown() -> None:
    global _pool
    with _pool_lock:
        if _pool is not None:
            _pool.shutdown(wait=True, cancel_futures=True)
            _pool = None


def _chunks(items: Sequence[BulkItem], workers: int, concurrency: int) -> list[list[BulkItem]]:
    size = max(concurrency, math.ceil(len(items) / (workers * CHUNKS_PER_WORKER)))
    return [list(items[start : start + size]) for start in range(0, len(items), size)]


async def bulk_sign_processes(
    items: Sequence[BulkItem],
    *,
    signer_spec: Pkcs12SignerSpec,
    level: PadesLevel,
    on_progress: ProgressCallback | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    services: SigningServices | None = None,
    certificate_status: CertificateStatus | None = None,
) -> list[BulkResult]:
    """Like ``bulk_sign`` for a PKCS#12 identity, with the work spread over every core.

    The passphrase is checked here, once, before any document is sent: a wrong one raises
    its ValidationError and nothing is signed. So is the certificate (rules, chain,
    revocation), once for the batch, and its status travels with the documents.
    """
    level = PadesLevel(level)
    signer = signer_spec()  # the one confirmation: a wrong passphrase stops here
    status = await signer_cleared(signer, certificate_status, services or signing_services())
    if level.needs_timestamp:
        services = services or signing_services()
    reporter = ProgressReporter(len(items), on_progress)
    loop = asyncio.get_running_loop()
    executor = pool()
    results: dict[str, BulkResult] = {}

    async def run(chunk: list[BulkItem]) -> None:
        try:
            signed = await loop.run_in_executor(
                executor,
                _worker_sign,
                chunk,
                signer_spec,
                str(level),
                services,
                concurrency,
                status,
            )
        except BrokenProcessPool:
            pool_shutdown()  # the next batch starts a fresh pool
            signed = [BulkResult(key=item.key, error=WORKER_LOST) for item in chunk]
        for result in signed:
            if result.error:
                # A worker cannot translate (no app registry): its messages come back in
                # Vietnamese, and those without parameters are their own message ids.
                result = replace(result, error=gettext(result.error))
            results[result.key] = await reporter.report(result)

    await asyncio.gather(*(run(chunk) for chunk in _chunks(items, worker_count(), concurrency)))
    return [results[item.key] for item in items]
