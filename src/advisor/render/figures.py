"""JSON-safe figures: money and every other Decimal written exactly, dates as ISO strings.

Money stays a Decimal from the price table to the JSON text: `dumps` writes each Decimal as a JSON
number with every digit it has (`0.0000028`, never `3e-06`; `0.0002818`, never `0.000282`), so a
reader that parses numbers as decimals (`json.loads(text, parse_float=Decimal)`) gets the exact amount
back. Numbers rather than strings, so that readers that only want a float still read one.
"""

from __future__ import annotations

import json
from dataclasses import fields, is_dataclass
from datetime import date
from decimal import Decimal
from typing import Any


def exact(value: Any) -> Any:
    """Plain values for JSON: dataclasses and pydantic models as dicts, dates as ISO strings, Decimals
    kept exact."""
    if hasattr(value, "model_dump"):  # a pydantic model (not imported here: an estimate never needs it)
        value = value.model_dump()
    elif is_dataclass(value) and not isinstance(value, type):
        value = {field.name: getattr(value, field.name) for field in fields(value)}
    if isinstance(value, dict):
        return {key: exact(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [exact(item) for item in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def jsonable(value: Any) -> Any:
    """Plain values `json.dumps` accepts, Decimals as floats. A float keeps up to 15 significant digits
    exactly; money is written with `dumps`, which keeps every digit."""
    plain = exact(value)
    return _floats(plain)


def _floats(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _floats(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_floats(item) for item in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def number_text(value: Decimal) -> str:
    """A Decimal as a JSON number with every digit: `1234`, `0.0000028`, never an exponent."""
    if not value.is_finite():
        raise ValueError(f"{value} has no JSON number")
    text = f"{value:f}"  # never rounds, unlike normalize(), which keeps only the context's 28 digits
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def dumps(value: Any, indent: int = 2) -> str:
    """JSON text as `json.dumps(value, indent=indent)` writes it, with Decimals written exactly."""
    return _write(exact(value), indent, 0)


def _key(key: Any) -> str:
    if isinstance(key, str):
        return json.dumps(key)
    if isinstance(key, bool) or key is None:
        return json.dumps(json.dumps(key))  # true, false, null, as json.dumps writes such keys
    return json.dumps(str(key))


def _write(value: Any, indent: int, level: int) -> str:
    if isinstance(value, Decimal):
        return number_text(value)
    if isinstance(value, dict | list) and value:
        inner = "\n" + " " * (indent * (level + 1))
        if isinstance(value, dict):
            items = [f"{_key(key)}: {_write(item, indent, level + 1)}" for key, item in value.items()]
            opening, closing = "{", "}"
        else:
            items = [_write(item, indent, level + 1) for item in value]
            opening, closing = "[", "]"
        return opening + inner + ("," + inner).join(items) + "\n" + " " * (indent * level) + closing
    return json.dumps(value)
