"""The where-to-train table shared by `advisor recommend` and `advisor estimate --provider all`: one row
a place, best first, with the same columns in the terminal and in Markdown."""

from __future__ import annotations

from collections.abc import Callable, Sequence

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


def place_table(title: str, rows: list[tuple[str, ...]], top: int | None = None,
                say: Callable[[str], str] = str) -> list[object]:  # fmt: skip
    """The table for the terminal: the `top` rows (all when None) and a line saying how many more there
    are; each place's why-not follows the table as a line (prose does not fit a column at 80), `say`
    rewording it. Narrow terminals lose the dates before the money (render.fit)."""
    from rich import box
    from rich.table import Table

    from advisor.render.fit import droppable
    from advisor.safe_text import visible

    shown = rows if top is None else rows[:top]
    table = Table(box=box.SIMPLE_HEAD, title=visible(title), title_justify="left")
    for column in PLACE_COLUMNS[:-1]:
        table.add_column(column, justify="left" if column in ("Where", "Starts today") else "right")
    for row in shown:
        table.add_row(*map(visible, row[:-1]), style="bold" if "★" in row[0] else None)
    droppable(table, "Starts today", "Jobs until", "Serves until", "Kept over the horizon")
    items: list[object] = [table]
    items += [visible(f"  {row[0]}: {say(row[-1])}") for row in shown if row[-1] != "-"]
    if len(rows) > len(shown):
        items.append(visible(f"  {len(rows) - len(shown)} more places: --all-places"))
    return items
