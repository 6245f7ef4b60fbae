"""Parsing the quantities users type: request volumes like `10k`, `1.5M`, and USD amounts."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

_SUFFIXES = {"": 1, "k": 1_000, "m": 1_000_000, "b": 1_000_000_000}
_COUNT = re.compile(r"^\s*([0-9][0-9_,]*(?:\.[0-9]+)?|\.[0-9]+)\s*([kmb]?)\s*$", re.IGNORECASE)


def parse_count(text: str, *, what: str = "value", allow_zero: bool = False) -> int:
    """A whole, positive count: `2000`, `2,000`, `10k`, `1.5M`, `2b`.

    Fractions that do not make a whole number (`1.2345k`) are refused rather than rounded.
    """
    match = _COUNT.match(text)
    if not match:
        raise ValueError(f"{what} must be a number such as 2000, 10k or 1.5M, not {text!r}")
    digits, suffix = match.groups()
    try:
        value = Decimal(digits.replace(",", "").replace("_", "")) * _SUFFIXES[suffix.lower()]
    except InvalidOperation:
        raise ValueError(f"{what} must be a number such as 2000, 10k or 1.5M, not {text!r}") from None
    if value != value.to_integral_value():
        raise ValueError(f"{what} must be a whole number, {text!r} is {value}")
    count = int(value)
    if count < 0 or (count == 0 and not allow_zero):
        raise ValueError(f"{what} must be {'zero or more' if allow_zero else 'greater than zero'}")
    return count


def parse_amount(text: str, *, what: str = "amount") -> Decimal:
    """A non-negative decimal amount (USD, hours, months): `100`, `$1,250.50`, `2.5`."""
    cleaned = text.strip().removeprefix("$").replace(",", "").replace("_", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"{what} must be a number such as 100 or 1250.50, not {text!r}") from None
    if not value.is_finite():
        raise ValueError(f"{what} must be a finite number, not {text!r}")
    if value < 0:
        raise ValueError(f"{what} cannot be negative ({text})")
    return value
