"""All price tables in force on one day, merged: bundled, then plugins', then the user's folder, then
`--pricing` files, with genai-prices' inference prices for the models it knows (pricing/genai.py).

A later table replaces rows of the same provider and model name, so a user can correct one price
without copying a whole table; an overlay amends them field by field (pricing/overlay.py). Each row is
resolved for the catalog's day (pricing/in_force.py): the prices in force that day, the earlier of
conflicting dates. Every lookup returns the row with the table it came from and the source of each
price, so each figure can name its price row and date.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from advisor.errors import UserError
from advisor.methods import Method
from advisor.pricing.genai import GenaiPrices
from advisor.pricing.in_force import PriceSource, RowInForce, resolve, table_source
from advisor.pricing.model_ids import ModelId, encoding_family, parse_model_id, snapshot_problem, strip_snapshot
from advisor.pricing.price_files import folder_files, user_tables_dir
from advisor.pricing.reading import bundled_tables
from advisor.pricing.tables import ModelRow, PriceTable

if TYPE_CHECKING:
    from advisor.pricing.row_counting import RowCounting

STALE_AFTER_DAYS = 90


@dataclass(frozen=True, eq=False)
class ModelMatch:
    """A model name resolved to a price row, with where the row came from."""

    requested: str
    model_id: ModelId
    name: str
    row: ModelRow  # as it stands on the catalog's day
    table: PriceTable
    note: str | None = None
    sources: dict[str, PriceSource] = field(default_factory=dict)  # each price's source, by field
    conflicts: tuple[str, ...] = ()  # dates whose sources disagree, and the one decided on

    @property
    def provider(self) -> str:
        return self.table.provider

    def source_of(self, field_name: str) -> PriceSource:
        """Where a price of this row came from (`input`, `fine_tuning.training`, ...); the table by default."""
        return self.sources.get(field_name) or table_source(self.table)

    @property
    def label(self) -> str:
        """`openai:gpt-4.1 (genai-prices 0.2.5 (openai), since 2026-10-14)`: the row as cited in assumptions."""
        return f"{self.provider}:{self.name} ({self.source_of('input').words()})"


class _Entry:
    """A row of a table (or of genai-prices), resolved for the catalog's day when first looked up: most
    commands look up a few of several hundred rows, and genai-prices' rows are built only then."""

    __slots__ = ("_base", "_genai", "_resolved", "from_table", "name", "replaced", "today")

    def __init__(
        self,
        name: str,
        today: date,
        base: Callable[[], tuple[ModelRow, PriceTable]],
        genai: Callable[[], tuple[ModelRow, PriceTable]] | None,
        from_table: bool,
        replaced: tuple[str, PriceTable] | None = None,  # the row of an earlier table this one replaces
    ) -> None:
        self.name, self.today, self._base, self._genai, self.from_table = name, today, base, genai, from_table
        self.replaced = replaced
        self._resolved: RowInForce | None = None

    @property
    def table(self) -> PriceTable:
        return self._base()[1]

    @property
    def resolved(self) -> RowInForce:
        if self._resolved is None:
            row, table = self._base()
            self._resolved = resolve(self.name, row, table, self.today, self._genai() if self._genai else None)
        return self._resolved


@dataclass
class Catalog:
    """Price rows by provider and name (aliases included), later tables overriding earlier, each as it
    stands on `today` (genai-prices' inference prices in force that day where a table leaves them out)."""

    tables: list[PriceTable]
    genai: GenaiPrices | None = None
    today: date = field(default_factory=date.today)
    warnings: list[str] = field(default_factory=list)  # overlay entries left out (pricing/overlay.py)
    _rows: dict[str, dict[str, _Entry]] = field(init=False, repr=False)
    _days: dict[date, Catalog] = field(init=False, repr=False, default_factory=dict)

    def __post_init__(self) -> None:
        self._rows = {}
        genai = self.genai
        for provider in sorted({table.provider for table in self.tables} | (genai.providers if genai else set())):
            theirs = genai.names(provider) if genai else {}
            rows: dict[str, _Entry] = {}
            made: dict[object, _Entry] = {}
            claimed: set[tuple[int, str]] = set()
            names, replaced = _names([t for t in self.tables if t.provider == provider])
            for alias, (name, row, table) in names.items():
                if id(row) not in made:
                    found = _genai_key(theirs, name, row)
                    if found is not None:
                        claimed.add(found)
                    pair = (row, table)
                    load = partial(genai.row, *found) if genai and found else None
                    made[id(row)] = _Entry(
                        name, self.today, partial(_same, pair), load, from_table=True, replaced=replaced.get(id(row))
                    )
                rows[alias] = made[id(row)]
            for alias, key in theirs.items():
                index, name = key
                # a fine-tuned model's price (`ft:gpt-4o`) belongs to its base row's fine_tuning, as ids resolve
                tuned = name.startswith("ft:") or ".ft-" in name
                if key in claimed or alias in rows or tuned or (genai and genai.fallback(index)):
                    continue
                if key not in made:
                    assert genai is not None
                    load = partial(genai.row, index, name)
                    # its prices are genai-prices' own: resolved as such, so each cites genai-prices
                    made[key] = _Entry(name, self.today, partial(_bare, load), load, from_table=False)
                rows[alias] = made[key]
            self._rows[provider] = rows

    def on(self, day: date) -> Catalog:
        """The same tables as they stand on `day`."""
        if day == self.today:
            return self
        if day not in self._days:
            self._days[day] = Catalog(self.tables, self.genai, day, self.warnings)
        return self._days[day]

    def replacements(self) -> list[tuple[str, str, PriceTable, PriceTable]]:
        """Every row that replaces an earlier table's: (provider, name, its table, the table it replaces)."""
        found = {
            (provider, entry.name, id(entry.table)): (provider, entry.name, entry.table, entry.replaced[1])
            for provider, rows in self._rows.items()
            for entry in rows.values()
            if entry.replaced is not None
        }
        return sorted(found.values(), key=lambda item: (item[0], item[1]))

    def from_tables(self, provider: str, name: str) -> bool:
        """Whether a row comes from a price table (not only from genai-prices)."""
        entry = self._rows.get(provider, {}).get(name)
        return entry is not None and entry.from_table

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
            for entry in self._rows[name_of_provider].values():
                if entry.name not in seen:
                    seen.add(entry.name)
                    found.append((entry.name, entry.resolved.row, entry.table))
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
        if problem := snapshot_problem(model_id.base):
            raise UserError(
                f"unknown model {model!r}: {problem}",
                hint="write a snapshot as the provider names it (gpt-4.1-2025-04-14), or the model without one",
            )
        elsewhere = [p for p in self.providers if p != provider and self._lookup(p, model_id)]
        if not elsewhere and model_id.fine_tuned and (plain := self._lookup(provider, parse_model_id(model_id.base))):
            raise UserError(
                f"{model!r} names a fine-tune of {provider}:{plain.name}, which cannot be fine-tuned (its table "
                "has no fine_tuning prices)",
                hint="check the model id; `advisor pricing list` shows which models can be fine-tuned",
            )
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
        note = None
        # a name a row has as written (`openai/gpt-oss-120b` at Together) before the name read from it
        entry = names.get(model_id.written.strip()) or names.get(model_id.base)
        if entry is None:
            undated = strip_snapshot(model_id.base)
            entry = names.get(undated) if undated != model_id.base else None
            if entry is None:
                return None
            note = (
                f"{model_id.base} is not in the {provider} table; priced as {entry.name} "
                "(snapshots can be priced differently: add the snapshot with --pricing if so)"
            )
        found = entry.resolved
        if model_id.fine_tuned and found.row.fine_tuning is None:
            return None  # no fine-tune of this row can exist here (Catalog.find says so)
        if entry.replaced is not None:  # an override, or a plugin's table over advisor's: said wherever it is used
            old_name, old = entry.replaced
            said = f"{provider}:{entry.name} is priced from {entry.table.path}, replacing {old_name} of {old.path}"
            note = f"{note}; {said}" if note else said
        return ModelMatch(
            model_id.written, model_id, entry.name, found.row, entry.table, note, found.sources, found.conflicts
        )

    def _suggestion(self, base: str, provider: str) -> str:
        candidates = list(self._rows.get(provider, {}))
        close = difflib.get_close_matches(base, candidates, n=3, cutoff=0.5)
        prefix = f"did you mean {', '.join(close)}? " if close else ""
        return f"{prefix}see `advisor pricing list`, or add the model with --pricing FILE"

    def encoding_for(self, model: str) -> str:
        """The tokenizer of `model` (a counting name: advisor.tokens.chat_format): the price row's
        (advisor.pricing.row_counting), else the model family's."""
        from advisor.pricing.row_counting import row_counting  # only commands that count tokens need it

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
    if fine_tuning.new_jobs_until and today >= fine_tuning.new_jobs_until:
        reasons.append(f"{match.provider} stopped new fine-tuning jobs on {where} on {fine_tuning.new_jobs_until}")
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
    fields = ["input", "cached_input", "output"]
    if training and match.row.fine_tuning is not None:
        fields += ["fine_tuning.input", "fine_tuning.output", "fine_tuning.training", "fine_tuning.training_per_hour"]
    status = [*stale_warnings(match, today, fields), match.note, *match.conflicts]
    row = match.row
    if row.shutdown:
        tense = "was shut down" if today >= row.shutdown else "shuts down"
        note = f" ({row.shutdown_note})" if row.shutdown_note else ""
        status.append(f"{match.provider}:{match.name} {tense} on {row.shutdown}{note}")
        if row.successor:
            status.append(f"{match.provider} names {row.successor} to move to ({row.successor_note})")
    unverified = [
        u for u in (match.table.unverified, row.unverified, row.fine_tuning and row.fine_tuning.unverified) if u
    ]
    for name in row.fine_tuning.gpus_used() if row.fine_tuning else []:  # own GPUs: the GPU prices it uses
        gpu = match.table.gpus.get(name)
        if gpu is not None and gpu.unverified:
            unverified.append(f"gpus.{name} {gpu.unverified}")
    if unverified:
        status.append(f"{match.provider}:{match.name} prices are unverified: {'; '.join(unverified)}")
    from advisor.pricing.row_counting import row_counting

    counting = row_counting(row)
    if counting and not counting.exact:
        status.append(f"{match.provider}:{match.name} token counts are approximate: {counting.note}")
    if row.fine_tuning and training:
        if row.fine_tuning.serving_until and row.fine_tuning.serving_until != row.shutdown:
            note = f" ({row.fine_tuning.serving_note})" if row.fine_tuning.serving_note else ""
            tense = "stopped" if today >= row.fine_tuning.serving_until else "stop"
            status.append(
                f"fine-tunes of {match.provider}:{match.name} {tense} serving on {row.fine_tuning.serving_until}{note}"
            )
        until = row.fine_tuning.new_jobs_until
        if until:
            tense = "ended" if today >= until else "end"
            status.append(f"new fine-tuning jobs at {match.provider} {tense} on {until}")
        status += [notice.text for notice in match.table.notices if notice.since <= today]
    return dedupe(status)


def stale_warnings(match: ModelMatch, today: date, fields: Iterable[str]) -> list[str]:
    """A warning for each source of these prices (`input`, `fine_tuning.training`, ...) read more than
    STALE_AFTER_DAYS before `today`."""
    return dedupe(match.sources[field].stale(today, STALE_AFTER_DAYS) for field in fields if field in match.sources)


def stale_warning(table: PriceTable, today: date) -> str | None:
    age = (today - table.as_of).days
    if age > STALE_AFTER_DAYS:
        return (
            f"price table {table.provider} ({table.path}) is {age} days old (as_of {table.as_of}); "
            f"check {table.source} and override changed prices with --pricing"
        )
    return None


def load_catalog(
    extra_files: Sequence[str | Path] = (),
    *,
    include_user: bool = True,
    plugin_tables: Sequence[PriceTable] | None = None,
    today: date | None = None,
) -> Catalog:
    """The registered tables (`plugin_tables`: advisor's own, then the installed plugins', as
    advisor.plugins.catalog_with_plugins passes them; None: advisor's bundled tables alone), then the user's folder,
    then each `--pricing` file in order, with genai-prices' inference prices, as they stand on `today` (the
    system's date when not given)."""
    from advisor.pricing.genai import genai_prices

    folder = user_tables_dir()
    in_folder, warnings = folder_files(folder) if include_user else ([], [])
    given = [Path(path) for path in extra_files]
    tables = bundled_tables() if plugin_tables is None else list(plugin_tables)
    if in_folder or given:  # only files of the user's can be overlays: the module that reads them is loaded only then
        from advisor.pricing.overlay import with_overlays
        from advisor.pricing.reading import read_price_file

        items = [*(read_price_file(path, folder) for path in in_folder), *map(read_price_file, given)]
        tables, problems = with_overlays([*tables, *items])
        warnings += problems
    return Catalog(tables, genai_prices(), today or date.today(), warnings=warnings)


def _names(
    tables: list[PriceTable],
) -> tuple[dict[str, tuple[str, ModelRow, PriceTable]], dict[int, tuple[str, PriceTable]]]:
    """Every name and alias of the tables' rows -> (name, row, table), and the rows that replaced another
    (by id: the name and table they replaced). A later table's row takes over every name of the rows it
    names, so that a row of yours for `gpt-4.1-mini` also prices `gpt-4.1-mini-2025-04-14` and every
    `ft:gpt-4.1-mini-2025-04-14:...` id, as the row it replaces did."""
    names: dict[str, tuple[str, ModelRow, PriceTable]] = {}
    replaced: dict[int, tuple[str, PriceTable]] = {}
    for table in tables:
        for name, row in table.models.items():
            entry = (name, row, table)
            older = {id(names[a][1]): names[a] for a in (name, *row.aliases) if a in names and names[a][2] is not table}
            for old_name, old_row, old_table in older.values():
                replaced.setdefault(id(row), (old_name, old_table))
                for alias in [old_name, *old_row.aliases]:
                    if names.get(alias, (None, None, None))[1] is old_row:
                        names[alias] = entry
            for alias in (name, *row.aliases):
                names[alias] = entry
    return names, replaced


def _genai_key(names: dict[str, tuple[int, str]], name: str, row: ModelRow) -> tuple[int, str] | None:
    """genai-prices' model for a table's row: the one it names in `genai_model`, else its name or an alias."""
    wanted = [row.genai_model] if row.genai_model else [name, *row.aliases]
    return next((names[n] for n in wanted if n in names), None)


def _same(pair: tuple[ModelRow, PriceTable]) -> tuple[ModelRow, PriceTable]:
    return pair


def _bare(load: Callable[[], tuple[ModelRow, PriceTable]]) -> tuple[ModelRow, PriceTable]:
    """genai-prices' row without its prices, which it takes from genai-prices when resolved (so each cites it)."""
    row, table = load()
    return replace(row, prices=[]), table


def dedupe(messages: Iterable[str | None]) -> list[str]:
    """Messages in first-seen order, each once, Nones dropped."""
    return list(dict.fromkeys(message for message in messages if message))


def serves_through(match: ModelMatch, until: date) -> bool:
    """Whether the model (not a fine-tune of it) still serves on `until`."""
    return match.row.shutdown is None or match.row.shutdown > until


def same_class(catalog: Catalog, match: ModelMatch, until: date, *, tunable: bool | None = None) -> list[ModelMatch]:
    """The chat models of `match`'s provider and size class that serve through `until`, other than it
    (only those that can, or cannot, be fine-tuned when `tunable` says so)."""
    size = match.row.size_class
    if size is None:
        return []
    found = []
    for name, row, _ in catalog.rows(match.provider):
        if name == match.name or row.kind != "chat" or row.size_class != size:
            continue
        if tunable is not None and (row.fine_tuning is not None) != tunable:
            continue
        candidate = catalog.find(name, match.provider)
        if serves_through(candidate, until):
            found.append(candidate)
    return found


def named_successor(catalog: Catalog, match: ModelMatch, until: date) -> ModelMatch | None:
    """The model the provider names to move to, when the tables price it and it serves through `until`."""
    name = match.row.successor
    found = catalog.find_optional(name, match.provider) if name else None
    return found if found is not None and serves_through(found, until) else None


def counting_for(catalog: Catalog, model: str, provider: str | None = None, encoding: str | None = None) -> RowCounting:
    """How `model` is counted: as `encoding` when one is named; else as its row at `provider` (a
    `provider/model` prefix names one too), else as its first row that names a tokenizer, else as its
    model family (Catalog.encoding_for, which says what to do when none is known)."""
    from advisor.pricing.row_counting import RowCounting, row_counting

    if encoding:
        return RowCounting(encoding, given=True)
    prefix, _, rest = model.partition("/")
    if provider is None and rest and prefix in catalog.providers:
        provider, model = prefix, rest
    for name in [provider] if provider else catalog.providers:
        match = catalog.find_optional(model, name)
        counting = row_counting(match.row) if match else None
        if counting:
            return counting
    return RowCounting(catalog.encoding_for(model))
