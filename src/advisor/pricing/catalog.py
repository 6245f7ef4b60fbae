"""All price tables in force, merged: bundled, then plugins', then the user's folder, then `--pricing` files.

A later table replaces rows of the same provider and model name, so a user can correct one price
without copying a whole table. Every lookup returns the row with the table it came from, so each
figure can name its price row and date.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from advisor.errors import UserError
from advisor.methods import Method
from advisor.pricing.model_ids import ModelId, encoding_family, parse_model_id, strip_snapshot
from advisor.pricing.tables import (
    ModelRow,
    PriceTable,
    bundled_tables,
    read_table,
    user_tables,
)
from advisor.tokens.rows import row_counting

STALE_AFTER_DAYS = 90


@dataclass(frozen=True, eq=False)
class ModelMatch:
    """A model name resolved to a price row, with where the row came from."""

    requested: str
    model_id: ModelId
    name: str
    row: ModelRow
    table: PriceTable
    note: str | None = None

    @property
    def provider(self) -> str:
        return self.table.provider

    @property
    def label(self) -> str:
        """`openai:gpt-4.1 (as_of 2026-06-30)`: the row as cited in assumptions."""
        return f"{self.provider}:{self.name} (as_of {self.table.as_of})"


@dataclass
class Catalog:
    """Price rows by provider and name (aliases included), later tables overriding earlier."""

    tables: list[PriceTable]
    _rows: dict[str, dict[str, tuple[str, ModelRow, PriceTable]]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._rows = {}
        for table in self.tables:
            names = self._rows.setdefault(table.provider, {})
            for name, row in table.models.items():
                for alias in (name, *row.aliases):
                    names[alias] = (name, row, table)

    @property
    def providers(self) -> list[str]:
        return sorted(self._rows)

    def rows(self, provider: str | None = None) -> list[tuple[str, ModelRow, PriceTable]]:
        """Each model once (not once per alias), by provider then name."""
        found = []
        for name_of_provider in self.providers:
            if provider and name_of_provider != provider:
                continue
            seen: set[str] = set()
            for name, row, table in self._rows[name_of_provider].values():
                if name not in seen:
                    seen.add(name)
                    found.append((name, row, table))
        return sorted(found, key=lambda item: (item[2].provider, item[0]))

    def find(self, model: str, provider: str | None = None) -> ModelMatch:
        """Resolve `model` (alias, dated snapshot, provider prefix, fine-tuned id) to a row."""
        named, model = self._split_provider(model)
        provider = provider or named
        model_id = parse_model_id(model)
        provider = provider or model_id.provider_hint or "openai"
        if provider not in self._rows:
            raise UserError(
                f"no price table for provider {provider!r}",
                hint=f"known providers: {', '.join(self.providers)}; add a table with --pricing FILE",
            )
        match = self._lookup(provider, model_id)
        if match:
            return match
        elsewhere = [p for p in self.providers if p != provider and self._lookup(p, model_id)]
        if elsewhere:
            hint = f"it is priced for {', '.join(elsewhere)}: use --provider {elsewhere[0]}"
        else:
            hint = self._suggestion(model_id.base, provider)
        raise UserError(f"unknown model {model!r} for provider {provider!r}", hint=hint)

    def _split_provider(self, model: str) -> tuple[str | None, str]:
        """`acme/model` names its provider, for any provider with a table."""
        prefix, _, rest = model.partition("/")
        return (prefix, rest) if rest and prefix in self._rows else (None, model)

    def find_optional(self, model: str, provider: str) -> ModelMatch | None:
        """Like find, but None when `provider` does not price `model`."""
        return self._lookup(provider, parse_model_id(model))

    def _lookup(self, provider: str, model_id: ModelId) -> ModelMatch | None:
        names = self._rows.get(provider, {})
        if model_id.base in names:
            name, row, table = names[model_id.base]
            return ModelMatch(model_id.written, model_id, name, row, table)
        undated = strip_snapshot(model_id.base)
        if undated != model_id.base and undated in names:
            name, row, table = names[undated]
            note = (
                f"{model_id.base} is not in the {provider} table; priced as {name} "
                "(snapshots can be priced differently: add the snapshot with --pricing if so)"
            )
            return ModelMatch(model_id.written, model_id, name, row, table, note)
        return None

    def _suggestion(self, base: str, provider: str) -> str:
        candidates = list(self._rows.get(provider, {}))
        close = difflib.get_close_matches(base, candidates, n=3, cutoff=0.5)
        prefix = f"did you mean {', '.join(close)}? " if close else ""
        return f"{prefix}see `advisor pricing list`, or add the model with --pricing FILE"

    def encoding_for(self, model: str) -> str:
        """The tokenizer of `model` (a counting name: advisor.tokens.chat_format): the price row's
        (advisor.tokens.rows), else the model family's."""
        named, model = self._split_provider(model)
        model_id = parse_model_id(model)
        rows_without = []
        for provider in [named] if named else self.providers:
            match = self._lookup(provider, model_id)
            counting = row_counting(match.row) if match else None
            if counting:
                return counting.name
            if match:
                rows_without.append(match)
        if encoding := encoding_family(model_id.base):
            return encoding
        if rows_without:
            raise UserError(
                f"cannot tell which tokenizer {model!r} uses: its price row ({rows_without[0].table.path}) names "
                "no encoding",
                hint='add encoding = "o200k_base" (or "cl100k_base") to that row',
            )
        known = sorted({name for names in self._rows.values() for name in names})
        close = difflib.get_close_matches(model_id.base, known, n=3, cutoff=0.5)
        prefix = f"did you mean {', '.join(close)}? " if close else ""
        raise UserError(
            f"cannot tell which tokenizer {model!r} uses",
            hint=f"{prefix}name it with --encoding o200k_base or --encoding cl100k_base",
        )

    def providers_offering(self, method: Method, base: str, today: date) -> list[str]:
        """Providers whose tables let a new `method` job start on `base` today."""
        model_id = parse_model_id(base)
        offering = []
        for provider in self.providers:
            match = self._lookup(provider, model_id)
            if match and not training_blockers(match, method, today):
                offering.append(provider)
        return offering


def training_blockers(match: ModelMatch, method: Method, today: date) -> list[str]:
    """Why a new `method` job on this row cannot start today (empty when it can)."""
    fine_tuning = match.row.fine_tuning
    where = f"{match.provider}:{match.name}"
    if fine_tuning is None:
        return [f"{where} cannot be fine-tuned (no fine_tuning prices in its table)"]
    reasons = []
    if method not in fine_tuning.methods:
        reasons.append(f"{where} does not offer {method} (offers {', '.join(fine_tuning.methods)})")
    if fine_tuning.new_jobs_until and today > fine_tuning.new_jobs_until:
        reasons.append(f"{match.provider} stopped new fine-tuning jobs on {where} after {fine_tuning.new_jobs_until}")
    if match.row.shutdown and today >= match.row.shutdown:
        reasons.append(f"{where} was shut down on {match.row.shutdown}")
    return reasons


def serving_end(match: ModelMatch) -> date | None:
    """The last day a fine-tune of this row serves: its `serving_until`, else the base model's shutdown."""
    fine_tuning = match.row.fine_tuning
    if fine_tuning is not None and fine_tuning.serving_until is not None:
        return fine_tuning.serving_until
    return match.row.shutdown


def jobs_end(match: ModelMatch) -> date | None:
    """The last day a new fine-tuning job can start on this row (None: no date is known)."""
    fine_tuning = match.row.fine_tuning
    ends = [d for d in (fine_tuning.new_jobs_until if fine_tuning else None, match.row.shutdown) if d is not None]
    return min(ends) if ends else None


def row_status(match: ModelMatch, today: date, *, training: bool = True) -> list[str]:
    """What a careful reader should know about a row today: age, shutdown, and (for a model to be
    trained) whether new fine-tuning jobs can start."""
    status = [stale_warning(match.table, today), match.note]
    row = match.row
    if row.shutdown:
        tense = "was shut down" if today >= row.shutdown else "shuts down"
        note = f" ({row.shutdown_note})" if row.shutdown_note else ""
        status.append(f"{match.provider}:{match.name} {tense} on {row.shutdown}{note}")
    unverified = [
        u for u in (match.table.unverified, row.unverified, row.fine_tuning and row.fine_tuning.unverified) if u
    ]
    if unverified:
        status.append(f"{match.provider}:{match.name} prices are unverified: {'; '.join(unverified)}")
    counting = row_counting(row)
    if counting and not counting.exact:
        status.append(f"{match.provider}:{match.name} token counts are approximate: {counting.note}")
    if row.fine_tuning and training:
        if row.fine_tuning.serving_until and row.fine_tuning.serving_until != row.shutdown:
            note = f" ({row.fine_tuning.serving_note})" if row.fine_tuning.serving_note else ""
            status.append(
                f"fine-tunes of {match.provider}:{match.name} serve until {row.fine_tuning.serving_until}{note}"
            )
        until = row.fine_tuning.new_jobs_until
        if until:
            tense = "ended" if today > until else "end"
            status.append(f"new fine-tuning jobs at {match.provider} {tense} on {until}")
        status += [notice.text for notice in match.table.notices if notice.since <= today]
    return dedupe(status)


def stale_warning(table: PriceTable, today: date) -> str | None:
    age = (today - table.as_of).days
    if age > STALE_AFTER_DAYS:
        return (
            f"price table {table.provider} ({table.path}) is {age} days old (as_of {table.as_of}); "
            f"check {table.source} and override changed prices with --pricing"
        )
    return None


def load_catalog(
    extra_files: Sequence[Path] = (), *, include_user: bool = True, plugin_tables: Sequence[PriceTable] = ()
) -> Catalog:
    """Bundled tables, then the installed plugins' tables, then the user's folder, then each `--pricing`
    file in order (the CLI passes the plugins' tables: advisor.plugins.load_catalog)."""
    tables = bundled_tables() + list(plugin_tables)
    if include_user:
        tables += user_tables()
    tables += [read_table(Path(path)) for path in extra_files]
    return Catalog(tables)


def dedupe(messages: Iterable[str | None]) -> list[str]:
    """Messages in first-seen order, each once, Nones dropped."""
    return list(dict.fromkeys(message for message in messages if message))
