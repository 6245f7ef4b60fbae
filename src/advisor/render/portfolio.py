"""Several scenarios at once (`advisor recommend A B C` or a folder): JSON as a list, one Markdown
document with a summary table across scenarios followed by each scenario's section, or a terminal
summary after the reports. A file that failed appears with its error, in its place."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import IO

import orjson

from advisor.costs.figures import months
from advisor.costs.money import format_usd
from advisor.recommend.recommendation import Recommendation
from advisor.recommend.strategies import STRATEGY_NAMES
from advisor.render.figures import jsonable
from advisor.render.recommendation import place, to_markdown
from advisor.safe_text import markdown, markdown_cell, markdown_code, visible

SUMMARY_COLUMNS = ("Feature", "Strategy", "Where", "Monthly today", "Monthly after", "Payback")


@dataclass(frozen=True)
class Outcome:
    """One scenario file: its recommendation, or the error that stopped it."""

    source: str
    rec: Recommendation | None = None
    error: str | None = None
    notices: list[str] = field(default_factory=list)  # what the file holds that was read and ignored


def summary_row(outcome: Outcome) -> tuple[str, ...]:
    """(feature, strategy, where, monthly today, monthly after, payback) for one scenario."""
    rec = outcome.rec
    if rec is None:
        return (outcome.source, "failed", "-", "-", "-", "-")
    primary = rec.recommendation.primary
    cost = rec.costs.get(primary)
    where = (  # where it trains, else where it runs (RAG, prompting), named as the provider writes its name
        f"{rec.where.label} {rec.where.model}" if rec.where else place(rec, cost.provider, cost.model) if cost else "-"
    )
    after = format_usd(cost.monthly_usd) if cost else "-"
    payback = "-" if primary == "prompt" else months(rec.payback_months)
    return (rec.name, STRATEGY_NAMES.get(primary, primary), where, format_usd(rec.today_monthly_usd), after, payback)


def portfolio_json(outcomes: Sequence[Outcome]) -> str:
    """A list, one object per scenario: the recommendation, or {"source", "error"} for a file that failed."""
    # orjson: the standard library's indenting encoder is pure Python, a second for a thousand scenarios
    items = [jsonable(o.rec) if o.rec is not None else {"source": o.source, "error": o.error} for o in outcomes]
    return orjson.dumps(items, option=orjson.OPT_INDENT_2).decode()


def portfolio_markdown(outcomes: Sequence[Outcome], charts: Sequence[str | None] = ()) -> str:
    """One document: the summary table across scenarios, then each scenario's section; `charts` are
    the chart file names of the scenarios that ran, in order."""
    done = [o for o in outcomes if o.rec is not None]
    out = [f"# Recommendations for {len(outcomes)} features", "", "## Summary", ""]
    out += ["| " + " | ".join(SUMMARY_COLUMNS) + " |", "|---|---|---|---:|---:|---:|"]
    out += ["| " + " | ".join(map(markdown_cell, summary_row(o))) + " |" for o in outcomes]
    failed = [o for o in outcomes if o.rec is None]
    if failed:
        out += ["", "Not included (the file has an error):", ""]
        out += [f"- {markdown_code(o.source)}: {markdown(str(o.error))}" for o in failed]
    out.append("")
    shown = list(charts) or [None] * len(done)  # one chart file name per scenario that ran
    for outcome, chart in zip(done, shown, strict=True):
        assert outcome.rec is not None
        out.append(to_markdown(outcome.rec, chart))  # its `## Recommendation` heading sits under the title
    return "\n".join(out)


def print_summary(outcomes: Sequence[Outcome], file: IO[str] | None = None) -> None:
    """The summary table across scenarios, for the terminal (after each scenario's report)."""
    from rich import box
    from rich.table import Table

    from advisor.render.console import print_out

    table = Table(box=box.SIMPLE_HEAD, title=f"Summary of {len(outcomes)} scenarios", title_justify="left")
    for column in SUMMARY_COLUMNS:
        table.add_column(column, justify="right" if column.startswith(("Monthly", "Payback")) else "left")
    for outcome in outcomes:
        table.add_row(*map(visible, summary_row(outcome)), style="red" if outcome.rec is None else None)
    print_out(table, file=file)
