"""A foreign-producer corpus, made by the tests (no binary files from elsewhere).

Another agency's signing tool is simulated by a certification authority of its own ("CA ngoài"),
made here with ``cryptography``, and by pyHanko used directly (not through KyHop's signing
layer): Ed25519, Ed448, RSA-PSS and ECDSA signers, a certificate ``cryptography`` refuses
(negative serial number) that asn1crypto still reads, long-term-validation updates and document
time-stamps the way other tools write them, VRI dictionaries, a DSS stream whose compression is
broken, hybrid-reference files and empty or all-zero ``/Contents``.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import re
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers, timestamps
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.validation import DocumentSecurityStore
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

NOW = datetime.now(UTC)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Sở Thông tin ngoài (thử nghiệm)"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _sign_hash(key) -> hashes.SHA256 | None:
    return (
        None
        if isinstance(key, ed25519.Ed25519PrivateKey | ed448.Ed448PrivateKey)
        else hashes.SHA256()
    )


@dataclass
class ForeignCa:
    """A root CA of another producer, with its CRL (signed now, nobody revoked)."""

    key: ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey
    cert: x509.Certificate
    crl: x509.CertificateRevocationList
    issued: list[x509.Certificate] = field(default_factory=list)

    @property
    def der(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.DER)

    @property
    def asn1(self) -> asn1_x509.Certificate:
        return asn1_x509.Certificate.load(self.der)

    @property
    def asn1_crl(self):
        from asn1crypto import crl as asn1_crl

        return asn1_crl.CertificateList.load(self.crl.public_bytes(serialization.Encoding.DER))


def foreign_ca(kind: str = "ec") -> ForeignCa:
    """*kind* "ec" (P-256, SHA-256) or "ed25519" (the CA signs certificates and CRLs in EdDSA)."""
    key = (
        ed25519.Ed25519PrivateKey.generate()
        if kind == "ed25519"
        else ec.generate_private_key(ec.SECP256R1())
    )
    name = _name("CA ngoài KyHop (thử nghiệm)")
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - timedelta(days=30))
        .not_valid_after(NOW + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, _sign_hash(key))
    )
    crl = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(name)
        .last_update(NOW - timedelta(minutes=5))
        .next_update(NOW + timedelta(days=30))
        .add_extension(x509.CRLNumber(1), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()), critical=False
        )
        .sign(key, _sign_hash(key))
    )
    return ForeignCa(key=key, cert=cert, crl=crl)


def _leaf_builder(
    ca: ForeignCa,
    public_key,
    common_name: str,
    serial: int,
    *,
    tsa: bool = False,
    encipher: bool = False,
) -> x509.CertificateBuilder:
    return (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(ca.cert.subject)
        .public_key(public_key)
        .serial_number(serial)
        .not_valid_before(NOW - timedelta(days=1))
        .not_valid_after(NOW + timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=encipher,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()), critical=False
        )
        .add_extension(
            x509.CRLDistributionPoints(
                [
                    x509.DistributionPoint(
                        full_name=[x509.UniformResourceIdentifier("http://ca-ngoai.invalid/crl")],
                        relative_name=None,
                        reasons=None,
                        crl_issuer=None,
                    )
                ]
            ),
            critical=False,
        )
        .add_extension(
            x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.TIME_STAMPING if tsa else ExtendedKeyUsageOID.EMAIL_PROTECTION]
            ),
            critical=tsa,
        )
    )


@dataclass(frozen=True)
class ForeignSigner:
    signer: signers.SimpleSigner
    cert_der: bytes
    common_name: str
    kind: str


# EdDSA fixes its own digest (RFC 8419): SHA-512 for Ed25519, SHAKE256 for Ed448.
DIGESTS = {"ed25519": "sha512", "ed448": "shake256"}

SignerKey = (
    ed25519.Ed25519PrivateKey
    | ed448.Ed448PrivateKey
    | rsa.RSAPrivateKey
    | ec.EllipticCurvePrivateKey
)
KEYS: dict[str, Callable[[], SignerKey]] = {
    "ed25519": ed25519.Ed25519PrivateKey.generate,
    "ed448": ed448.Ed448PrivateKey.generate,
    "rsa": lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048),
    "ec": lambda: ec.generate_private_key(ec.SECP256R1()),
}


def foreign_signer(
    ca: ForeignCa, kind: str, *, unusual: str = "", pss: bool = False
) -> ForeignSigner:
    """A signer of kind *kind* ("ed25519", "ed448", "rsa", "ec") certified by *ca*.

    ``unusual``: "negative_serial" (RFC 5280 forbids it; ``cryptography`` warns that it will
    refuse it) or "ber_boolean" (an extension's critical flag encoded as 0x01, not DER's 0xFF:
    ``cryptography`` refuses to parse the certificate, asn1crypto reads it). Either way the CA
    signs the altered TBS by hand, so the chain is sound.
    """
    key = KEYS[kind]()
    common_name = f"Người ký {kind}{' PSS' if pss else ''}{' ' + unusual if unusual else ''}"
    builder = _leaf_builder(ca, key.public_key(), common_name, x509.random_serial_number())
    cert = builder.sign(ca.key, _sign_hash(ca.key))
    der = cert.public_bytes(serialization.Encoding.DER)
    if unusual:
        der = _unusual(der, ca, unusual)
    asn1_cert = asn1_x509.Certificate.load(der)
    key_info = asn1_keys.PrivateKeyInfo.load(
        key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    signer = signers.SimpleSigner(
        signing_cert=asn1_cert,
        signing_key=key_info,
        cert_registry=SimpleCertificateStore.from_certs([ca.asn1]),
        prefer_pss=pss,
    )
    return ForeignSigner(signer=signer, cert_der=der, common_name=common_name, kind=kind)


def recipient_certificate(ca: ForeignCa) -> asn1_x509.Certificate:
    """An RSA certificate for a recipient of public-key encryption (key encipherment)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    builder = _leaf_builder(
        ca, key.public_key(), "Người nhận", x509.random_serial_number(), encipher=True
    )
    cert = builder.sign(ca.key, hashes.SHA256())
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _unusual(der: bytes, ca: ForeignCa, how: str) -> bytes:
    cert = asn1_x509.Certificate.load(der)
    if how == "negative_serial":
        tbs = cert["tbs_certificate"].copy()
        tbs["serial_number"] = -4660
        tbs_der = tbs.dump(force=True)
    else:
        tbs_der = cert["tbs_certificate"].dump()
        assert b"\x01\x01\xff" in tbs_der
        tbs_der = tbs_der.replace(b"\x01\x01\xff", b"\x01\x01\x01", 1)
    assert isinstance(ca.key, ec.EllipticCurvePrivateKey)  # the altered TBS is signed in ECDSA
    signature = ca.key.sign(tbs_der, ec.ECDSA(hashes.SHA256()))
    signature_algorithm = cert["signature_algorithm"].dump()
    signature_bits = asn1_x509.Certificate({"signature_value": signature})["signature_value"].dump()
    body = tbs_der + signature_algorithm + signature_bits
    return b"\x30" + _der_length(len(body)) + body


def _der_length(length: int) -> bytes:
    if length < 0x80:
        return bytes([length])
    raw = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def trust_context(ca: ForeignCa) -> ValidationContext:
    return ValidationContext(trust_roots=[ca.asn1], crls=[ca.asn1_crl.dump()], allow_fetching=False)


# --- Signing the way another tool would ----------------------------------------------------------


def sign(
    data: bytes,
    who: ForeignSigner,
    *,
    field_name: str = "ChuKyNgoai",
    embed_validation: ValidationContext | None = None,
    timestamper: timestamps.TimeStamper | None = None,
    strict: bool = True,
    subfilter: SigSeedSubFilter = SigSeedSubFilter.PADES,
) -> bytes:
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        subfilter=subfilter,
        md_algorithm=DIGESTS.get(who.kind, "sha256"),
        embed_validation_info=embed_validation is not None,
        validation_context=embed_validation,
        use_pades_lta=False,
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=strict)
    out = io.BytesIO()
    pdf_signer = signers.PdfSigner(meta, who.signer, timestamper=timestamper)
    asyncio.run(pdf_signer.async_sign_pdf(writer, output=out))
    return out.getvalue()


def add_dss(data: bytes, ca: ForeignCa, who: ForeignSigner, *, vri: bool = True) -> bytes:
    """A long-term-validation update as other tools write it: a DSS with the CA certificate,
    its CRL and, per signature, a VRI dictionary keyed by the SHA-1 of the signature value."""
    reader = PdfFileReader(io.BytesIO(data))
    sig_contents = reader.embedded_signatures[-1].pkcs7_content if vri else None
    buffer = io.BytesIO(data)
    DocumentSecurityStore.add_dss(
        buffer,
        sig_contents,
        certs=[ca.asn1, asn1_x509.Certificate.load(who.cert_der)],
        crls=[ca.asn1_crl],
    )
    return buffer.getvalue()


def add_document_timestamp(data: bytes, timestamper: timestamps.TimeStamper) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    out = io.BytesIO()
    asyncio.run(
        signers.PdfTimeStamper(timestamper).async_timestamp_pdf(
            writer, md_algorithm="sha256", output=out
        )
    )
    return out.getvalue()


def local_timestamper(ca: ForeignCa) -> timestamps.TimeStamper:
    """A TSA of the foreign CA, answering in-process (pyHanko's DummyTimeStamper)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)  # pyHanko's dummy TSA
    cert = _leaf_builder(
        ca, key.public_key(), "TSA ngoài (thử nghiệm)", x509.random_serial_number(), tsa=True
    )
    tsa_cert = cert.sign(ca.key, hashes.SHA256())
    return timestamps.DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(tsa_cert.public_bytes(serialization.Encoding.DER)),
        tsa_key=asn1_keys.PrivateKeyInfo.load(
            key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        ),
        certs_to_embed=SimpleCertificateStore.from_certs([ca.asn1]),
    )


# --- Damaged or unusual shapes --------------------------------------------------------------------


def broken_dss_stream(data: bytes) -> bytes:
    """An update whose DSS lists a certificate stream that claims Flate but holds no zlib data."""
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    bad = generic.StreamObject(
        {generic.NameObject("/Filter"): generic.NameObject("/FlateDecode")},
        encoded_data=b"\x00\x01 this is not zlib at all \xff" * 8,
    )
    dss = generic.DictionaryObject(
        {
            generic.NameObject("/Type"): generic.NameObject("/DSS"),
            generic.NameObject("/Certs"): generic.ArrayObject([writer.add_object(bad)]),
        }
    )
    writer.root[generic.NameObject("/DSS")] = writer.add_object(dss)
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _contents_gap(data: bytes) -> tuple[int, int]:
    """Where the signature's /Contents starts and ends (the second and third ByteRange numbers)."""
    match = re.search(rb"/ByteRange\s*\[\s*0\s+(\d+)\s+(\d+)\s+\d+\s*\]", data)
    assert match is not None, "the file carries no signature /ByteRange"
    return int(match.group(1)), int(match.group(2))


def contents_replaced(data: bytes, fill: bytes) -> bytes:
    """The signature's hex /Contents replaced by *fill* digits (same width), e.g. all zeros."""
    a, b = _contents_gap(data)
    digits = (fill * (b - a))[: b - a - 2]
    return data[:a] + b"<" + digits + b">" + data[b:]


def contents_empty(data: bytes) -> bytes:
    """``/Contents <>`` padded with spaces: the gap no longer holds a signature value."""
    a, b = _contents_gap(data)
    return data[:a] + b"<>" + b" " * (b - a - 2) + data[b:]


def sha1_hex(value: bytes) -> str:
    return hashlib.sha1(value).hexdigest().upper()  # noqa: S324 - VRI keys are SHA-1 by spec


def add_dss_acrobat_style(data: bytes, ca: ForeignCa, who: ForeignSigner) -> bytes:
    """Long-term validation data the way Adobe Acrobat writes it: the catalog gains
    ``/Extensions`` (ADBE and ESIC), the DSS lists the certificates and the CRL, and the VRI
    entry of the signature (keyed by the SHA-1 of its value) carries ``/Cert``, ``/CRL`` and a
    ``/TU`` date; the DSS and VRI are direct dictionaries."""
    reader = PdfFileReader(io.BytesIO(data))
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    certs = generic.ArrayObject(
        writer.add_object(generic.StreamObject(stream_data=der)) for der in (ca.der, who.cert_der)
    )
    crls = generic.ArrayObject(
        [writer.add_object(generic.StreamObject(stream_data=ca.asn1_crl.dump()))]
    )
    key = sha1_hex(reader.embedded_signatures[-1].pkcs7_content)
    name = generic.NameObject
    vri_entry = generic.DictionaryObject(
        {
            name("/Cert"): certs,
            name("/CRL"): crls,
            name("/TU"): generic.pdf_date(NOW),
        }
    )
    writer.root[name("/DSS")] = generic.DictionaryObject(
        {
            name("/Certs"): certs,
            name("/CRLs"): crls,
            name("/VRI"): generic.DictionaryObject({name("/" + key): vri_entry}),
        }
    )
    writer.root[name("/Extensions")] = generic.DictionaryObject(
        {
            name("/ADBE"): generic.DictionaryObject(
                {
                    name("/BaseVersion"): name("/1.7"),
                    name("/ExtensionLevel"): generic.NumberObject(8),
                }
            ),
            name("/ESIC"): generic.DictionaryObject(
                {
                    name("/BaseVersion"): name("/1.7"),
                    name("/ExtensionLevel"): generic.NumberObject(2),
                }
            ),
        }
    )
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def hybrid_update(data: bytes) -> bytes:
    """Append an update in the hybrid-reference style office suites write: a classic xref
    table whose trailer's /XRefStm points at an xref stream listing one more object."""
    prev = int(re.findall(rb"startxref\s+(\d+)", data)[-1])
    size = int(re.findall(rb"/Size\s+(\d+)", data)[-1])
    root = re.findall(rb"/Root\s+(\d+ \d+ R)", data)[-1]
    info, stream = size, size + 1
    out = bytearray(data if data.endswith(b"\n") else data + b"\n")
    info_offset = len(out)
    out += b"%d 0 obj\n<< /Producer (Bo van phong) >>\nendobj\n" % info
    entry = struct.pack(">BIH", 1, info_offset, 0)  # /W [1 4 2]: type 1, offset, generation
    stream_offset = len(out)
    out += b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Index [%d 1] /Length %d >>\n" % (
        stream,
        size + 2,
        info,
        len(entry),
    )
    out += b"stream\n" + entry + b"\nendstream\nendobj\n"
    xref_offset = len(out)
    out += b"xref\n0 1\n0000000000 65535 f \n%d 1\n%010d 00000 n \n" % (stream, stream_offset)
    out += b"trailer\n<< /Size %d /Root %s /Info %d 0 R /Prev %d /XRefStm %d >>\n" % (
        size + 2,
        root,
        info,
        prev,
        stream_offset,
    )
    out += b"startxref\n%d\n%%%%EOF\n" % xref_offset
    return bytes(out)
