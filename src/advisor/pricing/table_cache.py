"""Price tables validated before, kept in the user's cache folder so that a command reads a table
without parsing TOML or importing pydantic (together about half of an `advisor estimate`'s start-up).

An entry is keyed by the table's text and the path it is cited by, and by the validating code itself
(a digest of the schema, the validation and the field checks), so an edited table or a new advisor
validates again. Entries are pickles of the validated `PriceTable`, one file each in
`$ADVISOR_CACHE_DIR/price-tables/` or the platform's user cache folder: the user's own folder, written
only by advisor. An entry that cannot be read or unpickled is ignored and written again; a folder that
cannot be written only costs the next run the validation.
"""

from __future__ import annotations

import hashlib
import pickle
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from advisor.cache_folder import cache_folder, write_atomically
from advisor.pricing.tables import PriceTable

T = TypeVar("T")

# the code whose rules decide whether a text is a valid table, and what it becomes
_RULES = (
    "pricing/tables.py",
    "pricing/table_validation.py",
    "pricing/overlay.py",
    "pricing/overlay_validation.py",
    "parsing/constraints.py",
    "parsing/quantities.py",
    "methods.py",
)


@cache
def _rules_digest() -> bytes:
    package = Path(__file__).parent.parent
    digest = hashlib.sha256()
    for module in _RULES:
        digest.update((package / module).read_bytes())
    return digest.digest()


def _entry(text: str, path: str) -> Path:
    key = hashlib.sha256(_rules_digest() + path.encode() + b"\0" + text.encode("utf-8", "surrogatepass"))
    return cache_folder("price-tables") / f"{key.hexdigest()}.pickle"


def load(text: str, path: str, kind: type[T] = PriceTable) -> T | None:  # type: ignore[assignment]
    """The table (or overlay: `kind`) validated from exactly this text and path before, or None."""
    try:
        table = pickle.loads(_entry(text, path).read_bytes())
    except Exception:  # not validated yet, or a damaged entry (any unpickling error): validate again
        return None
    return table if isinstance(table, kind) else None


def store(text: str, path: str, table: Any) -> None:
    write_atomically(_entry(text, path), pickle.dumps(table, protocol=pickle.HIGHEST_PROTOCOL))

