"""The development PKI: a root CA, an intermediate CA, a TSA, an OCSP responder and CRLs, plus a
personal certificate for each demo signer and a seal certificate for each top body.

certomancer builds the certificates from a YAML description and its Animator serves the
time-stamps, OCSP responses, CRLs and CA certificates over HTTP. certomancer does not make keys,
so ``pki_create`` makes them with cryptography first.

Everything is created once, under one directory:

    certomancer.yml      the description certomancer reads (the base URL is baked into it)
    keys/<label>.key.pem private keys (unencrypted PKCS#8, mode 0600: a development PKI only)
    certs/<label>.cert.pem every certificate, for trust stores and inspection
    identities/<name>.p12 key + certificate + chain, protected by the passphrase
    manifest.json        what was made, and for which base URL

The base URL is written into every certificate (AIA and CRL distribution points), so a PKI is
bound to the address it is served at. Development uses a fixed port (``KYHOP_PKI_URL``, default
http://127.0.0.1:9100, served by ``manage.py pki_serve``). Tests do not share it: they start a
server on a free port first and then create a separate PKI for that port in a temporary
directory (see tests/signing/conftest.py), so a running ``make run`` never collides with them.

Certificate contents do not depend on when they are made: validity dates are fixed (years
ahead), serial numbers come from the description and certomancer's RSA signatures are
deterministic, so the Animator re-deriving a certificate yields exactly the one in the
PKCS#12 file.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import unicodedata
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from certomancer.integrations.animator import Animator, AnimatorArchStore
from certomancer.registry import ArchLabel, CertLabel, CertomancerConfig, PKIArchitecture
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.exceptions import ImproperlyConfigured

from accounts import demo_data

ARCH = "kyhop-dev"
CA_LABELS = ("root", "interm")
# "tsa-short": a second TSA whose certificate expires soon, for the PAdES-LTA renewal tests.
SERVICE_LABELS = ("tsa", "ocsp", "tsa-short")
MANIFEST = "manifest.json"
COUNTRY = "VN"
PKI_ORG = "KyHop - PKI phát triển (không dùng thật)"

# Fixed dates, far enough ahead that no test run meets an expiry, and none derived from "now".
CA_VALIDITY = ("2025-01-01T00:00:00+0000", "2050-01-01T00:00:00+0000")
SERVICE_VALIDITY = ("2025-01-01T00:00:00+0000", "2045-01-01T00:00:00+0000")
LEAF_VALIDITY = ("2025-06-01T00:00:00+0000", "2040-06-01T00:00:00+0000")
SHORT_TSA_VALIDITY = ("2025-01-01T00:00:00+0000", "2027-03-01T00:00:00+0000")
CA_KEY_BITS = 3072
LEAF_KEY_BITS = 2048


@dataclass(frozen=True)
class DevIdentity:
    """One signing identity of the demo: a person (by user name) or a body's seal (by code)."""

    name: str
    common_name: str
    organisation: str
    title: str
    kind: str  # "person" | "seal" | "service" (a certificate of KyHop itself, no owner)
    # A revoked identity (tests, demonstrations): since when, and the CRL reason (RFC 5280
    # names, e.g. "key_compromise"). The OCSP responder and the CRL then say so.
    revoked_since: str | None = None
    revocation_reason: str | None = None


@dataclass(frozen=True)
class PkiLayout:
    root: Path

    @property
    def config(self) -> Path:
        return self.root / "certomancer.yml"

    @property
    def keys(self) -> Path:
        return self.root / "keys"

    @property
    def certs(self) -> Path:
        return self.root / "certs"

    @property
    def identities(self) -> Path:
        return self.root / "identities"

    @property
    def manifest(self) -> Path:
        return self.root / MANIFEST

    def identity_file(self, name: str) -> Path:
        return self.identities / f"{name}.p12"


@dataclass(frozen=True)
class PkiInitResult:
    created: bool
    layout: PkiLayout
    identities: tuple[str, ...]


def _nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value).strip()


def demo_identities() -> list[DevIdentity]:
    """The demo signers (accounts.demo_data.DEMO_LOGINS) and one seal per top body."""
    bodies = {code: name for code, name, *_rest in demo_data.TOP_BODIES}
    people = [
        DevIdentity(
            name=username,
            common_name=_nfc(full_name),
            organisation=_nfc(bodies.get(body_code, body_code)),
            title=_nfc(position),
            kind="person",
        )
        for username, full_name, position, body_code, _role, _staff in demo_data.DEMO_LOGINS
    ]
    seals = [
        DevIdentity(
            name=code, common_name=_nfc(name), organisation=_nfc(name), title="", kind="seal"
        )
        for code, name, *_rest in demo_data.TOP_BODIES
    ]
    return people + seals


# --- The certomancer description ------------------------------------------------------------


# The public check page seals its reports with a certificate of its own, never with an
# administrative body's seal: a report made for anyone, signed out, is not an act of that body.
VALIDATION_SERVICE = DevIdentity(
    name="dich-vu-kiem-tra",
    common_name="Dịch vụ kiểm tra chữ ký — KyHop",
    organisation="KyHop",
    title="",
    kind="service",
)


def pki_identities() -> list[DevIdentity]:
    """Everything the development PKI issues by default: the demo's and KyHop's own services."""
    return [*demo_identities(), VALIDATION_SERVICE]


def _key_usage(*usages: str) -> dict[str, Any]:
    return {
        "id": "key_usage",
        "critical": True,
        "smart-value": {"schema": "key-usage", "params": list(usages)},
    }


def _crl_dp(repo: str) -> dict[str, Any]:
    return {
        "id": "crl_distribution_points",
        "smart-value": {"schema": "crl-dist-url", "params": {"crl-repo-names": [repo]}},
    }


def _aia(*, ocsp: bool, repo: str) -> dict[str, Any]:
    params: dict[str, Any] = {"ca-issuer-links": [{"repo": repo}]}
    if ocsp:
        params["ocsp-responder-names"] = ["interm"]
    return {
        "id": "authority_information_access",
        "smart-value": {"schema": "aia-urls", "params": params},
    }


def _validity(span: tuple[str, str]) -> dict[str, str]:
    return {"valid-from": span[0], "valid-to": span[1]}


def _ca_certs() -> dict[str, Any]:
    ca_usage = _key_usage("digital_signature", "key_cert_sign", "crl_sign")
    ca_flag = {"id": "basic_constraints", "critical": True, "value": {"ca": True}}
    return {
        "root": {
            "subject": "root",
            "issuer": "root",
            "serial": 1,
            "validity": _validity(CA_VALIDITY),
            "extensions": [ca_flag, ca_usage],
        },
        "interm": {
            "subject": "interm",
            "issuer": "root",
            "serial": 2,
            "validity": _validity(CA_VALIDITY),
            "extensions": [ca_flag, ca_usage, _crl_dp("root"), _aia(ocsp=False, repo="root")],
        },
    }


def _service_certs() -> dict[str, Any]:
    return {
        "tsa": {
            "subject": "tsa",
            "issuer": "interm",
            "serial": 3,
            "validity": _validity(SERVICE_VALIDITY),
            "extensions": [
                _key_usage("digital_signature"),
                {"id": "extended_key_usage", "critical": True, "value": ["time_stamping"]},
                _crl_dp("interm"),
                _aia(ocsp=True, repo="interm"),
            ],
        },
        "tsa-short": {
            "subject": "tsa-short",
            "issuer": "interm",
            "serial": 5,
            "validity": _validity(SHORT_TSA_VALIDITY),
            "extensions": [
                _key_usage("digital_signature"),
                {"id": "extended_key_usage", "critical": True, "value": ["time_stamping"]},
                _crl_dp("interm"),
                _aia(ocsp=True, repo="interm"),
            ],
        },
        "ocsp": {
            "subject": "ocsp",
            "issuer": "interm",
            "serial": 4,
            "validity": _validity(SERVICE_VALIDITY),
            "extensions": [
                _key_usage("digital_signature"),
                {"id": "extended_key_usage", "critical": True, "value": ["ocsp_signing"]},
                # RFC 6960 4.2.2.2.1: the responder certificate itself is not checked.
                {"id": "ocsp_no_check"},
            ],
        },
    }


def _revocation(identity: DevIdentity) -> dict[str, Any]:
    if identity.revoked_since is None:
        return {}
    entry = {"revoked-since": identity.revoked_since}
    if identity.revocation_reason:
        entry["reason"] = identity.revocation_reason
    return {"revocation": entry}


def _leaf_certs(identities: list[DevIdentity]) -> dict[str, Any]:
    return {
        identity.name: {
            "subject": identity.name,
            "issuer": "interm",
            "serial": 100 + index,
            "validity": _validity(LEAF_VALIDITY),
            "extensions": [
                # Circular 15/2025: a signing certificate carries digitalSignature/nonRepudiation.
                _key_usage("digital_signature", "non_repudiation"),
                _crl_dp("interm"),
                _aia(ocsp=True, repo="interm"),
            ],
        }
        | _revocation(identity)
        for index, identity in enumerate(identities)
    }


def _entities(identities: list[DevIdentity]) -> dict[str, Any]:
    entities: dict[str, Any] = {
        "root": {"common-name": "KyHop Root CA (phát triển)"},
        "interm": {"common-name": "KyHop CA cấp 2 (phát triển)"},
        "tsa": {"common-name": "KyHop Dịch vụ cấp dấu thời gian (phát triển)"},
        "ocsp": {"common-name": "KyHop OCSP (phát triển)"},
        "tsa-short": {"common-name": "KyHop TSA ngắn hạn (phát triển, hết hạn 2027)"},
    }
    for label in entities:
        entities[label] |= {"country-name": COUNTRY, "organization-name": PKI_ORG}
    for identity in identities:
        name: dict[str, str] = {
            "country-name": COUNTRY,
            "state-or-province-name": demo_data.PROVINCE,
            "organization-name": identity.organisation,
            "common-name": identity.common_name,
        }
        if identity.title:
            name["title"] = identity.title
        entities[identity.name] = name
    return entities


def _services() -> dict[str, Any]:
    return {
        "ocsp": {
            "interm": {"for-issuer": "interm", "responder-cert": "ocsp", "signing-key": "ocsp"}
        },
        "crl-repo": {
            "root": {
                "for-issuer": "root",
                "signing-key": "root",
                "simulated-update-schedule": "P90D",
            },
            "interm": {
                "for-issuer": "interm",
                "signing-key": "interm",
                "simulated-update-schedule": "P7D",
            },
        },
        "cert-repo": {
            "root": {"for-issuer": "root", "publish-issued-certs": True},
            "interm": {"for-issuer": "interm", "publish-issued-certs": True},
        },
        "time-stamping": {
            "tsa": {"signing-key": "tsa", "signing-cert": "tsa"},
            "tsa-short": {"signing-key": "tsa-short", "signing-cert": "tsa-short"},
        },
    }


def certomancer_config(*, base_url: str, identities: list[DevIdentity]) -> dict[str, Any]:
    """The certomancer description of the whole development PKI."""
    labels = [*CA_LABELS, *SERVICE_LABELS, *(i.name for i in identities)]
    return {
        "external-url-prefix": base_url.rstrip("/"),
        "keysets": {
            ARCH: {
                "path-prefix": "keys",
                "keys": {label: {"path": f"{label}.key.pem"} for label in labels},
            }
        },
        "pki-architectures": {
            ARCH: {
                "keyset": ARCH,
                "entities": _entities(identities),
                "certs": _ca_certs() | _service_certs() | _leaf_certs(identities),
                "services": _services(),
            }
        },
    }


# --- Creating it ----------------------------------------------------------------------------


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def _write_key(path: Path, bits: int) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    _write_private(path, pem)


def _read_manifest(layout: PkiLayout) -> dict[str, Any]:
    return json.loads(layout.manifest.read_text(encoding="utf-8"))


def _build(
    layout: PkiLayout, *, base_url: str, passphrase: str, identities: list[DevIdentity]
) -> list[DevIdentity]:
    for folder in (layout.keys, layout.certs, layout.identities):
        folder.mkdir(mode=0o700)
    for label in CA_LABELS:
        _write_key(layout.keys / f"{label}.key.pem", CA_KEY_BITS)
    for label in (*SERVICE_LABELS, *(i.name for i in identities)):
        _write_key(layout.keys / f"{label}.key.pem", LEAF_KEY_BITS)
    config = certomancer_config(base_url=base_url, identities=identities)
    layout.config.write_text(
        yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    arch = load_architecture(layout.root)
    for label in (*CA_LABELS, *SERVICE_LABELS, *(i.name for i in identities)):
        cert = arch.get_cert(CertLabel(label))
        (layout.certs / f"{label}.cert.pem").write_bytes(_pem_cert(cert))
    for identity in identities:
        p12 = arch.package_pkcs12(CertLabel(identity.name), password=passphrase.encode("utf-8"))
        _write_private(layout.identity_file(identity.name), p12)
    manifest = {
        "arch": ARCH,
        "base_url": base_url.rstrip("/"),
        "identities": [asdict(i) for i in identities],
    }
    layout.manifest.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), "utf-8")
    return identities


def _pem_cert(cert: asn1_x509.Certificate) -> bytes:
    return pem.armor("CERTIFICATE", cert.dump())


def pki_create(
    *,
    directory: Path,
    base_url: str,
    passphrase: str,
    identities: list[DevIdentity] | None = None,
) -> PkiInitResult:
    """Create the development PKI in *directory* unless it exists; never changes an existing one.

    *identities* defaults to :func:`pki_identities`; tests add others, e.g. a
    revoked signer. The PKI is built in a temporary sibling directory and renamed into place,
    so an interrupted run leaves nothing half-made behind.
    """
    layout = PkiLayout(directory)
    if layout.manifest.exists():
        manifest = _read_manifest(layout)
        if manifest["base_url"] != base_url.rstrip("/"):
            raise ImproperlyConfigured(
                f"PKI phát triển ở {directory} được tạo cho {manifest['base_url']}, "
                f"không phải {base_url}: các chứng thư đã ghi địa chỉ cũ. "
                "Xoá thư mục đó rồi chạy lại pki_init, hoặc đặt lại KYHOP_PKI_URL."
            )
        names = tuple(item["name"] for item in manifest["identities"])
        return PkiInitResult(created=False, layout=layout, identities=names)
    if directory.exists() and any(directory.iterdir()):
        raise ImproperlyConfigured(
            f"Thư mục {directory} đã có nội dung nhưng không phải PKI phát triển của KyHop."
        )
    directory.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".pki-", dir=directory.parent))
    try:
        identities = _build(
            PkiLayout(staging),
            base_url=base_url,
            passphrase=passphrase,
            identities=pki_identities() if identities is None else identities,
        )
        if directory.exists():
            directory.rmdir()  # empty, checked above
        staging.rename(directory)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return PkiInitResult(created=True, layout=layout, identities=tuple(i.name for i in identities))


# --- Using it -------------------------------------------------------------------------------


def load_architecture(directory: Path) -> PKIArchitecture:
    """Read the certomancer description (certificates are derived from it on demand)."""
    layout = PkiLayout(directory)
    if not layout.config.exists():
        raise ImproperlyConfigured(
            f"Chưa có PKI phát triển ở {directory}: hãy chạy “manage.py pki_init” trước."
        )
    config = CertomancerConfig.from_file(
        str(layout.config), key_search_dir=str(directory), allow_external_config=False
    )
    return config.get_pki_arch(ArchLabel(ARCH))


def animator(directory: Path) -> Animator:
    """The WSGI app serving TSA, OCSP, CRLs and CA certificates of the PKI in *directory*."""
    arch = load_architecture(directory)
    # No web UI (it offers PKCS#12 downloads) and no fake-time header: only the PKI services.
    return Animator(
        AnimatorArchStore({arch.arch_label: arch}), with_web_ui=False, allow_time_override=False
    )


def read_certificate(directory: Path, label: str) -> asn1_x509.Certificate:
    data = (PkiLayout(directory).certs / f"{label}.cert.pem").read_bytes()
    _type, _headers, der = pem.unarmor(data)
    return asn1_x509.Certificate.load(der)


def trust_roots(directory: Path) -> list[asn1_x509.Certificate]:
    """The development PKI's root certificate, for validation contexts."""
    return [read_certificate(directory, "root")]


def service_urls(base_url: str) -> dict[str, str]:
    """Where the Animator answers, for a PKI created with *base_url*."""
    base = f"{base_url.rstrip('/')}/{ARCH}"
    return {
        "tsa": f"{base}/tsa/tsa",
        "tsa_short": f"{base}/tsa/tsa-short",
        "ocsp": f"{base}/ocsp/interm",
        "crl_root": f"{base}/crls/root/latest.crl",
        "crl_interm": f"{base}/crls/interm/latest.crl",
    }
