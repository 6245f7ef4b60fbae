"""Reading the user's files: one clear error for a file that cannot be read or is not UTF-8."""

from __future__ import annotations

from pathlib import Path

from advisor.errors import UserError, file_location


def unreadable(path: object, exc: OSError, what: str = "a file") -> UserError:
    """The error for a file that could not be opened or read; `what` names what was expected."""
    if isinstance(exc, FileNotFoundError):
        return UserError("no such file", where=str(path), hint="check the path")
    if isinstance(exc, IsADirectoryError):
        return UserError("is a folder, not a file", where=str(path), hint=f"name {what}")
    return UserError(f"cannot read ({exc.strerror})", where=str(path), hint="check the path and its permissions")


def read_bytes(path: str | Path, what: str = "a file") -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise unreadable(path, exc, what) from None


def decode_utf8(data: bytes, source: object) -> str:
    """UTF-8 text without a BOM; a decoding error names its line."""
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise UserError(
            f"not UTF-8 text (byte {exc.start + 1})", where=file_location(source, line), hint="save the file as UTF-8"
        ) from None


def read_utf8(path: str | Path, what: str = "a file") -> str:
    return decode_utf8(read_bytes(path, what), path)
