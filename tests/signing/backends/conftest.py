"""Key-backend fixtures: a SoftHSM2 token and certomancer's CSC dummy service, each made once
per test session from the in-process test PKI.

The token holds the test PKI's RSA keys and certificates for "chutich" and for the revoked
"thu-hoi", a fresh P-256 key with a certificate issued here by the test PKI's intermediate CA,
and the intermediate certificate (the chain, as real tokens carry it). Keys go onto the token
with OpenSC's pkcs11-tool.

The CSC dummy signs with the test PKI's own keys and requires hash pinning (SCAL 2), so a SAD
is only good for the hashes it was issued for. It runs on its own event loop in a thread, on a
free loopback port; a middleware counts the calls so the tests can check "one authorisation
for the batch".
"""

from __future__ import annotations

import asyncio
import subprocess
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp import web
from certomancer.registry import CertomancerConfig
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from csc_dummy.csc_dummy_server import CSCWithCertomancer, DummyServiceParams

from signing import devpki
from signing.backends.pkcs11 import Pkcs11Location
from tests.signing.backends.helpers import (
    MODULE,
    MULTISIGN,
    PIN,
    SO_PIN,
    TOKEN,
    CscService,
    Token,
)
from tests.signing.helpers import REVOKED

# --- SoftHSM2 -------------------------------------------------------------------------------


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
    assert isinstance(ca_key, rsa.RSAPrivateKey)  # the development PKI's CAs hold RSA keys
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
            cert = devpki.read_certificate(test_pki.directory, name).dump()
            _write("cert", cert, name, object_id, folder)
        ec_key, ec_cert = _issue_ec_certificate(test_pki)
        _write("privkey", ec_key.private_bytes(der, pkcs8, plain), "ec-signer", "02", folder)
        _write("cert", ec_cert.public_bytes(der), "ec-signer", "02", folder)
        interm = devpki.read_certificate(test_pki.directory, "interm").dump()
        _write("cert", interm, "interm", "03", folder)
        for path in folder.glob("*.der"):
            path.unlink()  # the private keys now live only on the token
        yield Token(
            locations={
                name: Pkcs11Location(module=MODULE, token_label=TOKEN, key_label=name)
                for name in ("chutich", "ec-signer", REVOKED, "missing")
            }
        )


# --- The CSC dummy service ------------------------------------------------------------------


@pytest.fixture(scope="session")
def csc_service(test_pki) -> Iterator[CscService]:
    config = CertomancerConfig.from_file(
        str(test_pki.layout.config),
        key_search_dir=str(test_pki.directory),
        allow_external_config=False,
    )
    dummy = CSCWithCertomancer(
        config, service_params=DummyServiceParams(hash_pinning_required=True, multisign=MULTISIGN)
    )
    dummy.register_routes()
    calls: Counter = Counter()

    @web.middleware
    async def count(request: web.Request, handler):
        calls[request.path.removeprefix("/csc/v1/")] += 1
        return await handler(request)

    dummy.app.middlewares.append(count)
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="csc-dummy", daemon=True)
    thread.start()
    runner = web.AppRunner(dummy.app)
    asyncio.run_coroutine_threadsafe(runner.setup(), loop).result()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    asyncio.run_coroutine_threadsafe(site.start(), loop).result()
    server = site._server
    assert isinstance(server, asyncio.Server)
    port = server.sockets[0].getsockname()[1]
    try:
        yield CscService(url=f"http://127.0.0.1:{port}", calls=calls)
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result()
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
