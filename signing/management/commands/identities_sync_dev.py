"""Import the development PKI's demo identities into the database, with demo images.

Persons go to the users of ``accounts.demo_data.DEMO_LOGINS`` (by user name), seals to the
top bodies (ubnd-tinh, hdnd-tinh). Each gets a generated image so the demo shows Decree 30
appearances: a blue scribble for a person, a red 40 mm seal for a body. Running it again
changes nothing, and never replaces an image someone uploaded.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.models import Body, User
from signing import devpki
from signing.backends.identities import identity_import_pkcs12
from signing.models import SigningIdentity
from signing.pades import appearances


def _owner(identity: devpki.DevIdentity) -> dict[str, Any] | None:
    if identity.kind == "seal":
        body = Body.objects.filter(code=identity.name).first()
        return {"owner_body": body} if body else None
    user = User.objects.filter(username=identity.name).first()
    return {"owner_user": user} if user else None


def _image(identity: devpki.DevIdentity) -> bytes:
    if identity.kind == "seal":
        return appearances.seal_png(identity.common_name)
    return appearances.signature_scribble_png(identity.common_name)


class Command(BaseCommand):
    help = "Nạp các chứng thư ký số mẫu của PKI phát triển vào cơ sở dữ liệu (chạy lại an toàn)."

    def handle(self, *args: Any, **options: Any) -> None:
        layout = devpki.PkiLayout(settings.KYHOP_PKI_DIR)
        if not layout.manifest.exists():
            raise CommandError("Chưa có PKI phát triển: hãy chạy “manage.py pki_init” trước.")
        imported = skipped = 0
        for identity in devpki.demo_identities():
            owner = _owner(identity)
            path = layout.identity_file(identity.name)
            if owner is None or not path.exists():
                self.stderr.write(
                    f"Bỏ qua {identity.name}: chưa có người dùng/cơ quan hoặc tệp khóa."
                )
                skipped += 1
                continue
            data = path.read_bytes()
            existing = SigningIdentity.objects.filter(name=identity.name).first()
            if existing is not None and bytes(existing.pkcs12 or b"") == data:
                skipped += 1
                continue
            has_image = existing is not None and existing.signature_image
            identity_import_pkcs12(
                actor=None,
                name=identity.name,
                pkcs12_bytes=data,
                passphrase=settings.KYHOP_PKI_PASSPHRASE,
                signature_image=None if has_image else _image(identity),
                **owner,
            )
            imported += 1
        self.stdout.write(f"Đã nạp {imported} chứng thư, bỏ qua {skipped}.")
