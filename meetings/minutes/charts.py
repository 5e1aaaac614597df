"""Small server-side SVG bar charts for vote sheets and statistics.

Drawn here rather than with a JS library because the same chart must appear in a PDF/A (the
renderer accepts only ``data:`` URLs and runs no scripts) and on a page that needs no assets.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from documents.rendering import nfc

# Dark enough to print legibly in black and white; the first colour marks "passed"/"yes".
PALETTE = ("#1f5fa8", "#b8412c", "#7a7a7a", "#3c8d40", "#8e44ad", "#c98a00")


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    note: str = ""  # shown after the value, e.g. "52,94 %"


def vi_number(value: float) -> str:
    """9.1 as Vietnamese writes it, "9,1": the chart must read like the page around it."""
    return f"{value:g}".replace(".", ",")


def bar_chart_svg(
    bars: Sequence[Bar], *, title: str = "", width: int = 560, bar_height: int = 26
) -> str:
    """Horizontal bars, labels on the left, values at the bar's end; text in a Times-metric
    serif so it matches the document around it."""
    label_width = int(width * 0.36)
    plot_width = width - label_width - 110
    top = 30 if title else 8
    height = top + len(bars) * (bar_height + 10) + 8
    peak = max((bar.value for bar in bars), default=0) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="Liberation Serif, Times New Roman, serif">'
    ]
    if title:
        parts.append(
            f'<text x="{width / 2:.0f}" y="18" font-size="15" font-weight="bold" '
            f'text-anchor="middle">{escape(nfc(title))}</text>'
        )
    for index, bar in enumerate(bars):
        y = top + index * (bar_height + 10)
        length = max(plot_width * bar.value / peak, 1 if bar.value else 0)
        colour = PALETTE[index % len(PALETTE)]
        value = vi_number(bar.value) + (f" ({escape(nfc(bar.note))})" if bar.note else "")
        parts.append(
            f'<text x="{label_width - 8}" y="{y + bar_height * 0.68:.1f}" font-size="14" '
            f'text-anchor="end">{escape(nfc(bar.label))}</text>'
            f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{bar_height}" '
            f'fill="{colour}"/>'
            f'<text x="{label_width + length + 6:.1f}" y="{y + bar_height * 0.68:.1f}" '
            f'font-size="14">{value}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def svg_data_url(svg: str) -> str:
    """The chart as a ``data:`` URL, the only kind of URL the document renderer accepts."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
