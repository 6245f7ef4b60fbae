"""Reading the user's files: one clear error for a file that cannot be read or is not UTF-8, and never
more than a stated number of bytes. Each kind of file read whole has its cap (a scenario, a grader, a price
table: docs/recommendations.md and docs/pricing.md say which); a file larger than it is refused before it
is read, and a device or a pipe is read only up to it, so `/dev/zero` is an error, not a full memory. A
FIFO nobody writes to is waited for at most STREAM_WAIT_SECONDS (`$ADVISOR_STREAM_WAIT`), never forever."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO

from advisor.errors import UserError, file_location

STREAM_WAIT_SECONDS = 30.0
MAX_STREAM_WAIT_SECONDS = 3600.0  # an hour: longer is a mistake, not a wait


def stream_wait() -> float:
    """Seconds to wait for a FIFO's writer: `$ADVISOR_STREAM_WAIT`, checked, else STREAM_WAIT_SECONDS."""
    from advisor.parsing.environment import seconds_from_env

    return seconds_from_env("ADVISOR_STREAM_WAIT", STREAM_WAIT_SECONDS, most=MAX_STREAM_WAIT_SECONDS)


def open_fifo(path: str | Path) -> BinaryIO:
    """A plain open() of a FIFO blocks until a writer opens it, possibly forever: open without
    blocking, then wait (bounded) until a writer has written or closed."""
    import select

    wait = stream_wait()
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        # Linux reports no event on a FIFO no writer has opened yet, POLLIN once data arrives and
        # POLLHUP once the writer is gone, so one poll tells a late writer from none at all
        poller = select.poll()
        poller.register(fd, select.POLLIN | select.POLLHUP)
        if not poller.poll(wait * 1000):
            raise UserError(
                f"nothing was written to this FIFO within {wait:g} s (no writer)",
                where=str(path),
                hint="start the program that writes to it first, or give a regular file "
                "(ADVISOR_STREAM_WAIT=SECONDS waits longer)",
            )
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def size_words(size: int) -> str:
    """`1 MiB`, `64 KiB`, `300 bytes`: a cap as the docs write it."""
    for unit, name in ((2**30, "GiB"), (2**20, "MiB"), (2**10, "KiB")):
        if size >= unit and size % unit == 0:
            return f"{size // unit:,} {name}"
    return f"{size:,} bytes"


def too_large(path: object, limit: int, what: str, *, stream: bool = False) -> UserError:
    """The error for a file over its cap (`what`: "a scenario file")."""
    if stream:
        message = f"gives more than {size_words(limit)} (it is not a regular file), the limit on {what}"
    else:
        message = f"is larger than {size_words(limit)}, the limit on {what}"
    return UserError(message, where=str(path), hint="is this the right file?")


def expand_user(path: str) -> Path:
    """`path` with `~` (the home folder) or `~user` expanded; an unknown user is one clear error."""
    try:
        return Path(path).expanduser()
    except RuntimeError:  # pathlib: "Could not determine home directory."
        user = path.replace("\\", "/").split("/", 1)[0]
        raise UserError(
            f"{user} is no user's home folder on this machine",
            where=path,
            hint="write the path without ~, or ~/ for your own home folder",
        ) from None


def unreadable(path: object, exc: OSError, what: str = "a file") -> UserError:
    """The error for a file that could not be opened or read; `what` names what was expected."""
    if isinstance(exc, FileNotFoundError):
        return UserError("no such file", where=str(path), hint="check the path")
    if isinstance(exc, IsADirectoryError):
        return UserError("is a folder, not a file", where=str(path), hint=f"name {what}")
    return UserError(f"cannot read ({exc.strerror})", where=str(path), hint="check the path and its permissions")


def read_bytes(path: str | Path, what: str = "a file", *, limit: int) -> bytes:
    """The whole of a file of at most `limit` bytes: a regular file over it is refused before it is read;
    a device or a pipe is read up to it (a FIFO waited for, bounded), so nothing endless fills memory."""
    try:
        mode = os.stat(path).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(21, "Is a directory")
        regular = stat.S_ISREG(mode)
        handle = open_fifo(path) if stat.S_ISFIFO(mode) else open(path, "rb")  # noqa: SIM115 (closed below)
        with handle:
            if regular and os.fstat(handle.fileno()).st_size > limit:
                raise too_large(path, limit, what)
            data = handle.read(limit + 1)
    except OSError as exc:
        raise unreadable(path, exc, what) from None
    if len(data) > limit:
        raise too_large(path, limit, what, stream=not regular)
    return data


def looks_like_utf16(data: bytes) -> str | None:
    """ "little-endian" or "big-endian" when `data` reads as UTF-16: a UTF-16 BOM, or (without one) NUL bytes
    in every other position, as mostly-ASCII text has in UTF-16; None otherwise."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) and not data.startswith(b"\xff\xfe\x00\x00"):
        return "little-endian" if data.startswith(b"\xff\xfe") else "big-endian"
    sample = data[:4096]
    pairs = len(sample) // 2
    if pairs < 1:
        return None
    even, odd = sample[0 : pairs * 2 : 2].count(0), sample[1 : pairs * 2 : 2].count(0)
    if odd >= pairs * 0.6 and even == 0:
        return "little-endian"
    if even >= pairs * 0.6 and odd == 0:
        return "big-endian"
    return None


def decode_utf8(data: bytes, source: object) -> str:
    """UTF-8 text without a BOM; a decoding error names its line. UTF-16 (with or without a BOM) is named as
    such: its ASCII part would otherwise decode as UTF-8 with a NUL after every character."""
    utf16 = looks_like_utf16(data)
    if utf16 is not None:
        raise UserError(
            f"looks like UTF-16 ({utf16}) text, not UTF-8",
            where=str(source),
            hint="save the file as UTF-8 (e.g. `iconv -f UTF-16 -t UTF-8`)",
        )
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise UserError(
            f"not UTF-8 text (byte {exc.start + 1})", where=file_location(source, line), hint="save the file as UTF-8"
        ) from None


def read_utf8(path: str | Path, what: str = "a file", *, limit: int) -> str:
    return decode_utf8(read_bytes(path, what, limit=limit), path)
