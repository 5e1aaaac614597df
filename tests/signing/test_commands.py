"""``manage.py sign_pdf`` end to end: PIN from the environment or the terminal, never echoed."""

from __future__ import annotations

import getpass
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from pyhanko.pdf_utils.reader import PdfFileReader

pytestmark = pytest.mark.usefixtures("pki_settings")


@pytest.fixture
def source(tmp_path, pdf_bytes):
    path = tmp_path / "to-trinh.pdf"
    path.write_bytes(pdf_bytes)
    return path


def test_signs_at_b_lta_with_the_pin_from_the_environment(
    source, tmp_path, monkeypatch, capsys, pki_settings, pdfsig_verdicts
):
    target = tmp_path / "to-trinh-da-ky.pdf"
    monkeypatch.setenv("KYHOP_SIGN_PIN", pki_settings.passphrase)

    call_command("sign_pdf", str(source), str(target), "--identity", "lanhdao", "--level", "B-LTA")

    output = capsys.readouterr()
    assert "Đã ký" in output.out
    assert pki_settings.passphrase not in output.out + output.err
    signatures = PdfFileReader(io.BytesIO(target.read_bytes())).embedded_signatures
    assert [str(s.sig_object_type) for s in signatures] == ["/Sig", "/DocTimeStamp"]
    assert signatures[0].signer_cert.subject.native["common_name"] == "Đỗ Quang Vinh"
    assert pdfsig_verdicts(target)[0] == "Signature is Valid."


def test_asks_for_the_pin_on_the_terminal_and_signs_the_named_field(
    source, tmp_path, monkeypatch, capsys, pki_settings
):
    prompts: list[str] = []

    def terminal(prompt: str) -> str:
        prompts.append(prompt)
        return pki_settings.passphrase

    monkeypatch.delenv("KYHOP_SIGN_PIN", raising=False)
    monkeypatch.setattr(getpass, "getpass", terminal)
    target = tmp_path / "out.pdf"

    call_command(
        "sign_pdf", str(source), str(target), "--identity", "ubnd-tinh", "--level", "B-B",
        "--field", "DauCoQuan",
    )  # fmt: skip

    assert prompts == ["Mật khẩu (mã PIN) của khóa ký “ubnd-tinh”: "]
    [signature] = PdfFileReader(io.BytesIO(target.read_bytes())).embedded_signatures
    assert signature.field_name == "DauCoQuan"
    assert pki_settings.passphrase not in capsys.readouterr().out


def test_wrong_pin_fails_in_vietnamese_and_writes_nothing(source, tmp_path, monkeypatch):
    monkeypatch.setenv("KYHOP_SIGN_PIN", "000000")
    target = tmp_path / "out.pdf"

    with pytest.raises(CommandError, match="không đúng") as caught:
        call_command("sign_pdf", str(source), str(target), "--identity", "chutich")

    assert "000000" not in str(caught.value)
    assert not target.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["to-trinh.pdf"]


def test_refuses_to_overwrite_the_original(source, monkeypatch, pki_settings):
    monkeypatch.setenv("KYHOP_SIGN_PIN", pki_settings.passphrase)

    with pytest.raises(CommandError, match="không bao giờ bị ghi đè"):
        call_command("sign_pdf", str(source), str(source), "--identity", "chutich")
