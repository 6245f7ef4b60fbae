"""A user's price file names only tokenizers advisor has: a misspelt `encoding` is refused when the file is
read, with its file, line and key, not accepted until the first count fails far from it.

The tokenizers are the shipped ones and those the installed plugins register (advisor.plugins loads them
before the user's files), so this runs on every read of a user's file, not once when the file is
validated and cached: installing or removing a plugin changes the answer. A row whose `encoding` is not
installed is accepted when its `encoding_fallback` is (the row says what stands in, and how well).
"""

from __future__ import annotations

from typing import Any

from advisor.errors import UserError, file_location
from advisor.parsing.toml_locate import locate
from advisor.pricing.tables import PriceTable, toml_key


def check_encodings(item: Any, text: str) -> None:
    """Refuse the first row of a table or overlay (`item`, read from `text`) that names a tokenizer or chat
    format advisor does not have, and has no installed stand-in."""
    from advisor.tokens.chat_format import FORMATS, split_counting
    from advisor.tokens.tokenizer import is_installed, known_encodings

    for name, fields in _rows(item):
        given: dict[str, str] = {key: value for key in ("encoding", "encoding_fallback") if (value := fields.get(key))}
        for key, counting in given.items():
            fmt = split_counting(counting)[1]
            if fmt is not None and fmt not in FORMATS:
                raise _error(
                    item,
                    text,
                    name,
                    key,
                    f"{counting!r} names the chat format {fmt!r}, which advisor does not have",
                    f"use one of: {', '.join(FORMATS)} (after the encoding)",
                )
        fallback = given.get("encoding_fallback")
        for key in ("encoding", "encoding_fallback"):
            named = given.get(key)
            if named is None or is_installed(named):
                continue
            if key == "encoding" and fallback is not None and is_installed(fallback):
                continue  # the stand-in counts while the row's own tokenizer is not installed
            raise _error(
                item,
                text,
                name,
                key,
                f"{split_counting(named)[0]!r} is not a tokenizer advisor has (installed: "
                f"{', '.join(known_encodings())})",
                "check its spelling; a plugin's tokenizer needs that plugin installed (`advisor providers`), or "
                "give encoding_fallback with its measured error (see docs/pricing.md)",
            )


def _rows(item: Any) -> list[tuple[str, dict[str, Any]]]:
    """(name, fields) of each row of a table, or each entry of an overlay."""
    if isinstance(item, PriceTable):
        return [
            (name, {"encoding": row.encoding, "encoding_fallback": row.encoding_fallback})
            for name, row in item.models.items()
        ]
    return [(name, entry.fields) for name, entry in item.models.items()]


def _error(item: Any, text: str, name: str, key: str, message: str, hint: str) -> UserError:
    line = locate(text, ("models", name, key))
    return UserError(f"models.{toml_key(name)}.{key}: {message}", where=file_location(item.path, line), hint=hint)
