"""The parsed-key signer: signs without parsing its key again, and builds the same CMS as
pyHanko's own assembly from parts it encoded once."""

from __future__ import annotations

import asyncio

from signing.pades.sign import PadesLevel, async_certificate_clear, sign_pdf_bytes


def test_signing_uses_the_parsed_key_without_parsing_it_again(pki_settings, pdf_bytes, monkeypatch):
    from pyhanko.sign.signers import pdf_cms

    signer = pki_settings.backend().signer(identity="vanthu", passphrase=pki_settings.passphrase)

    # The CA answers from this process and parses its own keys: ask it before the patch.
    status = asyncio.run(async_certificate_clear(signer=signer))

    def reparse(*_args, **_kwargs):
        raise AssertionError("SimpleSigner re-parsed the private key")

    # pyHanko's SimpleSigner.sign_raw calls this on every signature; ours must not.
    monkeypatch.setattr(pdf_cms.serialization, "load_der_private_key", reparse)
    signed = sign_pdf_bytes(
        data=pdf_bytes, signer=signer, level=PadesLevel.B_B, certificate_status=status
    )
    assert signed.startswith(pdf_bytes)


async def test_the_cms_built_from_encoded_parts_matches_pyhankos_own(test_pki):
    """ParsedKeySigner encodes its certificates, signer id, signing-certificate attribute and
    mechanism once; the CMS must be what pyHanko's own assembly makes, apart from the
    signature value (RSASSA-PSS is randomised) and the signing time."""
    from asn1crypto import cms
    from pyhanko.sign.signers import SimpleSigner
    from pyhanko.sign.validation.generic_cms import validate_sig_integrity

    ours = test_pki.backend().signer(identity="chutich", passphrase=test_pki.passphrase)
    plain = SimpleSigner(
        signing_cert=ours.signing_cert,
        signing_key=ours.signing_key,
        cert_registry=ours.cert_registry,
        prefer_pss=True,
    )
    digest = bytes(range(32))
    made = [await s.async_sign(digest, "sha256", use_pades=True) for s in (ours, plain)]
    data = [m["content"] for m in made]
    infos = [d["signer_infos"][0] for d in data]

    assert {c.dump() for c in data[0]["certificates"]} == {
        c.dump() for c in data[1]["certificates"]
    }
    for name in ("version", "sid", "digest_algorithm", "signature_algorithm"):
        assert infos[0][name].dump() == infos[1][name].dump()
    attrs = [{a["type"].native: a["values"].dump() for a in i["signed_attrs"]} for i in infos]
    assert attrs[0].keys() == attrs[1].keys()
    for name in ("content_type", "message_digest", "signing_certificate_v2"):
        assert attrs[0][name] == attrs[1][name]
    reloaded = cms.ContentInfo.load(made[0].dump())["content"]
    signer_info = reloaded["signer_infos"][0]
    valid, intact = validate_sig_integrity(
        signer_info, ours.signing_cert, expected_content_type="data", actual_digest=digest
    )
    assert valid and intact
