"""Cumulative cost over the horizon, one line per strategy: a Mermaid xychart for Markdown, an SVG file
for documents that do not render Mermaid, and a text chart for the terminal. Labels are escaped for
each (safe_text): they name models and places a price table or a scenario wrote."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from advisor.safe_text import html, markdown, visible
from advisor.safe_text import mermaid as mermaid_text

# colour-blind-safe (Okabe-Ito), named so the Markdown legend can say which line is which
PALETTE = (
    ("blue", "#0072B2"),
    ("orange", "#E69F00"),
    ("green", "#009E73"),
    ("purple", "#CC79A7"),
    ("red", "#D55E00"),
    ("sky blue", "#56B4E9"),
)
MARKERS = ("●", "■", "▲", "◆", "✚", "★")


@dataclass(frozen=True)
class Series:
    label: str
    values: list[Decimal]  # cumulative cost at month 0, 1, ... horizon


@dataclass(frozen=True)
class Marker:
    """A moment drawn across the chart: a break-even or a shutdown, at a month (fractions allowed)."""

    month: Decimal
    label: str


def _dollars(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def mermaid(series: list[Series], title: str) -> str:
    months = len(series[0].values) - 1
    top = max(_dollars(v) for s in series for v in s.values) or 1
    colours = ", ".join(hex_ for _, hex_ in PALETTE[: len(series)])
    lines = [
        "```mermaid",
        f'%%{{init: {{"themeVariables": {{"xyChart": {{"plotColorPalette": "{colours}"}}}}}}}}%%',
        "xychart-beta",
        f'    title "{mermaid_text(title)}"',
        f'    x-axis "Month" [{", ".join(str(m) for m in range(months + 1))}]',
        f'    y-axis "USD" 0 --> {_nice(top)}',
    ]
    lines += [f"    line [{', '.join(str(_dollars(v)) for v in s.values)}]" for s in series]
    lines.append("```")
    legend = "; ".join(f"{name}: {markdown(s.label)}" for (name, _), s in zip(PALETTE, series, strict=False))
    return "\n".join(lines) + f"\n\n_Lines: {legend}._"


def _nice(value: int) -> int:
    """A round axis top just above `value`."""
    magnitude: int = 10 ** (len(str(value)) - 1)  # a whole power of ten: the exponent is never negative
    return -(-value // magnitude) * magnitude


def svg(series: list[Series], title: str, markers: Sequence[Marker] = (), width: int = 720, height: int = 400) -> str:
    """The chart as SVG; each marker inside the horizon a dashed vertical line labelled at its foot, so a
    reader sees when an option pays back and when a model stops, not only the lines."""
    left, right, top_pad, bottom = 80, 200, 40, 50 + 16 * len(markers)
    months = len(series[0].values) - 1
    top = _nice(max(_dollars(v) for s in series for v in s.values) or 1)
    plot_w, plot_h = width - left - right, height - top_pad - bottom

    def x(month: int) -> float:
        return left + plot_w * month / max(months, 1)

    def y(value: Decimal) -> float:
        return top_pad + plot_h * (1 - float(value) / top)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'font-family="Helvetica, Arial, sans-serif" font-size="12">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{left}" y="22" font-size="15" font-weight="bold">{html(title)}</text>',
    ]
    for step in range(5):
        value = Decimal(top) * step / 4
        parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y(value):.1f}" y2="{y(value):.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{left - 8}" y="{y(value) + 4:.1f}" text-anchor="end">${_dollars(value):,}</text>')
    for month in range(months + 1):
        parts.append(f'<text x="{x(month):.1f}" y="{top_pad + plot_h + 18}" text-anchor="middle">{month}</text>')
    parts.append(f'<text x="{left - 8}" y="{top_pad + plot_h + 18}" text-anchor="end">month</text>')
    for index, (s, (_, colour)) in enumerate(zip(series, PALETTE, strict=False)):
        points = " ".join(f"{x(m):.1f},{y(v):.1f}" for m, v in enumerate(s.values))
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2.5" points="{points}"/>')
        legend_y = top_pad + 20 * index + 10
        parts.append(
            f'<line x1="{width - right + 20}" x2="{width - right + 44}" y1="{legend_y}" y2="{legend_y}" '
            f'stroke="{colour}" stroke-width="3"/>'
        )
        parts.append(f'<text x="{width - right + 50}" y="{legend_y + 4}">{html(s.label)}</text>')
    for index, marker in enumerate(m for m in markers if 0 <= m.month <= months):
        at = left + plot_w * float(marker.month) / max(months, 1)
        parts.append(
            f'<line x1="{at:.1f}" x2="{at:.1f}" y1="{top_pad}" y2="{top_pad + plot_h}" stroke="#555" '
            'stroke-dasharray="4 3"/>'
        )
        label_y = top_pad + plot_h + 34 + 16 * index
        anchor = "start" if at < left + plot_w / 2 else "end"  # the label runs into the plot, never off it
        parts.append(f'<text x="{at:.1f}" y="{label_y}" text-anchor="{anchor}" fill="#333">{html(marker.label)}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


Part = str | tuple[str, str]  # plain text, or (text, rich style)


def text_chart(series: list[Series], rows: int = 12) -> list[list[Part]]:
    """A small plot, line by line, each line in parts: one marker per strategy per month, a legend below."""
    months = len(series[0].values) - 1
    top = max(max(s.values) for s in series) or Decimal(1)
    grid: list[list[Part]] = [[" "] * (months + 1) for _ in range(rows)]
    colours = ("blue", "dark_orange", "green", "magenta", "red", "cyan")
    for index, s in enumerate(reversed(series)):  # the first series is drawn last, on top
        position = len(series) - 1 - index
        for month, value in enumerate(s.values):
            row = rows - 1 - int((value / top * (rows - 1)).to_integral_value(ROUND_HALF_UP))
            grid[row][month] = (MARKERS[position % 6], colours[position % 6])
    label_width = len(f"${_dollars(top):,}")
    lines: list[list[Part]] = []
    for number, cells in enumerate(grid):
        value = top * (rows - 1 - number) / (rows - 1)
        label = f"${_dollars(value):,}".rjust(label_width) if number in (0, rows // 2, rows - 1) else " " * label_width
        line: list[Part] = [f"{label} │ "]
        for month, cell in enumerate(cells):
            line += [cell] if month == 0 else ["  ", cell]
        lines.append(line)
    lines.append([" " * label_width + " └─" + "───" * (months + 1)])
    lines.append([" " * label_width + "   " + " ".join(f"{m:<2}" for m in range(months + 1)) + " months"])
    legend: list[Part] = []
    for i, s in enumerate(series):
        legend += ["   "] if i else []
        legend += [(MARKERS[i % 6], colours[i % 6]), f" {visible(s.label)}"]
    lines.append(legend)
    return lines
