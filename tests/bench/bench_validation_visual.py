"""Visual comparison benchmark: validation with and without rendering and comparing the pages.

A 10-page document signed three times at B-LTA (each signature followed by its DSS and
document time-stamp updates, so every signature has later revisions to compare against), local
revocation data, no fetching. Each round validates the same bytes with the visual comparison on
and off (``ValidationConfig.visual``), interleaved.

Run: .venv/bin/pytest tests/bench/bench_validation_visual.py -q -s -p no:cacheprovider
(``BENCH_ROUNDS`` sets the number of rounds, 7 by default.) Prints the median wall-clock and
CPU time of each and the ratio (target: with ≤ 1.5× without). Not a test of speed.
"""

from __future__ import annotations

import dataclasses
import os
import statistics
import time

import pytest

from signing.pades.sign import PadesLevel
from signing.validation.engine import validate_bytes
from signing.validation.runner import current_config
from tests.bench._harness import machine
from tests.signing.validation import attacks

pytestmark = pytest.mark.django_db
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "7"))
PAGES, SIGNATURES = 10, 3


def _once(data: bytes, config) -> tuple[float, float, int]:
    wall, cpu = time.perf_counter(), time.process_time()
    report = validate_bytes(data, file_name="bench.pdf", config=config)
    elapsed = (time.perf_counter() - wall, time.process_time() - cpu)
    assert report.outcome.value == "passed", report.reasons
    return (*elapsed, sum(s.pages_compared for s in report.signatures))


def test_bench_validation_with_and_without_the_visual_comparison(sign):
    lines = ["UY BAN NHAN DAN TINH", "Quyet dinh ve viec chi hoi nghi", "Chi 1.000.000 dong"]
    data = attacks.text_pdf(lines, pages=PAGES)
    for _ in range(SIGNATURES):
        data = sign(data, level=PadesLevel.B_LTA)
    with_visual = current_config()
    without = dataclasses.replace(with_visual, visual=False)
    _once(data, with_visual)  # warm-up: imports, PDFium, first-use caches
    _once(data, without)
    samples: dict[str, list[tuple[float, float, int]]] = {"with": [], "without": []}
    for _ in range(ROUNDS):  # interleaved: a burst of load hits both sides
        samples["without"].append(_once(data, without))
        samples["with"].append(_once(data, with_visual))
    wall = {k: statistics.median(s[0] for s in v) for k, v in samples.items()}
    cpu = {k: statistics.median(s[1] for s in v) for k, v in samples.items()}
    pages = samples["with"][0][2]
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"\nVisual comparison · {time.strftime('%Y-%m-%d %H:%M')} · {machine()} · load {load}")
    print(
        f"{PAGES} pages, {SIGNATURES} B-LTA signatures ({len(data)} bytes), {pages} page "
        f"comparisons, {ROUNDS} rounds interleaved, medians"
    )
    for key in ("without", "with"):
        print(f"{key:>7} visual: wall {wall[key] * 1000:6.0f} ms · CPU {cpu[key] * 1000:6.0f} ms")
    print(
        f"ratio with/without: wall {wall['with'] / wall['without']:.2f}× · "
        f"CPU {cpu['with'] / cpu['without']:.2f}× (target ≤ 1.5×)"
    )
