"""The development mail catcher: each message becomes one .eml file under KYHOP_MAIL_DIR.

Nothing is printed on the terminal (an invitation carries two base64 PDFs); the staff page
"Hộp thư thử nghiệm" lists and opens the files.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from email import policy
from email.message import EmailMessage as ParsedMessage
from email.parser import BytesParser
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone


class EmlFileBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence) -> int:
        folder = Path(settings.KYHOP_MAIL_DIR)
        folder.mkdir(parents=True, exist_ok=True)
        for message in email_messages:
            name = f"{timezone.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}.eml"
            # Written under a temporary name and renamed: the page never lists half a file.
            partial = folder / f".{name}"
            partial.write_bytes(message.message().as_bytes())
            partial.rename(folder / name)
        return len(email_messages)


def caught_mail_names() -> list[str]:
    folder = Path(settings.KYHOP_MAIL_DIR)
    if not folder.is_dir():
        return []
    return sorted((p.name for p in folder.glob("*.eml")), reverse=True)


def caught_mail_open(name: str) -> ParsedMessage | None:
    """The parsed message, or None for a name that is not one of the catcher's files."""
    if name not in caught_mail_names():
        return None
    raw = (Path(settings.KYHOP_MAIL_DIR) / name).read_bytes()
    return BytesParser(policy=policy.default).parsebytes(raw)
