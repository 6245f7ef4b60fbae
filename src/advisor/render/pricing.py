"""Price rows for `advisor pricing list` and `advisor pricing show`. A table's texts (model names, notes,
sources, paths) are shown as written, each cell on one line (safe_text.visible; render.console)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, TypedDict

from advisor.costs.money import format_price
from advisor.methods import Method
from advisor.pricing.catalog import ModelMatch, row_status
from advisor.pricing.tables import FineTuning, ModelRow, PriceTable
from advisor.render.console import assembled, print_out, styled
from advisor.render.figures import dumps, exact
from advisor.render.fit import droppable
from advisor.safe_text import visible

Row = tuple[str, ModelRow, PriceTable]


def _price(value: Decimal | None) -> str:
    return "-" if value is None else format_price(value)


def _triple(input_: Decimal | None, cached: Decimal | None, output: Decimal | None) -> str:
    return " / ".join(_price(value) for value in (input_, cached, output))


def row_dict(name: str, row: ModelRow, table: PriceTable) -> dict[str, object]:
    return {
        "provider": table.provider,
        "model": name,
        **_without_none(exact(row)),
        "as_of": table.as_of,
        "source": table.source,
        "table": table.path,
    }


def _without_none(value: Any) -> Any:
    """A plain value's dicts, at every depth, without their None entries."""
    if isinstance(value, dict):
        return {key: _without_none(item) for key, item in value.items() if item is not None}
    return value


def rows_json(rows: list[Row]) -> str:
    return dumps([row_dict(*row) for row in rows])


def _compact(*prices: Decimal | None) -> str:
    """`2.00/0.50/8.00`: a row's prices, narrow enough for an 80-column terminal."""
    return "/".join("-" if price is None else format_price(price).removeprefix("$") for price in prices)


def print_rows(rows: list[Row], today: date, footer: list[str]) -> None:
    """A table per provider, then the `footer` lines (where the tables were read from)."""
    from itertools import groupby

    from rich import box
    from rich.table import Table

    tables = []
    for _, group in groupby(rows, key=lambda item: item[2].provider):
        entries = list(group)
        source = entries[0][2]
        table = Table(
            box=box.SIMPLE_HEAD,
            title_justify="left",
            caption_justify="left",
            title=assembled((visible(source.provider), "bold"), f": USD per 1M tokens, as_of {source.as_of}"),
        )
        for header in ("Model", "In/cached/out", "Fine-tuning", "Tuned in/cached/out", "Shutdown"):
            table.add_column(header)  # no word of a cell breaks (render.fit), so a name may wrap between words
        droppable(table, "Tuned in/cached/out")
        cutoffs = set()
        for name, row, price_table in entries:
            ft = row.fine_tuning
            training = "-"
            if ft:
                cutoffs.add(ft.new_jobs_until)
                training = " ".join(ft.methods)
                if ft.training is not None:
                    training += f" {_compact(ft.training)}/1M"
                training += "".join(f" {key} {_compact(price)}/1M" for key, price in ft.training_prices.items())
                if ft.training_per_hour is not None:
                    training += f" {_compact(ft.training_per_hour)}/h"
                if ft.throughput:
                    training += f" {ft.gpu} GPU-hours"
                if hourly := ft.hosting_hourly(price_table.gpus):
                    training += f" +{_compact(hourly)}/h hosting"
            shutdown = "-"
            if row.shutdown:
                shutdown = f"{row.shutdown}{' (past)' if today >= row.shutdown else ''}"
                if "UNVERIFIED" in (row.shutdown_note or ""):
                    shutdown += " ?"
            cells = (
                name + ("" if row.kind == "chat" else f" ({row.kind})"),
                _compact(row.input, row.cached_input, row.output),
                training,
                _compact(ft.input, ft.cached_input, ft.output) if ft else "-",
                shutdown,
            )
            table.add_row(*map(visible, cells))
        notes = [f"source: {source.source}"]
        notes += [f"new fine-tuning jobs end on {cutoff}" for cutoff in sorted(c for c in cutoffs if c)]
        if any("UNVERIFIED" in (row.shutdown_note or "") for _, row, _ in entries):
            notes.append("? = unverified date")
        table.caption = visible("; ".join(notes))
        tables.append(table)
    print_out(*tables, *(styled(visible(line)) for line in footer))


def match_json(matches: list[ModelMatch], today: date) -> str:
    return dumps(
        [
            {
                "requested": m.requested,
                "fine_tuned_id": m.model_id.fine_tuned,
                "resolved_note": m.note,
                **row_dict(m.name, m.row, m.table),
                "status": row_status(m, today),
            }
            for m in matches
        ]
    )


def print_match(match: ModelMatch, today: date) -> None:
    from rich.table import Table

    row, ft = match.row, match.row.fine_tuning
    heading = f"{match.provider}:{match.name}"
    if match.requested != match.name:
        heading += f" (for {match.requested}{', a fine-tuned model' if match.model_id.fine_tuned else ''})"
    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(style="dim")
    table.add_column()
    details: list[tuple[str, str]] = [
        ("aliases", ", ".join(row.aliases) or "-"),
        ("tokenizer", _tokenizer(row)),
        ("standard", _triple(row.input, row.cached_input, row.output) + " per 1M (input / cached / output)"),
        ("  from", match.source_of("input").words()),
        (
            "batch",
            _triple(row.batch_input, row.batch_cached_input, row.batch_output) if row.batch_input is not None else "-",
        ),
    ]
    if row.batch_input is not None and match.source_of("batch_input") != match.source_of("input"):
        details.append(("  from", match.source_of("batch_input").words()))
    if row.size_class:
        details.append(("size class", row.size_class))
    if row.reasoning:
        details.append(("reasoning", f"reasons by default: its reasoning tokens bill as output ({row.reasoning_note})"))
    if row.shutdown:
        details.append(("shuts down", f"{row.shutdown}" + (f" ({row.shutdown_note})" if row.shutdown_note else "")))
    if row.successor:
        details.append(("successor", f"{row.successor} ({row.successor_note})"))
    if row.override:
        details.append(("override", f"the table's prices win over genai-prices': {row.override}"))
    if ft:
        details += [
            ("fine-tuning", ", ".join(ft.methods)),
            (
                "training",
                " ; ".join(
                    filter(
                        None,
                        [
                            f"{format_price(ft.training)} per 1M training tokens" if ft.training is not None else "",
                            f"{format_price(ft.training_per_hour)} per hour"
                            if ft.training_per_hour is not None
                            else "",
                        ],
                    )
                ),
            ),
            ("fine-tuned", _triple(ft.input, ft.cached_input, ft.output) + " per 1M"),
            ("  from", match.source_of("fine_tuning.input").words()),
            (
                "fine-tuned batch",
                _triple(ft.batch_input, ft.batch_cached_input, ft.batch_output) if ft.batch_input is not None else "-",
            ),
        ]
        if ft.data_sharing:
            sharing = ft.data_sharing
            details.append(("with data sharing", _triple(sharing.input, sharing.cached_input, sharing.output)))
        if ft.max_example_tokens:
            details.append(("max tokens / example", f"{ft.max_example_tokens:,}"))
        details += _training_details(ft, match.table)
        if ft.notes:
            details.append(("fine-tuning notes", ft.notes))
    if row.notes:
        details.append(("notes", row.notes))
    details += [("source", f"{match.table.source} (as_of {match.table.as_of})"), ("table", match.table.path)]
    for label, value in details:
        table.add_row(visible(label), visible(value))
    notes = [assembled(("note:", "yellow"), f" {visible(line)}") for line in row_status(match, today)]
    print_out(styled(visible(heading), "bold"), table, *notes, "")


def _training_details(ft: FineTuning, table: PriceTable) -> list[tuple[str, str]]:
    """The schema's optional fine-tuning fields, each on its own line when the row has it."""
    details = [
        (f"training {key}", f"{format_price(price)} per 1M training tokens")
        for key, price in ft.training_prices.items()
    ]
    if ft.training_types:
        details.append(("training types", ", ".join(ft.training_types) + f" (default {ft.training_types[0]})"))
    if ft.training_tiers:
        tiers = ", ".join(f"{name} x{factor.normalize():f}" for name, factor in ft.training_tiers.items())
        details.append(("training tiers", tiers))
    for kind, speed in ft.throughput.items():  # own GPUs: each speed on the GPU it was measured on
        gpu = str(ft.gpu_for(kind))
        line = (
            f"{speed.normalize():,f} tokens/s per GPU on {gpu} ({format_price(table.gpus[gpu].per_hour)} per GPU-hour)"
        )
        details.append((f"throughput {kind}", line + _source(ft, f"throughput.{kind}")))
    if ft.generation_throughput is not None:
        gpu = str(ft.generation_gpu or ft.gpu)
        line = f"{ft.generation_throughput.normalize():,f} completion tokens/s per GPU on {gpu} (GRPO rollouts)"
        details.append(("generation", line + _source(ft, "generation_throughput")))
    for name in ft.gpus_used():
        priced = table.gpus[name]
        line = (
            f"{format_price(priced.per_hour)} a GPU-hour (as_of {priced.as_of or table.as_of}): "
            f"{priced.source or table.source}"
        )
        details.append((f"gpus.{name}", line + (f" (unverified: {priced.unverified})" if priced.unverified else "")))
    if ft.minimum_usd is not None:
        details.append(("minimum per job", format_price(ft.minimum_usd)))
    if hourly := ft.hosting_hourly(table.gpus):
        unit = f" ({format_price(ft.hosting_per_minute)} per minute)" if ft.hosting_per_minute else ""
        if ft.hosting_gpu and ft.hosting_gpus:
            unit = f" ({ft.hosting_gpus} x {ft.hosting_gpu} at {format_price(table.gpus[ft.hosting_gpu].per_hour)})"
        kind = f"{ft.hosting}: " if ft.hosting else ""
        details.append(("hosting", f"{kind}{format_price(hourly)} per hour deployed{unit}"))
        if ft.hosting_note:
            details.append(("hosting source", ft.hosting_note))
    elif ft.hosting == "serverless":
        details.append(("hosting", "serverless: per-token prices only"))
    if ft.token_prices == "base":
        details.append(("fine-tuned tokens", f"at the base model's prices ({ft.token_prices_note})"))
    for name, deployment in ft.deployments.items():
        life = f", deleted after {deployment.lifetime_hours} h" if deployment.lifetime_hours else ""
        details.append((f"{name} deployment", f"{format_price(deployment.hosting_per_hour)} per hour{life}"))
    if ft.storage_per_month:
        details.append(("storage", f"{format_price(ft.storage_per_month)} a month"))
    if ft.auto_pause_usd is not None:
        details.append(("auto-pause", f"jobs pause at {format_price(ft.auto_pause_usd)}"))
    if ft.serving_until:
        details.append(
            ("fine-tunes serve until", f"{ft.serving_until}" + (f" ({ft.serving_note})" if ft.serving_note else ""))
        )
    if ft.unverified:
        details.append(("unverified", ft.unverified))
    return details


def _source(ft: FineTuning, figure: str) -> str:
    return f"; source: {ft.sources[figure]}" if figure in ft.sources else ""


class MethodRow(TypedDict):
    """One place a method can run, as `pricing list --method` shows it (and writes it in JSON)."""

    provider: str
    label: str
    model: str
    can_start: bool
    jobs_until: date | None
    serving_until: date | None
    training: str
    open_weights: bool
    why_not: list[str]


def _method_rows(found: list[tuple[ModelMatch, list[str]]], method: Method) -> list[MethodRow]:
    from advisor.costs.training import training_rate
    from advisor.pricing.catalog import jobs_end, serving_end

    rows: list[MethodRow] = []
    for match, why in found:
        training = "-"
        if match.row.fine_tuning is not None:
            try:
                rate = training_rate(match.row.fine_tuning, match.table.gpus, method)
            except ValueError:  # the row does not price this method
                pass
            else:
                gpu = f" ({rate.field.removeprefix('gpus.')})" if rate.basis == "gpu_hours" else ""
                training = f"{format_price(rate.price)} {rate.unit}{gpu}"
        rows.append(
            {
                "provider": match.provider,
                "label": match.table.label or match.provider,
                "model": match.name,
                "can_start": not why,
                "jobs_until": jobs_end(match),
                "serving_until": serving_end(match),
                "training": training,
                "open_weights": match.row.open_weights,
                "why_not": why,
            }
        )
    return sorted(rows, key=lambda row: (not row["can_start"], row["provider"], row["model"]))


def method_json(found: list[tuple[ModelMatch, list[str]]], method: Method) -> str:
    return dumps(_method_rows(found, method))


def print_method(found: list[tuple[ModelMatch, list[str]]], method: Method, today: date) -> None:
    """Where `method` can run on `today`: those that can start a job first."""
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, title=f"Where {method.upper()} can run on {today}", title_justify="left")
    for column in ("Provider", "Model", "Starts", "Jobs until", "Serves until", "Training", "Why not"):
        table.add_column(column, max_width=60 if column == "Why not" else None)
    for row in _method_rows(found, method):
        cells = (
            row["label"],
            row["model"],
            "yes" if row["can_start"] else "no",
            str(row["jobs_until"] or "-"),
            str(row["serving_until"] or "-"),
            row["training"],
            "; ".join(row["why_not"]) or "-",
        )
        table.add_row(*map(visible, cells))
    print_out(table)


def _tokenizer(row: ModelRow) -> str:
    """The tokenizer and chat format the row's model is counted with, exact or approximate (and what
    stands in where the row's own tokenizer is not installed)."""
    from advisor.pricing.row_counting import row_counting
    from advisor.tokens.chat_format import OPENAI, format_of

    counting = row_counting(row)
    if counting is None:
        return "-"
    text = counting.name if counting.exact and format_of(counting.name) is OPENAI else counting.describe()
    if row.encoding_fallback and not counting.fallback:
        text += f"; where {row.encoding} is not installed: {row.encoding_fallback} (approximate)"
    return text
