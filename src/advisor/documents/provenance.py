"""The one-line record a rendered block carries, and why a block changed, read from two of them.

    <!-- advisor:provenance advisor=0.1.0 priced=2026-12-07 primary=sft inputs=3f2a9c1b0d4e
         tables=openai@2026-06-30#1a2b3c4d,fireworks@2026-12-01#5e6f7a8b genai-prices=0.2.5 -->

(on one line): the advisor version, the date priced, the recommended strategy, a digest of the inputs (the
scenario's text and the prompt files it names), and each price table of the providers the report names with
its `as_of` date and a digest of its content (overlays and `--pricing` rows included), and the genai-prices
release whose inference prices are in force by date. A reader reproduces the block from it
(`advisor doc reproduce`); an update explains a change by comparing the block's record with today's.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from advisor.recommend.strategies import STRATEGY_NAMES

if TYPE_CHECKING:
    from advisor.pricing.catalog import Catalog
    from advisor.pricing.tables import PriceTable

DIGEST_CHARS = 12  # of sha256's hex: enough to tell two versions of a file apart, short enough to read
TABLE_DIGEST_CHARS = 8


@dataclass(frozen=True)
class TableMark:
    """A price table as a block records it."""

    provider: str
    as_of: str
    digest: str
    name: str = field(default="", compare=False)  # the files it was read from (today's tables only; not recorded)

    def words(self) -> str:
        """`openai.toml + dearer.toml dated 2026-06-30`."""
        return f"{self.name or 'a table'} dated {self.as_of}"

    def __str__(self) -> str:
        return f"{self.provider}@{self.as_of}#{self.digest}"


@dataclass(frozen=True)
class RowMark:
    """A price row the report's costs rest on, as it stands on the day priced (genai-prices' prices in
    force that day included)."""

    provider: str
    model: str
    digest: str
    source: str = field(default="", compare=False)  # where its input price comes from (today's rows; not recorded)

    def __str__(self) -> str:
        return f"{self.provider}/{self.model}#{self.digest}"


@dataclass(frozen=True)
class Provenance:
    advisor: str | None = None
    priced: date | None = None
    primary: str | None = None
    inputs: str | None = None
    tables: tuple[TableMark, ...] = ()
    genai_prices: str | None = None
    rows: tuple[RowMark, ...] = ()

    def words(self) -> str:
        """The comment's words (blocks.block_text puts them between the comment marks)."""
        parts = [
            f"advisor={self.advisor}",
            f"priced={self.priced}",
            f"primary={self.primary}",
            f"inputs={self.inputs}",
            f"tables={','.join(map(str, self.tables))}",
        ]
        if self.genai_prices:
            parts.append(f"genai-prices={self.genai_prices}")
        if self.rows:
            parts.append(f"rows={','.join(map(str, self.rows))}")
        return " ".join(parts)


def read_provenance(line: str | None) -> Provenance | None:
    """The record in a provenance line (None: no line). A value that cannot be read is left unknown
    (None): the record explains changes, it never stops an update."""
    if line is None:
        return None
    inner = line.strip().split("advisor:provenance", 1)[-1].rsplit("-->", 1)[0]
    values = dict(word.split("=", 1) for word in inner.split() if "=" in word)
    try:
        priced: date | None = date.fromisoformat(values.get("priced", ""))
    except ValueError:
        priced = None
    tables = []
    for item in filter(None, values.get("tables", "").split(",")):
        provider, _, rest = item.partition("@")
        as_of, _, digest = rest.partition("#")
        tables.append(TableMark(provider, as_of, digest))
    rows = []
    for item in filter(None, values.get("rows", "").split(",")):
        place, _, digest = item.rpartition("#")
        provider, _, model = place.partition("/")
        rows.append(RowMark(provider, model, digest))
    return Provenance(
        rows=tuple(rows),
        advisor=values.get("advisor"),
        priced=priced,
        primary=values.get("primary"),
        inputs=values.get("inputs"),
        tables=tuple(tables),
        genai_prices=values.get("genai-prices"),
    )


def inputs_digest(files: Iterable[tuple[str, bytes]]) -> str:
    """A digest of the inputs: each file's name (as the scenario writes it) and bytes, in order."""
    digest = hashlib.sha256()
    for name, data in files:
        digest.update(f"{len(name)}:{name}:{len(data)}:".encode())
        digest.update(data)
    return digest.hexdigest()[:DIGEST_CHARS]


def table_digest(table: PriceTable) -> str:
    """A digest of a table's content (not of its file: an overlay changes the rows it amends), without the
    path it was read from, which differs from one machine to another."""
    content = dataclasses.asdict(table)
    content.pop("path", None)
    return content_digest(content)


def content_digest(content: Any) -> str:
    text = json.dumps(content, sort_keys=True, default=_plain, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:TABLE_DIGEST_CHARS]


def rows_used(catalog: Catalog, places: Iterable[tuple[str, str]]) -> tuple[RowMark, ...]:
    """Each (provider, model) the costs name, as its row stands in `catalog` (on the catalog's day); a
    model no row prices is left out."""
    found: dict[tuple[str, str], RowMark] = {}
    for provider, model in places:
        match = catalog.find_optional(model, provider)
        if match is not None and (provider, match.name) not in found:
            row = content_digest(dataclasses.asdict(match.row))
            found[(provider, match.name)] = RowMark(provider, match.name, row, match.source_of("input").words())
    return tuple(found.values())


def _plain(value: Any) -> Any:
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)  # in a fixed order: a set's depends on the process's hash seed
    return str(value)


def tables_used(catalog: Catalog, providers: Iterable[str]) -> tuple[TableMark, ...]:
    """The tables of the providers a report names, in the order the catalog reads them."""
    named = set(providers)
    return tuple(
        TableMark(table.provider, str(table.as_of), table_digest(table), table_name(table))
        for table in catalog.tables
        if table.provider in named
    )


def table_name(table: PriceTable) -> str:
    """`openai.toml + dearer.toml`: the files a table was read from, without their folders."""
    return " + ".join(PurePath(part.removeprefix("(bundled) ")).name for part in table.path.split(" + ") if part)


def strategy_name(strategy: str | None) -> str:
    return STRATEGY_NAMES.get(strategy, strategy) if strategy else "nothing recorded"


def causes(old: Provenance, new: Provenance) -> list[str]:
    """What differs between the record a block carries and today's, in words: the scenario, each price
    table (by provider), the genai-prices release, the date priced, advisor's version."""
    found = []
    if old.inputs != new.inputs:
        found.append("scenario changed" if old.inputs else "no inputs digest recorded")
    rows = row_changes(old.rows, new.rows) if old.rows else []
    explained = {provider for provider, _ in rows}
    found += [words for _, words in rows]
    found += [words for words in table_changes(old.tables, new.tables) if words.split(" ", 1)[0] not in explained]
    if old.genai_prices != new.genai_prices:
        found.append(f"genai-prices {old.genai_prices or 'not recorded'} -> {new.genai_prices}")
    if old.priced != new.priced:
        found.append(f"priced on {new.priced} instead of {old.priced or 'an unrecorded date'}")
    if old.advisor != new.advisor:
        found.append(f"advisor {old.advisor or 'version not recorded'} -> {new.advisor}")
    return found


def row_changes(old: Sequence[RowMark], new: Sequence[RowMark]) -> list[tuple[str, str]]:
    """(provider, words) for each row the costs rest on that changed, or that they now rest on or no longer do."""
    before = {(r.provider, r.model): r for r in old}
    after = {(r.provider, r.model): r for r in new}
    found = []
    for key, row in after.items():
        if key not in before:
            found.append((row.provider, f"{row.provider} price row {row.model} now used ({row.source})"))
        elif before[key].digest != row.digest:
            found.append((row.provider, f"{row.provider} price row {row.model} changed ({row.source})"))
    found += [
        (r.provider, f"{r.provider} price row {r.model} no longer used") for k, r in before.items() if k not in after
    ]
    return found


def table_changes(old: Sequence[TableMark], new: Sequence[TableMark]) -> list[str]:
    """Per provider: prices now used or no longer used, or the tables in force that were not (by content)."""
    found = []
    for provider in dict.fromkeys([*(t.provider for t in new), *(t.provider for t in old)]):
        before = [t for t in old if t.provider == provider]
        after = [t for t in new if t.provider == provider]
        added = [t for t in after if t.digest not in {b.digest for b in before}]
        gone = [t for t in before if t.digest not in {a.digest for a in after}]
        if not (added or gone):
            continue
        if not before:
            found.append(f"{provider} prices now used ({', '.join(t.words() for t in after)})")
        elif not after:
            found.append(f"{provider} prices no longer used")
        else:
            now = f"{', '.join(t.words() for t in added)} in force" if added else "fewer tables in force"
            was = f" instead of the table{'s' if len(gone) > 1 else ''} dated {_dates(gone)}" if gone else ""
            found.append(f"{provider} price table changed: {now}{was}")
    return found


def table_notes(recorded: Sequence[TableMark], now: Sequence[TableMark]) -> list[str]:
    """For a block reproduced on its date: each table it records that is not among today's, and each of today's
    it does not record (by content), so that a reader knows a figure may legitimately differ."""
    today = {t.digest for t in now}
    then = {t.digest for t in recorded}
    notes = [
        f"the {t.provider} table dated {t.as_of} (#{t.digest}) it records is not among today's tables"
        for t in recorded
        if t.digest not in today
    ]
    notes += [
        f"today's {t.provider} table {t.words()} (#{t.digest}) was not used then" for t in now if t.digest not in then
    ]
    return notes


def row_notes(recorded: Sequence[RowMark], now: Sequence[RowMark], day: date) -> list[str]:
    """For a block reproduced on its date: each row the costs rest on that reads otherwise on that day now."""
    return [f"{words} as priced on {day}" for _, words in row_changes(recorded, now)] if recorded else []


def _dates(marks: Sequence[TableMark]) -> str:
    return " + ".join(t.as_of for t in marks)


def why_changed(old: Provenance | None, new: Provenance, stops: str | None = None) -> str:
    """One line: the recommendation that changed (`primary SFT -> RAG`) and what changed beneath it; `stops`:
    today's model's last day within the horizon, in words (`gpt-4.1 stops on 2027-01-14`), said first when
    the recommendation changed with the date it is priced on (the day nearing is then a likely cause)."""
    if old is None:
        return "rendered for the first time (no provenance recorded)"
    found = causes(old, new)
    if old.primary != new.primary:
        head = f"primary {strategy_name(old.primary)} -> {strategy_name(new.primary)}"
        dated = [stops] if stops and old.priced != new.priced else []
        return f"{head}: {'; '.join([*dated, *found]) or 'nothing recorded changed'}"
    if not found:
        return "figures differ from the block with the same inputs and prices (edited by hand, or other plugins)"
    return f"figures changed: {'; '.join(found)}"
