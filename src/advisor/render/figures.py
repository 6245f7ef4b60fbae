"""JSON-safe figures: Decimals as numbers, dates as ISO strings."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from pydantic import BaseModel

JSON_PLACES = Decimal("0.000001")


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
