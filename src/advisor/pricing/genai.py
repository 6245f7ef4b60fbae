"""Inference prices from genai-prices (pydantic's maintained price data), as advisor price tables.

genai-prices keeps the per-token prices of 47 providers with the date each took effect; it has no
fine-tuning, training or hosting prices and no shutdown dates, which advisor's own tables keep. Importing
it costs about 0.2 s and 40 MB (a 1.6 MB data module), so its data is read once per installed version,
turned into one `PriceTable` per provider advisor prices, and kept in the validated-table cache
(pricing/table_cache.py): a later command reads the kept tables without importing genai-prices.

What is taken: the standard prices (input, cached input read, cache write, output) and the batch prices,
each with the dates they took effect, from every model with a per-token input price. What is not: the
long-context tiers (the base rate is used; a row's notes say above how many input tokens a tier starts),
service tiers (flex, priority), time-of-day prices, and per-request or per-search fees.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from advisor.errors import UserError
from advisor.parsing.plain_data import NotPlain, from_plain
from advisor.parsing.plain_data import to_plain as plain_row
from advisor.pricing.tables import SCHEMA_VERSION, ModelRow, PriceChange, PriceTable, price_keywords

DISTRIBUTION = "genai-prices"
HOMEPAGE = "https://github.com/pydantic/genai-prices"
# advisor's provider id -> genai-prices' provider id
PROVIDERS = {"openai": "openai", "azure-openai": "azure", "together": "together", "fireworks": "fireworks"}
# genai-prices' providers whose prices another's falls back to (it says Azure offers OpenAI's models)
FALLBACK = {"azure": ("openai",)}
_LENDERS = {ours for ours, theirs in PROVIDERS.items() if theirs in {p for ps in FALLBACK.values() for p in ps}}
# release dates of the versions advisor knows, from PyPI (https://pypi.org/project/genai-prices/#history):
# the date the data was published, which `as_of` and the stale-table warning use
RELEASED = {"0.2.5": date(2026, 11, 19)}
_FIELDS = {  # genai-prices' price key -> advisor's field
    "input_mtok": "input",
    "cache_read_mtok": "cached_input",
    "cache_write_mtok": "cache_write",
    "output_mtok": "output",
}
_BATCH = {"input_mtok": "batch_input", "cache_read_mtok": "batch_cached_input", "output_mtok": "batch_output"}


def installed() -> tuple[str, str] | None:
    """(version, path of its data module) of the installed genai-prices, found without importing it
    (importing it or importlib.metadata would cost a command 50 to 200 ms)."""
    for entry in sys.path:
        data = os.path.join(entry or ".", "genai_prices", "data.py")
        if not os.path.isfile(data):
            continue
        try:
            names = os.listdir(entry or ".")
        except OSError:
            names = []
        prefix = DISTRIBUTION.replace("-", "_") + "-"
        versions = [
            n[len(prefix) : -len(".dist-info")] for n in names if n.startswith(prefix) and n.endswith(".dist-info")
        ]
        return (versions[0] if versions else "unknown"), data
    return None


def cache_key() -> str | None:
    """What the kept tables were made from: the version and its data module's size and time."""
    found = installed()
    if found is None:
        return None
    version, data = found
    stat = os.stat(data)
    return f"{DISTRIBUTION} {version} {data} {stat.st_size} {stat.st_mtime_ns}"


FORMAT = "genai-prices/2"  # the entry's kind and format version, in its seal


def genai_prices() -> GenaiPrices | None:
    """genai-prices' tables, from the kept copy when this version was read before (None: not installed).

    The copy is plain JSON sealed with what it was built from (the version, its data module's path, size
    and time, and this code); one whose seal or header does not match is read from genai-prices again,
    and a row is checked against the schema when it is first built (GenaiPrices)."""
    import hashlib

    from advisor.cache_folder import cache_folder, read_sealed, write_sealed

    key = cache_key()
    if key is None:
        return None
    # this code turns genai-prices' data into rows of the schema: a new one, or a new schema (its version,
    # as the validated-table cache is keyed), reads genai-prices again
    code = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]
    source = hashlib.sha256(f"{key} {code} schema {SCHEMA_VERSION}".encode()).hexdigest()
    entry = cache_folder("genai-prices") / f"{source}.json"

    def rebuild() -> dict[str, Any]:
        plain = to_plain(read_tables())
        write_sealed(entry, FORMAT, source, json.dumps(plain, separators=(",", ":")).encode())
        return plain

    payload = read_sealed(entry, FORMAT, source)
    if payload is not None:
        try:  # json, not orjson: the standard library's is loaded by every command already
            return GenaiPrices(json.loads(payload), rebuild)
        except (ValueError, RecursionError):  # NotPlain, a JSON error: read genai-prices again
            pass
    return GenaiPrices(rebuild(), None)


def genai_tables() -> list[PriceTable]:
    """Every table genai-prices gives advisor, whole (`advisor pricing list --all`, tests)."""
    prices = genai_prices()
    return prices.tables if prices else []


class GenaiPrices:
    """genai-prices' tables as plain data, each model's row built when it is first asked for.

    The header of each table and every model's names are checked when the data is taken; a row is
    checked as it is built (parsing/plain_data.py: the schema's types and ranges, the dataclasses'
    rules). A row that fails means a damaged or edited copy: the data is read from genai-prices again
    (`rebuild`) and the row built from that."""

    def __init__(self, plain: Any, rebuild: Callable[[], dict[str, Any]] | None = None) -> None:
        self._rebuild = rebuild
        self._take(plain)

    def _take(self, plain: Any) -> None:
        self._tables = _checked_tables(plain)
        self.label = f"genai-prices {plain['version']}"
        self._shells: dict[int, PriceTable] = {}
        self._rows: dict[tuple[int, str], ModelRow] = {}
        self.providers = {table["provider"] for table in self._tables}
        self._names: dict[str, dict[str, tuple[int, str]]] = {}

    def _models(self, index: int) -> dict[str, Any]:
        """A table's models: its own, or (a fallback table) those of the table it borrows from."""
        table = self._tables[index]
        models: dict[str, Any] = self._tables[table["of"]]["models"] if table.get("of") is not None else table["models"]
        return models

    def names(self, provider: str) -> dict[str, tuple[int, str]]:
        """Every name and alias of `provider`'s models -> (table, model); the first table to name one wins."""
        if provider not in self._names:
            found: dict[str, tuple[int, str]] = {}
            for index, table in enumerate(self._tables):
                if table["provider"] == provider:
                    for name, model in self._models(index).items():
                        for alias in (name, *model.get("aliases", ())):
                            found.setdefault(alias, (index, name))
            self._names[provider] = found
        return self._names[provider]

    def fallback(self, index: int) -> bool:
        """Whether the table holds another provider's prices (used only for rows a table names)."""
        return bool(self._tables[index]["fallback"])

    def row(self, index: int, name: str) -> tuple[ModelRow, PriceTable]:
        try:
            return self._row(index, name)
        except ValueError:  # NotPlain: a damaged or edited copy
            if self._rebuild is None:
                raise
        self._take(self._rebuild())
        self._rebuild = None
        try:
            return self._row(index, name)
        except (KeyError, IndexError):  # the edited copy named a model genai-prices does not have
            raise UserError(
                f"the kept copy of genai-prices' data named a model it does not have ({name}); it has been "
                "read again from genai-prices",
                hint="run the command again",
            ) from None

    def _row(self, index: int, name: str) -> tuple[ModelRow, PriceTable]:
        if index not in self._shells:
            table = self._tables[index]
            self._shells[index] = PriceTable(
                provider=table["provider"],
                currency="USD",
                as_of=date.fromisoformat(table["as_of"]),
                source=table["source"],
                notes=table["notes"],
                models={},
                path=table["path"],
            )
        if (index, name) not in self._rows:
            row = from_plain(ModelRow, self._models(index)[name])
            first = row.prices[0] if row.prices else None  # as _changes makes it: every price from the start
            if first is None or first.input is None or (row.kind == "chat") != (first.output is not None):
                raise NotPlain(f"genai-prices' row {name!r} does not start with its input and output prices")
            said = self._tables[index].get("said")  # a fallback table's words for where its prices come from
            if said is not None:
                row = replace(row, prices=[replace(change, source=said) for change in row.prices])
            self._rows[index, name] = row
        return self._rows[index, name], self._shells[index]

    @property
    def tables(self) -> list[PriceTable]:
        whole = []
        for index in range(len(self._tables)):
            names = [name for name, key in self.names(self._tables[index]["provider"]).items() if key[0] == index]
            models = {
                name: self.row(index, name)[0] for name in dict.fromkeys(n for n in names if n in self._models(index))
            }
            whole.append(replace(self.row(index, next(iter(models)))[1], models=models))
        return whole


_HEADER = {"provider": str, "as_of": str, "source": str, "path": str, "fallback": bool, "models": dict}


def _checked_tables(plain: Any) -> list[dict[str, Any]]:
    """The tables of a kept copy, when its header and every model's names are of the types written;
    NotPlain otherwise (the rows themselves are checked as they are built)."""
    if type(plain) is not dict or type(plain.get("version")) is not str or type(plain.get("tables")) is not list:
        raise NotPlain("not a copy of genai-prices' tables")
    tables: list[dict[str, Any]] = plain["tables"]  # a list, checked above; its items below
    for table in tables:
        if type(table) is not dict or any(type(table.get(key)) is not kind for key, kind in _HEADER.items()):
            raise NotPlain("a table's header is not as written")
        date.fromisoformat(table["as_of"])
        if type(table.get("notes")) not in (str, type(None)) or type(table.get("said")) not in (str, type(None)):
            raise NotPlain("a table's notes are not as written")
        lender = table.get("of")
        if lender is not None and (type(lender) is not int or not 0 <= lender < len(tables) or table["models"]):
            raise NotPlain("a fallback table does not name the table it borrows from")
        for name, model in table["models"].items():
            aliases = model.get("aliases", []) if type(model) is dict else None
            if type(aliases) is not list or not all(type(alias) is str for alias in (name, *aliases)):
                raise NotPlain("a model's names are not as written")
    for table in tables:
        if table.get("of") is not None and tables[table["of"]].get("of") is not None:
            raise NotPlain("a fallback table borrows from another fallback")
    return tables


def to_plain(tables: list[PriceTable]) -> dict[str, Any]:
    """The tables as JSON values (each row as parsing/plain_data.py writes it: prices as exact decimal
    strings); a fallback table names the table whose models it borrows instead of copying them."""
    found = installed()
    plain: list[dict[str, Any]] = []
    for table in tables:
        entry: dict[str, Any] = {
            "provider": table.provider,
            "as_of": table.as_of.isoformat(),
            "source": table.source,
            "notes": table.notes,
            "path": table.path,
            "fallback": is_fallback(table),
        }
        lender = next((i for i, t in enumerate(tables) if is_fallback(table) and t.provider in _LENDERS), None)
        if lender is not None:
            first = next(iter(table.models.values()))
            entry |= {"of": lender, "said": first.prices[0].source, "models": {}}
        else:
            entry["models"] = {name: plain_row(row) for name, row in table.models.items()}
        plain.append(entry)
    return {"version": found[0] if found else "unknown", "tables": plain}


def read_tables() -> list[PriceTable]:
    """genai-prices' data, read (imported) now."""
    from genai_prices import data

    found = installed()
    version = found[0] if found else "unknown"
    by_id = {provider.id: provider for provider in data.providers}
    tables = []
    for ours, theirs in PROVIDERS.items():
        provider = by_id.get(theirs)
        if provider is None:
            continue
        label = f"genai-prices {version}"
        rows: dict[str, ModelRow] = {}
        for model in provider.models:
            _add(rows, model, f"{label} ({theirs})")
        url = (provider.pricing_urls or [HOMEPAGE])[0]
        if rows:
            tables.append(_table(ours, rows, version, f"{label}: {url}", f"(genai-prices {version})"))
        for fallback in FALLBACK.get(theirs, ()):
            borrowed: dict[str, ModelRow] = {}
            for model in by_id[fallback].models if fallback in by_id else ():
                if not any(model.id == name or model.id in row.aliases for name, row in rows.items()):
                    _add(borrowed, model, f"{label} ({theirs} falls back to {fallback}'s prices)")
            if borrowed:
                source = f"{label}: {url} ({theirs} falls back to {fallback}'s prices)"
                tables.append(_table(ours, borrowed, version, source, f"(genai-prices {version}, {FALLBACK_MARK})"))
    return tables


FALLBACK_MARK = "fallback"  # in the path of a table of another provider's prices: used only for rows a table names


def is_fallback(table: PriceTable) -> bool:
    return table.path.endswith(f", {FALLBACK_MARK})")


def _table(provider: str, rows: dict[str, ModelRow], version: str, source: str, path: str) -> PriceTable:
    return PriceTable(
        provider=provider,
        label=None,
        currency="USD",
        as_of=RELEASED.get(version) or _latest_change(rows),
        source=source,
        notes=None if version in RELEASED else "as_of is the latest price change in this version's data",
        models=rows,
        path=path,
    )


def _latest_change(rows: dict[str, ModelRow]) -> date:
    return max((c.since for row in rows.values() for c in row.prices if c.since), default=date(2025, 1, 1))


def _add(rows: dict[str, ModelRow], model: Any, source: str) -> None:
    """`model` as a row, unless it has no per-token input price, or another row already has its names."""
    changes = _changes(model, source)
    if not changes:
        return
    taken = {alias for row_name, row in rows.items() for alias in (row_name, *row.aliases)}
    names = [n for n in dict.fromkeys([model.id, *_exact_names(model.match)]) if n not in taken]
    if not names or names[0] != model.id:
        return
    kind: Literal["chat", "embedding"] = "chat" if changes[0].output is not None else "embedding"
    tiers = _tier_starts(model)
    notes = [f"genai-prices model {model.id!r}"]
    if tiers:
        notes.append(f"long-context rates above {min(tiers):,} input tokens are not applied")
    if model.deprecated:
        notes.append("genai-prices marks it deprecated")
    rows[model.id] = ModelRow(kind=kind, aliases=names[1:], prices=changes, notes="; ".join(notes))


def _exact_names(match: Any) -> list[str]:
    """The names a genai-prices match clause accepts exactly (`equals`, and inside `or`)."""
    if hasattr(match, "equals"):
        return [match.equals]
    return [name for clause in getattr(match, "or_", []) or [] for name in _exact_names(clause)]


def _tier_starts(model: Any) -> list[int]:
    prices = model.prices if isinstance(model.prices, list) else [model]
    starts = []
    for entry in prices:
        for value in vars(entry.prices).values():
            starts += [tier.start for tier in getattr(value, "tiers", [])]
    return starts


def _changes(model: Any, source: str) -> list[PriceChange]:
    """The model's prices as dated changes: one from each date any of its standard or batch prices changed.
    None for a model priced by time of day (no single price is in force on a date)."""
    if any(c.constraint is not None and _start(c) is None for c in _conditionals(model)):
        return []
    days = sorted({d for d in (_start(c) for c in _conditionals(model)) if d} | _batch_starts(model))
    changes: list[PriceChange] = []
    before: dict[str, Decimal] = {}
    for since in [None, *days]:
        moment = datetime.combine(since or date(2000, 1, 1), datetime.min.time(), tzinfo=UTC)
        fields = _fields(model.get_prices(moment), _FIELDS)
        if "input" not in fields or ("output" in before and "output" not in fields):
            return []  # priced in units advisor does not bill (audio, images) for part of its history
        batch = _batch(model, moment)
        if batch is not None:
            fields |= _fields(batch, _BATCH)
        # a change names only the prices that changed (so each price cites the day it took effect), unless a
        # price stopped, which only a whole new set of prices can say
        changed = fields if set(before) - set(fields) else {k: v for k, v in fields.items() if before.get(k) != v}
        if changed:
            changes.append(PriceChange(since=since, source=source, **price_keywords(changed)))
        before = fields
    return changes


def _conditionals(model: Any) -> list[Any]:
    return model.prices if isinstance(model.prices, list) else []


def _start(conditional: Any) -> date | None:
    return getattr(conditional.constraint, "start_date", None)


def _batch_variants(model: Any) -> list[Any]:
    return [v for v in model.price_variants or [] if dict(v.when) == {"processing": "batch"}]


def _batch_starts(model: Any) -> set[date]:
    return {d for v in _batch_variants(model) if (d := getattr(v.constraint, "start_date", None))}


def _batch(model: Any, moment: datetime) -> Any | None:
    """The batch prices in force at `moment` (the last variant in force wins), None when there are none."""
    chosen = None
    for variant in _batch_variants(model):
        if variant.constraint is None or variant.constraint.active(moment):
            chosen = variant.prices
    return chosen


def _fields(prices: Any, names: dict[str, str]) -> dict[str, Decimal]:
    found = {}
    for key, field in names.items():
        value = getattr(prices, key, None)
        value = getattr(value, "base", value)  # tiered: the base rate
        if isinstance(value, Decimal):
            found[field] = value
    return found
