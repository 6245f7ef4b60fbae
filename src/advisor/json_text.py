"""Parsing JSON the user wrote, where every failure is a ValueError with a message."""

from __future__ import annotations

import json
from typing import Any

from advisor.errors import UserError, file_location


def loads(text: str | bytes) -> Any:
    """json.loads, except that input nested too deeply for the parser (`[[[[...`) raises ValueError
    like any other malformed JSON, instead of RecursionError."""
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError("nested too deeply to read") from None


def loads_file_text(text: str, source: str, hint: str) -> Any:
    """A whole file's JSON; malformed JSON is a UserError naming the file and line."""
    try:
        return loads(text)
    except ValueError as exc:
        line = getattr(exc, "lineno", None)
        raise UserError(
            f"not valid JSON ({getattr(exc, 'msg', exc)})", where=file_location(source, line), hint=hint
        ) from None
