"""Numeric settings read from the environment (`ADVISOR_STREAM_WAIT=SECONDS` ...), range-checked: text,
NaN, infinity, a negative or an absurd number is one clear error naming the variable, never a traceback
or a wait without end."""

from __future__ import annotations

import math
import os

from advisor.errors import UserError


def env_seconds(name: str, default: float, *, highest: float) -> float:
    """`$name` as a number of seconds from 0 to `highest`, or `default` when it is not set (or blank)."""
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    shown = text if len(text) <= 40 else f"{text[:20]}... ({len(text):,} characters)"
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0 <= value <= highest:  # NaN fails both comparisons
        raise UserError(
            f"{name}={shown!r} is not a number of seconds from 0 to {highest:,g}",
            hint=f"set it to such a number, or unset it for the default ({default:g} s)",
        )
    return value
