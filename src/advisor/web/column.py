"""One scenario column as HTML: headline, plan, costs, payback, the chart, where to train, risks, the
differences from the first column, and a footnote for every figure naming its price rows (with their dates
and sources), the rule it follows, and the assumptions. The words and figures are the Markdown report's
(advisor.render.recommendation), so the page and the exported report never disagree."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from advisor.costs.figures import payback_cell
from advisor.costs.money import format_usd
from advisor.pricing.catalog import Catalog
from advisor.recommend.recommendation import Recommendation
from advisor.render.places import PLACE_COLUMNS
from advisor.render.recommendation import chart_svg, cost_rows, option_name, place, prose, where_rows
from advisor.safe_text import html as e

TOP_PLACES = 5  # where-to-train rows shown unless filtered


@dataclass
class Notes:
    """A column's footnotes, numbered in the order the page cites them."""

    items: list[str] = field(default_factory=list)  # HTML of each note

    def cite(self, column: int, html_text: str) -> str:
        """A superscript link to a new note holding `html_text`."""
        self.items.append(html_text)
        number = len(self.items)
        return f'<sup class="ref"><a href="#note-{column}-{number}" id="ref-{column}-{number}">[{number}]</a></sup>'

    def html(self, column: int) -> str:
        rows = "".join(
            f'<li id="note-{column}-{n}">{text} <a class="back" href="#ref-{column}-{n}">↩</a></li>'
            for n, text in enumerate(self.items, start=1)
        )
        return f'<ol class="notes">{rows}</ol>'


def price_rows(rec: Recommendation, provider: str, model: str) -> list[str]:
    """The price rows the report used for `provider:model`, each with its price, date and source."""
    prefix = f"{provider}:{model} "
    return [
        _price(item.row or "", item.usd_per_1m, str(item.as_of or "no date"), item.source or "the price tables")
        for item in rec.assumptions
        if item.topic == "price" and item.row and item.row.startswith(prefix)
    ]


def _price(row: str, usd_per_1m: Decimal | None, as_of: str, source: str) -> str:
    price = f"${usd_per_1m} per 1M" if usd_per_1m is not None else "price"
    return f"<code>{e(row)}</code>: {e(price)}, as of {e(as_of)} ({e(source)})"


def _listed(items: Iterable[str]) -> str:
    inner = "".join(f"<li>{item}</li>" for item in items)
    return f"<ul>{inner}</ul>" if inner else ""


def headline(rec: Recommendation, index: int, notes: Notes) -> str:
    """The answer, its plan and where to train, cited to the rules that chose it."""
    choice = rec.recommendation
    rules = _listed(
        f"rule <code>{e(reason.rule)}</code>: {e(prose(rec, reason.says))}. <em>Source: {e(reason.source)}</em>"
        for reason in rec.reasons
    )
    out = [f'<p class="headline"><strong>{e(prose(rec, choice.summary))}</strong>{notes.cite(index, rules)}</p>']
    plan = " → ".join(option_name(rec, step) for step in choice.plan)
    out.append(f'<p class="plan">Plan: <span data-field="plan">{e(plan)}</span></p>')
    if rec.where is not None:
        out.append(
            '<p class="where">Where to train: <span data-field="place">'
            f"{e(place(rec, rec.where.provider, rec.where.model))}"
            "</span></p>"
        )
    else:
        out.append('<p class="where">Where to train: <span data-field="place">no training in this plan</span></p>')
    if choice.alternatives:
        out.append(f"<p>Also reasonable: {e(', '.join(option_name(rec, a) for a in choice.alternatives))}</p>")
    return "".join(out)


def costs_table(rec: Recommendation, index: int, notes: Notes) -> str:
    """The Markdown report's cost table; each row cited to its price rows and the rule of its figures."""
    today = rec.today_stretches[0].what.split(" ")[0] if rec.today_stretches else ""
    provider, _, model = today.partition(":")
    today_note = _listed(price_rows(rec, provider, model)) or "the price tables"
    out = [
        f"<h3>Cost of each option ({rec.horizon_months} months)</h3>",
        f'<p class="today">Today: <span data-field="today-monthly">{e(format_usd(rec.today_monthly_usd))}</span> '
        f"a month{notes.cite(index, today_note)}</p>",
        '<table class="costs"><thead><tr><th>Option</th><th>Per month</th><th>Up front</th><th>Payback</th>'
        "<th>Total</th><th>Priced at</th></tr></thead><tbody>",
    ]
    for (strategy, cost), row in zip(rec.costs.items(), cost_rows(rec), strict=True):
        rule = [f"payback: {e(cost.payback_note)}" if cost.payback_note else "",
                f"horizon: {e(cost.horizon_note)}" if cost.horizon_note else "",
                *(e(prose(rec, note)) for note in cost.notes)]  # fmt: skip
        cited = notes.cite(index, _listed([*price_rows(rec, cost.provider, cost.model), *filter(None, rule)]))
        mark = ' class="primary"' if strategy == rec.recommendation.primary else ""
        cells = "".join(f'<td class="num">{e(cell)}</td>' for cell in row[1:5])
        out.append(
            f'<tr{mark} data-strategy="{e(strategy)}"><td>{e(row[0])}{cited}</td>{cells}<td>{e(row[5])}</td></tr>'
        )
    out.append("</tbody></table>")
    return "".join(out)


def payback(rec: Recommendation) -> str:
    primary = rec.costs.get(rec.recommendation.primary)
    if primary is None or not primary.upfront_usd:
        return '<p class="payback">Payback: nothing to pay up front.</p>'
    return (
        f'<p class="payback">Payback of the recommendation: <span data-field="payback">'
        f"{e(payback_cell(rec.payback_months))}</span> on {e(format_usd(primary.upfront_usd))} up front.</p>"
    )


def chart(rec: Recommendation) -> str:
    """The Markdown report's SVG chart (render.recommendation.chart_svg: the lines, the break-even and each
    shutdown), inline."""
    return (
        f'<figure class="chart">{chart_svg(rec)}</figure>'
    )


def places(rec: Recommendation, index: int, wanted: str, notes: Notes, catalog: Catalog) -> str:
    """The where-to-train table: the top places, or every place whose row holds the filter's words; each
    place cited to the price row it was costed from (its source and date, for serving and for training)."""
    rows = list(zip(rec.where_options, where_rows(rec), strict=True))
    if not rows:
        return "<p>No training in this plan: nowhere to train.</p>"
    words = wanted.lower().split()
    shown = [(p, row) for p, row in rows if all(any(w in cell.lower() for cell in row) for w in words)]
    more = len(shown) - TOP_PLACES if not words else 0
    shown = shown if words else shown[:TOP_PLACES]
    head = "".join(f"<th>{e(column)}</th>" for column in PLACE_COLUMNS)
    body = []
    for found, row in shown:
        cited = notes.cite(index, _place_note(rec, found.provider, found.model, catalog))
        cells = "".join(f"<td>{e(cell)}</td>" for cell in row[1:])
        mark = " class=primary" if "★" in row[0] else ""
        body.append(f"<tr{mark}><td>{e(row[0])}{cited}</td>{cells}</tr>")
    said = f"{len(shown)} of {len(rows)} places" + (f" match “{e(wanted)}”" if words else "")
    hidden = f"; {more} more: filter to see them" if more > 0 else ""
    table = f'<table class="places-table"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
    return f'<p class="count">{said}{hidden}</p>{table}'


def _place_note(rec: Recommendation, provider: str, model: str, catalog: Catalog) -> str:
    """Where a place's figures come from: the price rows the report cites for it, else its row's sources."""
    cited = price_rows(rec, provider, model)
    if cited:
        return _listed(cited)
    match = catalog.find_optional(model, provider)
    if match is None:
        return f"<code>{e(provider)}:{e(model)}</code>: priced from the tables in force on {e(str(rec.as_of))}"
    serving, training = match.source_of("input"), match.source_of("fine_tuning.training_prices")
    return (
        f"<code>{e(provider)}:{e(match.name)}</code>: its row's prices from {e(serving.words())} ({e(serving.url)}); "
        f"its fine-tuning prices from {e(training.words())} ({e(training.url)})"
    )


def risks(rec: Recommendation) -> str:
    items = [*rec.caveats, *rec.warnings]
    if not items:
        return "<h3>Risks</h3><p>None found.</p>"
    return "<h3>Risks</h3>" + _listed(e(prose(rec, item)) for item in items)


def assumptions(rec: Recommendation, index: int, notes: Notes) -> str:
    """Every assumption the figures rest on (defaults, tokenizers, caching, succession), as notes."""
    for item in rec.assumptions:
        if item.topic != "price":
            notes.items.append(f"{e(item.topic)}: {e(item.text)}")
    return notes.html(index)


def differences(rec: Recommendation, first: Recommendation) -> str:
    """What changes against the first column: the answer, where it trains, and its money."""
    out = []
    if rec.recommendation.primary != first.recommendation.primary:
        out.append(
            f"recommends {e(option_name(rec, rec.recommendation.primary))} instead of "
            f"{e(option_name(first, first.recommendation.primary))}"
        )
    here = place(rec, rec.where.provider, rec.where.model) if rec.where else "no training"
    there = place(first, first.where.provider, first.where.model) if first.where else "no training"
    if here != there:
        out.append(f"trains at {e(here)} instead of {e(there)}")
    mine, theirs = rec.costs.get(rec.recommendation.primary), first.costs.get(first.recommendation.primary)
    if mine is not None and theirs is not None:
        for what, a, b in (
            ("per month", mine.monthly_usd, theirs.monthly_usd),
            ("up front", mine.upfront_usd, theirs.upfront_usd),
            ("over the horizon", mine.total_usd, theirs.total_usd),
        ):
            if a != b:
                sign = "+" if a > b else "−"
                out.append(
                    f"{e(what)}: {sign}{e(format_usd(abs(a - b)))} ({e(format_usd(a))} against {e(format_usd(b))})"
                )
    if rec.payback_months != first.payback_months:
        out.append(f"payback {e(payback_cell(rec.payback_months))} against {e(payback_cell(first.payback_months))}")
    if not out:
        return '<div class="diff"><h3>Against column 1</h3><p>No difference.</p></div>'
    return '<div class="diff"><h3>Against column 1</h3>' + _listed(out) + "</div>"
