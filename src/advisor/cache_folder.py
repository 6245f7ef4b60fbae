"""The user's cache folder for what advisor remembers between runs (token counts, parsed vocabularies,
validated price tables, genai-prices' data), and the one way an entry is written and read there.

A cache folder may be shared, restored from elsewhere (as CI caches are) or edited, so an entry is
data, never code, and is believed only when it proves what it is: `seal` puts a header line before the
payload naming what kind of entry it is (with its format's version), what it was built from (a digest
of its inputs and of the code that built it) and the sha256 of the payload. `read_sealed` returns the
payload only when all three match what the reader expects, and only from a regular file of a bounded
size (a FIFO or /dev/zero put in an entry's place is refused, never waited for). Anything else is a
miss: the caller builds the value again and writes the entry anew. The payload's digest catches damage
and edits; it is no signature (anyone who can write the folder can compute a sha256), so each reader
also checks the values themselves (types and ranges), and the vocabulary cache checks its payload
against a digest published in the code (tokens/ranks_cache.py).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path

MAX_ENTRY = 64 * 1024 * 1024  # bytes: the largest entry (a parsed vocabulary) is under 3 MB
_MAGIC = b"advisor-cache"


def cache_folder(name: str) -> Path:
    """`$ADVISOR_CACHE_DIR/name`, or `name` in the platform's user cache folder."""
    root = os.environ.get("ADVISOR_CACHE_DIR")
    if not root:
        from platformdirs import user_cache_dir

        root = user_cache_dir("advisor", appauthor=False)
    return Path(root) / name


def seal(kind: str, built_from: str, payload: bytes) -> bytes:
    """An entry: the header line (kind, what it was built from, the payload's sha256), then the payload.
    `kind` and `built_from` are single words (a name and version, a hex digest)."""
    digest = hashlib.sha256(payload).hexdigest()
    return b" ".join((_MAGIC, kind.encode(), built_from.encode(), digest.encode())) + b"\n" + payload


def unseal(data: bytes, kind: str, built_from: str, digest: str | None = None) -> bytes | None:
    """The payload of an entry sealed as `kind` from `built_from` whose digest matches (and is `digest`,
    when the payload's sha256 is known beforehand), else None."""
    header, newline, payload = data.partition(b"\n")
    if not newline:
        return None
    actual = hashlib.sha256(payload).hexdigest()
    if digest is not None and actual != digest:
        return None
    expected = b" ".join((_MAGIC, kind.encode(), built_from.encode(), actual.encode()))
    return payload if header == expected else None


def read_sealed(entry: Path, kind: str, built_from: str) -> bytes | None:
    """The payload of the entry at `entry`, or None when it is missing, not a regular file, too large,
    unreadable, or not sealed as `kind` from `built_from` with its own digest."""
    data = read_entry(entry)
    return None if data is None else unseal(data, kind, built_from)


def read_entry(entry: Path) -> bytes | None:
    """An entry file's bytes: a regular file of at most MAX_ENTRY bytes, opened without following a
    symbolic link or waiting on a FIFO; None for anything else."""
    import stat

    try:
        fd = os.open(entry, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_ENTRY:
            return None
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(MAX_ENTRY + 1)
        return data if len(data) <= MAX_ENTRY else None
    except OSError:
        return None
    finally:
        os.close(fd)


def write_sealed(entry: Path, kind: str, built_from: str, payload: bytes) -> None:
    """Seal `payload` and write it atomically (see write_atomically)."""
    write_atomically(entry, seal(kind, built_from, payload))


def write_atomically(entry: Path, data: bytes) -> None:
    """Write a temporary file beside `entry` and rename it. A folder that cannot be written only loses
    the entry (a cache is never worth a failed command)."""
    import tempfile  # only when writing: not on the path of every read

    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=entry.parent, prefix=".tmp-", suffix=entry.suffix)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(temporary, entry)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise
    except OSError:
        pass
