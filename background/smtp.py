"""SMTP for mail with large attachments: each attachment encoded once, not once per recipient.

An invitation to 1,500 officials carries the same two PDFs 1,500 times. Python's e-mail package
base64-encodes an attachment when it is added and writes the encoded text line by line (with
policy checks per line) when the message is turned into bytes; for a 280 KB message that was
most of the worker's time per mail. ``attachment_part`` builds the part around base64 text kept
per content (``encoded``), and ``wire_bytes`` writes such parts from their ready CRLF bytes
while the standard generator writes everything else — headers, bodies, boundaries — so the
result is byte for byte what ``message.as_bytes()`` gives (tests/background/test_smtp.py).

``EmailBackend`` is Django's SMTP backend with that one change in ``_send``; the EMAIL_* options
and the connection handling are Django's.
"""

from __future__ import annotations

import copy
import email.policy
import functools
import re
import secrets
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage as MimeMessage
from email.message import MIMEPart
from typing import Any

from django.core.mail.backends import smtp

# The attribute an attachment part carries its ready bytes in (only parts built here have it).
_WIRE = "kyhop_wire"


@dataclass(frozen=True)
class Encoded:
    base64: str  # as the e-mail package writes it: 76-character lines, each ending in "\n"
    wire: bytes  # the same with CRLF line ends, as it goes over SMTP


# Each entry holds the content's base64 text and wire bytes (about 2.7 times its size): room
# for one invitation's two PDFs and the minutes, not for a worker's whole history.
@functools.lru_cache(maxsize=4)
def encoded(content: bytes) -> Encoded:
    """The base64 form of *content*, made by the e-mail package itself (so its lines are the
    ones it would write), kept for the next messages carrying the same bytes. The worker's
    callers pass the same bytes object for every recipient, whose hash Python keeps."""
    probe = MIMEPart(policy=email.policy.SMTP)
    probe.set_content(content, "application", "octet-stream", cte="base64")
    text = probe.get_payload()
    assert isinstance(text, str)  # a single part's encoded payload
    return Encoded(text, text.replace("\n", "\r\n").encode("ascii"))


def attachment_part(filename: str, content: bytes, mimetype: str) -> MimeMessage:
    """An attachment as ``EmailMessage.attach(filename, content, mimetype)`` would add it (same
    headers, same encoded lines), with its payload taken from ``encoded``: a copy of the part
    made for the first recipient (the e-mail package parses every header it is given, which
    cost more than the rest of the part)."""
    prototype = _attachment_prototype(filename, content, mimetype)
    part = copy.copy(prototype)
    # The copy's own header list (email.message keeps it in ``_headers``), so that nothing done
    # to one mail's part reaches the next; the header values themselves are immutable.
    part._headers = list(prototype._headers)  # type: ignore[attr-defined]
    return part


@functools.lru_cache(maxsize=4)
def _attachment_prototype(filename: str, content: bytes, mimetype: str) -> MimeMessage:
    maintype, subtype = mimetype.split("/", 1)
    # The class add_attachment gives its parts (it writes a MIME-Version header; MIMEPart not).
    part = MimeMessage(policy=email.policy.SMTP)
    part.set_content(
        b"", maintype, subtype, cte="base64", disposition="attachment", filename=filename
    )
    ready = encoded(content)
    part.set_payload(ready.base64)
    setattr(part, _WIRE, ready.wire)
    return part


class Stuffed(bytes):
    """A message's bytes as they go after DATA, lines beginning with "." already doubled."""


# RFC 5321 4.5.2: a line that begins with "." gets another one (smtplib does the same).
_DOT_LINE = re.compile(rb"(?m)^\.")


def wire_bytes(message: MimeMessage, *, dot_stuffed: bool = False) -> bytes:
    """``message.as_bytes()``, with the parts built by ``attachment_part`` written from their
    ready bytes: each such payload stands aside for a unique token while the generator runs,
    and the token is then replaced by the part's CRLF bytes.

    ``dot_stuffed``: the bytes as they go after SMTP's DATA. Only the generator's own text is
    searched for lines that begin with "." — base64 lines never do — instead of all 280 KB
    of an invitation, which ``smtplib`` would scan twice per mail."""
    ready = [(part, part.get_payload()) for part in message.walk() if hasattr(part, _WIRE)]
    tokens: list[tuple[bytes, bytes]] = []
    try:
        for part, _payload in ready:
            token = f"kyhop-part-{secrets.token_hex(12)}"
            part.set_payload(token)
            tokens.append((token.encode("ascii"), getattr(part, _WIRE)))
        data = message.as_bytes()
    finally:
        for part, payload in ready:
            part.set_payload(payload)
    if dot_stuffed:
        data = _DOT_LINE.sub(b"..", data)
    for marker, wire in tokens:
        data = data.replace(marker, wire, 1)
    return Stuffed(data) if dot_stuffed else data


class _StuffedData:
    """``smtplib.SMTP.data`` for ``Stuffed`` bytes: sent as they are, then the final "."."""

    def data(self, msg: Any) -> tuple[int, bytes]:
        if not isinstance(msg, Stuffed):
            return super().data(msg)  # type: ignore[misc]
        code, reply = self.docmd("data")  # type: ignore[attr-defined]
        if code != 354:
            raise smtplib.SMTPDataError(code, reply)
        ending = b".\r\n" if msg.endswith(b"\r\n") else b"\r\n.\r\n"
        self.send(msg + ending)  # type: ignore[attr-defined]
        return self.getreply()  # type: ignore[attr-defined]


class _SMTP(_StuffedData, smtplib.SMTP):
    pass


class _SMTPSSL(_StuffedData, smtplib.SMTP_SSL):
    pass


class EmailBackend(smtp.EmailBackend):
    """Django's SMTP backend, sending ``wire_bytes`` of each message."""

    @property
    def connection_class(self) -> type[smtplib.SMTP]:
        return _SMTPSSL if self.use_ssl else _SMTP

    def _send(self, email_message: Any) -> bool:
        if not email_message.recipients():
            return False
        from_email = self.prep_address(email_message.from_email)
        recipients = [self.prep_address(address) for address in email_message.recipients()]
        message = email_message.message(policy=email.policy.SMTP)
        assert self.connection is not None  # send_messages opened it
        try:
            self.connection.sendmail(from_email, recipients, wire_bytes(message, dot_stuffed=True))
        except smtplib.SMTPException:
            if not self.fail_silently:
                raise
            return False
        return True
