"""Numbers read from environment variables (waits and timeouts, in seconds).

A value that is not a finite number within its range (`abc`, `nan`, `inf`, `-1`) is one clear error that
names the variable, never a traceback, and never an endless wait (`poll(-1)` waits forever).
"""

from __future__ import annotations

import math
import os

from advisor.errors import UserError


def seconds_from_env(name: str, default: float, *, most: float, positive: bool = False) -> float:
    """`$name` as seconds from 0 (more than 0 when `positive`) to `most`; `default` when unset or empty."""
    text = os.environ.get(name)
    if text is None or not text.strip():
        return default
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if math.isfinite(value) and (value > 0 if positive else value >= 0) and value <= most:
        return value
    shown = text if len(text) <= 40 else text[:40] + "..."
    least = "more than 0" if positive else "from 0"
    raise UserError(
        f"{name}={shown!r} is not a number of seconds {least} to {most:,g}",
        hint=f"set it to such a number, or unset it for the default ({default:g} s)",
    )
