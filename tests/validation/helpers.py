"""Plain helpers of the validation tests (fixtures live in conftest.py)."""

from __future__ import annotations

import json

from tests.signing.helpers import TestPki


def first_identity(pki_: TestPki) -> str:
    """The name of the test PKI's first personal identity."""
    manifest = json.loads(pki_.layout.manifest.read_text(encoding="utf-8"))
    return manifest["identities"][0]["name"]
