"""Price tables validated before, kept in the user's cache folder so that a command reads a table
without parsing TOML or importing pydantic (together about half of an `advisor estimate`'s start-up).

An entry is the validated `PriceTable` (or `Overlay`) as plain JSON (parsing/plain_data.py), sealed
(cache_folder.py) with what it was built from: the table's text, the path it is cited by, and the
schema's version (pricing/tables.py: SCHEMA_VERSION, tied to the schema's code by
tests/test_price_schema_version.py). It is named by the same digest, so an edited table or a new schema
validates again. An entry is believed only when its seal matches (kind, source digest, the payload's
own sha256) and its data builds the schema's dataclasses again under the schema's own checks (types,
ranges, literals, each dataclass's rules) with the path asked for; anything else (a damaged or edited
entry, a pickle, a value of the wrong type, a price out of range) is validated from the TOML again and
written anew. A folder that cannot be written only costs the next run the validation.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, TypeVar, overload

from advisor.cache_folder import cache_folder, read_sealed, write_sealed
from advisor.parsing.plain_data import NotPlain, from_plain, to_plain
from advisor.pricing.tables import SCHEMA_VERSION, PriceTable

T = TypeVar("T")

FORMAT = "price-table/2"  # the entry's kind and format version, in its seal


def built_from(text: str, path: str, version: int | None = None) -> str:
    """The digest of what an entry is built from: the schema's version (how a valid text becomes a table:
    pricing/tables.py, SCHEMA_VERSION, unless `version` is given), the path and the text."""
    version = SCHEMA_VERSION if version is None else version
    source = f"{FORMAT} schema {version}\0{path}\0{text}".encode("utf-8", "surrogatepass")
    return hashlib.sha256(source).hexdigest()


def entry_path(text: str, path: str) -> Path:
    return cache_folder("price-tables") / f"{built_from(text, path)}.json"


@overload
def load(text: str, path: str) -> PriceTable | None: ...
@overload
def load(text: str, path: str, kind: type[T]) -> T | None: ...
def load(text: str, path: str, kind: type[object] = PriceTable) -> object | None:
    """The table (or overlay: `kind`) validated from exactly this text and path before, or None."""
    source = built_from(text, path)
    payload = read_sealed(cache_folder("price-tables") / f"{source}.json", FORMAT, source)
    if payload is None:
        return None
    try:
        plain = json.loads(payload)
        if type(plain) is not dict or plain.get("kind") != kind.__name__:
            return None
        table = from_plain(kind, plain["data"])
    except (ValueError, KeyError, RecursionError):  # NotPlain, a JSON error: validate from the TOML again
        return None
    return table if getattr(table, "path", None) == path else None


def store(text: str, path: str, table: Any) -> None:
    """Keep a validated table, unless it does not read back as itself (then it is validated every time)."""
    try:
        plain = {"kind": type(table).__name__, "data": to_plain(table)}
        if from_plain(type(table), plain["data"]) != table:
            return
    except (TypeError, NotPlain):
        return
    source = built_from(text, path)
    payload = json.dumps(plain, separators=(",", ":")).encode()  # ASCII: a path's lone surrogates are escaped
    write_sealed(cache_folder("price-tables") / f"{source}.json", FORMAT, source, payload)
