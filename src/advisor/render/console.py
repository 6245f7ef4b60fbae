"""Printing rich renderables: the terminal's width on a terminal; when piped or written to a file, the
width `$COLUMNS` asks for, else 80 columns. Nothing is cut short with `…` to fit: a table's columns are
laid out so that no word, number or id breaks across lines (render.fit), and a command line is printed
whole so that it can be pasted.

Every string is shown as written: the console reads no rich markup and no emoji codes (a scenario named
`[/]` or a path with `[red]x` prints as it is; styles are given as `styled` text), and every control
character that reaches the terminal (an escape sequence in a name, a bidi override in a provider's
message) is written as an escape (advisor.safe_text). `echo` does the same for plain lines."""

from __future__ import annotations

import os
from functools import cache
from typing import IO, TYPE_CHECKING, Any

import click

from advisor.safe_text import terminal, visible

if TYPE_CHECKING:
    from rich.console import Console
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
    output is not a terminal; it shows every string as written (no markup, emoji codes or controls)."""
    console = _literal_console(file=file, width=width)
    if width is None and not console.is_terminal:
        console = _literal_console(file=file, width=asked_width() or PIPED_WIDTH)
    return console


def _literal_console(file: IO[str] | None, width: int | None) -> Console:
    return _literal_console_class()(file=file, width=width, markup=False, emoji=False, highlight=False)


@cache
def _literal_console_class() -> type[Console]:
    from rich.console import Console

    class LiteralConsole(Console):
        """Strings are text, never markup; their control characters are escapes before layout."""

        def render_str(self, text: str, **options: Any) -> Text:
            return super().render_str(terminal(text), **{**options, "markup": False, "emoji": False})

    return LiteralConsole


def styled(text: str, style: str | None = None) -> Text:
    """`text` as written, in `style` ("bold", "red"): how renderers style what they print."""
    from rich.text import Text

    return Text(terminal(text), style=style or "")


def assembled(*parts: str | tuple[str, str | None]) -> Text:
    """One line of several parts, each plain or (text, style)."""
    from rich.text import Text

    return Text.assemble(*((terminal(p[0]), p[1] or "") if isinstance(p, tuple) else terminal(p) for p in parts))


def whole_line(text: str) -> Text:
    """A line never wrapped nor cut (a shell command): the reader's terminal wraps it, a paste keeps it."""
    from rich.text import Text

    return Text(terminal(text), no_wrap=True, overflow="ignore")


def echo(text: str = "", *, err: bool = False, nl: bool = True) -> None:
    """Plain text (click.echo) with its control characters but newlines and tabs written as escapes."""
    click.echo(terminal(text), err=err, nl=nl)


def line(text: str = "", *, err: bool = False) -> None:
    """One line of plain text: every control character in it written as an escape, newlines too (a job id
    or a provider's message cannot start a line of its own)."""
    click.echo(visible(text), err=err)


def print_out(*renderables: Any, file: IO[str] | None = None, width: int | None = None) -> None:
    """Print to stdout (or `file`) at console_for's width, each table fitted to it (render.fit)."""
    from rich.table import Table

    from advisor.render.fit import fit_table

    console = console_for(file, width)
    for item in renderables:
        if isinstance(item, Table):
            fit_table(item, console)
        # a whole line (a command) is soft-wrapped: rich 14 folds a Text's own no_wrap at the width, and a
        # command broken by newlines would not run when pasted; the terminal wraps it for the eye only
        whole = isinstance(item, _text_class()) and item.no_wrap is True
        console.print(_guarded(item), highlight=False, crop=False, soft_wrap=whole)


def _text_class() -> type[Text]:
    from rich.text import Text

    return Text


def _guarded(item: Any) -> Any:
    """`item` with no control character left for the terminal: a string is cleaned by the console before
    layout, a Text here, anything else (a table, a panel) as it is drawn."""
    from rich.text import Text

    if isinstance(item, str):
        return item
    if isinstance(item, Text):
        return item if terminal(item.plain) == item.plain else Text(terminal(item.plain), style=item.style)
    return _Shown(item)


class _Shown:
    """A renderable whose output holds no control character but rich's own (the last guard: a Text in a
    table or a panel was not cleaned by the console's render_str)."""

    def __init__(self, renderable: Any) -> None:
        self.renderable = renderable

    def __rich_console__(self, console: Console, options: Any) -> Any:
        from rich.segment import Segment

        for segment in console.render(self.renderable, options):
            if segment.control or terminal(segment.text) == segment.text:
                yield segment
            else:
                yield Segment(terminal(segment.text), segment.style)
