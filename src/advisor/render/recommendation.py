"""A Recommendation as JSON (the contract), a Markdown section for a proposal, or a terminal report."""

from __future__ import annotations

import re
from pathlib import Path
from typing import IO

from advisor.costs.figures import months
from advisor.costs.money import format_usd
from advisor.recommend.recommendation import Recommendation
from advisor.recommend.strategies import STRATEGY_NAMES
from advisor.render.charts import Series, mermaid, svg, text_chart
from advisor.render.figures import dumps


def to_json(rec: Recommendation) -> str:
    return dumps(rec)


def series(rec: Recommendation) -> list[Series]:
    """Cumulative cost of today's setup and of each costed option, month by month."""
    horizon = rec.horizon_months
    today = Series("Today (prompting)", [rec.today_monthly_usd * month for month in range(horizon + 1)])
    options = [
        Series(
            STRATEGY_NAMES[name] + (" (recommended)" if name == rec.recommendation.primary else ""),
            cost.cumulative(horizon),
        )
        for name, cost in rec.costs.items()
        if name != "prompt" or cost.upfront_usd or cost.monthly_usd != rec.today_monthly_usd
    ]
    return [today, *options]


def cost_rows(rec: Recommendation) -> list[tuple[str, str, str, str, str, str]]:
    """(option, monthly, up front, payback, total over the horizon, where) per costed strategy."""
    rows = []
    horizon = rec.horizon_months
    for name, cost in rec.costs.items():
        label = STRATEGY_NAMES[name] + (" ★" if name == rec.recommendation.primary else "")
        total = cost.total(horizon)  # the months after a fine-tune stops serving at today's cost
        payback = "-" if name == "prompt" and not cost.upfront_usd else months(cost.payback_months)
        rows.append(
            (
                label,
                format_usd(cost.monthly_usd),
                format_usd(cost.upfront_usd),
                payback,
                format_usd(total),
                f"{cost.provider}:{cost.model}",
            )
        )
    return rows


def where_rows(rec: Recommendation) -> list[tuple[str, ...]]:
    """(place, can start today, jobs until, serves until, training, per month, payback, kept over the
    horizon, why not) for every place the recommended training could run, best first."""
    rows = []
    best = rec.where
    for place in rec.where_options:
        mark = " ★" if best and (place.provider, place.model) == (best.provider, best.model) else ""
        money = (
            (format_usd(place.training_usd), format_usd(place.monthly_usd), months(place.payback_months),
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


WHERE_COLUMNS = ("Where", "Starts today", "Jobs until", "Serves until", "Training", "Per month", "Payback",
                 "Kept over the horizon", "Why not")  # fmt: skip


def _sentence(text: str) -> str:
    """`text` with a capital first letter and a full stop (rule texts are written as clauses)."""
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def _plan(rec: Recommendation) -> str:
    return " → ".join(STRATEGY_NAMES.get(step, step) for step in rec.recommendation.plan)


def to_markdown(rec: Recommendation, chart_file: str | None = None) -> str:
    """A self-contained section to paste into a proposal."""
    choice = rec.recommendation
    out = [f"## Recommendation: {rec.name}", "", f"**{choice.summary}**", ""]
    out.append(
        f"Plan: {_plan(rec)}."
        + (
            f" Also reasonable: {', '.join(STRATEGY_NAMES[a] for a in choice.alternatives)}."
            if choice.alternatives
            else ""
        )
    )
    out += ["", "### Why", ""]
    out += [
        f"{n}. {_sentence(reason.says)} _Rule `{reason.rule}`; source: {reason.source}._"
        for n, reason in enumerate(rec.reasons, start=1)
    ]
    if rec.where_options:
        out += ["", f"### Where to train ({rec.horizon_months}-month horizon)", ""]
        out += ["| " + " | ".join(WHERE_COLUMNS) + " |", "|---|---|---|---|---:|---:|---:|---:|---|"]
        out += ["| " + " | ".join(row) + " |" for row in where_rows(rec)]
    if choice.not_recommended:
        out += ["", "Not recommended:", ""]
        out += [
            f"- **{STRATEGY_NAMES.get(item.strategy, item.strategy)}**: {_sentence(item.why)}"
            for item in choice.not_recommended
        ]
    out += [
        "",
        f"### Cost of each option ({rec.horizon_months} months, prices as of the tables' dates)",
        "",
        f"Today: {format_usd(rec.today_monthly_usd)} a month.",
        "",
        "| Option | Per month | Up front | Payback | Total over the horizon | Priced at |",
        "|---|---:|---:|---:|---:|---|",
    ]
    out += ["| " + " | ".join(row) + " |" for row in cost_rows(rec)]
    for name, cost in rec.costs.items():
        if cost.notes:
            out.append(f"\n_{STRATEGY_NAMES[name]}: {'; '.join(cost.notes)}._")
    out += [
        "",
        "### Cumulative cost",
        "",
        mermaid(series(rec), f"Cumulative cost over {rec.horizon_months} months (USD)"),
    ]
    if chart_file:
        out += ["", f"![Cumulative cost over {rec.horizon_months} months]({chart_file})"]
    if rec.caveats or rec.warnings:
        out += ["", "### Risks", ""]
        out += [f"- {_sentence(caveat)}" for caveat in [*rec.caveats, *rec.warnings]]
    out += ["", "### Next steps", ""]
    out += [f"{n}. {step}." for n, step in enumerate(rec.next_steps, start=1)]
    out += ["", "### Assumptions", ""]
    out += [f"- {item.text}" for item in rec.assumptions]
    out += ["", f"_Generated by advisor on {rec.as_of} from {Path(rec.source).name}._"]
    return "\n".join(out) + "\n"


def write_chart(rec: Recommendation, path: Path) -> None:
    path.write_text(svg(series(rec), f"Cumulative cost over {rec.horizon_months} months (USD)"), encoding="utf-8")


def print_report(rec: Recommendation, file: IO[str] | None = None) -> None:
    from rich import box
    from rich.panel import Panel
    from rich.table import Table

    from advisor.render.console import print_wide

    choice = rec.recommendation
    headline = Panel(
        f"[bold]{choice.summary}[/bold]\nPlan: {_plan(rec)}"
        + (
            f"\nAlso reasonable: {', '.join(STRATEGY_NAMES[a] for a in choice.alternatives)}"
            if choice.alternatives
            else ""
        ),
        title=f"Recommendation: {rec.name}",
        title_align="left",
    )
    why = Table(box=box.SIMPLE_HEAD, title="Why", title_justify="left", show_lines=False)
    why.add_column("Rule", style="cyan", no_wrap=True)
    why.add_column("Says", max_width=70)
    why.add_column("Source", style="dim", max_width=45)
    for reason in rec.reasons:
        why.add_row(reason.rule, reason.says, re.sub(r" \(https?://[^)]*\)", "", reason.source))
    costs = Table(box=box.SIMPLE_HEAD, title=f"Cost of each option ({rec.horizon_months} months)", title_justify="left")
    for column in ("Option", "Per month", "Up front", "Payback", "Total", "Priced at"):
        costs.add_column(column, justify="left" if column in ("Option", "Priced at") else "right")
    for row in cost_rows(rec):
        costs.add_row(*row, style="bold" if row[0].endswith("★") else None)
    items: list[object] = [headline, why]
    if choice.not_recommended:
        items += [
            "[bold]Not recommended[/bold]",
            *(f"  ✗ {STRATEGY_NAMES.get(i.strategy, i.strategy)}: {i.why}" for i in choice.not_recommended),
        ]
    items += [costs]
    if rec.where_options:
        where = Table(
            box=box.SIMPLE_HEAD, title=f"Where to train ({rec.horizon_months}-month horizon)", title_justify="left"
        )
        for column in WHERE_COLUMNS:
            where.add_column(column, max_width=60 if column == "Why not" else None)
        for row in where_rows(rec):
            where.add_row(*row, style="bold" if "★" in row[0] else None)
        items.append(where)
    items += ["[bold]Cumulative cost[/bold]", *text_chart(series(rec))]
    if rec.caveats or rec.warnings:
        items += ["[bold]Risks[/bold]", *(f"  ! {line}" for line in [*rec.caveats, *rec.warnings])]
    items += ["[bold]Next steps[/bold]", *(f"  {n}. {step}" for n, step in enumerate(rec.next_steps, start=1))]
    items += ["[bold]Assumptions[/bold]", *(f"  • {item.text}" for item in rec.assumptions)]
    print_wide(*items, max_width=140, file=file)
