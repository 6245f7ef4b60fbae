"""The where-to-train table shared by `advisor recommend` and `advisor estimate --provider all`: one row
a place, best first, with the same columns in the terminal and in Markdown."""

from __future__ import annotations

from collections.abc import Sequence

from advisor.costs.figures import payback_cell
from advisor.costs.money import format_usd
from advisor.costs.where import Place

PLACE_COLUMNS = ("Where", "Starts today", "Jobs until", "Serves until", "Training", "Per month", "Payback",
                 "Kept over the horizon", "Why not")  # fmt: skip
MARKDOWN_ALIGN = "|---|---|---|---|---:|---:|---:|---:|---|"


def place_rows(places: Sequence[Place], chosen: tuple[str, str] | None) -> list[tuple[str, ...]]:
    """(place, can start today, jobs until, serves until, training, per month, payback, kept over the
    horizon, why not); the chosen (provider, model) is starred, and a place whose tokens are counted with
    a stand-in for its model's tokenizer says its counts are approximate (the assumptions say by how much)."""
    rows: list[tuple[str, ...]] = []
    for place in places:
        mark = " ★" if chosen == (place.provider, place.model) else ""
        mark += "" if place.tokens_exact else " (tokens approximate)"
        money = (
            (format_usd(place.training_usd), format_usd(place.monthly_usd), payback_cell(place.payback_months),
             format_usd(place.net_usd))
            if place.training_usd is not None and place.monthly_usd is not None and place.net_usd is not None
            else ("-", "-", "-", "-")
        )  # fmt: skip
        rows.append(
            (
                f"{place.label} {place.model}{mark}",
                "yes" if place.available else "no",
                str(place.jobs_until or "-"),
                str(place.serving_until or "-"),
                *money,
                "; ".join(place.why_not) or "-",
            )
        )
    return rows
