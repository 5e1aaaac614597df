"""PKCS#11 signing against a real SoftHSM2 token initialised for this test session.

The token holds the test PKI's RSA keys and certificates for "chutich" and for the revoked
"thu-hoi", a fresh P-256 key with a certificate issued here by the test PKI's intermediate CA,
and the intermediate certificate (the chain, as real tokens carry it). Keys go onto the token
with OpenSC's pkcs11-tool.
"""

from __future__ import annotations

import io
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.core.exceptions import ValidationError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from signing import pki
from signing.pades import PadesLevel, async_sign_pdf_bytes
from signing.pkcs11_backend import Pkcs11KeyBackend, Pkcs11Location
from tests.signing.conftest import REVOKED

MODULE = "/usr/lib/softhsm/libsofthsm2.so"
TOKEN = "kyhop-test"
PIN = "246810"
SO_PIN = "13579135"

pytestmark = [
    pytest.mark.usefixtures("pki_settings"),
    pytest.mark.skipif(not Path(MODULE).exists(), reason="SoftHSM2 chưa được cài"),
]


@dataclass(frozen=True)
class Token:
    locations: dict[str, Pkcs11Location]

    def backend(self) -> Pkcs11KeyBackend:
        return Pkcs11KeyBackend(self.locations.__getitem__)


def _tool(*args: str) -> None:
    subprocess.run(
        ["pkcs11-tool", "--module", MODULE, "--token-label", TOKEN, "--login", "--pin", PIN, *args],
        check=True,
        capture_output=True,
    )


def _write(kind: str, der: bytes, label: str, object_id: str, folder: Path) -> None:
    path = folder / f"{label}.{kind}.der"
    path.write_bytes(der)
    _tool("--write-object", str(path), "--type", kind, "--label", label, "--id", object_id)


def _issue_ec_certificate(test_pki) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    """A P-256 signing certificate from the test PKI's intermediate CA, with its CRL URL."""
    layout = test_pki.layout
    ca_key = serialization.load_pem_private_key(
        (layout.keys / "interm.key.pem").read_bytes(), password=None
    )
    ca_cert = x509.load_pem_x509_certificate((layout.certs / "interm.cert.pem").read_bytes())
    model = x509.load_pem_x509_certificate((layout.certs / "chutich.cert.pem").read_bytes())
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.COMMON_NAME, "Phạm Thị Token"),
        ]
    )
    now = datetime.now(UTC)
    crl_dp = model.extensions.get_extension_for_class(x509.CRLDistributionPoints)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False), True
        )
        .add_extension(crl_dp.value, False)
        .sign(ca_key, hashes.SHA256())
    )
    return key, cert


@pytest.fixture(scope="session")
def softhsm_token(tmp_path_factory, test_pki) -> Iterator[Token]:
    folder = tmp_path_factory.mktemp("softhsm")
    (folder / "tokens").mkdir()
    conf = folder / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {folder / 'tokens'}\nobjectstore.backend = file\n")
    # SoftHSM reads its configuration once, when the module is first loaded in this process.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOFTHSM2_CONF", str(conf))
        init = ["--init-token", "--free", "--label", TOKEN, "--pin", PIN, "--so-pin", SO_PIN]
        subprocess.run(
            ["softhsm2-util", *init],
            check=True,
            capture_output=True,
        )
        layout = test_pki.layout
        der = serialization.Encoding.DER
        pkcs8 = serialization.PrivateFormat.PKCS8
        plain = serialization.NoEncryption()
        for name, object_id in (("chutich", "01"), (REVOKED, "04")):
            rsa_key = serialization.load_pem_private_key(
                (layout.keys / f"{name}.key.pem").read_bytes(), password=None
            )
            _write("privkey", rsa_key.private_bytes(der, pkcs8, plain), name, object_id, folder)
            cert = pki.read_certificate(test_pki.directory, name).dump()
            _write("cert", cert, name, object_id, folder)
        ec_key, ec_cert = _issue_ec_certificate(test_pki)
        _write("privkey", ec_key.private_bytes(der, pkcs8, plain), "ec-signer", "02", folder)
        _write("cert", ec_cert.public_bytes(der), "ec-signer", "02", folder)
        interm = pki.read_certificate(test_pki.directory, "interm").dump()
        _write("cert", interm, "interm", "03", folder)
        for path in folder.glob("*.der"):
            path.unlink()  # the private keys now live only on the token
        yield Token(
            locations={
                name: Pkcs11Location(module=MODULE, token_label=TOKEN, key_label=name)
                for name in ("chutich", "ec-signer", REVOKED, "missing")
            }
        )


async def _status(data: bytes, test_pki):
    context = ValidationContext(
        trust_roots=pki.trust_roots(test_pki.directory),
        allow_fetching=True,
        revocation_mode="hard-fail",
    )
    try:
        reader = PdfFileReader(io.BytesIO(data))
        return await async_validate_pdf_signature(reader.embedded_signatures[0], context)
    finally:
        await context.aclose()


@pytest.fixture
def backend(softhsm_token) -> Iterator[Pkcs11KeyBackend]:
    backend = softhsm_token.backend()
    yield backend
    backend.close()


@pytest.mark.parametrize("level", [PadesLevel.B_B, PadesLevel.B_T])
@pytest.mark.parametrize(
    ("identity", "mechanism"), [("chutich", "rsassa_pss"), ("ec-signer", "sha256_ecdsa")]
)
async def test_a_key_on_the_token_signs_a_pdf_that_validates(
    backend, test_pki, pdf_bytes, level, identity, mechanism
):
    signer = backend.signer(identity=identity, passphrase=PIN)
    signed = await async_sign_pdf_bytes(data=pdf_bytes, signer=signer, level=level)
    status = await _status(signed, test_pki)
    assert status.intact and status.valid and status.trusted
    assert status.md_algorithm == "sha256"
    assert status.pkcs7_signature_mechanism == mechanism
    if level is PadesLevel.B_T:
        assert status.timestamp_validity is not None and status.timestamp_validity.valid


def test_the_chain_comes_from_the_token(backend):
    signer = backend.signer(identity="chutich", passphrase=PIN)
    subjects = {cert.subject.native["common_name"] for cert in signer.cert_registry}
    assert "KyHop CA cấp 2 (phát triển)" in subjects


def test_a_wrong_pin_is_refused_in_vietnamese(backend):
    with pytest.raises(ValidationError) as caught:
        backend.signer(identity="chutich", passphrase="000000")
    assert caught.value.code == "wrong_passphrase"
    assert caught.value.messages == ["Mã PIN của token “kyhop-test” không đúng."]


def test_a_cached_session_does_not_let_a_wrong_pin_through(backend):
    assert backend.signer(identity="chutich", passphrase=PIN) is backend.signer(
        identity="chutich", passphrase=PIN
    )
    with pytest.raises(ValidationError) as caught:
        backend.signer(identity="chutich", passphrase="999999")
    assert caught.value.code == "wrong_passphrase"
    backend.signer(identity="chutich", passphrase=PIN)  # and the right one still works


def test_a_key_missing_from_the_token_is_named(backend):
    with pytest.raises(ValidationError) as caught:
        backend.signer(identity="missing", passphrase=PIN)
    assert caught.value.code == "key_not_on_token"
    assert "“missing”" in caught.value.messages[0]


def test_an_unknown_token_is_reported(softhsm_token):
    backend = Pkcs11KeyBackend(
        lambda _name: Pkcs11Location(module=MODULE, token_label="no-such-token", key_label="x")
    )
    with pytest.raises(ValidationError) as caught:
        backend.signer(identity="x", passphrase=PIN)
    assert caught.value.code == "token_unavailable"


@pytest.mark.django_db
def test_the_default_backend_reads_the_location_from_the_signing_identity(
    softhsm_token, test_pki, django_user_model
):
    from signing.models import IdentityKind, SigningIdentity

    cert = pki.read_certificate(test_pki.directory, "chutich")
    user = django_user_model.objects.create_user(username="hung", password="x")
    SigningIdentity.objects.create(
        name="hung-token",
        kind=IdentityKind.PKCS11,
        owner_user=user,
        certificate=cert.dump(),
        subject="Nguyễn Văn Hùng",
        issuer="KyHop CA cấp 2",
        serial=str(cert.serial_number),
        fingerprint_sha256=cert.sha256.hex(),
        not_before=cert.not_valid_before,
        not_after=cert.not_valid_after,
        pkcs11_module=MODULE,
        pkcs11_token_label=TOKEN,
        pkcs11_key_label="chutich",
    )
    backend = Pkcs11KeyBackend()
    try:
        signer = backend.signer(identity="hung-token", passphrase=PIN)
        assert signer.signing_cert.dump() == cert.dump()
    finally:
        backend.close()


@pytest.mark.parametrize("level", [PadesLevel.B_B, PadesLevel.B_T])
async def test_a_revoked_certificate_on_the_token_cannot_sign(backend, pdf_bytes, level):
    signer = backend.signer(identity=REVOKED, passphrase=PIN)
    with pytest.raises(ValidationError) as caught:
        await async_sign_pdf_bytes(data=pdf_bytes, signer=signer, level=level)
    assert caught.value.code == "certificate_revoked"
    assert "đã bị thu hồi" in caught.value.messages[0]
