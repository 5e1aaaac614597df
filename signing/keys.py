"""Key backends: where a signing key lives and how a pyHanko signer is obtained from it.

Every backend answers ``signer(identity=..., passphrase=...)`` with a pyHanko ``Signer``; the
signing code does not care whether the key is in a PKCS#12 file, a token or a remote service.
Only the PKCS#12 backend exists so far (PKCS#11 and external signing follow, issue 5).

Parsing a PKCS#12 file (PBKDF2 + decryption + key parsing) costs far more than a signature, and
pyHanko's ``SimpleSigner`` even re-parses the private key on every signature; so a parsed signer
is cached per identity, file content and passphrase, and holds the parsed key object.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Protocol

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.serialization import pkcs12
from django.core.exceptions import ValidationError
from pyhanko.sign.general import get_pyca_cryptography_hash
from pyhanko.sign.signers import Signer, SimpleSigner
from pyhanko.sign.signers.pdf_cms import process_pss_params
from pyhanko_certvalidator.registry import SimpleCertificateStore

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
            f"Mật khẩu (mã PIN) của khóa ký “{identity}” không đúng, "
            "hoặc tệp khóa (PKCS#12) bị hỏng.",
            code="wrong_passphrase",
        ) from exc
    if key is None or cert is None:
        raise ValidationError(
            f"Tệp khóa của “{identity}” không chứa khóa bí mật và chứng thư số.",
            code="incomplete_pkcs12",
        )
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise ValidationError(
            f"Khóa của “{identity}” không phải RSA hoặc ECDSA.", code="unsupported_key"
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
            raise ValidationError(f"Tên khóa ký “{identity}” không hợp lệ.", code="bad_identity")
        return self.directory / f"{identity}.p12"

    def signer(self, *, identity: str, passphrase: str) -> ParsedKeySigner:
        path = self.path_for(identity)
        try:
            data = path.read_bytes()
        except FileNotFoundError as exc:
            raise ValidationError(
                f"Không tìm thấy khóa ký “{identity}”.", code="unknown_identity"
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
