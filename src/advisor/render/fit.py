"""Tables laid out to fit the console without breaking a word, a number or an id across lines.

rich shrinks a table that is too wide by narrowing its widest columns, even below their longest word:
`$2,452.80` became `$2,452` over `.80`, a model name `gpt-4.1-min` over `i`, and a column of prose one
character a line. Here each column gets at least its longest token (a whitespace-separated word, number,
`$` amount or date; a whole cell in a `no_wrap` column, which holds ids that must stay copyable), the
widest columns are narrowed first (as rich does, never below that floor), and when even the tokens do not
fit, the columns a renderer named as droppable go first, said in the table's caption.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Column, Table

_DROPPABLE: WeakKeyDictionary[Table, tuple[str, ...]] = WeakKeyDictionary()


def droppable(table: Table, *headers: str) -> Table:
    """Name the columns of `table` that may be left out on a narrow console, the first named first."""
    _DROPPABLE[table] = headers
    return table


def cell_text(cell: object) -> str | None:
    """The text a cell shows (a string or a rich Text), or None for any other renderable."""
    from rich.text import Text

    if isinstance(cell, str):
        return cell
    if isinstance(cell, Text):
        return cell.plain
    return None


def _texts(column: Column) -> list[str]:
    header = cell_text(column.header)
    texts = [text for text in map(cell_text, column.cells) if text is not None]
    return [header, *texts] if header else texts


def longest_token(text: str) -> int:
    from rich.cells import cell_len

    return max((cell_len(token) for token in text.split()), default=0)


def longest_line(text: str) -> int:
    from rich.cells import cell_len

    return max((cell_len(line) for line in text.splitlines()), default=0)


def floor(column: Column) -> int:
    """The narrowest the column can be with no token broken (no cell broken in a `no_wrap` column)."""
    header = cell_text(column.header) or ""
    cells = [text for text in map(cell_text, column.cells) if text is not None]
    widths = [longest_token(header)]
    widths += [longest_line(text) if column.no_wrap else longest_token(text) for text in cells]
    return max([*widths, column.min_width or 0])


def ceiling(column: Column) -> int:
    """The widest the column would be with nothing wrapped (capped by its max_width)."""
    natural = max(map(longest_line, _texts(column)), default=0)
    if column.max_width is not None:
        natural = min(natural, column.max_width)
    return max(natural, floor(column))


def fit_table(table: Table, console: Console) -> None:
    """Lay `table` out within the console's width: columns left out (said in the caption) until every
    column's longest token fits (narrower padding and no outer edge first), then each column given a fixed
    width between its floor and ceiling."""
    width = console.width
    if not _floors_fit(table, width):
        table.padding = (0, 1, 0, 0)  # one space of padding between columns, not two (rich's collapse_padding
        # pads the first column by one more than it measures, so it is not used)
    if not _floors_fit(table, width):
        table.show_edge = False
    dropped: list[str] = []
    for header in _DROPPABLE.get(table, ()):
        if _floors_fit(table, width):
            break
        column = next((c for c in table.columns if cell_text(c.header) == header), None)
        if column is not None and len(table.columns) > 1:
            _drop(table, column)
            dropped.append(header)
    if dropped:
        note = f"{', '.join(dropped)}: left out to fit {width} columns (a wider terminal shows them)"
        _add_caption(table, note)
    for column in table.columns:
        if column.overflow == "ellipsis":
            column.overflow = "fold"  # a token wider than the whole console folds rather than ends in `…`
    floors = [floor(c) for c in table.columns]
    ceilings = [ceiling(c) for c in table.columns]
    room = _room(table, width)
    if sum(floors) > room:  # nothing left to drop: only the widest column's longest token (a URL) folds
        widest = floors.index(max(floors))
        floors[widest] = max(1, floors[widest] - (sum(floors) - room))
        if sum(floors) > room:
            return  # too narrow for any layout: rich does its best
        ceilings[widest] = floors[widest]
    if sum(ceilings) <= room or _rich_keeps_tokens(table, console, floors):
        return  # fits as it is, or rich's own layout breaks no token: left as rich lays it out
    widths = share(room, floors, ceilings)
    for column, column_width in zip(table.columns, widths, strict=True):
        column.width = column_width


def share(room: int, floors: list[int], ceilings: list[int]) -> list[int]:
    """Widths between `floors` and `ceilings` summing to at most `room`: the widest columns are narrowed
    first, to one cap (as rich narrows a table, but never below a column's floor), and the columns at
    the cap share what is left over, first come first."""

    def at(cap: int) -> list[int]:
        return [max(low, min(top, cap)) for low, top in zip(floors, ceilings, strict=True)]

    low, high = 0, max(ceilings, default=0)
    while low < high:  # the widest cap that fits
        middle = (low + high + 1) // 2
        low, high = (middle, high) if sum(at(middle)) <= room else (low, middle - 1)
    widths = at(low)
    left = room - sum(widths)
    for index, width in enumerate(widths):
        if left > 0 and width < ceilings[index] and width >= low:
            widths[index] += 1
            left -= 1
    return widths


def _rich_keeps_tokens(table: Table, console: Console, floors: list[int]) -> bool:
    """Whether rich's own widths give every column at least its floor."""
    options = console.options.update_width(console.width - table._extra_width)
    widths = table._calculate_column_widths(console, options)
    padding = [table._get_padding_width(index) for index in range(len(table.columns))]
    return all(width - pad >= low for width, pad, low in zip(widths, padding, floors, strict=True))


def _room(table: Table, width: int) -> int:
    """Characters left for the cells' text: the console less borders, separators and padding."""
    padding = sum(table._get_padding_width(index) for index in range(len(table.columns)))
    return width - table._extra_width - padding


def _floors_fit(table: Table, width: int) -> bool:
    return sum(floor(c) for c in table.columns) <= _room(table, width)


def _drop(table: Table, column: Column) -> None:
    table.columns.remove(column)
    for index, kept in enumerate(table.columns):
        kept._index = index  # rich pads the first and last column by their index


def _add_caption(table: Table, note: str) -> None:
    from rich.text import Text

    caption = table.caption
    if caption is None or caption == "":
        table.caption = note
    elif isinstance(caption, Text):
        table.caption = Text.assemble(caption, "\n", note)
    elif isinstance(caption, str):
        table.caption = f"{caption}\n{note}"
    if table.caption_justify == "center":
        table.caption_justify = "left"
