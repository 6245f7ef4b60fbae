"""A price row as it stands on one day: its inference prices from the table or from genai-prices, its
dated price changes applied, the earlier of conflicting dates, and where each price came from.

Precedence, tier by tier (standard: input, cached input, cache write, output; batch): a price change of
the table in force that day, then the table's own price, then genai-prices' prices in force that day for
a tier the table gives no price of. advisor's bundled tables leave to genai-prices the prices it
keeps (a test checks that a bundled price it also has agrees, or says why not in `override`); a table of
the user's always wins, as an override should. Dates with two sources (`shutdown_sources` ...) decide on
the earlier, and the conflict is said, never hidden.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from advisor.errors import UserError
from advisor.pricing.tables import (
    INFERENCE_FIELDS,
    DatedSource,
    FineTuning,
    ModelRow,
    PriceChange,
    PriceTable,
    changes_in_force,
    earliest,
    price_keywords,
    toml_key,
)

_FT_FIELDS = (*INFERENCE_FIELDS[:-1], "training", "hosting_per_hour")  # a fine-tune has no cache writes
_TIERS = {
    "standard": ("input", "cached_input", "output", "cache_write"),
    "batch": ("batch_input", "batch_cached_input", "batch_output"),
}


@dataclass(frozen=True, slots=True)
class PriceSource:
    """Where one price came from: the table (or genai-prices) that gave it, when it was read, and the
    date it took effect when a dated change set it."""

    cited: str  # `(bundled) openai.toml`, `genai-prices 0.2.5 (openai)`
    as_of: date | None
    url: str
    since: date | None = None
    table: str = ""  # the provider of a price table (empty: genai-prices)

    def stale(self, today: date, after_days: int) -> str | None:
        """A warning when the source was read more than `after_days` before `today`."""
        if self.as_of is None or (today - self.as_of).days <= after_days:
            return None
        what = f"price table {self.table} ({self.cited})" if self.table else self.cited
        return (
            f"{what} is {(today - self.as_of).days} days old (as_of {self.as_of}); check {self.url} and override "
            "changed prices with --pricing"
        )

    def words(self) -> str:
        """`genai-prices 0.2.5 (openai), since 2026-08-21` or `(bundled) openai.toml, as_of 2026-06-30`."""
        when = f"since {self.since}" if self.since else f"as_of {self.as_of}" if self.as_of else ""
        return f"{self.cited}, {when}" if when else self.cited


@dataclass(frozen=True, slots=True)
class RowInForce:
    """A row resolved for one day, with the source of each price and the date conflicts it decided."""

    row: ModelRow
    sources: dict[str, PriceSource]  # `input`, ..., `fine_tuning.training`, ...
    conflicts: tuple[str, ...] = ()


def table_source(table: PriceTable, change: PriceChange | None = None) -> PriceSource:
    cited = table.path or table.provider
    if change is None:
        return PriceSource(cited, table.as_of, table.source, table=table.provider)
    return PriceSource(cited, change.as_of or table.as_of, change.source, change.since, table.provider)


def resolve(
    name: str,
    row: ModelRow,
    table: PriceTable,
    today: date,
    genai: tuple[ModelRow, PriceTable] | None = None,
) -> RowInForce:
    """`row` of `table` on `today`, with genai-prices' row for the same model when there is one."""
    fields: dict[str, Decimal] = {}
    sources: dict[str, PriceSource] = {}
    for field in INFERENCE_FIELDS:
        value = getattr(row, field)
        if value is not None:
            fields[field], sources[field] = value, table_source(table)
    for change in changes_in_force(row.prices, today):
        for field, value in change.given().items():
            fields[field], sources[field] = value, table_source(table, change)
    if genai is not None and row.override is None:
        genai_row, genai_table = genai
        # a tier the table prices is the table's whole: genai-prices fills only the tiers it leaves out, so a
        # cached price is never another source's beside the table's own input price
        owned = {tier for tier, names in _TIERS.items() if set(names) & fields.keys()}
        for change in changes_in_force(genai_row.prices, today):
            for field, value in change.given().items():
                if not owned & {tier for tier, names in _TIERS.items() if field in names}:
                    fields[field] = value
                    sources[field] = PriceSource(change.source, genai_table.as_of, genai_table.source, change.since)
    conflicts = []
    shutdown, conflict = _decided("the shutdown of", name, table, row.shutdown, row.shutdown_note, row.shutdown_sources)
    conflicts += conflict
    note = _note_of(shutdown, row.shutdown, row.shutdown_note, row.shutdown_sources)
    resolved = replace(row, **price_keywords(fields), shutdown=shutdown, shutdown_note=note)
    _check_priced(name, resolved, table)
    if row.fine_tuning is not None:
        fine_tuning, ft_sources, ft_conflicts = _fine_tuning(name, row.fine_tuning, resolved, table, today, sources)
        resolved = replace(resolved, fine_tuning=fine_tuning)
        sources |= ft_sources
        conflicts += ft_conflicts
    return RowInForce(resolved, sources, tuple(conflicts))


def _fine_tuning(
    name: str,
    fine_tuning: FineTuning,
    base: ModelRow,
    table: PriceTable,
    today: date,
    base_sources: dict[str, PriceSource],
) -> tuple[FineTuning, dict[str, PriceSource], list[str]]:
    prices: dict[str, Decimal | None] = {}
    sources = {
        f"fine_tuning.{field}": table_source(table)
        for field in _FT_FIELDS
        if getattr(fine_tuning, field, None) is not None
    }
    if fine_tuning.token_prices == "base":
        for field in INFERENCE_FIELDS[:-1]:
            prices[field] = getattr(base, field)
            if field in base_sources:
                sources[f"fine_tuning.{field}"] = base_sources[field]
    for change in changes_in_force(fine_tuning.prices, today):
        for field, value in change.given().items():
            prices[field] = value
            sources[f"fine_tuning.{field}"] = table_source(table, change)
    conflicts = []
    jobs, conflict = _decided(
        "the end of new fine-tuning jobs on",
        name,
        table,
        fine_tuning.new_jobs_until,
        None,
        fine_tuning.new_jobs_sources,
    )
    conflicts += conflict
    serving, conflict = _decided(
        "the end of serving of fine-tunes of",
        name,
        table,
        fine_tuning.serving_until,
        fine_tuning.serving_note,
        fine_tuning.serving_sources,
    )
    conflicts += conflict
    note = _note_of(serving, fine_tuning.serving_until, fine_tuning.serving_note, fine_tuning.serving_sources)
    resolved = replace(
        fine_tuning, **price_keywords(prices), serving_note=note, new_jobs_until=jobs, serving_until=serving
    )
    return resolved, sources, conflicts


def _decided(
    what: str, name: str, table: PriceTable, first: date | None, note: str | None, others: list[DatedSource]
) -> tuple[date | None, list[str]]:
    """The earlier of a date's sources, and (when they disagree) the conflict in words."""
    chosen = earliest(first, others)
    dates = {d for d in (first, *(s.on for s in others)) if d is not None}
    if len(dates) < 2:
        return chosen, []
    said = ([f"{first} ({(note or table.path).split(' (')[0]})"] if first else []) + [
        f"{s.on} ({s.source}{f', read {s.as_of}' if s.as_of else ''})" for s in others
    ]
    return chosen, [
        f"sources disagree on {what} {table.provider}:{name}: {' or '.join(said)}; advisor decides on the "
        f"earlier, {chosen}: check with {table.label or table.provider}"
    ]


def _note_of(chosen: date | None, first: date | None, note: str | None, others: list[DatedSource]) -> str | None:
    """The note of the date decided on: the row's own, or the words of the other source that gave it (a
    row's note names the source of its own date, not of another's)."""
    if chosen is None or chosen == first:
        return note
    source = next(s for s in others if s.on == chosen)
    read = f"read {source.as_of}" if source.as_of else ""
    said = ", ".join(part for part in (source.source, source.url, read) if part)
    return f"{said}: {source.note}" if source.note else said


def _check_priced(name: str, row: ModelRow, table: PriceTable) -> None:
    missing = "input" if row.input is None else "output" if row.kind == "chat" and row.output is None else None
    if missing:
        raise UserError(
            f"models.{toml_key(name)} has no {missing} price in {table.path or table.provider}, and genai-prices does "
            "not price it",
            where=table.path or None,
            hint=f"add `{missing} = ...` (USD per 1M tokens) to the row (see docs/pricing.md)",
        )
