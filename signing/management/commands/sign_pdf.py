"""Sign a PDF from the command line: ``manage.py sign_pdf IN.pdf OUT.pdf --identity NAME``.

The passphrase comes from KYHOP_SIGN_PIN or is asked on the terminal; it is never printed or
logged.
"""

from __future__ import annotations

import getpass
import logging
import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from signing.backends.pkcs12 import Pkcs12KeyBackend
from signing.devpki import PkiLayout
from signing.pades.sign import PadesLevel, SigningUnavailable, sign_pdf_file

PIN_ENV = "KYHOP_SIGN_PIN"
# pyHanko and its fetchers log each CRL/OCSP/TSA request at INFO, in English: not for this
# terminal, whose lines are the command's own (Vietnamese).
LIBRARY_LOGGERS = ("pyhanko", "pyhanko_certvalidator", "aiohttp", "certomancer")


def _passphrase(identity: str) -> str:
    from_env = os.environ.get(PIN_ENV)
    if from_env is not None:
        return from_env
    return getpass.getpass(f"Mật khẩu (mã PIN) của khóa ký “{identity}”: ")


class Command(BaseCommand):
    help = "Ký số một tệp PDF theo chuẩn PAdES bằng khóa PKCS#12 lưu trên máy chủ."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", type=Path, help="tệp PDF cần ký")
        parser.add_argument("target", type=Path, help="tệp PDF đã ký (ghi mới)")
        parser.add_argument("--identity", required=True, help="tên khóa ký, ví dụ chutich")
        parser.add_argument(
            "--level",
            choices=[level.value for level in PadesLevel],
            default=PadesLevel.B_LTA.value,
        )
        parser.add_argument("--field", default=None, help="tên ô chữ ký (có sẵn hoặc tạo mới)")

    def handle(self, *args: Any, **options: Any) -> None:
        for name in LIBRARY_LOGGERS:
            logging.getLogger(name).setLevel(logging.CRITICAL)
        source: Path = options["source"]
        target: Path = options["target"]
        if not source.is_file():
            raise CommandError(f"Không tìm thấy tệp {source}.")
        if target.resolve() == source.resolve():
            raise CommandError("Tệp đã ký phải khác tệp gốc: bản gốc không bao giờ bị ghi đè.")
        identity: str = options["identity"]
        backend = Pkcs12KeyBackend(PkiLayout(settings.KYHOP_PKI_DIR).identities)
        try:
            signer = backend.signer(identity=identity, passphrase=_passphrase(identity))
            sign_pdf_file(
                source=source,
                target=target,
                signer=signer,
                level=PadesLevel(options["level"]),
                field_name=options["field"],
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        except (SigningUnavailable, ImproperlyConfigured) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(f"Đã ký {source} → {target} ({options['level']}, “{identity}”).")
        )
