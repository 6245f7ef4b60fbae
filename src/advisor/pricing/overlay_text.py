"""An overlay written as TOML text (docs/pricing.md), from the typed values it holds: what `advisor pricing
refresh` writes. Parsing it back (pricing/overlay.py) gives the same values."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import fields
from datetime import date
from decimal import Decimal
from typing import Any

from advisor.pricing.tables import DatedSource, PriceChange

Entry = Mapping[str, list[DatedSource] | list[PriceChange]]


def overlay_text(
    *, comments: Iterable[str], provider: str, as_of: date, source: str, notes: str | None, models: Mapping[str, Entry]
) -> str:
    """The overlay's file: comment lines, the header, then one `[models."name"]` per model, each field a
    list of inline tables."""
    lines = [f"# {line}".rstrip() for line in comments]
    lines += [
        "overlay = true",
        f"provider = {_value(provider)}",
        'currency = "USD"',
        f"as_of = {_value(as_of)}",
        f"source = {_value(source)}",
    ]
    if notes:
        lines.append(f"notes = {_value(notes)}")
    for name, entry in models.items():
        lines += ["", f"[models.{_value(name)}]"]
        for field, items in entry.items():
            if items:
                lines.append(f"{field} = [{', '.join(_inline(item) for item in items)}]")
    return "\n".join(lines) + "\n"


def _inline(item: DatedSource | PriceChange) -> str:
    given = ((f.name, getattr(item, f.name)) for f in fields(item))
    return "{ " + ", ".join(f"{name} = {_value(value)}" for name, value in given if value is not None) + " }"


def _value(value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")  # never an exponent: TOML reads 1E+1 as a float, and advisor refuses floats
    if isinstance(value, str):
        # a TOML basic string: JSON's escapes are TOML's, and TOML refuses a raw DEL as well
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    raise TypeError(f"no TOML form for {value!r}")
