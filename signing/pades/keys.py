"""A pyHanko signer for a key held in this process, parsed once (``ParsedKeySigner``).

pyHanko's ``SimpleSigner`` re-parses the private key on every signature (~+80 ms), and
asn1crypto re-encodes every certificate while building each CMS; this signer keeps the parsed
key and encodes what never changes for it once. It reproduces pyHanko 0.38 internals (see
``ParsedKeySigner``): pyproject.toml pins that minor version, and a test fails on another.
The PKCS#12 backend that builds these signers is ``signing.backends.pkcs12``.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

from asn1crypto import algos, cms
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from pyhanko.sign.attributes import CMSAttributeProvider, SigningCertificateV2Provider
from pyhanko.sign.general import (
    as_signing_certificate_v2,
    get_pyca_cryptography_hash,
    simple_cms_attribute,
)
from pyhanko.sign.signers import SimpleSigner
from pyhanko.sign.signers.pdf_cms import process_pss_params
from pyhanko_certvalidator.registry import SimpleCertificateStore


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
        # pyHanko's ``signing_cert`` may be None (a signer without one); this one always has it.
        self._signer_cert = signing_cert

    # --- CMS assembly ------------------------------------------------------------------------
    # asn1crypto re-encodes every certificate it is handed while building a SignedData: about
    # half of the CPU of a signature here (~25 of ~50 ms), the same bytes every time. The
    # certificate set and the signer identifier never change for this signer, so they are
    # encoded once and each signature loads them back as already-encoded values. The structure
    # is pyHanko 0.38's (PKCS7Signer._package_signature / signer_info), so validators see the
    # same CMS; tests/signing/pades/test_keys.py compares the two.

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
        cert = self._signer_cert
        issuer_serial = {"issuer": cert.issuer, "serial_number": cert.serial_number}
        return cms.SignerIdentifier(
            {"issuer_and_serial_number": cms.IssuerAndSerialNumber(issuer_serial)}
        ).dump()

    @functools.cached_property
    def _signing_certificate_attribute_der(self) -> bytes:
        return simple_cms_attribute(
            "signing_certificate_v2", as_signing_certificate_v2(self.signing_cert)
        ).dump()

    def _signed_attr_providers(self, *args: Any, **kwargs: Any) -> Iterator[CMSAttributeProvider]:
        # The signing-certificate-v2 attribute (a hash of our certificate and its issuer's
        # name) is the costliest signed attribute to encode, and it never changes.
        for provider in super()._signed_attr_providers(*args, **kwargs):
            if isinstance(provider, SigningCertificateV2Provider):
                yield _EncodedAttribute(
                    provider.attribute_type, self._signing_certificate_attribute_der
                )
            else:
                yield provider

    def get_signature_mechanism_for_digest(
        self, digest_algorithm: str | None
    ) -> algos.SignedDigestAlgorithm:
        # Asked three times per signature; RSASSA-PSS parameters are slow to build.
        cache = self.__dict__.setdefault("_mechanisms", {})
        if digest_algorithm not in cache:
            mechanism = super().get_signature_mechanism_for_digest(digest_algorithm)
            cache[digest_algorithm] = mechanism.dump()
        return algos.SignedDigestAlgorithm.load(cache[digest_algorithm])

    def signer_info(
        self, digest_algorithm: str, signed_attrs: cms.CMSAttributes, signature: bytes
    ) -> cms.SignerInfo:
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

    async def build_attr_value(self, dry_run: bool = False) -> object:  # pragma: no cover - unused
        return cms.CMSAttribute.load(self.der)["values"][0]

    async def get_attribute(self, dry_run: bool = False) -> cms.CMSAttribute:
        return cms.CMSAttribute.load(self.der)
