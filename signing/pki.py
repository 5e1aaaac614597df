"""Old import path of the development PKI (now ``signing.devpki``), kept only for
tests/meetings/test_minutes_signing.py until it imports ``signing.devpki``."""

from signing.devpki import trust_roots  # noqa: F401
