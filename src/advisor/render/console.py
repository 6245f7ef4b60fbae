"""Printing rich renderables: terminal width on a terminal, natural width when piped."""

from __future__ import annotations

from typing import IO, Any


def print_wide(*renderables: Any, max_width: int = 200, file: IO[str] | None = None) -> None:
    """Print tables so that a pipe or a file gets whole rows, not rows folded at 80 columns."""
    from rich.console import Console

    console = Console(file=file)
    if not console.is_terminal:
        unbounded = console.options.update(width=max_width, max_width=max_width)
        widest = max(
            (console.measure(item, options=unbounded).maximum for item in renderables if not isinstance(item, str)),
            default=80,
        )
        console = Console(width=min(max_width, max(80, widest)), file=file)
    for item in renderables:
        console.print(item, highlight=False)
