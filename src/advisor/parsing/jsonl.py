"""The one JSONL reader: lines end at `\\n` only, any source (a file, a pipe, `/dev/fd/N`, a FIFO, stdin)
is read in blocks of whole lines, and nothing endless or enormous is read without a limit.

JSON strings may hold U+2028, U+2029, U+0085, form feeds and lone `\\r`: `str.splitlines()` would cut
lines there, so no reader of user JSONL may use it. A line may be at most MAX_LINE_BYTES long: that
bounds the memory a single line can take (an endless input such as `/dev/zero` hits it too). A FIFO
with no writer is waited for at most STREAM_WAIT_SECONDS (`$ADVISOR_STREAM_WAIT` to change it, up to an
hour).
"""

from __future__ import annotations

import os
import select
import stat
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from advisor.errors import UserError, file_location
from advisor.parsing.environment import seconds_from_env
from advisor.parsing.file_text import unreadable

MAX_LINE_BYTES = 64 * 1024 * 1024
MAX_DOCUMENT_BYTES = 64 * 1024 * 1024  # a whole text or chat JSON file
BLOCK_BYTES = 2 * 1024 * 1024
STREAM_WAIT_SECONDS = 30.0
MOST_STREAM_WAIT_SECONDS = 3600.0  # $ADVISOR_STREAM_WAIT may wait longer, never for ever


def text_lines(text: str) -> list[str]:
    """Lines of decoded text, cut at `\\n` only (a trailing `\\r` is removed)."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line.removesuffix("\r") for line in lines]


def is_stream(path: str) -> bool:
    """True for stdin (`-`), pipes, FIFOs, character devices and anything else that is not a regular
    file: such sources cannot be measured, cut into ranges or read twice."""
    if path == "-":
        return True
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False  # opening it gives the right error
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def line_too_long(source: str, line: int, size: int) -> UserError:
    return UserError(
        f"a line is longer than {MAX_LINE_BYTES // 2**20} MiB (at least {size / 2**20:,.0f} MiB without a newline), "
        "the limit on one JSONL line",
        where=file_location(source, line),
        hint="give a JSONL file with one example per line (is this the right file?)",
    )


def open_stream(path: str) -> BinaryIO:
    """Open a stream for reading in binary; a FIFO nobody writes to is an error after a bounded wait."""
    if path == "-":
        return sys.stdin.buffer
    try:
        if stat.S_ISFIFO(os.stat(path).st_mode):
            return _open_fifo(path)
        return open(path, "rb")
    except OSError as exc:
        raise unreadable(path, exc, "a file") from None


def _open_fifo(path: str) -> BinaryIO:
    """A plain open() of a FIFO blocks until a writer opens it, possibly forever: open without
    blocking, then wait (bounded) until a writer has written or closed."""
    wait = seconds_from_env("ADVISOR_STREAM_WAIT", STREAM_WAIT_SECONDS, most=MOST_STREAM_WAIT_SECONDS)
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        # Linux reports no event on a FIFO no writer has opened yet, POLLIN once data arrives and
        # POLLHUP once the writer is gone, so one poll tells a late writer from none at all
        poller = select.poll()
        poller.register(fd, select.POLLIN | select.POLLHUP)
        if not poller.poll(wait * 1000):
            raise UserError(
                f"nothing was written to this FIFO within {wait:g} s (no writer)",
                where=path,
                hint="start the program that writes to it first, or give a regular file "
                "(ADVISOR_STREAM_WAIT=SECONDS waits longer)",
            )
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


@dataclass(frozen=True)
class Block:
    """Whole lines of a source: `data` for a stream (already read), or bytes [start, end) of a regular
    file that the worker reads itself. `last` is True for the source's final block."""

    start: int
    end: int
    data: bytes | None = None
    last: bool = False


def file_ranges(path: str, block_bytes: int = BLOCK_BYTES) -> Iterator[Block]:
    """Byte ranges of a regular file of about `block_bytes` that start at a line start and end after a
    newline (or at the end of the file); a line longer than MAX_LINE_BYTES is an error."""
    size = os.path.getsize(path)
    start = 0
    with open(path, "rb") as handle:
        while start < size:
            end = min(size, start + block_bytes)
            if end < size:
                handle.seek(end)
                while True:
                    block = handle.read(1 << 16)
                    if not block:
                        end = size
                        break
                    newline = block.find(b"\n")
                    if newline >= 0:
                        end += newline + 1
                        break
                    end += len(block)
                    if end - start > MAX_LINE_BYTES + block_bytes:
                        raise line_too_long(path, 0, end - start)
            yield Block(start, end, last=end >= size)
            start = end


def stream_blocks(handle: BinaryIO, source: str, head: bytes = b"", block_bytes: int = BLOCK_BYTES) -> Iterator[Block]:
    """Blocks of whole lines read from a stream; `head` is what was already read from it. The line
    numbers in errors count from the start of the stream."""
    pending = head
    offset = 0
    lines_before = 1
    while True:
        more = handle.read(block_bytes)
        if not more:
            if pending:
                yield Block(offset, offset + len(pending), pending, last=True)
            return
        pending += more
        cut = pending.rfind(b"\n")
        if cut < 0:
            if len(pending) > MAX_LINE_BYTES:
                raise line_too_long(source, lines_before, len(pending))
            continue
        data, pending = pending[: cut + 1], pending[cut + 1 :]
        if len(pending) > MAX_LINE_BYTES:
            raise line_too_long(source, lines_before + data.count(b"\n"), len(pending))
        lines_before += data.count(b"\n")
        yield Block(offset, offset + len(data), data)
        offset += len(data)


def read_document(path: str, handle: BinaryIO | None = None, head: bytes = b"") -> bytes:
    """A whole file (text or one JSON document) of at most MAX_DOCUMENT_BYTES, from a path or a stream."""
    try:
        if handle is None and not is_stream(path):
            with open(path, "rb") as opened:
                data = opened.read(MAX_DOCUMENT_BYTES + 1)
        else:
            stream = handle or open_stream(path)
            data = head + stream.read(MAX_DOCUMENT_BYTES + 1 - len(head))
    except OSError as exc:
        raise unreadable(path, exc, "a file") from None
    if len(data) > MAX_DOCUMENT_BYTES:
        raise UserError(
            f"is larger than {MAX_DOCUMENT_BYTES // 2**20} MiB, the limit on a text or chat JSON file",
            where=path,
            hint="split it, or give JSONL (one example per line, --as jsonl), which has no size limit",
        )
    return data
