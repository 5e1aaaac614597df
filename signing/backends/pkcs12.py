"""Server-held PKCS#12 keys: parse a PKCS#12 file into a signer, and the file-based backend
(``<directory>/<identity>.p12``, used by ``manage.py sign_pdf`` and the development PKI).

Parsing a PKCS#12 file (PBKDF2 + decryption + key parsing) costs far more than a signature, so
a parsed signer (``signing.pades.keys.ParsedKeySigner``, which holds the parsed key) is cached
per identity, file content and an HMAC of the passphrase. Identities stored in the database
use the same cache (``signing.backends.identities``).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
from collections import OrderedDict
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from django.core.exceptions import ValidationError
from pyhanko_certvalidator.registry import SimpleCertificateStore

from signing.i18n import gettext
from signing.pades.keys import ParsedKeySigner

IDENTITY_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")
CACHE_SIZE = 128


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


signer_cache = _SignerCache(CACHE_SIZE)


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
        key = signer_cache.key(identity=variant, data=data, passphrase=passphrase)
        cached = signer_cache.get(key)
        if cached is not None:
            return cached
        signer = signer_from_pkcs12(
            data=data, passphrase=passphrase, identity=identity, prefer_pss=self.prefer_pss
        )
        signer_cache.put(key, signer)
        return signer
