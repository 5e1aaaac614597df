"""The development PKI: made once, named in Vietnamese, and served as its certificates say."""

from __future__ import annotations

import hashlib
import unicodedata
import urllib.request
from datetime import UTC, datetime

import pytest
from asn1crypto import crl, x509
from cryptography.hazmat.primitives.serialization import Encoding, pkcs12
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from accounts import demo_data
from signing import devpki
from tests.signing.helpers import REVOKED


def _fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read()


def _tree_digest(directory) -> dict[str, str]:
    return {
        str(path.relative_to(directory)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


def test_every_demo_signer_and_top_body_has_an_identity(test_pki):
    names = {name for name, *_ in demo_data.DEMO_LOGINS} | {"ubnd-tinh", "hdnd-tinh"}

    assert {i.name for i in devpki.demo_identities()} == names
    # The PKI also issues the validation service's own certificate, and the test PKI adds one
    # revoked signer to the demo's (tests/signing/helpers.py).
    service = devpki.VALIDATION_SERVICE.name
    assert {i.name for i in devpki.pki_identities()} == names | {service}
    issued = {p.stem for p in test_pki.layout.identities.glob("*.p12")}
    assert issued == names | {service, REVOKED}


def test_personal_certificates_carry_the_full_vietnamese_name_in_nfc(test_pki):
    for username, full_name, position, *_ in demo_data.DEMO_LOGINS:
        subject = devpki.read_certificate(test_pki.directory, username).subject.native
        assert subject["common_name"] == unicodedata.normalize("NFC", full_name)
        assert unicodedata.is_normalized("NFC", subject["common_name"])
        assert subject["title"] == position
    seal = devpki.read_certificate(test_pki.directory, "hdnd-tinh").subject.native
    assert seal["common_name"] == "Hội đồng nhân dân tỉnh Bắc Ninh"


def test_certificates_are_long_lived_and_strong(test_pki):
    for label in ("root", "interm", "tsa", "ocsp", "chutich", "ubnd-tinh"):
        cert = devpki.read_certificate(test_pki.directory, label)
        validity = cert["tbs_certificate"]["validity"]
        assert validity["not_after"].native > datetime(2039, 1, 1, tzinfo=UTC)
        assert cert.public_key.bit_size >= 2048
        assert cert.hash_algo == "sha256"


def test_pkcs12_holds_the_same_certificate_the_animator_serves(test_pki):
    data = test_pki.layout.identity_file("chutich").read_bytes()
    _key, cert, chain = pkcs12.load_key_and_certificates(data, test_pki.passphrase.encode())
    url = f"{test_pki.base_url}/{devpki.ARCH}/certs/interm/issued/chutich.crt"

    assert cert is not None
    assert _fetch(url) == cert.public_bytes(Encoding.DER)
    assert len(chain) == 2  # intermediate and root


def test_certificate_urls_point_at_the_served_base_url_and_answer(test_pki):
    cert = devpki.read_certificate(test_pki.directory, "chutich")
    urls = devpki.service_urls(test_pki.base_url)

    assert cert.ocsp_urls == [urls["ocsp"]]
    assert cert.crl_distribution_points[0]["distribution_point"].native == [urls["crl_interm"]]
    revocation_list = crl.CertificateList.load(_fetch(urls["crl_interm"]))
    assert revocation_list.issuer.native["common_name"] == "KyHop CA cấp 2 (phát triển)"
    [ca_issuers] = [
        access["access_location"].native
        for access in cert.authority_information_access_value
        if access["access_method"].native == "ca_issuers"
    ]
    issuer = x509.Certificate.load(_fetch(ca_issuers))
    assert issuer.subject == devpki.read_certificate(test_pki.directory, "interm").subject


def test_creating_again_changes_nothing(test_pki):
    before = _tree_digest(test_pki.directory)

    result = devpki.pki_create(
        directory=test_pki.directory, base_url=test_pki.base_url, passphrase="khác"
    )

    assert result.created is False
    assert _tree_digest(test_pki.directory) == before


def test_a_pki_made_for_another_address_is_not_silently_reused(test_pki):
    with pytest.raises(ImproperlyConfigured, match="được tạo cho"):
        devpki.pki_create(
            directory=test_pki.directory, base_url="http://127.0.0.1:1", passphrase="x"
        )


def test_pki_init_command_is_idempotent(pki_settings, capsys):
    before = _tree_digest(pki_settings.directory)

    call_command("pki_init")

    assert "không thay đổi gì" in capsys.readouterr().out
    assert _tree_digest(pki_settings.directory) == before


def test_a_non_pki_directory_is_left_alone(tmp_path):
    (tmp_path / "something.txt").write_text("x")

    with pytest.raises(ImproperlyConfigured, match="không phải PKI"):
        devpki.pki_create(directory=tmp_path, base_url="http://127.0.0.1:9100", passphrase="x")
    assert [p.name for p in tmp_path.iterdir()] == ["something.txt"]
