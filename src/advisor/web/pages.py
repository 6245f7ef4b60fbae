"""The pages: the side-by-side view and the interview form, as HTML strings (every text escaped with
safe_text.html). The view is one GET form whose fields are the URL's state (web.state): htmx sends it as
a control moves and swaps in the parts that changed (results, places, notes, exports, problems), so the
controls being typed in are never replaced; without JavaScript the same form submits and reloads."""

from __future__ import annotations

from collections.abc import Sequence

from advisor.pricing.catalog import Catalog
from advisor.safe_text import html as e
from advisor.web import column as parts
from advisor.web.session import Outcome, Session
from advisor.web.state import CONTROLS, MAX_COLUMNS, NEW, Problems, View, only_column, query_of

HTMX = "/static/htmx.min.js"
STYLE = "/static/style.css"


def document(title: str, body: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{e(title)}</title><link rel="stylesheet" href="{STYLE}">'
        f'<script src="{HTMX}" defer></script></head><body>{body}</body></html>'
    )


def swapped_ids(view: View) -> list[str]:
    """The parts a what-if request replaces (hx-select-oob): never a control being typed in."""
    ids = ["today-error", "share", "view-problems"]
    for index in range(len(view.columns)):
        ids += [f"result-{index}", f"places-{index}", f"notes-{index}", f"exports-{index}"]
        ids += [f"err-{name}{index}" for name in (*CONTROLS, "s")]
    return ids


def view_page(session: Session, view: View, outcomes: Sequence[Outcome], problems: Problems) -> str:
    names = [o.rec.name if o.rec else (o.loaded.scenario.name if o.loaded else "a scenario") for o in outcomes]
    query = query_of(view)
    header = (
        '<header class="top"><h1>advisor</h1>'
        f'<p class="share">Link to this view: <a id="share" href="/?{e(query)}">/?{e(query[:80])}'
        f"{'…' if len(query) > 80 else ''}</a></p>"
        '<p class="no-print"><a href="/new?view=' + e(_quoted(query)) + '">New scenario from the interview…</a></p>'
        "</header>"
    )
    today_field = (
        '<div class="today-control no-print"><label for="today">Today’s date</label>'
        f'<input type="date" id="today" name="today" value="{e(view.today.isoformat())}">'
        f'<span class="error" id="today-error" role="alert">{e(problems.by_field.get("today", ""))}</span>'
        "<small class=help>Shutdowns, job availability and the prices in force are checked against it.</small></div>"
    )
    general = " ".join(message for key, message in problems.by_field.items() if key.startswith("c"))
    adding = (
        '<button type="submit" name="add" value="1" class="no-print" id="add-column">Add a column</button>'
        if len(view.columns) < MAX_COLUMNS
        else ""
    )
    columns = "".join(column_html(session, view, index, outcome, outcomes[0]) for index, outcome in enumerate(outcomes))
    body = (
        f'{header}<form id="view" action="/" method="get" hx-get="/" '
        'hx-trigger="input delay:250ms, change" hx-swap="none" '
        f'hx-select-oob="{",".join("#" + i for i in swapped_ids(view))}" hx-push-url="true" hx-sync="this:replace">'
        f'{today_field}<p id="view-problems" class="error" role="alert">{e(general)}</p>'
        f'<div class="columns count-{len(outcomes)}">{columns}</div>{adding}</form>'
    )
    return document(" | ".join(names) + " — advisor", body)


def _quoted(query: str) -> str:
    from urllib.parse import quote

    return quote(query, safe="")


def column_html(session: Session, view: View, index: int, outcome: Outcome, first: Outcome) -> str:
    col = outcome.column
    loaded = outcome.loaded or session.base(col.base)
    notes = parts.Notes()  # numbered across the result and the notes block
    source = "the interview’s defaults" if col.base == NEW else loaded.source
    hidden = f'<input type="hidden" name="c" value="{e(col.base)}">' + "".join(
        f'<input type="hidden" name="s{index}" value="{e(setting)}">' for setting in col.settings
    )
    remove = (
        f'<button type="submit" name="drop" value="{index}" class="no-print remove">Remove</button>'
        if len(view.columns) > 1
        else ""
    )
    settings = (
        f'<p class="settings">Set: {e("; ".join(col.settings))}</p>' if col.settings else ""
    ) + f'<span class="error" id="err-s{index}" role="alert">{e(outcome.errors.get("s", ""))}</span>'
    return (
        f'<section class="column" id="column-{index}" aria-label="Column {index + 1}">'
        f'<header><h2>{e(loaded.scenario.name)}</h2><small class="source">{e(source)}</small>{remove}</header>'
        f"{hidden}{settings}{controls(index, outcome, loaded.scenario.traffic.prompt_file)}"
        f'<div class="result" id="result-{index}">{result(index, outcome, first, notes)}</div>'
        f'<h3>Where to train</h3><div class="filter no-print"><label for="w{index}">Filter places</label>'
        f'<input id="w{index}" name="w{index}" value="{e(col.places)}" placeholder="together, open weights…"></div>'
        f'<div class="places" id="places-{index}">{places(index, outcome, notes, session.catalog(view.today))}</div>'
        f'<div id="notes-{index}" class="notes-block">{notes_html(index, outcome, notes)}</div>'
        f'<nav class="exports no-print" id="exports-{index}">{exports(view, index)}</nav></section>'
    )


def controls(index: int, outcome: Outcome, prompt_file: str | None) -> str:
    """The what-if fields; blank means as the scenario says (shown beside the field)."""
    traffic = outcome.loaded.scenario.traffic if outcome.loaded else None
    horizon = outcome.loaded.scenario.costs.horizon_months if outcome.loaded else None
    current = {
        "r": f"{traffic.requests_per_month:,}" if traffic else "",
        "p": f"counted from {prompt_file}"  # a count given here replaces the file (what_if.REPLACES)
        if prompt_file
        else f"{traffic.prompt_tokens:,}"
        if traffic and traffic.prompt_tokens is not None
        else "1,000 (default)",
        "o": f"{traffic.output_tokens:,}" if traffic else "",
        "h": str(horizon or ""),
    }
    rows = []
    for name, (key, label, example) in CONTROLS.items():
        ident = f"{name}{index}"
        value = outcome.column.controls.get(name, "")
        error = outcome.errors.get(name, "")
        rows.append(
            f'<div class="control"><label for="{ident}">{e(label)}</label>'
            f'<input id="{ident}" name="{ident}" value="{e(value)}" placeholder="{e(current[name])}"'
            f'{" aria-invalid=true" if error else ""} aria-describedby="err-{ident}">'
            f"<small class=help>{e(example)}; blank: as the scenario says ({e(current[name])}); "
            f"<code>{e(key)}</code></small>"
            f'<span class="error" id="err-{ident}" role="alert">{e(error)}</span></div>'
        )
    return f'<fieldset class="whatif no-print"><legend>What if</legend>{"".join(rows)}</fieldset>'


def result(index: int, outcome: Outcome, first: Outcome, notes: parts.Notes) -> str:
    rec = outcome.rec
    if rec is None:
        message = outcome.errors.get("scenario") or "Fix the value marked above to see the recommendation."
        return f'<p class="error" role="alert">{e(message)}</p>'
    out = [
        parts.headline(rec, index, notes),
        parts.costs_table(rec, index, notes),
        parts.payback(rec),
    ]
    if index > 0 and first.rec is not None:
        out.append(parts.differences(rec, first.rec))
    out += [parts.chart(rec), parts.risks(rec)]
    return "".join(out)


def places(index: int, outcome: Outcome, notes: parts.Notes, catalog: Catalog) -> str:
    return parts.places(outcome.rec, index, outcome.column.places, notes, catalog) if outcome.rec else ""


def notes_html(index: int, outcome: Outcome, notes: parts.Notes) -> str:
    if outcome.rec is None:
        return ""
    return "<h3>Notes</h3>" + parts.assumptions(outcome.rec, index, notes)


def exports(view: View, index: int) -> str:
    query = query_of(only_column(view, index))
    return "Export: " + " · ".join(
        f'<a href="/export/scenario.{fmt}?{e(query)}" download="{e(name)}" id="export-{fmt}-{index}">{label}</a>'
        for fmt, label, name in (
            ("toml", "scenario TOML", "scenario.toml"),
            ("md", "Markdown", "recommendation.md"),
            ("json", "JSON", "recommendation.json"),
        )
    )


def form_page(form_html: str) -> str:
    body = (
        '<header class="top"><h1>advisor: a new scenario</h1>'
        "<p>The interview’s questions, with its defaults. Each answer is checked as you leave the field.</p>"
        '<p class="no-print"><a href="/">Back to the view</a></p></header>' + form_html
    )
    return document("New scenario — advisor", body)
