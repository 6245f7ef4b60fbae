"""Token counts of prompt files, remembered between runs so `recommend` and `estimate` need not load
a tokenizer (about 0.25 s and 95 MB) to count a prompt they counted before.

An entry is keyed by the file's sha256, how it is read (its extension), the encoding and its
vocabulary's sha256, and the counting code itself (a digest of tokens/count.py, files.py and chat_format.py,
so a change to the counting rules counts every file again). A changed file has another key and is
counted again. Entries live one per file in `$ADVISOR_CACHE_DIR/token-counts/`, or the platform's
user cache folder; an entry that cannot be read or does not parse is ignored and written again, and a
cache that cannot be written only costs the next run the tokenizer load. Streams are not cached.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path

from advisor.cache_folder import cache_folder, write_atomically
from advisor.parsing.file_text import unreadable
from advisor.parsing.jsonl import is_stream
from advisor.tokens.files import TokenTally, count_source
from advisor.tokens.tokenizer import spec_for

FIELDS = ("kind", "items", "tokens", "smallest", "largest")


@cache
def _rules_digest() -> str:
    digest = hashlib.sha256()
    for module in ("count.py", "files.py", "chat_format.py"):
        digest.update((Path(__file__).with_name(module)).read_bytes())
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
    entry = cache_folder("token-counts") / f"{_key(data, source, encoding)}.json"
    try:
        saved = json.loads(entry.read_text(encoding="utf-8"))
        return TokenTally(source=source, encoding=encoding, **{name: saved[name] for name in FIELDS})
    except (OSError, ValueError, KeyError, TypeError):
        pass  # not counted yet, or a damaged entry: count again and write it anew
    tally = count_source(source, encoding)
    write_atomically(entry, json.dumps({name: getattr(tally, name) for name in FIELDS}).encode())
    return tally
