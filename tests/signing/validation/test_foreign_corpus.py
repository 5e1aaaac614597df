"""Other producers' files: every readable signed file gets a per-signature answer.

The corpus is made here (``tests.signing.validation.foreign``): another agency's CA and signers
(Ed25519, Ed448, RSA-PSS, ECDSA, an unusual certificate), pyHanko used directly with LTV/DSS
updates, VRI dictionaries and document time-stamps, a DSS stream that does not decompress,
hybrid-reference files, empty and all-zero ``/Contents``. The foreign CA is registered as a
trust root, the way an administrator would, and every file goes through the isolated checker.
"""

from __future__ import annotations

import io

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from signing.models import TrustRoot
from signing.pades.trust import certificate_facts
from signing.validation.report import CheckStatus, Outcome, Report
from signing.validation.runner import validate_pdf
from tests.signing.validation import attacks, foreign

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def ca() -> foreign.ForeignCa:
    return foreign.foreign_ca()


@pytest.fixture(scope="module")
def tsa(ca) -> object:
    return foreign.local_timestamper(ca)


@pytest.fixture
def trusted(validation_settings, ca) -> foreign.ForeignCa:
    TrustRoot.objects.create(**certificate_facts(ca.der), enabled=True)
    return ca


def _document() -> bytes:
    return attacks.text_pdf(["SO THONG TIN NGOAI", "Cong van so 12/STT"])


def _statuses(report: Report, index: int = 0) -> dict[str, CheckStatus]:
    return {c.code: c.status for c in report.signatures[index].checks}


def _answered(report: Report, count: int = 1) -> None:
    """A readable file: no refusal, and one verdict per signature with its lines."""
    assert report.refusal is None, report.refusal
    assert len(report.signatures) == count
    for sig in report.signatures:
        assert sig.checks and all(c.message for c in sig.checks)


@pytest.mark.parametrize(
    ("kind", "pss", "mechanism"),
    [
        ("ed25519", False, "ed25519"),
        ("ed448", False, "ed448"),
        ("rsa", True, "rsassa_pss"),
        ("ec", False, "sha256_ecdsa"),
    ],
)
def test_foreign_signers_with_embedded_revocation_pass(trusted, tsa, kind, pss, mechanism):
    who = foreign.foreign_signer(trusted, kind, pss=pss)
    data = foreign.sign(
        _document(),
        who,
        embed_validation=foreign.trust_context(trusted),
        timestamper=None if kind == "ed448" else tsa,  # pyHanko's test TSA has no SHAKE256
    )
    report = validate_pdf(data, file_name=f"{kind}.pdf")
    _answered(report)
    assert report.outcome is Outcome.PASSED, report.reasons
    sig = report.signatures[0]
    assert sig.signer.common_name == who.common_name
    assert sig.signature_algorithm == mechanism
    assert sig.signature_type == "approval"
    if kind.startswith("ed"):
        # Sound, but not among Circular 15's RSA/ECDSA: said, without changing the verdict.
        assert sig.key == {"ed25519": "Ed25519", "ed448": "Ed448"}[kind]
        assert _statuses(report)["algorithms_note"] is CheckStatus.WARNING


def test_a_certificate_cryptography_refuses_gets_an_answer_naming_the_certificate(trusted):
    who = foreign.foreign_signer(trusted, "ec", unusual="ber_boolean")
    report = validate_pdf(foreign.sign(_document(), who))
    _answered(report)
    assert report.outcome is Outcome.INDETERMINATE, report.reasons
    statuses = _statuses(report)
    assert statuses["integrity"] is CheckStatus.PASSED and statuses["chain"] is CheckStatus.PASSED
    unusual = [c for c in report.signatures[0].checks if c.message_id == "problem.certificate"]
    assert unusual and "bất thường" in unusual[0].message
    assert not any(c.message_id == "problem.bug" for c in report.signatures[0].checks)


def test_routine_ltv_updates_by_another_tool_are_permitted(trusted, tsa):
    who = foreign.foreign_signer(trusted, "ec")
    data = foreign.sign(_document(), who)
    data = foreign.add_dss(data, trusted, who, vri=True)  # DSS with a VRI dictionary
    data = foreign.add_document_timestamp(data, tsa)
    data = foreign.add_dss(data, trusted, who, vri=False)  # and once more, plain
    report = validate_pdf(data)
    _answered(report)
    assert report.outcome is Outcome.PASSED, report.reasons
    sig = report.signatures[0]
    kinds = [set(c.kinds) for c in sig.later_changes]
    assert {"dss"} in [k - {"metadata"} for k in kinds] and {"timestamp"} in kinds
    assert all(k <= {"dss", "timestamp", "metadata"} for k in kinds)
    assert all(c.allowed for c in sig.later_changes)
    assert report.timestamps and report.timestamps[0].outcome is Outcome.PASSED
    (visual,) = [c for c in sig.checks if c.code == "visual"]
    assert visual.message_id == "visual.same"


def test_several_signatures_with_vri_each_get_their_answer(trusted):
    first, second = (foreign.foreign_signer(trusted, k) for k in ("ec", "rsa"))
    data = foreign.sign(_document(), first, field_name="ChuKy1")
    data = foreign.add_dss(data, trusted, first)
    data = foreign.sign(data, second, field_name="ChuKy2")
    data = foreign.add_dss(data, trusted, second)
    report = validate_pdf(data)
    _answered(report, count=2)
    assert report.outcome is Outcome.PASSED, report.reasons
    assert [s.field_name for s in report.signatures] == ["ChuKy1", "ChuKy2"]


def test_a_dss_stream_with_bad_compression_does_not_kill_the_checker(trusted):
    who = foreign.foreign_signer(trusted, "ec")
    data = foreign.broken_dss_stream(foreign.sign(_document(), who))
    report = validate_pdf(data)
    _answered(report)
    assert report.refusal is None
    assert any("DSS" in note for note in report.notes)
    # The only open question is revocation (the DSS that would have carried it is damaged);
    # the update itself is a DSS update: permitted, not "tampering".
    assert _statuses(report)["integrity"] is CheckStatus.PASSED
    assert report.outcome in (Outcome.INDETERMINATE, Outcome.PASSED)
    assert _statuses(report)["changes"] is not CheckStatus.FAILED


def test_a_damaged_later_revision_is_not_called_tampering_of_the_signature(trusted):
    who = foreign.foreign_signer(trusted, "ec")
    signed = foreign.sign(_document(), who, embed_validation=foreign.trust_context(trusted))
    # An update whose object cannot be parsed (a dictionary that never closes).
    damaged = _append_update(signed, b"<< /Type /Annot /Subtype /Text /Rect [0 0 1 1] ")
    report = validate_pdf(damaged)
    _answered(report)
    statuses = _statuses(report)
    assert statuses["integrity"] is CheckStatus.PASSED
    assert statuses["structure"] is CheckStatus.PASSED
    assert statuses["changes"] in (CheckStatus.INDETERMINATE, CheckStatus.FAILED)
    assert report.outcome is not Outcome.PASSED
    changes = next(c for c in report.signatures[0].checks if c.code == "changes")
    assert "structure.broken" not in changes.message_id


def _append_update(data: bytes, broken_object: bytes) -> bytes:
    """A classic incremental update that rewrites the catalog with a damaged object beside."""
    reader = PdfFileReader(io.BytesIO(data))
    size = int(reader.trailer["/Size"])
    root = reader.trailer.raw_get("/Root")
    prev = reader.xrefs.get_startxref_for_revision(reader.xrefs.total_revisions - 1)
    out = bytearray(data)
    offset = len(out)
    out += b"%d 0 obj\n" % size + broken_object + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 1\n0000000000 65535 f \n%d 1\n%010d 00000 n \n" % (size, offset)
    out += b"trailer\n<< /Size %d /Root %d 0 R /Prev %d >>\n" % (size + 1, root.idnum, prev)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def test_hybrid_reference_file_signed_by_another_tool(trusted):
    who = foreign.foreign_signer(trusted, "ec")
    hybrid = foreign.hybrid_update(_document())
    data = foreign.sign(hybrid, who, strict=False, embed_validation=foreign.trust_context(trusted))
    report = validate_pdf(data)
    _answered(report)
    assert report.lenient_parsing
    assert report.outcome is Outcome.PASSED, report.reasons


@pytest.mark.parametrize("make", [foreign.contents_empty, foreign.contents_replaced])
def test_empty_or_zero_contents_fail_as_broken_signatures(trusted, make):
    who = foreign.foreign_signer(trusted, "ec")
    signed = foreign.sign(_document(), who)
    data = make(signed) if make is foreign.contents_empty else make(signed, b"0")
    report = validate_pdf(data)
    _answered(report)
    assert report.outcome is Outcome.FAILED
    assert _statuses(report)["structure"] is CheckStatus.FAILED
    assert report.signatures[0].pades_level == ""
    assert len(report.reasons) == 1  # no pile of unrelated reasons


def test_public_key_encryption_is_not_called_a_password(trusted):
    from pyhanko.pdf_utils.crypt import PubKeySecurityHandler
    from pyhanko.pdf_utils.writer import copy_into_new_writer

    writer = copy_into_new_writer(PdfFileReader(io.BytesIO(_document())))
    handler = PubKeySecurityHandler.build_from_certs([foreign.recipient_certificate(trusted)])
    writer._assign_security_handler(handler)
    out = io.BytesIO()
    writer.write(out)
    report = validate_pdf(out.getvalue())
    assert report.refusal is not None and report.refusal.code == "encrypted"
    assert report.refusal.message_id == "refusal.encrypted_pubkey"
    assert "khóa công khai" in report.refusal.message
    assert "không phải bằng mật khẩu" in report.refusal.message


def test_no_trust_root_configured_says_so_without_constraint_talk(validation_settings, ca):
    # A registered but disabled root switches the development fallback off: no root at all.
    TrustRoot.objects.create(**certificate_facts(ca.der), enabled=False)
    who = foreign.foreign_signer(ca, "ec")
    report = validate_pdf(foreign.sign(_document(), who))
    _answered(report)
    chain = [c for c in report.signatures[0].checks if c.code == "chain"]
    assert [c.message_id for c in chain] == ["chain.no_roots_configured"]
    assert not any("ràng buộc" in c.message for c in report.signatures[0].checks)
    assert not any(c.code == "revocation" for c in report.signatures[0].checks)


def test_acrobat_style_ltv_update_is_permitted(trusted):
    # Direct DSS and VRI dictionaries, /TU dates, and /Extensions added to the catalog.
    who = foreign.foreign_signer(trusted, "ec")
    data = foreign.add_dss_acrobat_style(foreign.sign(_document(), who), trusted, who)
    report = validate_pdf(data)
    _answered(report)
    assert report.outcome is Outcome.PASSED, report.reasons
    (change,) = report.signatures[0].later_changes
    assert "dss" in change.kinds and change.allowed
    assert report.signatures[0].revocation.source == "embedded"


def test_a_ca_signing_in_eddsa_is_not_called_unsupported(validation_settings):
    ca = foreign.foreign_ca("ed25519")
    TrustRoot.objects.create(**certificate_facts(ca.der), enabled=True)
    who = foreign.foreign_signer(ca, "ec")
    report = validate_pdf(
        foreign.sign(_document(), who, embed_validation=foreign.trust_context(ca))
    )
    _answered(report)
    assert report.outcome is Outcome.PASSED, report.reasons
