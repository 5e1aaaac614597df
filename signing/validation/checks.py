"""Each line of a signature's report: one small function per check, each explained in Vietnamese.

The functions read pyHanko's status objects and append ``Check`` lines to a ``SignatureResult``;
the verdict is the worst status among them (``report.conclude``). The sentences live in
``texts.MESSAGES``; a check names one by id, with its parameters.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Protocol

from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import DiffResult, SuspiciousModification
from pyhanko.sign.fields import MDPPerm, enumerate_sig_fields
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import (
    DocumentTimestampStatus,
    PdfSignatureStatus,
    SignatureCoverageLevel,
)

from signing.pades import certcheck
from signing.validation import guard, texts
from signing.validation.report import CheckStatus as S
from signing.validation.report import (
    LaterChange,
    Report,
    Revocation,
    SignatureResult,
    VisualChange,
)
from signing.validation.structure import SignedBytes
from signing.validation.visual import Comparison

# What pyHanko says of a signature or of a document time-stamp.
Status = PdfSignatureStatus | DocumentTimestampStatus


class RevocationMaterial(Protocol):
    """The revocation data a file carries (its DSS's OCSP responses and CRLs)."""

    ocsps: list[asn1_ocsp.OCSPResponse]
    crls: list[asn1_crl.CertificateList]


# SHAKE256 is Ed448's fixed digest (RFC 8419): 512 bits of output, as strong as SHA-512.
STRONG_DIGESTS = {
    "sha256",
    "sha384",
    "sha512",
    "sha3_256",
    "sha3_384",
    "sha3_512",
    "shake256",
    "shake256_len",
}


def coverage_code(level: SignatureCoverageLevel | None) -> str:
    codes: dict[SignatureCoverageLevel | None, str] = {
        SignatureCoverageLevel.ENTIRE_FILE: "entire_file",
        SignatureCoverageLevel.ENTIRE_REVISION: "entire_revision",
        SignatureCoverageLevel.CONTIGUOUS_BLOCK_FROM_START: "partial",
        SignatureCoverageLevel.UNCLEAR: "partial",
    }
    return codes.get(level, "unknown")


def broken_structure(result: SignatureResult, exc: BaseException) -> None:
    result.add("structure", S.FAILED, "structure.broken", error=type(exc).__name__)


def wrapped(result: SignatureResult, code: str) -> None:
    """KyHop's structural proof failed at step *code* (``structure.Wrapped``)."""
    result.add("structure", S.FAILED, "structure.wrapping", detail=texts.text(f"wrapping.{code}"))


def proven(result: SignatureResult, proof: SignedBytes) -> None:
    if proof.covers_whole_file:
        result.add("structure", S.PASSED, "structure.proven")
    else:
        result.add("structure", S.PASSED, "structure.proven_updates", end=proof.end)


# A failure on these lines means the signature proves nothing; the lines after them (trust,
# revocation, time-stamp, algorithms) would only pile unrelated reasons on top.
_DECISIVE = ("structure", "integrity", "coverage", "changes")


def already_failed(result: SignatureResult) -> bool:
    return any(c.status is S.FAILED and c.code in _DECISIVE for c in result.checks)


def trust_skipped(result: SignatureResult) -> None:
    result.add("chain", S.INFO, "trust.skipped")


def integrity(result: SignatureResult, status: Status) -> None:
    if not status.intact:
        result.add("integrity", S.FAILED, "integrity.tampered")
    elif not status.valid:
        result.add("integrity", S.FAILED, "integrity.forged")
    else:
        result.add("integrity", S.PASSED, "integrity.intact")


def coverage(result: SignatureResult, status: Status) -> None:
    level = status.coverage
    if level is SignatureCoverageLevel.ENTIRE_FILE:
        result.add("coverage", S.PASSED, "coverage.entire_file")
    elif level is SignatureCoverageLevel.ENTIRE_REVISION:
        result.add(
            "coverage",
            S.PASSED,
            "coverage.entire_revision",
            signed=result.signed_revision,
            total=result.total_revisions,
            after=result.total_revisions - result.signed_revision,
        )
    else:
        result.add("coverage", S.FAILED, "coverage.partial")


def _change_items(changes: list[LaterChange]) -> list[dict]:
    return [
        texts.text(
            "changes.item",
            revision=change.revision,
            description=[
                texts.text(f"change.{kind}") for kind in texts.CHANGE_LABELS if kind in change.kinds
            ],
        )
        for change in changes
    ]


def changes(
    result: SignatureResult,
    coverage_level: SignatureCoverageLevel | None,
    diff: DiffResult | SuspiciousModification | None,
    docmdp_ok: bool | None,
) -> None:
    """pyHanko's difference analysis (*diff*, *docmdp_ok*), explained revision by revision."""
    if not result.later_changes and coverage_level is SignatureCoverageLevel.ENTIRE_FILE:
        result.add("changes", S.PASSED, "changes.none")
        return
    forbidden = [c for c in result.later_changes if not c.allowed]
    unreadable = [c for c in forbidden if "unreadable" in c.kinds]
    suspicious = isinstance(diff, SuspiciousModification) or docmdp_ok is False
    if suspicious or len(forbidden) > len(unreadable):
        detail = _change_items([c for c in forbidden if c not in unreadable]) or texts.text(
            "changes.structural"
        )
        result.add("changes", S.FAILED, "changes.forbidden", detail=detail)
        return
    if unreadable:
        result.add(
            "changes",
            S.INDETERMINATE,
            "changes.unreadable",
            revisions=", ".join(str(c.revision) for c in unreadable),
        )
        return
    result.add("changes", S.PASSED, "changes.allowed", listed=_change_items(result.later_changes))


def later_unsigned_fields(reader: PdfFileReader, signed_revision: int) -> list[str]:
    """Unsigned signature fields with a visible appearance that appeared after signing."""
    signed = reader.get_historical_resolver(signed_revision)
    names = []
    for name, _value, field_ref in enumerate_sig_fields(reader, filled_status=False):
        widget = field_ref.get_object()
        if "/AP" not in widget or not _has_area(widget.get("/Rect")):
            continue
        ref = field_ref.reference if hasattr(field_ref, "reference") else field_ref
        try:
            before = signed.get_object(ref)
        except Exception:
            before = None
        if before is None or isinstance(before, generic.NullObject):
            names.append(str(name))
    return names


def _has_area(rect: Any) -> bool:  # a file's /Rect: any PDF object, or none
    try:
        x1, y1, x2, y2 = (float(v) for v in rect)
    except (TypeError, ValueError):
        return False
    return abs(x2 - x1) > 1 and abs(y2 - y1) > 1


def overlays(result: SignatureResult, names: list[str]) -> None:
    if not names:
        return
    quoted = ", ".join(f"“{n}”" for n in names)
    result.add("overlay", S.INDETERMINATE, "overlay.added", names=quoted)


def signature_type(result: SignatureResult, kind: str, perm: MDPPerm | None) -> None:
    """Certification (the catalog's /Perms /DocMDP names it) or approval, and what it allows."""
    result.signature_type = kind
    permission = texts.text(f"perm.{perm.name.lower()}") if perm is not None else None
    if kind == "certification":
        result.certification = perm.name.lower() if perm is not None else ""
        result.add(
            "signature_type",
            S.INFO,
            "signature_type.certification",
            permission=permission or texts.text("perm.fill_forms"),
        )
    elif permission is not None:
        result.add(
            "signature_type", S.INFO, "signature_type.approval_locked", permission=permission
        )
    else:
        result.add("signature_type", S.INFO, "signature_type.approval")


# --- Trust and revocation ---------------------------------------------------------------------

# pyHanko's trust problem indications, and how much each weighs (the sentences: texts "chain.*").
_INDIC_LEVELS = {
    "NO_CERTIFICATE_CHAIN_FOUND": S.INDETERMINATE,
    "REVOKED": S.FAILED,
    "EXPIRED": S.FAILED,
    "NOT_YET_VALID": S.FAILED,
    "OUT_OF_BOUNDS_NO_POE": S.INDETERMINATE,
    "REVOKED_NO_POE": S.INDETERMINATE,
    "CHAIN_CONSTRAINTS_FAILURE": S.FAILED,
    "CRYPTO_CONSTRAINTS_FAILURE": S.FAILED,
    "TRY_LATER": S.INDETERMINATE,
}


def chain(
    result: SignatureResult, status: Status, root_names: tuple[str, ...], missing_revocation: bool
) -> None:
    if status.trusted or missing_revocation:
        anchor = result.chain[-1].common_name if result.chain else ""
        result.trust_root = anchor
        result.add("chain", S.PASSED, "chain.trusted", count=len(result.chain), anchor=anchor)
        return
    indic = status.trust_problem_indic
    # Every kind of pyHanko's sub-indication is an enum (AdESFailure, AdESIndeterminate...).
    name = indic.name if isinstance(indic, enum.Enum) else ""
    level = _INDIC_LEVELS.get(name, S.INDETERMINATE)
    message_id = f"chain.{name}" if name in _INDIC_LEVELS else "chain.generic"
    if not root_names:
        # Nothing to chain to: whatever else pyHanko found about the path is beside the point.
        result.add("chain", S.INDETERMINATE, "chain.no_roots_configured")
    else:
        result.add("chain", level, message_id)


def embedded_covers(
    cert: asn1_x509.Certificate,
    ocsps: list[asn1_ocsp.OCSPResponse],
    crls: list[asn1_crl.CertificateList],
) -> bool:
    """Whether the file itself carries revocation data about *cert* (OCSP or its issuer's CRL)."""
    for response in ocsps:
        try:
            basic = response["response_bytes"]["response"].parsed
            singles = basic["tbs_response_data"]["responses"]
        except (KeyError, ValueError, TypeError):
            continue
        if any(s["cert_id"]["serial_number"].native == cert.serial_number for s in singles):
            return True
    issuer = cert.issuer
    return any(c["tbs_cert_list"]["issuer"] == issuer for c in crls)


def revocation(
    result: SignatureResult, status: Status, *, embedded_covers: bool, fetch: bool, missing: bool
) -> None:
    details = getattr(status, "revocation_details", None)
    if details is not None:
        when = texts.time_param(details.revocation_date.astimezone(UTC))
        result.add("revocation", S.FAILED, "revocation.revoked", when=when)
        result.revocation = Revocation(
            "revoked", "embedded" if embedded_covers else "fetched", result.checks[-1].message
        )
        return
    if missing:
        message_id = "revocation.missing_fetch_failed" if fetch else "revocation.missing_fetch_off"
        result.add("revocation", S.INDETERMINATE, message_id)
        result.revocation = Revocation("unknown", "none", result.checks[-1].message)
        return
    if not status.trusted:
        result.add("revocation", S.INFO, "revocation.not_checked")
        result.revocation = Revocation("not_checked", "none", result.checks[-1].message)
        return
    source = "embedded" if embedded_covers else "fetched"
    result.add("revocation", S.PASSED, f"revocation.good_{source}")
    result.revocation = Revocation("good", source, result.checks[-1].message)


def timestamp(result: SignatureResult, status: PdfSignatureStatus) -> None:
    ts = status.timestamp_validity
    if ts is None:
        claimed = result.claimed_signing_time
        if claimed:
            result.add(
                "timestamp", S.INFO, "timestamp.none_claimed", claimed=texts.time_param(claimed)
            )
        else:
            result.add("timestamp", S.INFO, "timestamp.none")
        return
    if not (ts.intact and ts.valid):
        result.add("timestamp", S.FAILED, "timestamp.broken")
        return
    when = texts.time_param(ts.timestamp)
    if not ts.trusted:
        result.add("timestamp", S.INDETERMINATE, "timestamp.untrusted", when=when)
        return
    result.add("timestamp", S.PASSED, "timestamp.valid", when=when)


# --- Algorithms (Circular 15/2025) -------------------------------------------------------------


EDDSA = {"ed25519": "Ed25519", "ed448": "Ed448"}


def _key_label(cert: asn1_x509.Certificate) -> str:
    algo = cert.public_key.algorithm
    if algo in EDDSA:
        return EDDSA[algo]  # asn1crypto has no bit size for EdDSA keys (and fails asking)
    return f"{algo.upper()} {cert.public_key.bit_size} bit"


def algorithms(result: SignatureResult, emb: EmbeddedPdfSignature, status: Status) -> None:
    cert = emb.signer_cert
    digest = status.md_algorithm
    mechanism = emb.signer_info["signature_algorithm"]["algorithm"].native
    result.digest_algorithm = digest
    result.signature_algorithm = mechanism
    result.key = _key_label(cert)
    eddsa = cert.public_key.algorithm in EDDSA
    # The certificate's own key and the CA's hash: the same rules that gate signing. EdDSA is
    # sound (RFC 8032, ETSI TS 119 312) but not among Circular 15's RSA/ECDSA: a note, below.
    rules: list[certcheck.Rule] = [] if eddsa else [certcheck._key_strength]
    # A CA signing in EdDSA fixes its own hash (certcheck only knows RSA, PSS and ECDSA ones).
    if cert["signature_algorithm"]["algorithm"].native not in EDDSA:
        rules.append(certcheck._signature_hash)
    problems = _certificate_problems(tuple(rules), cert, datetime.now(UTC))
    if digest.lower() not in STRONG_DIGESTS:
        problems.append(texts.text("algorithms.weak_digest", digest=digest.upper()))
    if problems:
        result.add("algorithms", S.FAILED, "problems", problems=texts.sentences(problems))
        return
    result.add(
        "algorithms",
        S.PASSED,
        "algorithms.ok",
        key=result.key,
        digest=digest.upper(),
        mechanism=mechanism,
    )
    if mechanism == "rsassa_pkcs1v15" or mechanism.endswith("_rsa"):
        result.add("algorithms_pss", S.WARNING, "algorithms.pkcs1v15")
    if eddsa:
        result.add("algorithms_note", S.WARNING, "algorithms.eddsa", key=result.key)


def certificate_usage(result: SignatureResult, emb: EmbeddedPdfSignature, at: datetime) -> None:
    problems = _certificate_problems(
        (certcheck._validity, certcheck._key_usage), emb.signer_cert, at
    )
    if problems:
        result.add("certificate", S.FAILED, "problems", problems=texts.sentences(problems))


def _certificate_problems(
    rules: tuple[certcheck.Rule, ...], cert: asn1_x509.Certificate, at: datetime
) -> list[dict[str, Any]]:
    """What ``certcheck``'s *rules* find wrong with *cert*, as messages of ``texts``.

    certcheck judges and words its findings; here each finding is told again by id and
    parameters so that it can be translated. Should the two wordings ever differ, the finding is
    kept exactly as certcheck said it (then it is shown untranslated, never wrong).
    """
    try:
        crypto_cert = certcheck.as_cryptography(cert)
    except ValueError as exc:  # cryptography is stricter than asn1crypto about encodings
        raise guard.UnusualCertificate(str(exc)) from exc
    found = []
    for rule in rules:
        problem = rule(crypto_cert, at)
        if not problem:
            continue
        message = _PROBLEM_MESSAGES[rule](crypto_cert, at)
        if texts.render(message["id"], message["params"]) != problem:
            message = texts.text("raw", text=problem)
        found.append(message)
    return found


def _validity_message(cert: x509.Certificate, at: datetime) -> dict[str, Any]:
    if at < cert.not_valid_before_utc:
        return texts.text("cert.not_yet_valid", day=texts.day_param(cert.not_valid_before_utc))
    return texts.text("cert.expired", day=texts.day_param(cert.not_valid_after_utc))


def _key_usage_message(cert: x509.Certificate, _at: datetime) -> dict[str, Any]:
    try:
        cert.extensions.get_extension_for_class(x509.KeyUsage)
    except x509.ExtensionNotFound:
        return texts.text("cert.no_key_usage")
    return texts.text("cert.not_for_signing")


def _key_strength_message(cert: x509.Certificate, _at: datetime) -> dict[str, Any]:
    key = cert.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        return texts.text("cert.rsa_short", bits=key.key_size, minimum=certcheck.MIN_RSA_BITS)
    if isinstance(key, ec.EllipticCurvePublicKey):
        return texts.text("cert.ec_short", bits=key.curve.key_size, minimum=certcheck.MIN_EC_BITS)
    return texts.text("cert.key_unsupported")


def _signature_hash_message(cert: x509.Certificate, _at: datetime) -> dict[str, Any]:
    algorithm = cert.signature_hash_algorithm
    if algorithm is None:
        return texts.text("cert.signature_unsupported")
    return texts.text("cert.weak_hash", hash=algorithm.name.upper())


_PROBLEM_MESSAGES: dict[certcheck.Rule, Callable[[x509.Certificate, datetime], dict[str, Any]]] = {
    certcheck._validity: _validity_message,
    certcheck._key_usage: _key_usage_message,
    certcheck._key_strength: _key_strength_message,
    certcheck._signature_hash: _signature_hash_message,
}


# --- Visual comparison ------------------------------------------------------------------------


def visual(result: SignatureResult, comparison: Comparison) -> None:
    """The pages compared (``visual.compare``): the same, changed where expected, or not."""
    result.pages_compared = comparison.pages_compared
    result.visual_changes = [
        VisualChange(
            page=c.page,
            regions=c.regions,
            expected=c.expected,
            presence=c.presence,
            thumbnail_signed=c.thumbnail_signed,
            thumbnail_now=c.thumbnail_now,
        )
        for c in comparison.changes
    ]
    unexpected = [c.page for c in comparison.changes if c.unexpected]
    pages = comparison.pages_compared
    if unexpected:
        changed = ", ".join(str(p) for p in unexpected)
        result.add("visual", S.CAUTION, "visual.changed", changed=changed)
    elif comparison.changes:
        changed = ", ".join(str(c.page) for c in comparison.changes)
        result.add("visual", S.PASSED, "visual.expected_only", pages=pages, changed=changed)
    else:
        result.add("visual", S.PASSED, "visual.same", pages=pages)
    if comparison.truncated:
        result.add("visual", S.INFO, "visual.truncated", pages=pages)


# --- PAdES level --------------------------------------------------------------------------------

PADES_LEVELS = ("CMS", "B-B", "B-T", "B-LT", "B-LTA")


def pades_level(
    result: SignatureResult,
    emb: EmbeddedPdfSignature,
    status: PdfSignatureStatus | None,
    timestamps: list[SignatureResult],
    embedded: RevocationMaterial,
) -> None:
    if status is None:
        return
    level = _level(result, emb, status, timestamps, embedded)
    result.pades_level = level
    result.add("pades_level", S.INFO, f"pades.{level}")


def _level(
    result: SignatureResult,
    emb: EmbeddedPdfSignature,
    status: PdfSignatureStatus,
    timestamps: list[SignatureResult],
    embedded: RevocationMaterial,
) -> str:
    if emb.sig_object.get("/SubFilter") != "/ETSI.CAdES.detached":
        return "CMS"
    ts = status.timestamp_validity
    if ts is None or not (ts.valid and ts.intact):
        return "B-B"
    if not embedded_covers(emb.signer_cert, embedded.ocsps, embedded.crls):
        return "B-T"
    # A later document time-stamp that is itself sound protects this signature's material.
    archived = any(
        t.signed_revision > result.signed_revision
        and all(c.status is not S.FAILED for c in t.checks)
        for t in timestamps
    )
    return "B-LTA" if archived else "B-LT"


# --- Report-level notes -------------------------------------------------------------------------


def report_notes(report: Report) -> None:
    if report.lenient_parsing:
        report.notes.append(texts.NOTES["lenient"])
    if not report.fetch_enabled:
        report.notes.append(texts.NOTES["no_fetch"])
    if not report.trust_roots:
        report.notes.append(texts.NOTES["no_roots"])
