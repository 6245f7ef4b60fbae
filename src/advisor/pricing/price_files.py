"""The user's price files: where their folder is, which of its files are read, and reading one with a bound.

The folder is read on every command, so nothing in it may stop one: an editor's lock or backup file
(`.#openai.toml`, `~$openai.toml`: a name that starts with `.` or `~`) is not a table and is skipped; a
`*.toml` that is not a regular file (a FIFO, a device, a link to nothing, a folder) is left out with a
warning that names it and the folder. A file is at most MAX_PRICE_FILE_BYTES (a `--pricing` pipe or
device is read up to that). A file name that is not UTF-8 is shown with its bytes escaped (`\\xff`), so
it can be printed, cited and cached like any other.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from advisor.errors import UserError
from advisor.parsing.file_text import decode_utf8, read_bytes

# advisor's cap on one price file: the bundled tables are 5 to 21 KiB, so 4 MiB holds hundreds of rows
# of any provider, and a device or a wrong file given by mistake is refused at once
MAX_PRICE_FILE_BYTES = 4 * 2**20
EDITOR_PREFIXES = (".", "~")  # .#x.toml (Emacs lock), .x.toml (hidden), ~$x.toml (Office lock)


def label(path: Path | str) -> str:
    """`path` as text that prints and encodes as UTF-8: bytes of a name that are not UTF-8 as `\\xff`."""
    text = str(path)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(text).decode("utf-8", "backslashreplace")
    return text


def folder_files(folder: Path) -> tuple[list[Path], list[str]]:
    """The price files of `folder` in the order they are read (file-name order), and a warning for each
    `*.toml` left out because it is not a regular file. A missing folder has none."""
    try:
        names = os.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return [], []
    except OSError as exc:
        return [], [f"{label(folder)}: the price folder cannot be read ({exc.strerror}): its tables are left out"]
    files, warnings = [], []
    for name in sorted(names):
        if not name.endswith(".toml") or name.startswith(EDITOR_PREFIXES):
            continue
        path = folder / name
        try:
            mode = os.stat(path).st_mode
        except OSError as exc:
            kind = "a link to nothing" if os.path.islink(path) else f"cannot be read ({exc.strerror})"
        else:
            if stat.S_ISREG(mode):
                files.append(path)
                continue
            kind = _kind(mode)
        warnings.append(
            f"{label(path)}: {kind}, not a price table: left out (the price folder {label(folder)} holds TOML "
            "files; remove it from there)"
        )
    return files, warnings


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def read_price_text(path: Path, folder: Path | None = None) -> str:
    """A price file's text, or one clear error naming it; `folder`: the price folder it was found in (the
    error then names the folder: the file was not given with `--pricing`)."""
    where = label(path)
    try:
        data = read_bytes(path, "a price table", limit=MAX_PRICE_FILE_BYTES)
    except UserError as error:
        if error.where is None:  # not about the file (a setting such as ADVISOR_STREAM_WAIT)
            raise
        hint: str | None
        if folder is not None:
            found = f"it is in your price folder {label(folder)}"
            hint = f"{error.hint}; {found}" if error.hint else found  # never "None; ..."
        elif error.message in ("no such file", "is a folder, not a file") or error.message.startswith("cannot read"):
            hint = "check the path given to --pricing"
        else:  # too large, or a FIFO nobody writes to: its own hint says what to do
            hint = error.hint
        raise UserError(error.message, where=where, hint=hint) from None
    return decode_utf8(data, where)


def user_tables_dir() -> Path:
    """Per-user folder of extra tables: $ADVISOR_CONFIG_DIR/pricing or the platform config dir."""
    root = os.environ.get("ADVISOR_CONFIG_DIR")
    if not root:
        from platformdirs import user_config_dir

        root = user_config_dir("advisor", appauthor=False)
    return Path(root) / "pricing"


def user_price_files(folder: Path) -> list[Path]:
    """The price files of the user's folder, in the order they are read."""
    return folder_files(folder)[0]
