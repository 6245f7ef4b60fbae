"""The user's cache folder for what advisor remembers between runs (token counts, parsed vocabularies,
validated price tables), and writing an entry there so that a reader never sees half of it."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


def cache_folder(name: str) -> Path:
    """`$ADVISOR_CACHE_DIR/name`, or `name` in the platform's user cache folder."""
    root = os.environ.get("ADVISOR_CACHE_DIR")
    if not root:
        from platformdirs import user_cache_dir

        root = user_cache_dir("advisor", appauthor=False)
    return Path(root) / name


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
