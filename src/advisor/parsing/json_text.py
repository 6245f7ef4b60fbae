"""Parsing JSON the user wrote, where every failure is a ValueError with a message.

orjson reads what it accepts, twice as fast as the standard library (training files are hundreds of
MB); whatever it refuses is read again by the standard library, so what counts as valid and how an
error reads stay the standard library's (NaN, 1e400 and lone surrogates are accepted, as before).
One difference remains: an integer beyond the 64-bit range is read as a float.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

from advisor.errors import UserError, file_location


def loads(text: str | bytes) -> Any:
    """json.loads, except that input nested too deeply for the parser (`[[[[...`) raises ValueError
    like any other malformed JSON, instead of RecursionError."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return _stdlib_loads(text)


def loads_utf8(data: bytes) -> Any:
    """JSON from bytes that must be UTF-8, in one step when they are valid. Raises UnicodeDecodeError
    (a ValueError: catch it first) with the position of the first bad byte, or ValueError as `loads`."""
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return _stdlib_loads(data.decode("utf-8"))


def _stdlib_loads(text: str | bytes) -> Any:
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
