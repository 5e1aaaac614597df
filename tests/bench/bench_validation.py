"""Validation benchmark: one vs five B-LTA signatures, local revocation data, no fetching.

Run: .venv/bin/pytest tests/bench/bench_validation.py -q -s -p no:cacheprovider
Prints the median wall-clock and CPU time of each and the ratios (target: five ≤ 5× one); CPU
time is the steadier figure on a shared machine. Not a test of speed.
"""

from __future__ import annotations

import os
import statistics
import time

import pytest

from signing.pades.sign import PadesLevel
from signing.validation.engine import validate_bytes
from signing.validation.runner import current_config
from tests.bench._harness import machine

pytestmark = pytest.mark.django_db
ROUNDS = 7


def _once(data: bytes, config) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one in-process validation (the engine is single-threaded)."""
    wall, cpu = time.perf_counter(), time.process_time()
    report = validate_bytes(data, file_name="bench.pdf", config=config)
    elapsed = (time.perf_counter() - wall, time.process_time() - cpu)
    assert report.outcome.value == "passed", report.reasons
    return elapsed


def test_bench_validation_one_vs_five(sign):
    one = sign(level=PadesLevel.B_LTA)
    five = one
    for _ in range(4):
        five = sign(five, level=PadesLevel.B_LTA)
    config = current_config()
    _once(one, config)  # warm-up: imports and first-use caches
    samples: dict[str, list[tuple[float, float]]] = {"one": [], "five": []}
    # Interleaved, so that a burst of load from other users of the machine hits both sides.
    for _ in range(ROUNDS):
        samples["one"].append(_once(one, config))
        samples["five"].append(_once(five, config))
    wall = {k: statistics.median(w for w, _ in v) for k, v in samples.items()}
    cpu = {k: statistics.median(c for _, c in v) for k, v in samples.items()}
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"\nValidation · {time.strftime('%Y-%m-%d %H:%M')} · {machine()} · load {load}")
    print(f"B-LTA, local revocation data, no fetching, {ROUNDS} rounds interleaved, medians")
    print(
        f"1 signature:  wall {wall['one'] * 1000:6.0f} ms · CPU {cpu['one'] * 1000:6.0f} ms "
        f"({len(one)} bytes)"
    )
    print(
        f"5 signatures: wall {wall['five'] * 1000:6.0f} ms · CPU {cpu['five'] * 1000:6.0f} ms "
        f"({len(five)} bytes)"
    )
    print(
        f"ratio 5/1:    wall {wall['five'] / wall['one']:.2f}× · "
        f"CPU {cpu['five'] / cpu['one']:.2f}× (target ≤ 5×)"
    )
