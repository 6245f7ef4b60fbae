"""How a result without Markdown shows in a notebook: the command's terminal table as text, in <pre>."""

from __future__ import annotations

from collections.abc import Callable
from typing import IO

NOTEBOOK_WIDTH = 100  # columns of a terminal report shown in a notebook cell


def as_html(show: Callable[[IO[str], int], None]) -> str:
    """The text `show(file, width)` prints, at a fixed width, escaped, in a <pre> block."""
    import html
    import io

    text = io.StringIO()
    show(text, NOTEBOOK_WIDTH)
    return f"<pre>{html.escape(text.getvalue())}</pre>"
