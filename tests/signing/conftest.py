"""The signing suite's own set-up; its fixtures (the test PKI, the province committee) are in
fixtures.py, loaded for the whole suite by tests/conftest.py."""

from __future__ import annotations

import pytest

from signing.pades.certcheck import certificate_status_cache_clear


@pytest.fixture(autouse=True)
def _fresh_certificate_statuses():
    """The CA's answers are cached per process; each test asks afresh (some stop the CA)."""
    certificate_status_cache_clear()
    yield
    certificate_status_cache_clear()
