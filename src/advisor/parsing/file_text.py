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


def read_utf8(path: str | Path, what: str = "a file") -> str:
    return decode_utf8(read_bytes(path, what), path)
