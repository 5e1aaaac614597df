"""Validation benchmark: one vs five B-LTA signatures, local revocation data, no fetching.

Run: .venv/bin/pytest tests/bench/bench_validation.py -q -s -p no:cacheprovider
Prints the median time of each and the ratio (target: five ≤ 5× one). Not a test of speed.
"""

from __future__ import annotations

import statistics
import time

import pytest

from signing.pades import PadesLevel
from signing.validation.engine import validate_bytes
from signing.validation.runner import current_config
from tests.validation.conftest import (  # noqa: F401 - fixtures reused by name
    TestPki,
    pki_settings,
    sign,
    signer,
    test_pki,
    validation_settings,
)

pytestmark = pytest.mark.django_db
ROUNDS = 5


def _median(data: bytes, config) -> float:
    times = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        report = validate_bytes(data, file_name="bench.pdf", config=config)
        times.append(time.perf_counter() - started)
        assert report.outcome.value == "passed", report.reasons
    return statistics.median(times)


def test_bench_validation_one_vs_five(sign):  # noqa: F811 - the fixture
    one = sign(level=PadesLevel.B_LTA)
    five = one
    for _ in range(4):
        five = sign(five, level=PadesLevel.B_LTA)
    config = current_config()
    t1, t5 = _median(one, config), _median(five, config)
    ratio = t5 / t1
    print(f"\nvalidation 1 B-LTA: {t1 * 1000:.0f} ms; 5 B-LTA: {t5 * 1000:.0f} ms; {ratio:.2f}×")
