"""Printing rich renderables: the terminal's width on a terminal; when piped or written to a file, the
width `$COLUMNS` asks for, else 80 columns. Nothing is cut short with `…` to fit: a long id, path or URL
in a table cell folds onto the next line, and a command line is printed whole so that it can be pasted."""

from __future__ import annotations

import os
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

PIPED_WIDTH = 80


def live(stream: IO[str]) -> bool:
    """Draw progress on `stream`: only on a terminal, and not with `advisor --quiet` (ADVISOR_QUIET)."""
    return stream.isatty() and not os.environ.get("ADVISOR_QUIET")


def asked_width() -> int | None:
    """`$COLUMNS` when it is a positive whole number (a user's or a pager's request), else None."""
    text = os.environ.get("COLUMNS", "").strip()
    return int(text) if text.isascii() and text.isdigit() and 0 < int(text) <= 10_000 else None


def console_for(file: IO[str] | None = None, width: int | None = None) -> Console:
    """A console `width` wide if given, else as wide as the terminal, or as `$COLUMNS` (else 80) when the
    output is not a terminal."""
    from rich.console import Console

    console = Console(file=file, width=width)
    if width is None and not console.is_terminal:
        console = Console(file=file, width=asked_width() or PIPED_WIDTH)
    return console


def whole_line(text: str) -> Text:
    """A line never wrapped nor cut (a shell command): the reader's terminal wraps it, a paste keeps it."""
    from rich.text import Text

    return Text(text, no_wrap=True, overflow="ignore")


def print_out(*renderables: Any, file: IO[str] | None = None, width: int | None = None) -> None:
    """Print to stdout (or `file`) at console_for's width, table cells folding rather than cut short."""
    from rich.table import Table

    console = console_for(file, width)
    for item in renderables:
        if isinstance(item, Table):
            _fold_cells(item, console)
        console.print(item, highlight=False, crop=False)


def _fold_cells(table: Table, console: Console) -> None:
    """Long cells fold instead of ending in `…`; headers break between words rather than inside one
    when the table still fits the console that way (rich lets a minimum width overflow it)."""
    from rich.cells import cell_len
    from rich.segment import Segment

    for column in table.columns:
        if column.overflow == "ellipsis":
            column.overflow = "fold"
    before = [column.min_width for column in table.columns]
    for column in table.columns:
        longest = max(map(cell_len, str(column.header).split()), default=0)
        column.min_width = max(column.min_width or 0, longest)
    lines = Segment.split_lines(console.render(table, console.options))
    if max(map(Segment.get_line_length, lines), default=0) > console.width:
        for column, width in zip(table.columns, before, strict=True):
            column.min_width = width
