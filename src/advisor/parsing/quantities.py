"""Parsing the quantities users type: request volumes like `10k`, `1.5M`, and USD amounts.

Both have a ceiling, MAX_COUNT and MAX_AMOUNT (10^12, a trillion): far above any real feature (a
trillion requests or tokens a month, a trillion dollars), and low enough that every figure computed
from them stays exact in Decimal arithmetic and can be shown. Beyond it a value is refused, never
rounded or turned into a traceback.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

MAX_COUNT = 10**12
MAX_AMOUNT = Decimal(10**12)
_SUFFIXES = {"": 1, "k": 1_000, "m": 1_000_000, "b": 1_000_000_000}
_COUNT = re.compile(r"^\s*([0-9][0-9_,]*(?:\.[0-9]+)?|\.[0-9]+)\s*([kmb]?)\s*$", re.IGNORECASE)


def parse_count(text: str, *, what: str = "value", allow_zero: bool = False) -> int:
    """A whole, positive count: `2000`, `2,000`, `10k`, `1.5M`, `2b`.

    Fractions that do not make a whole number (`1.2345k`) are refused rather than rounded.
    """
    match = _COUNT.match(text)
    if not match:
        raise ValueError(f"{what} must be a number such as 2000, 10k or 1.5M, not {_short(text)}")
    digits, suffix = match.groups()
    try:
        value = Decimal(digits.replace(",", "").replace("_", "")) * _SUFFIXES[suffix.lower()]
    except InvalidOperation:
        raise ValueError(f"{what} must be a number such as 2000, 10k or 1.5M, not {text!r}") from None
    if value > MAX_COUNT:  # compared as a Decimal: a 5,000-digit number is never turned into an int
        raise ValueError(f"{what} must be at most {MAX_COUNT:,} (10^12), not {_short(text)}")
    if value != value.to_integral_value():
        raise ValueError(f"{what} must be a whole number, {text!r} is {value}")
    count = int(value)
    if count < 0 or (count == 0 and not allow_zero):
        raise ValueError(f"{what} must be {'zero or more' if allow_zero else 'greater than zero'}")
    return count


def parse_amount(text: str, *, what: str = "amount", positive: bool = False) -> Decimal:
    """A non-negative decimal amount (USD, hours, months): `100`, `$1,250.50`, `2.5`; `positive`: not zero
    either (hours billed, months between retrainings)."""
    cleaned = text.strip().removeprefix("$").replace(",", "").replace("_", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"{what} must be a number such as 100 or 1250.50, not {_short(text)}") from None
    if not value.is_finite():
        raise ValueError(f"{what} must be a finite number, not {_short(text)}")
    if value < 0:
        raise ValueError(f"{what} cannot be negative ({_short(text)})")
    if value > MAX_AMOUNT:
        raise ValueError(f"{what} must be at most {MAX_AMOUNT:,} (10^12), not {_short(text)}")
    if positive and value == 0:
        raise ValueError(f"{what} must be greater than zero")
    return value


MAX_EPOCHS = 50


def parse_epochs(text: str) -> int | Literal["auto"]:
    """`auto` (the cookbook rule, decided once the examples are counted) or a whole number of epochs from 1
    to MAX_EPOCHS, as `--epochs` and the Python API's `epochs=` take it."""
    if text == "auto":
        return "auto"
    if text.isascii() and text.isdigit() and 0 < int(text) <= MAX_EPOCHS:
        return int(text)
    raise ValueError(f"must be 'auto' or a whole number from 1 to {MAX_EPOCHS}, not {text!r}")


def _short(text: str) -> str:
    """The value as typed, cut to a readable length (a 5,000-digit number is not echoed whole)."""
    text = text.strip()
    return repr(text) if len(text) <= 40 else f"{text[:20]!r}... ({len(text):,} characters)"


def written_as_number(value: Any) -> Any:
    """A validator for numbers read from TOML or JSON files: text (`"2.00"`) and booleans are refused,
    not converted, as the docs promise."""
    if isinstance(value, bool):
        raise ValueError(f"expected a number, not {str(value).lower()}")
    if isinstance(value, str):
        raise ValueError(f"expected a number, not the text {value!r} (write it without quotes)")
    return value
