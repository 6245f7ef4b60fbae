"""`recommend --brief`: the answer on one 80x24 screen for a planning meeting: headline, plan, what each
option costs (with its break-even volume), the top three places to train and the first risk; the full
report is the same command without --brief."""

from __future__ import annotations

import io
from typing import IO

from advisor.recommend.recommendation import Recommendation
from advisor.render.recommendation import _plan, _where_line, break_even_cell, cost_rows, prose, where_rows
from advisor.safe_text import visible

TOP = 3
SCREEN_LINES = 24


def print_brief(rec: Recommendation, file: IO[str] | None = None, width: int | None = None) -> None:
    """The brief view; when the first risk would push it past one screen (24 lines), the risks are
    counted instead, never cut short."""
    from advisor.render.console import console_for, print_out

    columns = console_for(file, width).width
    for with_risk in (True, False):
        items = _items(rec, with_risk)
        measured = io.StringIO()
        print_out(*_items(rec, with_risk), file=measured, width=columns)
        if len(measured.getvalue().splitlines()) <= SCREEN_LINES:
            break
    print_out(*items, file=file, width=width)


def _items(rec: Recommendation, with_risk: bool) -> list[object]:
    from rich import box
    from rich.table import Table

    from advisor.render.console import assembled, styled
    from advisor.render.fit import droppable

    choice = rec.recommendation
    items: list[object] = [
        styled(visible(f"Recommendation: {rec.name}"), "bold"),
        styled(visible(prose(rec, choice.summary)), "bold"),
        visible(f"Plan: {_plan(rec)}" + (f". {where}" if (where := _where_line(rec)) else "")),
    ]
    costs = Table(box=box.SIMPLE_HEAD, show_edge=False)
    for column in (f"Option ({rec.horizon_months} months)", "Per month", "Up front", "Payback", "Break-even a month"):
        costs.add_column(column, justify="left" if column.startswith("Option") else "right")
    for name, row in zip(rec.costs, cost_rows(rec), strict=True):
        label, monthly, upfront, payback, _, _ = row
        costs.add_row(*map(visible, (label, monthly, upfront, payback, break_even_cell(rec, name))))
    droppable(costs, "Up front")
    items.append(costs)
    if rec.where_options:
        places = Table(box=box.SIMPLE_HEAD, show_edge=False)
        for column in ("Top places to train", "Training", "Per month", "Payback"):
            places.add_column(column, justify="left" if column.startswith("Top") else "right")
        for n, place in enumerate(where_rows(rec)[:TOP], start=1):
            places.add_row(*map(visible, (f"{n}. {place[0]}", place[4], place[5], place[6])))
        items.append(places)
    risks = [*rec.caveats, *rec.warnings]
    if risks and with_risk:
        more = f" ({len(risks) - 1} more in the full report)" if len(risks) > 1 else ""
        items.append(assembled(("Risk: ", "bold"), visible(prose(rec, risks[0]) + more)))
    elif risks:
        items.append(assembled(("Risks: ", "bold"), f"{len(risks)} in the full report (without --brief)"))
    return items
