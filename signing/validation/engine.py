"""The validation engine: every signature and document time-stamp of a PDF, checked by pyHanko.

Pure and Django-free on purpose: ``runner`` executes it in a child process with a hard time
limit, so a hostile file can be killed without touching the web worker. Configuration comes in
a ``ValidationConfig``; the outcome is a ``report.Report``.

Trust comes only from the configured roots (never the operating system's store). Revocation is
*required* for every certificate of a signer's chain: from the file's DSS, or fetched online if
the configuration allows it. When a path is found but revocation data is missing, a second,
lenient pass tells "missing revocation data" apart from other chain problems.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import io
import logging
import resource
import time
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from typing import TypedDict

from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.crypt import PubKeySecurityHandler
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import (
    DEFAULT_DIFF_POLICY,
    DiffPolicy,
    DiffResult,
    ModificationLevel,
    SuspiciousModification,
)
from pyhanko.sign.fields import MDPPerm, enumerate_sig_fields
from pyhanko.sign.validation import (
    async_validate_pdf_signature,
    async_validate_pdf_timestamp,
)
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import (
    DocumentTimestampStatus,
    PdfSignatureStatus,
)
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend
from pyhanko_certvalidator.fetchers.api import OwnedFetcherBackend
from pyhanko_certvalidator.path import ValidationPath

from signing.validation import checks, guard, hexstrings, structure, texts, visual
from signing.validation.changes import ChangeKind, allowed, describe, revision_kinds
from signing.validation.diffchain import ChainedDiffPolicy, Tail, can_chain
from signing.validation.report import (
    CertificateInfo,
    CheckStatus,
    LaterChange,
    Report,
    SignatureResult,
    conclude,
    refusal,
)

logger = logging.getLogger(__name__)

# Parsing a hostile PDF can fail in any of these ways (pyHanko's own errors, and plain Python
# errors on structures it did not expect); each means "this PDF cannot be read".
PARSE_ERRORS = (
    PdfError,
    ValueError,
    KeyError,
    TypeError,
    IndexError,
    AttributeError,
    AssertionError,
    RecursionError,
    NotImplementedError,
    zlib.error,
)


@dataclass(frozen=True)
class ValidationConfig:
    trust_roots: tuple[bytes, ...]  # DER
    trust_root_names: tuple[str, ...]
    fetch: bool
    fetch_timeout: float
    max_signatures: int
    visual: bool = True  # render and compare the pages (``visual``); off only to measure it
    visual_max_pages: int = 500


class Refused(Exception):
    def __init__(self, code: str, message_id: str = "", **params: object) -> None:
        self.refusal = refusal(code, message_id, **params)
        super().__init__(self.refusal.message)


# --- Reading the file -------------------------------------------------------------------------


def _open(data: bytes) -> tuple[PdfFileReader, bool]:
    """A reader for *data*, strict first and lenient if needed; the flag says which."""
    if not data:
        raise Refused("empty")
    if b"%PDF-" not in data[:1024]:
        raise Refused("not_pdf")
    try:
        reader = _decrypted(PdfFileReader(io.BytesIO(data), strict=True))
        # Hybrid-reference files (classic table plus /XRefStm, common from office suites) read
        # fine, but pyHanko's strict mode refuses to check signatures in them, which would
        # report a sound signature as broken. Lenient mode resolves them as ISO 32000-2 says.
        if not reader.xrefs.hybrid_xrefs_present:
            return reader, False
    except Refused:
        raise
    except PARSE_ERRORS as strict_error:
        logger.info("Đọc PDF chế độ chặt thất bại, thử chế độ dễ dãi: %s", strict_error)
    try:
        reader = _decrypted(PdfFileReader(io.BytesIO(data), strict=False))
        reader.root  # noqa: B018 - forces the trailer and catalog to parse now
        return reader, True
    except Refused:
        raise
    except PARSE_ERRORS as exc:
        raise Refused("unreadable") from exc


def _decrypted(reader: PdfFileReader) -> PdfFileReader:
    if not reader.encrypted:
        return reader
    if isinstance(reader.security_handler, PubKeySecurityHandler):
        # Encrypted for its recipients' certificates: no password opens it, only their keys.
        raise Refused("encrypted", "refusal.encrypted_pubkey")
    # Many "protected" PDFs only restrict printing: they open with the empty user password.
    with contextlib.suppress(*PARSE_ERRORS):
        if reader.decrypt(b"").status.name != "FAILED":
            return reader
    raise Refused("encrypted")


# What pyHanko's ``enumerate_sig_fields`` yields (it is unannotated): the field's full name,
# its ``/V`` value and the reference to the field dictionary.
_SignatureFields = list[tuple[str, generic.PdfObject | None, generic.IndirectObject]]


def _signature_fields(reader: PdfFileReader, limit: int) -> _SignatureFields:
    fields = list(enumerate_sig_fields(reader, filled_status=True))
    if len(fields) > limit:
        raise Refused("too_many_signatures", count=len(fields), limit=limit)
    return fields


# --- Validation contexts -----------------------------------------------------------------------


@dataclass
class _Embedded:
    certs: list[asn1_x509.Certificate]
    ocsps: list[asn1_ocsp.OCSPResponse]
    crls: list[asn1_crl.CertificateList]


_DSS_ARRAYS = (
    ("/Certs", "/Cert", asn1_x509.Certificate),
    ("/OCSPs", "/OCSP", asn1_ocsp.OCSPResponse),
    ("/CRLs", "/CRL", asn1_crl.CertificateList),
)


def _embedded_material(reader: PdfFileReader, report: Report) -> _Embedded:
    """The DSS's certificates, OCSP responses and CRLs, its VRI dictionaries' included.

    Read entry by entry (pyHanko's ``read_dss`` stops at the first one it cannot decode): an
    entry that cannot be read (a stream that does not decompress, bytes that are no DER) is
    left out, and the report says the DSS is damaged.
    """
    loaded: dict[type, dict[bytes, object]] = {kind: {} for _a, _b, kind in _DSS_ARRAYS}
    damaged = False
    try:
        dss = _resolved(reader.root.get("/DSS"))
        sources = [dss] if isinstance(dss, generic.DictionaryObject) else []
        vri = _resolved(dss.get("/VRI")) if sources else None
        if isinstance(vri, generic.DictionaryObject):
            entries = (_resolved(v) for v in vri.values())
            sources += [v for v in entries if isinstance(v, generic.DictionaryObject)]
        for source_index, source in enumerate(sources):
            for dss_key, vri_key, kind in _DSS_ARRAYS:
                entries = _resolved(source.get(dss_key if source_index == 0 else vri_key))
                for entry in entries if isinstance(entries, generic.ArrayObject) else []:
                    damaged |= not _load_into(loaded[kind], entry, kind)
    except PARSE_ERRORS as exc:
        logger.info("Không đọc được DSS: %r", exc)
        damaged = True
    if damaged:
        report.notes.append(texts.NOTES["dss_damaged"])
    certs, ocsps, crls = (list(loaded[kind].values()) for _a, _b, kind in _DSS_ARRAYS)
    return _Embedded(certs=certs, ocsps=ocsps, crls=crls)


def _resolved(value):
    return value.get_object() if isinstance(value, generic.IndirectObject) else value


def _load_into(found: dict[bytes, object], entry: generic.PdfObject, kind) -> bool:
    try:
        der = entry.get_object().data
        if der not in found:
            item = kind.load(der)
            item.native  # noqa: B018 - asn1crypto parses lazily; fail here, not in a check
            found[der] = item
    except PARSE_ERRORS as exc:
        logger.info("Bỏ qua một mục DSS không đọc được: %r", exc)
        return False
    return True


def _context(
    config: ValidationConfig, embedded: _Embedded, *, require_revocation: bool = True
) -> ValidationContext:
    backend = None
    if config.fetch:
        # Owned: the context's aclose() releases the aiohttp session it opened.
        backend = OwnedFetcherBackend(
            AIOHttpFetcherBackend(per_request_timeout=config.fetch_timeout)
        )
    return ValidationContext(
        trust_roots=[asn1_x509.Certificate.load(der) for der in config.trust_roots],
        other_certs=embedded.certs,
        ocsps=[o.dump() for o in embedded.ocsps],
        crls=[c.dump() for c in embedded.crls],
        allow_fetching=config.fetch,
        revocation_mode="require" if require_revocation else "soft-fail",
        # Revocation data gathered at signing time is newer than the signature's own time:
        # accept it, as PAdES B-LT intends.
        retroactive_revinfo=True,
        fetcher_backend=backend,
    )


# --- One signature -----------------------------------------------------------------------------


def certificate_info(cert: asn1_x509.Certificate) -> CertificateInfo:
    """Who a certificate names; ``UnusualCertificate`` if asn1crypto cannot read its fields."""
    try:
        subject = cert.subject.native
        return CertificateInfo(
            subject=cert.subject.human_friendly,
            common_name=str(subject.get("common_name", "")),
            organisation=str(subject.get("organization_name", "")),
            serial=format(cert.serial_number, "X"),
            issuer=cert.issuer.human_friendly,
            not_before=cert.not_valid_before,
            not_after=cert.not_valid_after,
            sha256=hashlib.sha256(cert.dump()).hexdigest(),
        )
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise guard.UnusualCertificate(str(exc) or type(exc).__name__) from exc


class _Revisions:
    """What each revision of one file changed, worked out once per run.

    Every signature lists the changes made after it; without this, the n-th revision would be
    re-analysed by every earlier signature and time-stamp (quadratic in the signature count).
    """

    def __init__(self, reader: PdfFileReader, signature_revisions: dict[int, str]) -> None:
        self.reader = reader
        self.signature_revisions = signature_revisions
        self._kinds: dict[int, frozenset[ChangeKind]] = {}

    def kinds(self, revision: int) -> frozenset[ChangeKind]:
        if revision not in self._kinds:
            try:
                found = revision_kinds(
                    self.reader, revision, signature_revisions=self.signature_revisions
                )
            except PARSE_ERRORS as exc:
                # The update itself is damaged: that is not proof of tampering with the
                # signature; the check of later changes says it could not read it.
                logger.info("Không đọc được lần cập nhật %d: %r", revision + 1, exc)
                found = {ChangeKind.UNREADABLE}
            self._kinds[revision] = frozenset(found)
        return self._kinds[revision]


def _later_changes(revisions: _Revisions, signed: int, perm: MDPPerm | None) -> list[LaterChange]:
    changes = []
    for revision in range(signed + 1, revisions.reader.xrefs.total_revisions):
        kinds = set(revisions.kinds(revision))
        changes.append(
            LaterChange(
                revision=revision + 1,
                kinds=tuple(sorted(kinds)),
                description=describe(kinds),
                allowed=allowed(kinds, perm),
            )
        )
    return changes


@dataclass(frozen=True)
class Review:
    """pyHanko's difference analysis of the revisions after one signature."""

    diff: DiffResult | SuspiciousModification
    docmdp_ok: bool

    @property
    def level(self) -> ModificationLevel:
        if isinstance(self.diff, DiffResult):
            return self.diff.modification_level
        return ModificationLevel.OTHER


def _start(kind: str, emb: EmbeddedPdfSignature, reader: PdfFileReader) -> SignatureResult:
    result = SignatureResult(kind=kind, field_name=str(emb.field_name))
    result.total_revisions = reader.xrefs.total_revisions
    result.signed_revision = emb.signed_revision + 1

    def signer() -> None:
        result.signer = certificate_info(emb.signer_cert)

    guard.run(result, "certificate", signer)
    return result


def _proven(
    result: SignatureResult, data: bytes, reader: PdfFileReader, emb: EmbeddedPdfSignature
) -> structure.SignedBytes | None:
    """KyHop's own structural proof (``structure``), whatever pyHanko's coverage level says."""
    try:
        proof = structure.prove(data, reader, emb)
    except structure.Wrapped as wrapped:
        checks.wrapped(result, wrapped.code)
        return None
    except (*guard.DAMAGED, ValueError, KeyError, IndexError) as exc:
        # The signature's own bytes cannot be read the way a signature must be: not proven.
        logger.info("Không đọc được cấu trúc chữ ký %s: %r", result.field_name, exc)
        checks.wrapped(result, "unreadable")
        return None
    except Exception as exc:  # our own bug: this check only, logged
        guard.indeterminate(result, "structure", exc)
        return None
    checks.proven(result, proof)
    return proof


def _unverifiable(result: SignatureResult, exc: Exception) -> None:
    """pyHanko could not verify the signature value: whose problem is it?"""
    unusual = any(c.message_id == "problem.certificate" for c in result.checks)
    if unusual or isinstance(exc, guard.UnusualCertificate):
        guard.indeterminate(result, "integrity", guard.UnusualCertificate(str(exc)))
    elif isinstance(exc, ValueError | KeyError | PdfError):
        # Raised from the signature's own bytes (CMS structure, attributes): it is unusable.
        logger.info("Chữ ký %s không phân tích được: %r", result.field_name, exc)
        checks.broken_structure(result, exc)
    else:
        guard.indeterminate(result, "integrity", exc)


def _review(result: SignatureResult, emb: EmbeddedPdfSignature, tail: Tail | None) -> Review | None:
    """The difference analysis on its own: an unreadable later revision makes *this* check
    indeterminate (the file is damaged there), never the signature broken."""
    policy = _diff_policy(emb, tail) or DEFAULT_DIFF_POLICY
    try:
        diff = emb.evaluate_modifications(policy)
    except Exception as exc:  # this check only, with its cause
        guard.indeterminate(result, "changes", exc)
        return None
    perm = emb.docmdp_level
    review = Review(diff=diff, docmdp_ok=True)
    ok = review.level != ModificationLevel.OTHER and (
        perm is None or review.level.value <= perm.value
    )
    return Review(diff=diff, docmdp_ok=ok)


def signature_type(reader: PdfFileReader, emb: EmbeddedPdfSignature) -> str:
    """Certification if the catalog's ``/Perms /DocMDP`` names this signature, else approval."""
    try:
        perms = reader.root.get("/Perms")
        if not isinstance(perms, generic.DictionaryObject) or "/DocMDP" not in perms:
            return "approval"
        certifying, value = perms.raw_get("/DocMDP"), emb.sig_field.raw_get("/V")
    except PARSE_ERRORS:
        return "approval"
    if isinstance(certifying, generic.IndirectObject) and isinstance(value, generic.IndirectObject):
        return "certification" if certifying.reference == value.reference else "approval"
    return "approval"


async def _signature(
    emb: EmbeddedPdfSignature,
    *,
    data: bytes,
    reader: PdfFileReader,
    config: ValidationConfig,
    embedded: _Embedded,
    context: ValidationContext,
    revisions: _Revisions,
    tail: Tail | None,
) -> tuple[SignatureResult, PdfSignatureStatus | None, Review | None, int | None]:
    result = _start("signature", emb, reader)
    proof = _proven(result, data, reader, emb)
    if proof is None:
        return result, None, None, None
    try:
        # The difference analysis runs apart (``_review``): a damaged later revision must not
        # read as a broken signature.
        status = await async_validate_pdf_signature(emb, context, skip_diff=True)
    except Exception as exc:  # sorted by cause in _unverifiable
        _unverifiable(result, exc)
        return result, None, None, None
    _describe_status(result, emb, status)
    perm = emb.docmdp_level
    review = _review(result, emb, tail)
    if review is not None:
        result.modification_level = review.level.name.lower()
    result.later_changes = _later_changes(revisions, emb.signed_revision, perm)
    checks.integrity(result, status)
    checks.coverage(result, status)
    if review is not None:
        checks.changes(result, status.coverage, review.diff, review.docmdp_ok)
    guard.run(
        result,
        "overlay",
        lambda: checks.overlays(result, checks.later_unsigned_fields(reader, emb.signed_revision)),
    )
    checks.signature_type(result, signature_type(reader, emb), perm)
    if checks.already_failed(result):
        checks.trust_skipped(result)
        return result, status, review, proof.end
    await guard.run_async(
        result, "chain", lambda: _trust(result, status, emb=emb, config=config, embedded=embedded)
    )
    guard.run(result, "timestamp", lambda: checks.timestamp(result, status))
    guard.run(result, "algorithms", lambda: checks.algorithms(result, emb, status))
    at = result.timestamp_time or result.claimed_signing_time or datetime.now(UTC)
    guard.run(result, "certificate", lambda: checks.certificate_usage(result, emb, at))
    return result, status, review, proof.end


def _diff_policy(emb: EmbeddedPdfSignature, tail: Tail | None) -> DiffPolicy | None:
    """The next signature's review when it applies (see ``diffchain``); None: pyHanko's own."""
    if tail is not None and can_chain(tail, field_mdp=emb.fieldmdp, doc_mdp=emb.docmdp_level):
        return ChainedDiffPolicy(tail)
    return None


def _tail(emb: EmbeddedPdfSignature, review: Review | None) -> Tail | None:
    """This signature's judgement of the revisions after it, for the signature before it."""
    if review is None or not isinstance(review.diff, DiffResult):
        return None  # broken, or something suspicious: earlier signatures review in full
    return Tail(revision=emb.signed_revision, doc_mdp=emb.docmdp_level, result=review.diff)


def _describe_status(
    result: SignatureResult, emb: EmbeddedPdfSignature, status: PdfSignatureStatus
) -> None:
    result.claimed_signing_time = status.signer_reported_dt
    if status.timestamp_validity is not None:
        result.timestamp_time = status.timestamp_validity.timestamp
    result.coverage = checks.coverage_code(status.coverage)
    result.reason = str(emb.sig_object.get("/Reason", ""))
    result.location = str(emb.sig_object.get("/Location", ""))
    if status.validation_path is not None:
        with contextlib.suppress(guard.UnusualCertificate):  # the certificate line says so
            result.chain = [certificate_info(c) for c in _path_certs(status.validation_path)]


def _path_certs(path: ValidationPath) -> list[asn1_x509.Certificate]:
    """The chain from the signer's certificate up to the trust root (root last)."""
    return list(reversed(list(path.iter_certs(include_root=True))))


async def _trust(
    result: SignatureResult,
    status: PdfSignatureStatus | DocumentTimestampStatus,
    *,
    emb: EmbeddedPdfSignature,
    config: ValidationConfig,
    embedded: _Embedded,
) -> None:
    """Chain and revocation lines; a second lenient pass only when the strict one failed."""
    chain_ok_without_revocation = False
    if not status.trusted and status.validation_path is not None and config.trust_roots:
        lenient = _context(config, embedded, require_revocation=False)
        try:
            # Only the chain is in question: the changes were judged by the first pass.
            second: PdfSignatureStatus | DocumentTimestampStatus
            if result.kind == "signature":
                second = await async_validate_pdf_signature(emb, lenient, skip_diff=True)
            else:
                second = await async_validate_pdf_timestamp(emb, lenient, skip_diff=True)
            chain_ok_without_revocation = second.trusted
        finally:
            await lenient.aclose()
    checks.chain(result, status, config.trust_root_names, chain_ok_without_revocation)
    if not config.trust_roots:
        return  # nothing to check revocation against: the chain line says why
    checks.revocation(
        result,
        status,
        embedded_covers=checks.embedded_covers(emb.signer_cert, embedded.ocsps, embedded.crls),
        fetch=config.fetch,
        missing=chain_ok_without_revocation,
    )


async def _timestamp(
    emb: EmbeddedPdfSignature,
    *,
    data: bytes,
    reader: PdfFileReader,
    config: ValidationConfig,
    embedded: _Embedded,
    context: ValidationContext,
    revisions: _Revisions,
) -> SignatureResult:
    result = _start("timestamp", emb, reader)
    if _proven(result, data, reader, emb) is None:
        return result
    try:
        # No difference analysis here: every signature before this time-stamp already reviews
        # all later revisions under its own policy, and a change after the time-stamp matters
        # only to those signatures. Repeating it per time-stamp made validation quadratic.
        status = await async_validate_pdf_timestamp(emb, context, skip_diff=True)
    except Exception as exc:  # sorted by cause in _unverifiable
        _unverifiable(result, exc)
        return result
    result.timestamp_time = status.timestamp
    result.coverage = checks.coverage_code(status.coverage)
    if status.validation_path is not None:
        with contextlib.suppress(guard.UnusualCertificate):
            result.chain = [certificate_info(c) for c in _path_certs(status.validation_path)]
    result.later_changes = _later_changes(revisions, emb.signed_revision, None)
    checks.integrity(result, status)
    checks.coverage(result, status)
    if checks.already_failed(result):
        return result
    await guard.run_async(
        result, "chain", lambda: _trust(result, status, emb=emb, config=config, embedded=embedded)
    )
    return result


# --- The whole file ----------------------------------------------------------------------------


def _embedded_signatures(
    reader: PdfFileReader, fields: _SignatureFields, report: Report
) -> list[EmbeddedPdfSignature]:
    found = []
    for name, _value, field_ref in fields:
        try:
            found.append(EmbeddedPdfSignature(reader, field_ref.get_object(), name))
        except Exception as exc:  # a malformed signature dictionary is a finding
            broken = SignatureResult(kind="signature", field_name=str(name))
            if guard.cause(exc) == "bug" and not isinstance(exc, PARSE_ERRORS):
                guard.indeterminate(broken, "structure", exc)
            else:
                checks.broken_structure(broken, exc)
            report.signatures.append(broken)
    return sorted(found, key=_revision_or_last)


def _revision_or_last(emb: EmbeddedPdfSignature) -> int:
    try:
        return emb.signed_revision
    except PARSE_ERRORS:
        return 1 << 30


def _pades_level(
    result: SignatureResult,
    emb: EmbeddedPdfSignature,
    status: PdfSignatureStatus | None,
    timestamps: list[SignatureResult],
    embedded: _Embedded,
) -> None:
    if status is None or any(c.status is CheckStatus.FAILED for c in result.checks):
        return  # a failed signature reaches no level
    guard.run(
        result,
        "pades_level",
        lambda: checks.pades_level(result, emb, status, timestamps, embedded),
    )


class _Common(TypedDict):
    """The arguments every signature and time-stamp of one file is validated with."""

    data: bytes
    reader: PdfFileReader
    config: ValidationConfig
    embedded: _Embedded
    context: ValidationContext
    revisions: _Revisions


async def _validate_reader(
    data: bytes, reader: PdfFileReader, report: Report, config: ValidationConfig
) -> None:
    fields = _signature_fields(reader, config.max_signatures)
    sigs = _embedded_signatures(reader, fields, report)
    signature_revisions = {}
    for emb in sigs:
        with contextlib.suppress(*PARSE_ERRORS):
            kind = "timestamp" if emb.sig_object_type == "/DocTimeStamp" else "signature"
            signature_revisions[emb.signed_revision] = kind
    embedded = _embedded_material(reader, report)
    context = _context(config, embedded)
    common = _Common(
        data=data,
        reader=reader,
        config=config,
        embedded=embedded,
        context=context,
        revisions=_Revisions(reader, signature_revisions),
    )
    is_timestamp = {
        id(e): signature_revisions.get(_revision_or_last(e)) == "timestamp" for e in sigs
    }
    statuses: list[tuple[SignatureResult, EmbeddedPdfSignature, PdfSignatureStatus | None]] = []
    signed_ends: dict[int, int] = {}  # id(result) -> end of its proven signed revision
    try:
        for emb in (e for e in sigs if is_timestamp[id(e)]):
            report.timestamps.append(await _timestamp(emb, **common))
        # Last signature first, so that each one can reuse the next one's review of the
        # revisions after it (``diffchain``): linear instead of quadratic in the signatures.
        tail = None
        for emb in reversed([e for e in sigs if not is_timestamp[id(e)]]):
            result, status, review, end = await _signature(emb, tail=tail, **common)
            tail = _tail(emb, review)
            statuses.append((result, emb, status))
            if end is not None:
                signed_ends[id(result)] = end
    finally:
        await context.aclose()
    if config.visual:
        _compare_pages(data, reader, sigs, statuses, signed_ends, config)
    for result, emb, status in reversed(statuses):
        report.signatures.append(result)
        _pades_level(result, emb, status, report.timestamps, embedded)


def _compare_pages(
    data: bytes,
    reader: PdfFileReader,
    sigs: list[EmbeddedPdfSignature],
    statuses: list[tuple[SignatureResult, EmbeddedPdfSignature, PdfSignatureStatus | None]],
    signed_ends: dict[int, int],
    config: ValidationConfig,
) -> None:
    """Each signature followed by later revisions: its pages as signed against the final file."""
    renderer = visual.Renderer(data, config.visual_max_pages)
    fields = {id(emb): _widget_refs(emb) for emb in sigs}
    for result, emb, _status in statuses:
        end = signed_ends.get(id(result))
        if end is None or end == len(data):
            continue  # not proven (nothing to compare with), or nothing came after it
        later = [
            ref
            for other in sigs
            if _revision_or_last(other) > emb.signed_revision
            for ref in fields[id(other)]
        ]
        earlier = [
            ref
            for other in sigs
            if _revision_or_last(other) <= emb.signed_revision
            for ref in fields[id(other)]
        ]

        def compare(result=result, emb=emb, end=end, later=later, earlier=earlier) -> None:
            expected = visual.expected_areas(
                reader,
                signed_revision=emb.signed_revision,
                earlier_signature_fields=earlier,
                later_signature_fields=later,
            )
            checks.visual(result, visual.compare(renderer, signed_end=end, expected=expected))

        guard.run(result, "visual", compare)


def _widget_refs(emb: EmbeddedPdfSignature) -> list[generic.Reference]:
    """The signature field's own reference and its kids' (where a page lists its widgets)."""
    refs = []
    container = getattr(emb.sig_field, "container_ref", None)
    if isinstance(container, generic.Reference):
        refs.append(container)
    for kid in _kids(emb):
        refs.append(kid.reference)
    return refs


def _kids(emb: EmbeddedPdfSignature) -> list[generic.IndirectObject]:
    kids = emb.sig_field.raw_get("/Kids") if "/Kids" in emb.sig_field else None
    if isinstance(kids, generic.IndirectObject):
        kids = kids.get_object()
    if not isinstance(kids, generic.ArrayObject):
        return []
    return [k for k in kids if isinstance(k, generic.IndirectObject)]


def _unreadable(data: bytes, report: Report) -> None:
    """A file that cannot be parsed: failed, not merely refused, if a signature was wrapped.

    The failing signatures are named by their place in the file: their dictionaries could not
    be read, so neither can their field names.
    """
    failures = structure.raw_failures(data)
    if not failures:
        return
    report.refusal = None
    report.notes.append(texts.NOTES["unreadable_wrapped"])
    for index, code in enumerate(failures, start=1):
        result = SignatureResult(kind="signature", field_name=f"#{index}")
        checks.wrapped(result, code)
        report.signatures.append(result)


async def async_validate_bytes(data: bytes, *, file_name: str, config: ValidationConfig) -> Report:
    started = time.monotonic()
    hexstrings.install()  # signature values are long hex strings: read them in one go
    report = Report(
        file_sha256=hashlib.sha256(data).hexdigest(),
        file_name=file_name,
        file_size=len(data),
        validated_at=datetime.now(UTC),
        fetch_enabled=config.fetch,
        trust_roots=list(config.trust_root_names),
    )
    try:
        reader, report.lenient_parsing = _open(data)
        report.total_revisions = reader.xrefs.total_revisions
        await _validate_reader(data, reader, report, config)
    except Refused as refused:
        report.refusal = refused.refusal
        if refused.refusal.code == "unreadable":
            _unreadable(data, report)
    except PARSE_ERRORS as exc:
        # Hostile files trip pyHanko in unforeseen places; keep the trace for the operator.
        logger.warning("Không đọc được cấu trúc PDF: %r", exc, exc_info=True)
        report.refusal = refusal("unreadable", "refusal.unreadable_structure")
        _unreadable(data, report)
    except Exception:  # the last resort: ours, logged, and said to be ours
        logger.exception("Lỗi của bộ kiểm tra chữ ký khi đọc tệp %s", file_name)
        report.refusal = refusal("internal_error")
    checks.report_notes(report)
    conclude(report)
    report.elapsed_ms = int((time.monotonic() - started) * 1000)
    return report


def validate_bytes(data: bytes, *, file_name: str, config: ValidationConfig) -> Report:
    """Sync entry point; runs its own event loop, so call it from a thread or child process."""
    return asyncio.run(async_validate_bytes(data, file_name=file_name, config=config))


def child_main(
    conn: Connection, data: bytes, file_name: str, config: ValidationConfig, memory_mb: int
) -> None:
    """Entry point of the validating child process (lives here: the child never loads Django)."""
    if memory_mb:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    # pyHanko logs every failed path with a traceback: useful to its developers, noise here.
    logging.getLogger("pyhanko").setLevel(logging.ERROR)
    logging.getLogger("pyhanko_certvalidator").setLevel(logging.ERROR)
    try:
        conn.send(validate_bytes(data, file_name=file_name, config=config))
    except MemoryError:
        conn.send(refusal("too_complex"))
    finally:
        conn.close()


__all__ = [
    "PARSE_ERRORS",
    "Refused",
    "ValidationConfig",
    "async_validate_bytes",
    "certificate_info",
    "child_main",
    "validate_bytes",
]
