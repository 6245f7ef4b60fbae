"""Printing rich renderables: terminal width on a terminal; when piped or written to a file, the width
`$COLUMNS` asks for, else the tables' natural width (whole rows, never ids cut short with `…`)."""

from __future__ import annotations

import os
from typing import IO, Any


def live(stream: IO[str]) -> bool:
    """Draw progress on `stream`: only on a terminal, and not with `advisor --quiet` (ADVISOR_QUIET)."""
    return stream.isatty() and not os.environ.get("ADVISOR_QUIET")


def asked_width() -> int | None:
    """`$COLUMNS` when it is a positive whole number (a user's or a pager's request), else None."""
    text = os.environ.get("COLUMNS", "").strip()
    return int(text) if text.isascii() and text.isdigit() and 0 < int(text) <= 10_000 else None


def print_wide(*renderables: Any, max_width: int = 200, file: IO[str] | None = None) -> None:
    """Print tables so that a pipe or a file gets whole rows, not rows folded at 80 columns."""
    from rich.console import Console

    console = Console(file=file)
    if not console.is_terminal and (asked := asked_width()) is not None:
        console = Console(width=asked, file=file)
    elif not console.is_terminal:
        unbounded = console.options.update(width=max_width, max_width=max_width)
        widest = max(
            (console.measure(item, options=unbounded).maximum for item in renderables if not isinstance(item, str)),
            default=80,
        )
        console = Console(width=min(max_width, max(80, widest)), file=file)
    for item in renderables:
        console.print(item, highlight=False)
