"""External (interrupted) signing: the server prepares, the signature value arrives later.

The signer's key is somewhere the server cannot reach (a USB token behind a local agent, a
remote CSC service, another signing application), so signing is split in two:

1. ``external_prepare`` writes the incremental update with an empty signature placeholder,
   computes the document's /ByteRange digest and the CMS signed attributes, and returns a
   :class:`PreparedSignature`. Its ``to_be_signed`` bytes (the signed attributes, DER) are what
   the key must sign; ``to_be_signed_digest`` is their SHA-256 for agents that sign a hash.
   The prepared state is plain data (``state()``/``restore()``) so it can be stored and the
   request finished by another process, minutes later.
2. Either ``external_finish`` with the raw signature value, or ``external_embed_cms`` with a
   whole detached CMS (.p7s) made elsewhere over the prepared document's digest. Both check the
   signature against the prepared state before anything is embedded, and refuse in Vietnamese.

Only B-B and B-T are produced here: B-LT/B-LTA need pyHanko's pre-signing validation state,
which cannot be stored; a later extension step adds the DSS and the document time-stamp.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO
from typing import Unpack, cast

from asn1crypto import algos, cms, pem
from asn1crypto import x509 as asn1_x509
from cryptography.exceptions import InvalidSignature
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_noop
from pyhanko.sign.general import (
    CMSExtractionError,
    SigningError,
    extract_certificate_info,
    extract_signer_info,
)
from pyhanko.sign.signers.pdf_byterange import PreparedByteRangeDigest
from pyhanko.sign.signers.pdf_cms import ExternalSigner, PdfCMSSignedAttributes
from pyhanko.sign.signers.pdf_signer import PdfTBSDocument
from pyhanko.sign.timestamps import HTTPTimeStamper, TimestampRequestError
from pyhanko.sign.validation.generic_cms import validate_sig_integrity
from pyhanko_certvalidator.errors import AlgorithmNotSupported
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.sig_validate import DefaultSignatureValidator

from signing.i18n import gettext
from signing.pades.certcheck import CertificateStatus
from signing.pades.sign import (
    TSA_UNAVAILABLE,
    PadesLevel,
    SigningServices,
    SigningUnavailable,
    SignOptions,
    certificate_cleared,
    pdf_signer_for,
    signing_services,
    timestamper_for,
)

MD_ALGORITHM = "sha256"
# Hex characters reserved for the CMS. Generous on purpose: a .p7s made elsewhere may carry a
# longer chain or its own time-stamp token; 32 KiB hex = 16 KiB of DER.
DEFAULT_RESERVED = 32 * 1024
SUPPORTED_LEVELS = (PadesLevel.B_B, PadesLevel.B_T)

# For the signer, translated when raised.
DOCUMENT_CHANGED = gettext_noop(
    "Tài liệu đã chuẩn bị để ký không còn nguyên vẹn (đã bị thay đổi). Vui lòng chuẩn bị ký lại."
)
SIGNATURE_MISMATCH = gettext_noop(
    "Chữ ký nhận được không khớp với tài liệu đã chuẩn bị để ký "
    "(sai tài liệu, sai khóa hoặc chữ ký bị hỏng). Tài liệu chưa được ký."
)


@dataclass(frozen=True)
class PreparedSignature:
    """Everything needed to finish an interrupted signature, as plain values."""

    document: bytes  # the document with the incremental update and an empty placeholder
    document_digest: bytes  # SHA-256 over the /ByteRange, i.e. everything but the placeholder
    reserved_start: int
    reserved_end: int
    signed_attributes: bytes  # DER of the CMS signed attributes (to be signed)
    certificate: bytes  # DER of the signer's certificate
    chain: tuple[bytes, ...]
    mechanism: bytes  # DER of the SignedDigestAlgorithm the key must use
    level: PadesLevel

    @property
    def to_be_signed(self) -> bytes:
        return self.signed_attributes

    @property
    def to_be_signed_digest(self) -> bytes:
        return hashlib.sha256(self.signed_attributes).digest()

    @property
    def signing_cert(self) -> asn1_x509.Certificate:
        return asn1_x509.Certificate.load(self.certificate)

    @property
    def signature_mechanism(self) -> algos.SignedDigestAlgorithm:
        return algos.SignedDigestAlgorithm.load(self.mechanism)

    def state(self) -> dict[str, str | int | list[str]]:
        """JSON-ready state without the document (which is stored as a file)."""
        b64 = _b64
        return {
            "document_digest": b64(self.document_digest),
            "reserved_start": self.reserved_start,
            "reserved_end": self.reserved_end,
            "signed_attributes": b64(self.signed_attributes),
            "certificate": b64(self.certificate),
            "chain": [b64(cert) for cert in self.chain],
            "mechanism": b64(self.mechanism),
            "level": str(self.level),
        }

    @classmethod
    def restore(cls, state: dict, document: bytes) -> PreparedSignature:
        """Rebuild from ``state()`` and the stored document; refuses a changed document."""
        unb64 = base64.b64decode
        prepared = cls(
            document=document,
            document_digest=unb64(state["document_digest"]),
            reserved_start=int(state["reserved_start"]),
            reserved_end=int(state["reserved_end"]),
            signed_attributes=unb64(state["signed_attributes"]),
            certificate=unb64(state["certificate"]),
            chain=tuple(unb64(cert) for cert in state["chain"]),
            mechanism=unb64(state["mechanism"]),
            level=PadesLevel(state["level"]),
        )
        _check_document(prepared)
        return prepared


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _check_document(prepared: PreparedSignature) -> None:
    # The stored document is hashed again: the signature would otherwise vouch for whatever
    # bytes happen to sit in storage now.
    doc = prepared.document
    ok = 0 < prepared.reserved_start < prepared.reserved_end <= len(doc)
    if ok:
        digest = hashlib.sha256()
        digest.update(memoryview(doc)[: prepared.reserved_start])
        digest.update(memoryview(doc)[prepared.reserved_end :])
        ok = digest.digest() == prepared.document_digest
    if not ok:
        raise ValidationError(gettext(DOCUMENT_CHANGED), code="document_changed")


def _level(level: PadesLevel) -> PadesLevel:
    level = PadesLevel(level)
    if level not in SUPPORTED_LEVELS:
        raise ValidationError(
            gettext(
                "Ký qua thiết bị hoặc dịch vụ bên ngoài hiện chỉ hỗ trợ mức B-B và B-T, "
                "chưa hỗ trợ %(level)s."
            )
            % {"level": level},
            code="unsupported_level",
        )
    return level


def _placeholder_signer(
    certificate: asn1_x509.Certificate, chain: tuple[asn1_x509.Certificate, ...], prefer_pss: bool
) -> ExternalSigner:
    return ExternalSigner(
        signing_cert=certificate,
        cert_registry=SimpleCertificateStore.from_certs([certificate, *chain]),
        signature_value=512,
        prefer_pss=prefer_pss,
    )


async def external_prepare(
    *,
    data: bytes,
    certificate: asn1_x509.Certificate,
    level: PadesLevel,
    chain: tuple[asn1_x509.Certificate, ...] = (),
    prefer_pss: bool = False,
    bytes_reserved: int = DEFAULT_RESERVED,
    **options: Unpack[SignOptions],
) -> PreparedSignature:
    """Prepare *data* for a signature by *certificate*; nothing is signed yet.

    ``prefer_pss`` defaults to PKCS#1 v1.5 because that is what USB token agents sign with.
    The certificate is checked first (rules, chain, revocation): an unfit or revoked one is
    refused before anything is prepared.
    """
    level = _level(level)
    options["certificate_status"] = await certificate_cleared(
        certificate=certificate,
        intermediates=chain,
        given=options.get("certificate_status"),
        services=options.get("services"),
    )
    signer = _placeholder_signer(certificate, chain, prefer_pss)
    # The TSA is not asked here: the time-stamp covers the signature value, which comes later.
    prepared = pdf_signer_for(source=BytesIO(data), signer=signer, level=PadesLevel.B_B, **options)
    digest, _tbs, output = await prepared.pdf_signer.async_digest_doc_for_signing(
        prepared.writer,
        bytes_reserved=bytes_reserved,
        appearance_text_params=prepared.appearance_text_params,
    )
    attributes = await signer.signed_attrs(
        digest.document_digest,
        MD_ALGORITHM,
        attr_settings=PdfCMSSignedAttributes(signing_time=datetime.now(UTC)),
        use_pades=True,
    )
    # No output stream was given: pyHanko writes into a BytesIO of its own (its
    # ``prepare_rw_output_stream``) and declares the return as a plain ``IO``.
    written = cast(BytesIO, output)
    return PreparedSignature(
        document=written.getvalue(),
        document_digest=digest.document_digest,
        reserved_start=digest.reserved_region_start,
        reserved_end=digest.reserved_region_end,
        signed_attributes=attributes.dump(),
        certificate=certificate.dump(),
        chain=tuple(cert.dump() for cert in chain),
        mechanism=signer.get_signature_mechanism_for_digest(MD_ALGORITHM).dump(),
        level=level,
    )


def _verify_value(prepared: PreparedSignature, signature_value: bytes) -> None:
    try:
        DefaultSignatureValidator().validate_signature(
            signature_value,
            prepared.signed_attributes,
            prepared.signing_cert.public_key,
            prepared.signature_mechanism,
        )
    except (InvalidSignature, AlgorithmNotSupported, ValueError) as exc:
        raise ValidationError(gettext(SIGNATURE_MISMATCH), code="signature_mismatch") from exc


def _timestamper(level: PadesLevel, services: SigningServices | None) -> HTTPTimeStamper | None:
    if not level.needs_timestamp:
        return None
    return timestamper_for(services or signing_services())


async def _embed(prepared: PreparedSignature, signature_cms: cms.ContentInfo) -> bytes:
    if len(signature_cms.dump()) * 2 > prepared.reserved_end - prepared.reserved_start - 2:
        raise ValidationError(
            gettext("Chữ ký quá lớn so với chỗ đã dành trong tài liệu. Vui lòng chuẩn bị ký lại."),
            code="signature_too_large",
        )
    output = BytesIO(prepared.document)
    digest = PreparedByteRangeDigest(
        document_digest=prepared.document_digest,
        reserved_region_start=prepared.reserved_start,
        reserved_region_end=prepared.reserved_end,
    )
    await PdfTBSDocument.async_finish_signing(output, digest, signature_cms)
    return output.getvalue()


async def external_finish(
    *,
    prepared: PreparedSignature,
    signature_value: bytes,
    services: SigningServices | None = None,
    timestamper: HTTPTimeStamper | None = None,
    certificate_status: CertificateStatus | None = None,
) -> bytes:
    """Embed a raw signature value over ``prepared.to_be_signed``; returns the signed PDF.

    The certificate is checked again (minutes may have passed since it was prepared), from the
    cache or *certificate_status* when a batch checked it once for all its documents."""
    _check_document(prepared)
    _verify_value(prepared, signature_value)
    await _recheck(prepared, certificate_status, services)
    signer = ExternalSigner(
        signing_cert=prepared.signing_cert,
        cert_registry=SimpleCertificateStore.from_certs(
            [prepared.signing_cert, *map(asn1_x509.Certificate.load, prepared.chain)]
        ),
        signature_value=signature_value,
        signature_mechanism=prepared.signature_mechanism,
    )
    timestamper = timestamper or _timestamper(prepared.level, services)
    try:
        signature_cms = await signer.async_sign_prescribed_attributes(
            MD_ALGORITHM,
            cms.CMSAttributes.load(prepared.signed_attributes),
            timestamper=timestamper,
        )
    except (TimestampRequestError, SigningError) as exc:
        raise SigningUnavailable(gettext(TSA_UNAVAILABLE)) from exc
    return await _embed(prepared, signature_cms)


def _load_cms(data: bytes) -> cms.SignedData:
    if pem.detect(data):
        data = pem.unarmor(data)[2]
    try:
        content = cms.ContentInfo.load(data)
        if content["content_type"].native != "signed_data":
            raise ValueError("not SignedData")
        signed_data = content["content"]
        signed_data.native  # noqa: B018 - parse everything now, not halfway through embedding
    except (ValueError, TypeError) as exc:
        raise ValidationError(
            gettext("Tệp chữ ký không đọc được: cần một chữ ký CMS/PKCS#7 tách rời (.p7s)."),
            code="unreadable_cms",
        ) from exc
    if signed_data["encap_content_info"]["content"].native is not None:
        raise ValidationError(
            gettext("Tệp chữ ký chứa cả nội dung được ký: cần chữ ký tách rời (detached)."),
            code="attached_cms",
        )
    return signed_data


def _uploaded_signer(signed_data: cms.SignedData) -> tuple[cms.SignerInfo, asn1_x509.Certificate]:
    try:
        signer_info = extract_signer_info(signed_data)
        certificate = extract_certificate_info(signed_data).signer_cert
    except (CMSExtractionError, ValueError) as exc:
        raise ValidationError(
            gettext("Tệp chữ ký phải có đúng một người ký và kèm chứng thư số của người ký."),
            code="bad_cms_signer",
        ) from exc
    return signer_info, certificate


async def external_embed_cms(
    *,
    prepared: PreparedSignature,
    cms_data: bytes,
    services: SigningServices | None = None,
) -> bytes:
    """Embed a detached CMS signature made elsewhere over the prepared document.

    The CMS must be by the prepared certificate and its message digest must be the prepared
    document's digest; if the prepared level is B-T and the CMS has no signature time-stamp,
    one is added from the TSA.
    """
    _check_document(prepared)
    signed_data = _load_cms(cms_data)
    signer_info, certificate = _uploaded_signer(signed_data)
    if certificate.dump() != prepared.certificate:
        raise ValidationError(
            gettext(
                "Chữ ký được tạo bằng chứng thư số khác với chứng thư đã chọn khi chuẩn bị ký."
            ),
            code="other_certificate",
        )
    await _recheck(prepared, None, services)
    try:
        intact, valid = validate_sig_integrity(
            signer_info, certificate, "data", prepared.document_digest
        )
    except (SigningError, ValueError) as exc:
        raise ValidationError(gettext(SIGNATURE_MISMATCH), code="signature_mismatch") from exc
    if not (intact and valid):
        raise ValidationError(gettext(SIGNATURE_MISMATCH), code="signature_mismatch")
    if prepared.level.needs_timestamp and not _has_signature_timestamp(signer_info):
        await _add_signature_timestamp(signer_info, _timestamper(prepared.level, services))
    content = cms.ContentInfo({"content_type": "signed_data", "content": signed_data})
    # force=True: asn1crypto would otherwise reuse the uploaded bytes, without the new token.
    return await _embed(prepared, cms.ContentInfo.load(content.dump(force=True)))


async def _recheck(
    prepared: PreparedSignature,
    given: CertificateStatus | None,
    services: SigningServices | None,
) -> None:
    await certificate_cleared(
        certificate=prepared.signing_cert,
        intermediates=tuple(map(asn1_x509.Certificate.load, prepared.chain)),
        given=given,
        services=services,
    )


def _has_signature_timestamp(signer_info: cms.SignerInfo) -> bool:
    attrs = signer_info["unsigned_attrs"]
    if attrs.native is None:
        return False
    return any(attr["type"].native == "signature_time_stamp_token" for attr in attrs)


async def _add_signature_timestamp(
    signer_info: cms.SignerInfo, timestamper: HTTPTimeStamper | None
) -> None:
    # RFC 3161 / CAdES: the token covers the hash of the signature value.
    assert timestamper is not None
    imprint = hashlib.sha256(signer_info["signature"].native).digest()
    try:
        token = await timestamper.async_timestamp(imprint, MD_ALGORITHM)
    except (TimestampRequestError, SigningError) as exc:
        raise SigningUnavailable(gettext(TSA_UNAVAILABLE)) from exc
    attribute = cms.CMSAttribute({"type": "signature_time_stamp_token", "values": [token]})
    existing = list(signer_info["unsigned_attrs"]) if signer_info["unsigned_attrs"].native else []
    signer_info["unsigned_attrs"] = cms.CMSAttributes([*existing, attribute])
