"""What is checked is what is sent: every file a launch uses (training, validation, grader) is read once,
into a private copy named by its sha256, and the dataset check, the fingerprint and the upload all use
that copy.

Without it, a pipe (`cat train.jsonl | advisor launch --training-file /dev/stdin`, or `<(...)`) is read to
its end by the check and then uploaded empty, and a file edited between the check and the upload sends
bytes nobody checked. The copies live in a folder of their own under the job ledger's
(`$ADVISOR_DATA_DIR/checked/<pid>-<random>/`, readable by the user only) and are removed when the
command ends, whatever happens; a folder left by a killed process is removed by the next launch. A
launch that is resumed reads its files again: the same bytes give the same digest, so the same launch.

Reading is bounded: a regular file is copied only when the folder has room for it and it is at most
MAX_FILE_BYTES; a pipe, FIFO or device is read up to MAX_STREAM_BYTES (a JSONL line at most
MAX_LINE_BYTES: `/dev/zero` is refused after 64 MiB), a FIFO nobody writes to is waited for at most
$ADVISOR_STREAM_WAIT seconds, and an empty source is refused, never sent.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import BinaryIO, Literal

from advisor.errors import UserError
from advisor.parsing.file_text import unreadable
from advisor.parsing.jsonl import MAX_DOCUMENT_BYTES, MAX_LINE_BYTES, open_stream

Role = Literal["training", "validation", "grader"]

MAX_FILE_BYTES = 64 * 2**30  # above every provider's upload limit (Together's 50.1 GB, OpenAI's 512 MB)
MAX_STREAM_BYTES = 4 * 2**30  # a pipe, FIFO or device; more than this: save it to a file first
ROOM_BYTES = 64 * 2**20  # left free on the disk beside a copy
BLOCK_BYTES = 1 << 20


@dataclass(frozen=True)
class CheckedFile:
    """A file as it was read once: where it came from, the private copy, its size and its sha256."""

    role: Role
    source: str  # as the user gave it: train.jsonl, /dev/stdin, /dev/fd/63
    path: Path  # the copy the check reads and the provider uploads
    size: int
    sha256: str

    def record(self) -> dict[str, object]:
        """What the job ledger keeps of it (not the copy's path: the copy is gone when the command ends)."""
        return {"source": self.source, "bytes": self.size, "sha256": self.sha256}


def copies_root() -> Path:
    """`checked/` beside the job ledger."""
    from advisor.providers.ledger import ledger_path

    return ledger_path().parent / "checked"


class CheckedCopies:
    """One command's private folder of copies; `with CheckedCopies() as copies:` removes it at the end."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root or copies_root()
        self.folder: Path | None = None

    def __enter__(self) -> CheckedCopies:
        try:
            self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
            _remove_abandoned(self.root)
            self.folder = Path(tempfile.mkdtemp(prefix=f"{os.getpid()}-", dir=self.root))  # mode 0700
        except OSError as exc:
            raise UserError(
                f"cannot make a private folder for the checked copies ({exc.strerror or exc})",
                where=str(self.root),
                hint="check its permissions, or set ADVISOR_DATA_DIR to a folder you can write",
            ) from None
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None
        with contextlib.suppress(OSError):
            self.root.rmdir()  # only when no other command is using it

    def copy(self, role: Role, source: str) -> CheckedFile:
        """Read `source` once into the folder; refuse what cannot be read with a bound, or is empty."""
        assert self.folder is not None, "use CheckedCopies as a context manager"
        jsonl = role != "grader"
        regular, size = _kind(source)
        if regular:
            limit = MAX_FILE_BYTES if jsonl else MAX_DOCUMENT_BYTES
            if size > limit:
                raise UserError(
                    f"is {size:,} bytes, more than the {_bytes(limit)} advisor reads for a {role} file",
                    where=source,
                    hint="no provider takes a file this large" if jsonl else "is this the right file?",
                )
            self._check_room(size)
            handle = _open_regular(source)
        else:
            limit = MAX_STREAM_BYTES if jsonl else MAX_DOCUMENT_BYTES
            handle = open_stream(source)
        temporary = self.folder / f".{role}.part"
        try:
            reader = _Bounded(handle, source, limit, regular, MAX_LINE_BYTES if jsonl and not regular else None)
            written, sha256 = self._write(temporary, reader)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        finally:
            if handle is not sys.stdin.buffer:
                handle.close()
        if written == 0:
            temporary.unlink(missing_ok=True)
            raise UserError(
                "is empty (0 bytes read): there is nothing to check or send",
                where=source,
                hint="a pipe or `<(...)` can be read once only: is the command that writes it right?"
                if not regular
                else f"give the {role} data",
            )
        final = self.folder / f"{sha256}.{'jsonl' if jsonl else 'json'}"
        os.replace(temporary, final)
        return CheckedFile(role, source, final, written, sha256)

    def _write(self, target: Path, reader: _Bounded) -> tuple[int, str]:
        """Copy what `reader` gives into `target` (readable by the user only) while hashing it."""
        digest = hashlib.sha256()
        written = 0
        try:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as out:
                for block in reader:
                    digest.update(block)
                    out.write(block)
                    written += len(block)
        except OSError as exc:
            raise UserError(
                f"cannot write the checked copy ({exc.strerror or exc})",
                where=str(target.parent),
                hint="free some space, or set ADVISOR_DATA_DIR to a folder on a disk with room"
                if exc.errno in _NO_ROOM
                else "check the folder's permissions, or set ADVISOR_DATA_DIR to another folder",
            ) from None
        return written, digest.hexdigest()

    def _check_room(self, size: int) -> None:
        assert self.folder is not None
        try:
            free = shutil.disk_usage(self.folder).free
        except OSError:
            return
        if free < size + ROOM_BYTES:
            raise UserError(
                f"no room for the checked copy: {size:,} bytes needed, {free:,} free",
                where=str(self.folder.parent),
                hint="free some space, or set ADVISOR_DATA_DIR to a folder on a disk with room",
            )


_NO_ROOM = {errno.ENOSPC, errno.EFBIG, getattr(errno, "EDQUOT", errno.ENOSPC)}


class _Bounded:
    """The blocks of a source, refusing more than `limit` bytes and (for a stream of JSONL) a line longer
    than `longest_line`: an endless source without newlines (`/dev/zero`) stops there."""

    def __init__(self, handle: BinaryIO, source: str, limit: int, regular: bool, longest_line: int | None) -> None:
        self.handle, self.source, self.limit, self.regular, self.longest_line = (
            handle,
            source,
            limit,
            regular,
            longest_line,
        )

    def __iter__(self) -> Iterator[bytes]:
        total = 0
        since_newline = 0  # bytes since the last newline
        while True:
            try:
                block = self.handle.read(BLOCK_BYTES)
            except OSError as exc:
                raise unreadable(self.source, exc, "a file") from None
            if not block:
                return
            total += len(block)
            if total > self.limit:
                raise UserError(
                    f"is larger than {_bytes(self.limit)}, the most advisor reads from "
                    + ("a file of this kind" if self.regular else "a pipe, FIFO or device"),
                    where=self.source,
                    hint="is this the right file?" if self.regular else "save it to a file and give that file",
                )
            if self.longest_line is not None:
                first = block.find(b"\n")
                if first < 0:
                    since_newline += len(block)
                else:
                    self._line_fits(since_newline + first)
                    since_newline = len(block) - block.rfind(b"\n") - 1
                self._line_fits(since_newline)
            yield block

    def _line_fits(self, length: int) -> None:
        assert self.longest_line is not None
        if length > self.longest_line:
            raise UserError(
                f"no newline in the first {_bytes(self.longest_line)} of a line, the longest a JSONL line may be",
                where=self.source,
                hint="give JSONL, one example per line (is this the right file?)",
            )


def _kind(source: str) -> tuple[bool, int]:
    """(regular file, its size); a folder or a missing path is the usual error."""
    if source == "-":
        return False, 0
    try:
        info = os.stat(source)
    except OSError as exc:
        raise unreadable(source, exc, "a JSONL file") from None
    if stat.S_ISDIR(info.st_mode):
        raise unreadable(source, IsADirectoryError(source), "a JSONL file")
    return stat.S_ISREG(info.st_mode), info.st_size


def _open_regular(source: str) -> BinaryIO:
    try:
        return open(source, "rb")  # closed by the caller
    except OSError as exc:
        raise unreadable(source, exc, "a file") from None


def _bytes(count: int) -> str:
    return f"{count // 2**30} GiB" if count >= 2**30 else f"{count // 2**20} MiB"


def _remove_abandoned(root: Path) -> None:
    """Remove folders whose command has ended without removing them (killed): `<pid>-...` of a process
    that no longer runs. A pid in use again only keeps its folder a little longer. (Not on Windows, where
    os.kill ends the process instead of asking whether it runs.)"""
    if os.name == "nt":
        return
    for folder in root.iterdir():
        pid_text = folder.name.partition("-")[0]
        if not pid_text.isdigit() or int(pid_text) == os.getpid():
            continue
        try:
            os.kill(int(pid_text), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except (PermissionError, OSError, OverflowError):
            continue
