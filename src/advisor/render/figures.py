"""How figures are shown: counts with separators, months to two places, JSON-safe numbers."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from pydantic import BaseModel

JSON_PLACES = Decimal("0.000001")


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


def jsonable(value: Any) -> Any:
    """Plain JSON values: Decimals become numbers rounded to 6 places, dates ISO strings."""
    if isinstance(value, BaseModel):
        value = value.model_dump()
    if isinstance(value, dict):
        return {key: jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    if isinstance(value, Decimal):
        rounded = value.quantize(JSON_PLACES, rounding=ROUND_HALF_UP)
        return int(rounded) if rounded == rounded.to_integral_value() else float(rounded)
    if isinstance(value, date):
        return value.isoformat()
    return value
