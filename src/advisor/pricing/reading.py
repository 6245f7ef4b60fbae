"""Price files read into validated tables and overlays: from the cache when the same text was validated
before (pricing/table_cache.py), else validated by pydantic (table_validation, overlay_validation) and
kept. The schema (pricing/tables.py, pricing/overlay.py) knows nothing of reading, so the modules that
validate and cache it import it and are imported from here, one way."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from advisor.pricing import table_cache
from advisor.pricing.price_files import label, read_price_text
from advisor.pricing.tables import PriceTable

if TYPE_CHECKING:
    from advisor.pricing.overlay import Overlay


def parse_table(text: str, path: str) -> PriceTable:
    """Parse and validate one table; errors name the file, line and field. A table validated before
    comes from the cache."""
    table = table_cache.load(text, path)
    if table is None:
        from advisor.pricing.table_validation import validated_table

        table = validated_table(text, path)
        table_cache.store(text, path, table)
    return table


def parse_overlay(text: str, path: str) -> Overlay:
    """Parse and validate one overlay; errors name the file, line and field. One validated before comes
    from the cache, as a table does."""
    from advisor.pricing.overlay import Overlay

    overlay = table_cache.load(text, path, Overlay)
    if overlay is None:
        from advisor.pricing.overlay_validation import validated_overlay

        overlay = validated_overlay(text, path)
        table_cache.store(text, path, overlay)
    return overlay


def read_table(path: Path) -> PriceTable:
    """Read one table file from disk."""
    return parse_table(read_price_text(path), label(path))


def read_price_file(path: Path, folder: Path | None = None) -> PriceTable | Overlay:
    """A table or an overlay, from disk (`folder`: the user's price folder it was found in)."""
    from advisor.pricing.encodings_named import check_encodings
    from advisor.pricing.overlay import is_overlay

    text = read_price_text(path, folder)
    item = parse_overlay(text, label(path)) if is_overlay(text) else parse_table(text, label(path))
    check_encodings(item, text)
    return item


def bundled_tables() -> list[PriceTable]:
    """The tables shipped inside the package, in file-name order: what a catalog holds without plugins (with
    them, advisor's default plugin registers the same files: advisor.default_plugin)."""
    from advisor.pricing.bundled import bundled_label, bundled_table_files

    return [parse_table(file.read_text(encoding="utf-8"), bundled_label(file.name)) for file in bundled_table_files()]
