"""Token counts of prompt files, remembered between runs so `recommend` and `estimate` need not load
a tokenizer (about 0.25 s and 95 MB) to count a prompt they counted before.

An entry is keyed by the file's sha256, how it is read (its extension), the encoding and its
vocabulary's sha256, and the counting code itself (a digest of every module of advisor.tokens, not a
hand-kept list of them, so a change to any counting rule counts every file again). A changed file has another key and is
counted again. An entry is plain JSON sealed with that key (cache_folder.py), and believed only when the
seal matches and its figures are whole numbers that can be a count of that kind of file (a text or a
chat is one item whose smallest and largest are its total; a JSONL file's smallest <= largest <= total,
with at least one item); anything else is counted again and written anew. Entries live one
per file in `$ADVISOR_CACHE_DIR/token-counts/`, or the platform's user cache folder; a cache that cannot
be written only costs the next run the tokenizer load. Streams are not cached.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Any

from advisor.cache_folder import cache_folder, read_sealed, write_sealed
from advisor.parsing.file_text import unreadable
from advisor.parsing.jsonl import is_stream
from advisor.tokens.files import TokenTally, count_source
from advisor.tokens.tokenizer import spec_for

FIELDS = ("kind", "items", "tokens", "smallest", "largest")
FORMAT = "token-count/2"  # the entry's kind and format version, in its seal
KINDS = ("text", "chat", "jsonl")  # tokens.files.Kind
MAX_COUNT = 10**15  # far above any file advisor reads: a figure beyond it is no count


@cache
def _rules_digest() -> str:
    """A digest of the counting code: every module of this package, by name and content."""
    digest = hashlib.sha256()
    for module in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(module.name.encode() + b"\0" + module.read_bytes())
    return digest.hexdigest()[:16]


def _key(data: bytes, source: str, encoding: str) -> str:
    parts = [
        hashlib.sha256(data).hexdigest(),
        Path(source).suffix.lower(),
        encoding,
        spec_for(encoding).sha256,
        _rules_digest(),
    ]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def cached_count(source: str, encoding: str) -> TokenTally:
    """count_source(source, encoding), from the cache when this file was counted before."""
    if is_stream(source):
        return count_source(source, encoding)
    try:
        data = Path(source).read_bytes()
    except OSError as exc:
        raise unreadable(source, exc, "a prompt file") from None
    key = _key(data, source, encoding)
    entry = cache_folder("token-counts") / f"{key}.json"
    payload = read_sealed(entry, FORMAT, key)
    saved = _counts(payload, source) if payload is not None else None
    if saved is not None:
        return TokenTally(source=source, encoding=encoding, **saved)
    tally = count_source(source, encoding)  # not counted yet, or an entry not to be believed: count again
    write_sealed(entry, FORMAT, key, json.dumps({name: getattr(tally, name) for name in FIELDS}).encode())
    return tally


def _counts(payload: bytes, source: str) -> dict[str, Any] | None:
    """The figures an entry holds, when they can be a count of this file's kind; else None."""
    try:
        saved = json.loads(payload)
    except (ValueError, RecursionError):
        return None
    if type(saved) is not dict or set(saved) != set(FIELDS) or saved["kind"] not in KINDS:
        return None
    suffix = Path(source).suffix.lower()  # the kind a file's extension decides (tokens.files.detect_kind)
    if saved["kind"] != {".jsonl": "jsonl", ".json": "chat"}.get(suffix, "text" if suffix else saved["kind"]):
        return None
    figures = [saved[name] for name in ("items", "tokens", "smallest", "largest")]
    if not all(type(figure) is int and 0 <= figure <= MAX_COUNT for figure in figures):
        return None
    items, tokens, smallest, largest = figures
    if saved["kind"] == "jsonl":
        sound = items > 0 and smallest <= largest <= tokens and smallest * items <= tokens <= largest * items
    else:
        sound = items == 1 and smallest == largest == tokens
    return saved if sound else None
