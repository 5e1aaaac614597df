"""Key backends: where a signing key lives and how a pyHanko signer is obtained from it.

Every backend answers ``signer(identity=..., passphrase=...)`` with a pyHanko ``Signer``; the
signing code does not care whether the key is in a PKCS#12 file, a token or a remote service.
Only the PKCS#12 backend exists so far (PKCS#11 and external signing follow, issue 5).

Parsing a PKCS#12 file (PBKDF2 + decryption + key parsing) costs far more than a signature, and
pyHanko's ``SimpleSigner`` even re-parses the private key on every signature; so a parsed signer
is cached per identity, file content and passphrase, and holds the parsed key object.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
import secrets
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Protocol

from asn1crypto import algos, cms
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.serialization import pkcs12
from django.core.exceptions import ValidationError
from pyhanko.sign.attributes import CMSAttributeProvider, SigningCertificateV2Provider
from pyhanko.sign.general import (
    as_signing_certificate_v2,
    get_pyca_cryptography_hash,
    simple_cms_attribute,
)
from pyhanko.sign.signers import Signer, SimpleSigner
from pyhanko.sign.signers.pdf_cms import process_pss_params
from pyhanko_certvalidator.registry import SimpleCertificateStore

from signing.i18n import gettext

IDENTITY_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")
CACHE_SIZE = 128


class KeyBackend(Protocol):
    """Gives the signer for an identity, after checking its passphrase or PIN."""

    def signer(self, *, identity: str, passphrase: str) -> Signer: ...


class ParsedKeySigner(SimpleSigner):
    """A SimpleSigner that signs with a key parsed once, not once per signature."""

    def __init__(
        self,
        *,
        private_key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey,
        signing_cert: asn1_x509.Certificate,
        cert_registry: SimpleCertificateStore,
        prefer_pss: bool = False,
    ) -> None:
        der = private_key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        super().__init__(
            signing_cert=signing_cert,
            signing_key=asn1_keys.PrivateKeyInfo.load(der),
            cert_registry=cert_registry,
            prefer_pss=prefer_pss,
        )
        self._private_key = private_key

    # --- CMS assembly ------------------------------------------------------------------------
    # asn1crypto re-encodes every certificate it is handed while building a SignedData: about
    # half of the CPU of a signature here (~25 of ~50 ms), the same bytes every time. The
    # certificate set and the signer identifier never change for this signer, so they are
    # encoded once and each signature loads them back as already-encoded values. The structure
    # is pyHanko 0.38's (PKCS7Signer._package_signature / signer_info), so validators see the
    # same CMS; tests/signing/test_keys.py compares the two.

    @functools.cached_property
    def _certificates_der(self) -> bytes:
        registry = self.cert_registry or ()
        certs = [c for c in registry if self.embed_roots or c.self_signed == "no"]
        choices = {cms.CertificateChoices(name="certificate", value=c) for c in certs}
        choices.add(cms.CertificateChoices(name="certificate", value=self.signing_cert))
        for attribute_cert in self.attribute_certs:
            choices.add(cms.CertificateChoices(name="v2_attr_cert", value=attribute_cert))
        return cms.CertificateSet(choices).dump()

    @functools.cached_property
    def _sid_der(self) -> bytes:
        cert = self.signing_cert
        issuer_serial = {"issuer": cert.issuer, "serial_number": cert.serial_number}
        return cms.SignerIdentifier(
            {"issuer_and_serial_number": cms.IssuerAndSerialNumber(issuer_serial)}
        ).dump()

    @functools.cached_property
    def _signing_certificate_attribute_der(self) -> bytes:
        return simple_cms_attribute(
            "signing_certificate_v2", as_signing_certificate_v2(self.signing_cert)
        ).dump()

    def _signed_attr_providers(self, *args, **kwargs):
        # The signing-certificate-v2 attribute (a hash of our certificate and its issuer's
        # name) is the costliest signed attribute to encode, and it never changes.
        for provider in super()._signed_attr_providers(*args, **kwargs):
            if isinstance(provider, SigningCertificateV2Provider):
                yield _EncodedAttribute(
                    provider.attribute_type, self._signing_certificate_attribute_der
                )
            else:
                yield provider

    def get_signature_mechanism_for_digest(self, digest_algorithm):
        # Asked three times per signature; RSASSA-PSS parameters are slow to build.
        cache = self.__dict__.setdefault("_mechanisms", {})
        if digest_algorithm not in cache:
            mechanism = super().get_signature_mechanism_for_digest(digest_algorithm)
            cache[digest_algorithm] = mechanism.dump()
        return algos.SignedDigestAlgorithm.load(cache[digest_algorithm])

    def signer_info(self, digest_algorithm: str, signed_attrs, signature) -> cms.SignerInfo:
        if digest_algorithm == "shake256":  # pragma: no cover - not a Circular 15 choice
            return super().signer_info(digest_algorithm, signed_attrs, signature)
        return cms.SignerInfo(
            {
                "version": "v1",
                "sid": cms.SignerIdentifier.load(self._sid_der),
                "digest_algorithm": algos.DigestAlgorithm({"algorithm": digest_algorithm}),
                "signature_algorithm": self.get_signature_mechanism_for_digest(digest_algorithm),
                "signed_attrs": signed_attrs,
                "signature": signature,
            }
        )

    def _package_signature(
        self,
        *,
        digest_algorithm: str,
        cms_version,
        signed_attrs: cms.CMSAttributes,
        signature: bytes,
        unsigned_attrs: cms.CMSAttributes,
        encap_content_info,
    ) -> cms.ContentInfo:
        sig_info = self.signer_info(digest_algorithm, signed_attrs, signature)
        if unsigned_attrs is not None:
            sig_info["unsigned_attrs"] = unsigned_attrs
        signed_data = {
            "version": cms_version,
            "digest_algorithms": cms.DigestAlgorithms((sig_info["digest_algorithm"],)),
            "encap_content_info": encap_content_info or {"content_type": "data"},
            "certificates": cms.CertificateSet.load(self._certificates_der),
            "signer_infos": [sig_info],
        }
        return cms.ContentInfo(
            {"content_type": cms.ContentType("signed_data"), "content": cms.SignedData(signed_data)}
        )

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
        name = mechanism["algorithm"].native
        key = self._private_key
        if isinstance(key, rsa.RSAPrivateKey) and name == "rsassa_pss":
            padding, hash_algo = process_pss_params(mechanism["parameters"])
            return key.sign(data, padding, hash_algo)
        hash_algo = get_pyca_cryptography_hash(digest_algorithm)
        if isinstance(key, rsa.RSAPrivateKey):
            return key.sign(data, PKCS1v15(), hash_algo)
        if isinstance(key, ec.EllipticCurvePrivateKey):
            return key.sign(data, ec.ECDSA(hash_algo))
        return super().sign_raw(data, digest_algorithm)  # pragma: no cover - not issued by us


class _EncodedAttribute(CMSAttributeProvider):
    """A signed attribute encoded once, handed out as already-encoded bytes."""

    def __init__(self, attribute_type: str, der: bytes) -> None:
        self.attribute_type = attribute_type
        self.der = der

    async def build_attr_value(self, dry_run: bool = False):  # pragma: no cover - unused
        return cms.CMSAttribute.load(self.der)["values"][0]

    async def get_attribute(self, dry_run: bool = False) -> cms.CMSAttribute:
        return cms.CMSAttribute.load(self.der)


def signer_from_pkcs12(
    *, data: bytes, passphrase: str, identity: str, prefer_pss: bool = False
) -> ParsedKeySigner:
    """Parse PKCS#12 *data*; a wrong passphrase becomes a ValidationError the signer can read."""
    try:
        key, cert, chain = pkcs12.load_key_and_certificates(data, passphrase.encode("utf-8"))
    except ValueError as exc:
        # cryptography cannot tell a wrong passphrase from a damaged file; the former is the
        # overwhelmingly common case, so the message leads with it.
        raise ValidationError(
            gettext(
                "Mật khẩu (mã PIN) của khóa ký “%(identity)s” không đúng, "
                "hoặc tệp khóa (PKCS#12) bị hỏng."
            )
            % {"identity": identity},
            code="wrong_passphrase",
        ) from exc
    if key is None or cert is None:
        raise ValidationError(
            gettext("Tệp khóa của “%(identity)s” không chứa khóa bí mật và chứng thư số.")
            % {"identity": identity},
            code="incomplete_pkcs12",
        )
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise ValidationError(
            gettext("Khóa của “%(identity)s” không phải RSA hoặc ECDSA.") % {"identity": identity},
            code="unsupported_key",
        )
    return ParsedKeySigner(
        private_key=key,
        signing_cert=_to_asn1(cert),
        cert_registry=SimpleCertificateStore.from_certs([_to_asn1(c) for c in chain]),
        prefer_pss=prefer_pss,
    )


def _to_asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


class _SignerCache:
    """A small LRU of parsed signers, safe to share between threads.

    The key holds an HMAC of the passphrase under a per-process random key, never the
    passphrase itself or a plain hash someone could brute-force from a memory dump.
    """

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[tuple[str, str, str], ParsedKeySigner] = OrderedDict()
        self._lock = threading.Lock()
        self._salt = secrets.token_bytes(32)

    def key(self, *, identity: str, data: bytes, passphrase: str) -> tuple[str, str, str]:
        # The file's content, not its name, so a replaced file is never served from the cache.
        content = hashlib.sha256(data).hexdigest()
        secret = hmac.new(self._salt, passphrase.encode("utf-8"), hashlib.sha256).hexdigest()
        return identity, content, secret

    def get(self, key: tuple[str, str, str]) -> ParsedKeySigner | None:
        with self._lock:
            signer = self._items.get(key)
            if signer is not None:
                self._items.move_to_end(key)
            return signer

    def put(self, key: tuple[str, str, str], signer: ParsedKeySigner) -> None:
        with self._lock:
            self._items[key] = signer
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


_cache = _SignerCache(CACHE_SIZE)


def signer_cache_clear() -> None:
    _cache.clear()


class Pkcs12KeyBackend:
    """PKCS#12 files held by the server, one per identity: ``<directory>/<identity>.p12``."""

    def __init__(self, directory: Path, *, prefer_pss: bool = True) -> None:
        # Circular 15/2025 asks for RSASSA-PSS when signing with RSA; pdfsig and pyHanko verify it.
        self.directory = directory
        self.prefer_pss = prefer_pss

    def path_for(self, identity: str) -> Path:
        # The name becomes a file name: refuse anything that could leave the directory.
        if not IDENTITY_NAME.match(identity):
            raise ValidationError(
                gettext("Tên khóa ký “%(identity)s” không hợp lệ.") % {"identity": identity},
                code="bad_identity",
            )
        return self.directory / f"{identity}.p12"

    def signer(self, *, identity: str, passphrase: str) -> ParsedKeySigner:
        path = self.path_for(identity)
        try:
            data = path.read_bytes()
        except FileNotFoundError as exc:
            raise ValidationError(
                gettext("Không tìm thấy khóa ký “%(identity)s”.") % {"identity": identity},
                code="unknown_identity",
            ) from exc
        variant = f"{identity}|pss" if self.prefer_pss else identity
        key = _cache.key(identity=variant, data=data, passphrase=passphrase)
        cached = _cache.get(key)
        if cached is not None:
            return cached
        signer = signer_from_pkcs12(
            data=data, passphrase=passphrase, identity=identity, prefer_pss=self.prefer_pss
        )
        _cache.put(key, signer)
        return signer
