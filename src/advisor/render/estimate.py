"""An estimate as a terminal table, JSON (the contract in docs/cost-model.md) or a Markdown
section to paste into a proposal. All three show the same rows, built once here; the model ids, labels
and table texts in them are escaped for each (advisor.safe_text)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import IO, TYPE_CHECKING

from advisor.costs.estimate import Estimate, ServingCost
from advisor.costs.figures import months, tokens
from advisor.costs.money import format_usd
from advisor.render.console import assembled, echo, print_out, styled
from advisor.render.figures import dumps, exact
from advisor.safe_text import markdown, markdown_cell, visible

if TYPE_CHECKING:  # one estimate never ranks places: the modules that do load with `--provider all`
    from advisor.costs.places import PlaceEstimate


def title(estimate: Estimate) -> str:
    return (
        f"{estimate.baseline.label} today vs {estimate.option.label} ({estimate.training.method.upper()}), "
        f"{estimate.requests_per_month:,} requests a month"
    )


def _prompt(side: ServingCost) -> str:
    total = side.uncached_prompt_tokens + side.cached_prompt_tokens
    cached = f" ({tokens(side.cached_prompt_tokens)} cached)" if side.cached_prompt_tokens else ""
    return f"{tokens(total)}{cached}"


def _optional(amount: Decimal) -> str:
    return format_usd(amount) if amount else "-"


def columns(estimate: Estimate) -> list[tuple[str, ServingCost]]:
    """The sides shown: today's setup (and, once its model stops, what replaces it), then the fine-tune."""
    ends, after = estimate.today_ends, estimate.baseline_after
    if after is None:
        return [("Today", estimate.baseline), ("Fine-tuned", estimate.option)]
    if ends.gone:
        return [(f"Today ({ends.model} stopped {ends.ends})", after), ("Fine-tuned", estimate.option)]
    return [("Today", estimate.baseline), (f"From {ends.ends}", after), ("Fine-tuned", estimate.option)]


def side_rows(estimate: Estimate) -> list[tuple[str, ...]]:
    """(what, today[, today after its model stops], fine-tuned) rows."""
    sides = [side for _, side in columns(estimate)]
    return [
        ("Price row", *(side.row for side in sides)),
        ("Prompt tokens / request", *map(_prompt, sides)),
        ("Output tokens / request", *(tokens(side.output_tokens) for side in sides)),
        ("Cost / request", *(format_usd(side.per_request_usd) for side in sides)),
        ("Inference / month", *(format_usd(side.inference_monthly_usd) for side in sides)),
        ("Hosting / month", *(_optional(side.hosting_monthly_usd) for side in sides)),
        ("Retraining / month", *(_optional(side.retraining_monthly_usd) for side in sides)),
        ("Total / month", *(format_usd(side.monthly_usd) for side in sides)),
    ]


def deadline(estimate: Estimate) -> str | None:
    """`gpt-4.1 stops on 2027-01-14, in 38 days: from then on today's prompt runs on gpt-6-luna`."""
    ends = estimate.today_ends
    if not ends.stops:
        return None
    after = f"today's prompt runs on {ends.successor}" if ends.successor else "no model in the tables replaces it"
    if ends.gone:
        return f"{ends.model} stopped serving on {ends.ends}: {after}"
    return f"{ends.model} stops on {ends.ends}, in {ends.days_left} days: from then on {after}"


def summary_rows(estimate: Estimate) -> list[tuple[str, str, str]]:
    """(what, figure, how it was reached) rows."""
    savings = estimate.monthly_savings_usd
    horizon = months(estimate.effective_horizon_months)
    break_even = estimate.break_even_requests_per_month
    return [
        ("Training", format_usd(estimate.training_usd), estimate.training.explanation),
        ("Setup", format_usd(estimate.setup_usd), "data preparation and evaluation labour"),
        ("Savings / month", format_usd(savings), "today's total minus the fine-tuned total, this month"),
        ("Payback", months(estimate.payback_months), estimate.payback_note),
        (
            "Break-even volume",
            f"{break_even:,} requests / month" if break_even is not None else "none",
            "fewest requests a month that pay back training and setup within the horizon"
            if break_even is not None
            else "the fine-tuned option never costs less per request",
        ),
        (
            f"Net over {estimate.horizon_months} months",
            format_usd(estimate.net_savings_usd),
            f"today's setup minus the fine-tune over the horizon, up front included; the fine-tune serves "
            f"{horizon} of it ({estimate.horizon_note})",
        ),
    ]


def headline(estimate: Estimate) -> str:
    """The estimate in one sentence, after the deadline when today's model stops inside the horizon."""
    savings = estimate.monthly_savings_usd
    costs = f"(from {format_usd(estimate.baseline_monthly_usd)} to {format_usd(estimate.option_monthly_usd)})"
    lead = f"**{markdown(str(deadline(estimate)))}.** " if deadline(estimate) else ""
    note = markdown(estimate.payback_note)
    if savings <= 0:
        change = f"costs **{format_usd(-savings)} more a month**" if savings else "saves **nothing** a month"
        pays = (
            "it does not pay back" if estimate.payback_months is None else f"payback: {months(estimate.payback_months)}"
        )
        return f"{lead}Fine-tuning {change} {costs}: {pays} ({note})."
    return (
        f"{lead}Fine-tuning saves **{format_usd(savings)} a month** {costs}; "
        f"payback: **{months(estimate.payback_months)}** ({note})."
    )


def to_json(estimate: Estimate) -> str:
    return dumps(estimate)


def to_markdown(estimate: Estimate) -> str:
    """A self-contained section for a proposal document."""
    lines = [f"### Cost estimate: {markdown(title(estimate))}", ""]
    lines += [headline(estimate)]
    names = [markdown_cell(name) for name, _ in columns(estimate)]
    lines += ["", "| | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    lines += ["| " + " | ".join(map(markdown_cell, row)) + " |" for row in side_rows(estimate)]
    lines += ["", "| | Figure | How |", "|---|---:|---|"]
    lines += ["| " + " | ".join(map(markdown_cell, row)) + " |" for row in summary_rows(estimate)]
    lines += ["", "**Assumptions**", ""]
    lines += [
        f"- {markdown(item.text)}" + (f" ({markdown(item.source)})" if item.source and item.topic != "price" else "")
        for item in estimate.assumptions
    ]
    sources = sorted(
        {(item.source, item.as_of) for item in estimate.assumptions if item.source and item.as_of}, key=str
    )
    lines += [f"- Prices: {markdown(source)} (as_of {markdown(str(as_of))})" for source, as_of in sources]
    if estimate.warnings:
        lines += ["", "**Warnings**", ""]
        lines += [f"- {markdown(warning)}" for warning in estimate.warnings]
    return "\n".join(lines) + "\n"


def print_table(estimate: Estimate, file: IO[str] | None = None, width: int | None = None) -> None:
    from rich import box
    from rich.table import Table

    sides = Table(box=box.SIMPLE_HEAD)
    sides.add_column("")
    for name, _ in columns(estimate):
        sides.add_column(visible(name), justify="right")
    for row in side_rows(estimate):
        sides.add_row(*map(visible, row), style="bold" if row[0].startswith("Total") else None)
    summary = Table(box=box.SIMPLE_HEAD, show_header=False)
    summary.add_column(style="bold", no_wrap=True)
    summary.add_column(justify="right", no_wrap=True)
    summary.add_column(style="dim", max_width=70)
    for row in summary_rows(estimate):
        summary.add_row(*map(visible, row))
    print_out(
        styled(visible(title(estimate)), "bold"),
        *([styled(visible(str(deadline(estimate))), "bold red")] if deadline(estimate) else []),
        sides,
        summary,
        styled("Assumptions", "bold"),
        *(visible(f"  • {item.text}") for item in estimate.assumptions),
        *(assembled(("warning:", "yellow"), " " + visible(warning)) for warning in estimate.warnings),
        file=file,
        width=width,
    )


def _places_heading(options: Sequence[PlaceEstimate]) -> str:
    first = _first(options)
    return (
        f"{first.baseline.label} today ({format_usd(first.baseline_monthly_usd)} a month) vs the fine-tune at each "
        f"place, {first.requests_per_month:,} requests a month, {first.horizon_months}-month horizon"
        if first
        else "No place could be priced"
    )


def _first(options: Sequence[PlaceEstimate]) -> Estimate | None:
    return next((o.estimate for o in options if o.estimate is not None), None)


def _places_rows(options: Sequence[PlaceEstimate]) -> list[tuple[str, ...]]:
    from advisor.render.places import place_rows

    best = options[0].place if options and options[0].place.available else None
    return place_rows([option.place for option in options], (best.provider, best.model) if best else None)


def places_json(options: Sequence[PlaceEstimate]) -> str:
    """The fine-tune compared at each place (`advisor estimate --provider all --format json`)."""
    first = _first(options)
    document = {
        "today": first.baseline if first else None,
        "options": [{**exact(o.place), "estimate": o.estimate} for o in options],
    }
    return dumps(document)


def places_markdown(options: Sequence[PlaceEstimate]) -> str:
    from advisor.render.places import MARKDOWN_ALIGN, PLACE_COLUMNS

    lines = [f"### {markdown(_places_heading(options))}", "", "| " + " | ".join(PLACE_COLUMNS) + " |", MARKDOWN_ALIGN]
    lines += ["| " + " | ".join(map(markdown_cell, row)) + " |" for row in _places_rows(options)]
    return "\n".join(lines) + "\n"


def print_places(options: Sequence[PlaceEstimate], file: IO[str] | None = None, width: int | None = None) -> None:
    """The places as a terminal table, then the estimate's warnings on stderr."""
    from advisor.render.places import place_table

    print_out(*place_table(_places_heading(options), _places_rows(options)), file=file, width=width)
    warnings = dict.fromkeys(w for o in options[:1] if o.estimate for w in o.estimate.warnings)
    for warning in warnings:
        echo(f"warning: {visible(warning)}", err=True)
