"""How figures read in words: counts with separators, months to two places."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def tokens(value: Decimal | int) -> str:
    """`1,800`, or `412.5` for a mean."""
    number = Decimal(value)
    if number == number.to_integral_value():
        return f"{int(number):,}"
    return f"{number.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP):,}"


def months(value: Decimal | None, never: str = "never") -> str:
    if value is None:
        return never
    return f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)} months"
