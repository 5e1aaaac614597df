"""Old import path of the signing-request test builders, kept only for
tests/meetings/test_minutes_signing.py until it imports them from their new homes
(fixtures from ``tests.signing.conftest``, ``render_page`` from ``tests.signing.helpers``)."""

from tests.signing.conftest import province, signing_storage  # noqa: F401
from tests.signing.helpers import render_page  # noqa: F401
