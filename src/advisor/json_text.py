"""Parsing JSON the user wrote, where every failure is a ValueError with a message."""

from __future__ import annotations

import json
from typing import Any


def loads(text: str | bytes) -> Any:
    """json.loads, except that input nested too deeply for the parser (`[[[[...`) raises ValueError
    like any other malformed JSON, instead of RecursionError."""
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError("nested too deeply to read") from None
