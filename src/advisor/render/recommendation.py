"""A Recommendation as JSON (the contract), a Markdown section for a proposal, or a terminal report."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import IO

from advisor.costs.figures import months, payback_cell
from advisor.costs.money import format_usd
from advisor.costs.schedule import Schedule
from advisor.recommend.costing import StrategyCost
from advisor.recommend.recommendation import Recommendation
from advisor.recommend.strategies import STRATEGY_NAMES
from advisor.render.charts import Marker, Series, mermaid, svg, text_chart
from advisor.render.figures import dumps
from advisor.render.fit import droppable
from advisor.render.places import MARKDOWN_ALIGN, PLACE_COLUMNS, place_rows, place_table
from advisor.safe_text import markdown, markdown_cell, markdown_code, markdown_fence, markdown_link, visible


def to_json(rec: Recommendation) -> str:
    return dumps(rec)


def option_name(rec: Recommendation, strategy: str) -> str:
    """How the report names an option: its costed label ("Prompt gpt-5-mini"), else the strategy's."""
    cost = rec.costs.get(strategy)
    return (cost.label if cost and cost.label else None) or STRATEGY_NAMES.get(strategy, strategy)


def place(rec: Recommendation, provider: str, model: str) -> str:
    """`Azure OpenAI gpt-4.1-mini`: the provider as it writes its name, then the model."""
    return f"{rec.providers.get(provider, provider)} {model}"


def prose(rec: Recommendation, text: str) -> str:
    """`text` with provider ids as the providers write their names: `openai:gpt-4.1` becomes `OpenAI gpt-4.1`,
    `azure-openai` becomes `Azure OpenAI` (ids inside URLs, file names and commands are left alone)."""
    for provider, label in rec.providers.items():
        if label == provider:
            continue
        text = re.sub(rf"(?<![\w./@-]){re.escape(provider)}:(?=[\w.])", f"{label} ", text)
        if provider != "local":  # an id that is also an everyday word is renamed only before a model
            text = re.sub(rf"(?<![\w./@`-]){re.escape(provider)}(?![\w/`.-]|\.\w)", label, text)
    return text


def series(rec: Recommendation) -> list[Series]:
    """Cumulative cost of today's setup and of each costed option, month by month."""
    horizon = rec.horizon_months
    name = "Today (prompting)"
    if rec.today_ends.successor and rec.today_ends.stops:
        name = f"Today (prompting; {rec.today_ends.successor.split(':', 1)[1]} from {rec.today_ends.ends})"
    today = Series(name, Schedule(tuple(rec.today_stretches)).cumulative(horizon))
    options = [
        Series(
            option_name(rec, name) + (" (recommended)" if name == rec.recommendation.primary else ""),
            cost.cumulative(horizon),
        )
        for name, cost in rec.costs.items()
        if name != "prompt" or cost.upfront_usd or cost.monthly_usd != rec.today_monthly_usd
    ]
    return [today, *options]


def cost_rows(rec: Recommendation) -> list[tuple[str, str, str, str, str, str]]:
    """(option, monthly, up front, payback, total over the horizon, where) per costed strategy."""
    rows = []
    cheaper = {item.strategy for item in rec.recommendation.cheaper}
    for name, cost in rec.costs.items():
        mark = " ★" if name == rec.recommendation.primary else " †" if name in cheaper else ""
        label = option_name(rec, name) + mark
        nothing_to_pay = name in ("prompt", "switch") and not cost.upfront_usd
        payback = "-" if nothing_to_pay else payback_cell(cost.payback_months)
        rows.append(
            (
                label,
                format_usd(cost.monthly_usd),
                format_usd(cost.upfront_usd),
                payback,
                format_usd(cost.total_usd),  # every month of the horizon, on what serves it then
                place(rec, cost.provider, cost.model) + _later(rec, cost),
            )
        )
    return rows


def break_even_cell(rec: Recommendation, strategy: str) -> str:
    """The fewest requests a month at which the option keeps at least its cost over the horizon, up front
    included (`312,000`); `never` when no volume does; `-` for an option with nothing to earn back."""
    cost = rec.costs[strategy]
    if strategy in ("prompt", "switch") and not cost.upfront_usd:
        return "-"
    volume = cost.break_even_requests_per_month
    return "never" if volume is None else f"{volume:,}"


def break_even_line(rec: Recommendation) -> str | None:
    """`Break-even volume ...: SFT ★ 21,450 requests a month; ...` for the options with something to earn
    back (None when none has): the terminal's cost table has no room for it as a column at 80 columns."""
    cells = [(name, break_even_cell(rec, name)) for name in rec.costs]
    parts = [
        f"{option_name(rec, name)}{' ★' if name == rec.recommendation.primary else ''} "
        + (cell if cell == "never" else f"from {cell} requests a month")
        for name, cell in cells
        if cell != "-"
    ]
    if not parts:
        return None
    return f"Break-even volume over {rec.horizon_months} months: " + "; ".join(parts)


def _later(rec: Recommendation, cost: StrategyCost) -> str:
    """What the row's traffic moves to inside the horizon, said in the row: ` (stops 2027-01-14; then
    OpenAI gpt-6-luna, $297.28 a month)`."""
    changes = [s for s in cost.stretches[1:] if s.months > 0]
    if not changes:
        return ""
    ends = cost.stretches[0].end
    date = rec.today_ends.ends if rec.today_ends.stops and ends == rec.today_ends.months else None
    when = f"until {date}" if date else f"for {months(ends)}"
    then = "; ".join(f"{prose(rec, s.what)} at {format_usd(s.monthly_usd)} a month" for s in changes)
    return f" ({when}; then {then})"


def where_rows(rec: Recommendation) -> list[tuple[str, ...]]:
    """Every place the recommended training could run, best first, the chosen one starred."""
    return place_rows(rec.where_options, (rec.where.provider, rec.where.model) if rec.where else None)


def _sentence(text: str) -> str:
    """`text` with a capital first letter and a full stop (rule texts are written as clauses)."""
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


STEP_NAMES = {"prompt": "Prompting", "rag": "RAG", "sft": "SFT", "dpo": "DPO", "rft": "RFT"}  # one step of a plan


def _plan(rec: Recommendation) -> str:
    return " → ".join(STEP_NAMES.get(step) or option_name(rec, step) for step in rec.recommendation.plan)


def _alternatives(rec: Recommendation) -> str:
    return ", ".join(option_name(rec, a) for a in rec.recommendation.alternatives)


def _where_line(rec: Recommendation) -> str | None:
    where = rec.where
    if where is None:
        return None
    dates = [f"jobs until {where.jobs_until}" if where.jobs_until else "",
             f"serves until {where.serving_until}" if where.serving_until else ""]  # fmt: skip
    shown = ", ".join(d for d in dates if d)
    return f"Where to train: {where.label} {where.model}" + (f" ({shown})" if shown else "")


def to_markdown(rec: Recommendation, chart_file: str | None = None) -> str:
    """A self-contained section to paste into a proposal: it reads without the CLI (no flags, rule ids or
    file placeholders in the body; the appendix holds them), with providers named as they write their names.
    Every text it quotes (the scenario's name, model ids, paths, the tables' words) is escaped
    (safe_text.markdown): it shows as written and adds no heading, table cell, link, HTML or code.

    It is its named sections (SECTIONS) in order, each after a blank line, under the title: a document's
    blocks (advisor.documents) show the same sections, word for word."""
    out = [f"## Recommendation: {markdown(rec.name)}"]
    for name in REPORT_ORDER:
        lines = SECTIONS[name](rec, chart_file)
        if lines:
            out += ["", *lines]
    return "\n".join(out) + "\n"


def section_markdown(rec: Recommendation, name: str, chart_file: str | None = None) -> str:
    """One named section as Markdown lines ending in a newline (`full`: the whole report); empty when the
    report has nothing to say there (no risks, no place to train)."""
    if name == "full":
        return to_markdown(rec, chart_file)
    lines = SECTIONS[name](rec, chart_file)
    return "\n".join(lines) + "\n" if lines else ""


def _say(rec: Recommendation, text: str) -> str:
    # a proposal names no flags: the price-table override is the appendix's business
    return prose(rec, text.replace("with --pricing", "with a price table of your own"))


Lines = list[str]


def headline_lines(rec: Recommendation, chart_file: str | None = None) -> Lines:
    """The answer in one bold sentence, the plan, the alternatives and where to train."""
    choice = rec.recommendation
    out = [f"**{markdown(_say(rec, choice.summary))}**", ""]
    out.append(
        f"Plan: {markdown(_plan(rec))}."
        + (f" Also reasonable: {markdown(_alternatives(rec))}." if choice.alternatives else "")
    )
    if (where := _where_line(rec)) is not None:
        out += ["", markdown(where) + "."]
    return out


def reasons_lines(rec: Recommendation, chart_file: str | None = None) -> Lines:
    """Why, reason by reason, each with its source."""
    out = ["### Why", ""]
    out += [
        f"{n}. {markdown(_sentence(_say(rec, reason.says)))} _Source: {markdown(reason.source)}._"
        for n, reason in enumerate(rec.reasons, start=1)
    ]
    return out


def where_lines(rec: Recommendation, chart_file: str | None = None) -> Lines:
    """Every place the recommended training could run (nothing for a plan that trains nothing)."""
    if not rec.where_options:
        return []
    out = [f"### Where to train ({rec.horizon_months}-month horizon)", ""]
    out += ["| " + " | ".join(PLACE_COLUMNS) + " |", MARKDOWN_ALIGN]
    out += ["| " + " | ".join(markdown_cell(_say(rec, cell)) for cell in row) + " |" for row in where_rows(rec)]
    return out


def not_recommended_lines(rec: Recommendation, chart_file: str | None = None) -> Lines:
    """The strategies ruled out, and why."""
    if not rec.recommendation.not_recommended:
        return []
    out = ["Not recommended:", ""]
    out += [
        f"- **{markdown(STRATEGY_NAMES.get(item.strategy, item.strategy))}**: "
        f"{markdown(_sentence(_say(rec, item.why)))}"
        for item in rec.recommendation.not_recommended
    ]
    return out


def costs_lines(rec: Recommendation, chart_file: str | None = None) -> Lines:
    """Today's cost, the table of every option, the cheaper ones not chosen and each option's notes."""
    out = [
        f"### Cost of each option ({rec.horizon_months} months, prices as of the tables' dates)",
        "",
        markdown(_today_line(rec)),
        "",
        "| Option | Per month | Up front | Payback | Break-even (requests a month) | Total over the horizon "
        "| Priced at |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    out += [
        "| " + " | ".join(map(markdown_cell, (*row[:4], break_even_cell(rec, name), *row[4:]))) + " |"
        for name, row in zip(rec.costs, cost_rows(rec), strict=True)
    ]
    out += ["", "Break-even: the fewest requests a month at which an option costs no more than today's setup "
            f"over the {rec.horizon_months} months, up front included."]  # fmt: skip
    if rec.recommendation.cheaper:
        out += ["", "† Costs less over the horizon than the recommendation, and why it is not chosen:", ""]
        out += [
            f"- **{markdown(option_name(rec, item.strategy))}**: {markdown(_sentence(_say(rec, item.why)))}"
            for item in rec.recommendation.cheaper
        ]
    for name, cost in rec.costs.items():
        if cost.notes:
            out.append(f"\n_{markdown(option_name(rec, name))}: {markdown(_say(rec, '; '.join(cost.notes)))}._")
    return out


def chart_lines(rec: Recommendation, chart_file: str | None = None) -> Lines:
    """The cumulative cost as a Mermaid chart, and the SVG `chart_file` (beside the document) linked."""
    out = ["### Cumulative cost", "", mermaid(series(rec), f"Cumulative cost over {rec.horizon_months} months (USD)")]
    if chart_file:
        out += ["", f"![Cumulative cost over {rec.horizon_months} months]({markdown_link(chart_file)})"]
    return out


def risks_lines(rec: Recommendation, chart_file: str | None = None) -> Lines:
    """Caveats and warnings (nothing when there are none)."""
    if not (rec.caveats or rec.warnings):
        return []
    return [
        "### Risks",
        "",
        *(f"- {markdown(_sentence(_say(rec, caveat)))}" for caveat in [*rec.caveats, *rec.warnings]),
    ]


def next_steps_lines(rec: Recommendation, chart_file: str | None = None) -> Lines:
    """The next steps in words (their commands are the appendix's)."""
    return [
        "### Next steps",
        "",
        *(f"{n}. {markdown(_sentence(_say(rec, s)))}" for n, s in enumerate(rec.next_steps, start=1)),
    ]


def assumptions_lines(rec: Recommendation, chart_file: str | None = None) -> Lines:
    """Every default taken, token count and price row the figures rest on."""
    return ["### Assumptions", "", *(f"- {markdown(item.text)}" for item in rec.assumptions)]


def appendix_lines(rec: Recommendation, chart_file: str | None = None) -> Lines:
    """The rule behind each reason and the commands behind the next steps."""
    out = ["### Appendix: rules and commands", ""]
    out += ["The rules behind each reason above, as advisor names them:", ""]
    out += [f"{n}. {markdown_code(reason.rule)}" for n, reason in enumerate(rec.reasons, start=1)]
    if rec.commands:
        out += ["", "The commands behind the next steps (`--dry-run` sends nothing):", ""]
        out += markdown_fence(rec.commands, "sh")
    return out


def footer_lines(rec: Recommendation, chart_file: str | None = None) -> Lines:
    return [f"_Generated by advisor on {rec.as_of} from {markdown(Path(rec.source).name)}._"]


# every section by the name a document's block gives it (advisor.documents), in the report's order
SECTIONS: dict[str, Callable[[Recommendation, str | None], Lines]] = {
    "headline": headline_lines,
    "reasons": reasons_lines,
    "where": where_lines,
    "not-recommended": not_recommended_lines,
    "costs": costs_lines,
    "chart": chart_lines,
    "risks": risks_lines,
    "next-steps": next_steps_lines,
    "assumptions": assumptions_lines,
    "appendix": appendix_lines,
    "footer": footer_lines,
}
REPORT_ORDER = tuple(SECTIONS)
SECTION_NAMES = (*(name for name in SECTIONS if name != "footer"), "full")  # what a block may name


def _today_line(rec: Recommendation) -> str:
    """Today's cost, and when today's model stops inside the horizon, what the team pays after."""
    ends, now = rec.today_ends, format_usd(rec.today_monthly_usd)
    if not ends.stops:
        return f"Today: {now} a month."
    after = rec.today_stretches[-1]
    successor = prose(rec, ends.successor) if ends.successor else None
    if ends.gone and successor:
        return f"Today: {now} a month on {successor}: {prose(rec, ends.model)} stopped serving on {ends.ends}."
    if ends.gone:
        return (
            f"Today: {now} a month, carried on although {prose(rec, ends.model)} stopped serving on {ends.ends}: no "
            "model in the price tables replaces it."
        )
    then = (
        f"then {format_usd(after.monthly_usd)} a month on {successor}"
        if successor
        else "then nothing priced replaces it"
    )
    return f"Today: {now} a month until {prose(rec, ends.model)} stops on {ends.ends}, {then}."


def markers(rec: Recommendation) -> list[Marker]:
    """What the chart marks: when the recommendation pays back, when today's model stops, and when the
    recommended option's model stops serving inside the horizon."""
    found = []
    primary = rec.costs.get(rec.recommendation.primary)
    if primary is not None and primary.payback_months is not None and primary.upfront_usd > 0:
        found.append(Marker(primary.payback_months, f"{option_name(rec, primary.strategy)} pays back"))
    ends = rec.today_ends
    if ends.stops and ends.months > 0:
        found.append(Marker(ends.months, f"{prose(rec, ends.model)} stops {ends.ends}"))
    if primary is not None and primary.horizon_months < rec.horizon_months:
        found.append(Marker(primary.horizon_months, f"{option_name(rec, primary.strategy)} stops serving"))
    return found


def chart_svg(rec: Recommendation) -> str:
    """The cumulative cost chart as an SVG file's text, with its markers."""
    return svg(series(rec), f"Cumulative cost over {rec.horizon_months} months (USD)", markers(rec))


def write_chart(rec: Recommendation, path: Path) -> None:
    path.write_text(chart_svg(rec), encoding="utf-8")


TOP_PLACES = 5  # the where-to-train table in the terminal, unless --all-places


def where_table(rec: Recommendation, top: int | None) -> list[object]:
    """The where-to-train table for the terminal: the `top` places (all when None), then why not each."""
    title = f"Where to train ({rec.horizon_months}-month horizon)"
    return place_table(title, where_rows(rec), top, lambda text: prose(rec, text))


def print_report(
    rec: Recommendation, file: IO[str] | None = None, width: int | None = None, all_places: bool = False
) -> None:
    """The answer first (headline, where to train, what each option costs, readable at 80 columns without
    scrolling), then why, where to train in full, the chart, risks, next steps, commands and assumptions.
    Each line and cell is shown as written, its control characters as escapes (render.console)."""
    from rich import box
    from rich.panel import Panel
    from rich.table import Table

    from advisor.render.console import assembled, print_out, styled, whole_line

    def bold(text: str) -> object:
        return styled(text, "bold")

    choice = rec.recommendation
    lines = [f"Plan: {_plan(rec)}"]
    if (where_line := _where_line(rec)) is not None:
        lines.append(where_line)
    if choice.alternatives:
        lines.append(f"Also reasonable: {_alternatives(rec)}")
    headline = Panel(
        assembled((visible(prose(rec, choice.summary)), "bold"), *("\n" + visible(line) for line in lines)),
        title=styled(f"Recommendation: {visible(rec.name)}"),
        title_align="left",
    )
    costs = Table(box=box.SIMPLE_HEAD, title=f"Cost of each option ({rec.horizon_months} months)", title_justify="left")
    for column in ("Option", "Per month", "Up front", "Payback", "Total", "Priced at"):
        costs.add_column(column, justify="left" if column in ("Option", "Priced at") else "right")
    for row in cost_rows(rec):
        costs.add_row(*map(visible, row), style="bold" if row[0].endswith("★") else None)
    droppable(costs, "Up front", "Total")
    break_even = [visible(f"  {line}") for line in [break_even_line(rec)] if line]
    cheaper: list[object] = [
        visible(f"  † {option_name(rec, i.strategy)}: {prose(rec, i.why)}") for i in rec.recommendation.cheaper
    ]
    if cheaper:
        cheaper.insert(0, bold("Cheaper, not chosen"))
    why = Table(box=box.SIMPLE_HEAD, title="Why", title_justify="left", show_lines=False)
    why.add_column("Rule", style="cyan", no_wrap=True)
    why.add_column("Says", max_width=70)
    why.add_column("Source", style="dim", max_width=45)
    for reason in rec.reasons:
        source = re.sub(r" \(https?://[^)]*\)", "", reason.source)
        why.add_row(*map(visible, (reason.rule, prose(rec, reason.says), source)))
    items: list[object] = [headline, costs, *break_even, *cheaper, why]
    if choice.not_recommended:
        items += [
            bold("Not recommended"),
            *(
                visible(f"  ✗ {STRATEGY_NAMES.get(i.strategy, i.strategy)}: {prose(rec, i.why)}")
                for i in choice.not_recommended
            ),
        ]
    if rec.where_options:
        items += where_table(rec, None if all_places else TOP_PLACES)
    items += [bold("Cumulative cost"), *(assembled(*line) for line in text_chart(series(rec)))]
    if rec.caveats or rec.warnings:
        items += [bold("Risks"), *(visible(f"  ! {prose(rec, line)}") for line in [*rec.caveats, *rec.warnings])]
    items += [bold("Next steps"), *(visible(f"  {n}. {step}") for n, step in enumerate(rec.next_steps, start=1))]
    if rec.commands:
        items += [bold("Commands"), *(whole_line(f"  $ {visible(command)}") for command in rec.commands)]
    items += [bold("Assumptions"), *(visible(f"  • {item.text}") for item in rec.assumptions)]
    print_out(*items, file=file, width=width)
