"""Overlays: price files that say `overlay = true` and amend the rows of the tables read before them,
field by field, where a whole table replaces a row.

`advisor pricing refresh` writes one per provider from the provider's own API (the dates it gives, the
prices it lists); a person may write one to add a date or a price change without copying a row. The
merge rules, for the row of the same provider whose name or alias is the entry's name:

- dated lists (`shutdown_sources`, `prices`; fine_tuning's `new_jobs_sources`, `serving_sources`,
  `prices`) gain the overlay's items the row does not have yet: a date from another source stands
  beside the table's, and in_force.py decides on the earlier and says that the sources disagree;
- tables of named values (`training_prices`, `training_tiers`, `throughput`, `deployments`) are merged
  key by key;
- every other field replaces the row's;
- `fine_tuning` is merged into the row's by the same rules; a row without one takes it only whole.

So an entry with no fields changes nothing, and merging an overlay twice is merging it once. An entry
for a model no earlier table has becomes a row of its own only when it is a whole row with its own
`input` (and, for a chat model, `output`) price; otherwise it is left out with a warning. The rows an
overlay changed form a table of their own, cited as `<table> + <overlay>`, so each figure says so.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeVar

from advisor.errors import UserError, file_location
from advisor.parsing.plain_data import FieldsOf
from advisor.pricing.tables import FineTuning, ModelRow, PriceTable, toml_key

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

Row = TypeVar("Row", bound="DataclassInstance")  # a ModelRow or its FineTuning

DATED_LISTS = frozenset({"shutdown_sources", "new_jobs_sources", "serving_sources", "prices"})
# `overlay = ...` among the top-level keys, before the first [table]
_OVERLAY_KEY = re.compile(r"^\s*overlay\s*=", re.M)
_FIRST_HEADER = re.compile(r"^\s*\[", re.M)


@dataclass(frozen=True, slots=True, kw_only=True)
class OverlayEntry:
    """One `[models."name"]` of an overlay: the fields it gives, validated one by one."""

    fields: Annotated[dict[str, Any], FieldsOf(ModelRow)]  # ModelRow fields, fine_tuning apart
    fine_tuning: Annotated[dict[str, Any], FieldsOf(FineTuning)] | None = None  # FineTuning fields
    whole_fine_tuning: FineTuning | None = None  # the fine_tuning table when it is complete on its own
    whole_row: ModelRow | None = None  # the entry when it is a whole row with its own prices
    line: int | None = None

    @property
    def empty(self) -> bool:
        return not self.fields and not self.fine_tuning


@dataclass(frozen=True, slots=True, kw_only=True)
class Overlay:
    """An overlay file: the header a table has, and entries that hold only the fields they change."""

    provider: str
    currency: Literal["USD"]
    as_of: date
    source: str
    notes: str | None = None
    models: dict[str, OverlayEntry]
    path: str = ""


def is_overlay(text: str) -> bool:
    """Whether a price file's top-level keys include `overlay` (read without parsing the TOML)."""
    header = _FIRST_HEADER.search(text)
    return _OVERLAY_KEY.search(text, 0, header.start() if header else len(text)) is not None


def with_overlays(items: Sequence[PriceTable | Overlay]) -> tuple[list[PriceTable], list[str]]:
    """The tables in the order read, each overlay merged into the rows read before it; and a warning for
    each overlay entry that matched no row and could not stand as one."""
    tables: list[PriceTable] = []
    warnings: list[str] = []
    for item in items:
        if isinstance(item, PriceTable):
            tables.append(item)
            continue
        changed, problems = overlay_tables(tables, item)
        tables += changed
        warnings += problems
    return tables, warnings


def overlay_tables(tables: Sequence[PriceTable], overlay: Overlay) -> tuple[list[PriceTable], list[str]]:
    """The rows `overlay` changes, as tables of their own (one per table the rows came from, cited as
    `<table> + <overlay>`, plus one of the overlay's new rows); warnings for entries left out."""
    names = rows_by_name(tables, overlay.provider)
    changed: dict[int, tuple[PriceTable, dict[str, ModelRow]]] = {}
    new_rows: dict[str, ModelRow] = {}
    warnings = []
    for key, entry in overlay.models.items():
        if entry.empty:
            continue
        found = names.get(key)
        if found is None:
            if entry.whole_row is not None:
                new_rows[key] = entry.whole_row
            else:
                warnings.append(
                    f"{file_location(overlay.path, entry.line)}: models.{toml_key(key)} matches no {overlay.provider} "
                    "row of the tables read before this overlay, and is not a whole row with its own input and "
                    "output prices: left out (check the name, or give the row's prices to add it)"
                )
            continue
        name, row, table = found
        _, rows = changed.setdefault(id(table), (table, {}))
        merged = merge_row(
            rows.get(name, row), entry, f"models.{toml_key(key)}", file_location(overlay.path, entry.line)
        )
        if merged != row:
            rows[name] = merged
        else:
            rows.pop(name, None)
    found_tables = [
        replace(table, models=rows, path=f"{table.path or table.provider} + {overlay.path}")
        for table, rows in changed.values()
        if rows
    ]
    if new_rows:
        found_tables.append(
            PriceTable(
                provider=overlay.provider,
                currency=overlay.currency,
                as_of=overlay.as_of,
                source=overlay.source,
                notes=overlay.notes,
                models=new_rows,
                path=overlay.path,
            )
        )
    return found_tables, warnings


def rows_by_name(tables: Sequence[PriceTable], provider: str) -> dict[str, tuple[str, ModelRow, PriceTable]]:
    """Every name and alias of `provider`'s rows -> (name, row, table), a later table's row winning."""
    names: dict[str, tuple[str, ModelRow, PriceTable]] = {}
    for table in tables:
        if table.provider != provider:
            continue
        for name, row in table.models.items():
            for alias in (name, *row.aliases):
                names[alias] = (name, row, table)
    return names


def merge_row(row: ModelRow, entry: OverlayEntry, key: str = "models", where: str | None = None) -> ModelRow:
    """`row` with `entry`'s fields merged in (the rules above). A result the schema refuses is an error
    naming the entry (`key`, e.g. `models."gpt-4.1"`) and where it is (`where`: the overlay's file:line)."""
    changes = {name: merged_value(name, getattr(row, name), value) for name, value in entry.fields.items()}
    if entry.fine_tuning:
        if row.fine_tuning is not None:
            given = entry.fine_tuning.items()
            fine_tuning = {name: merged_value(name, getattr(row.fine_tuning, name), value) for name, value in given}
            changes["fine_tuning"] = _replaced(row.fine_tuning, fine_tuning, f"{key}.fine_tuning", where)
        elif entry.whole_fine_tuning is not None:
            changes["fine_tuning"] = entry.whole_fine_tuning
        else:
            raise UserError(
                f"{key}.fine_tuning: the row has no fine_tuning to amend, and this one is not complete on its own",
                where=where,
                hint="give the whole fine_tuning table (methods and prices: see docs/pricing.md)",
            )
    return _replaced(row, changes, key, where)


def merged_value(name: str, old: Any, new: Any) -> Any:
    """One field merged: a dated list gains the items it lacks, a table of named values is merged key by
    key, anything else is replaced."""
    if name in DATED_LISTS:
        merged = list(old)
        for item in new:
            if item not in merged:
                merged.append(item)
        return merged
    if isinstance(old, dict) and isinstance(new, dict):
        return {**old, **new}
    return new


def _replaced(value: Row, changes: dict[str, Any], key: str, where: str | None) -> Row:
    if not changes:
        return value
    try:
        return replace(value, **changes)
    except ValueError as exc:  # the dataclass's own rules (a reasoning row without its note ...)
        raise UserError(f"{key}: {exc}", where=where, hint="fix the overlay (see docs/pricing.md)") from None
