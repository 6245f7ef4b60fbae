"""Token counts per file (`advisor tokens`) as a terminal table or JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import IO, TYPE_CHECKING

from advisor.render.console import print_out, styled
from advisor.safe_text import visible

if TYPE_CHECKING:
    from advisor.pricing.row_counting import RowCounting
    from advisor.tokens.files import TokenTally


def tokens_json(tallies: Sequence[TokenTally], counting: RowCounting, model: str | None) -> str:
    """`advisor tokens --format json`: the total, and each file's count and spread, and how they were
    counted (tokenizer, chat format, exact or approximate)."""
    from advisor.tokens.chat_format import format_of, split_counting

    return json.dumps(
        {
            "model": model,
            "encoding": split_counting(counting.name)[0],
            "chat_format": format_of(counting.name).name,
            "exact": None if counting.given else counting.exact,
            "approximation": counting.note,
            "total_tokens": sum(t.tokens for t in tallies),
            "files": [
                {
                    "file": t.source,
                    "kind": t.kind,
                    "items": t.items,
                    "tokens": t.tokens,
                    "mean_tokens": float(round(t.mean, 2)),
                    "min_tokens": t.smallest,
                    "max_tokens": t.largest,
                }
                for t in tallies
            ],
        },
        indent=2,
    )


def print_tokens(
    tallies: Sequence[TokenTally],
    counting: RowCounting,
    model: str | None,
    file: IO[str] | None = None,
    width: int | None = None,
) -> None:
    """One row per file, and a total row when there are several; the chat format when it is not
    OpenAI's, and the measured error of an approximate count."""
    from rich.table import Table

    from advisor.render.fit import droppable
    from advisor.tokens.chat_format import OPENAI, describe, format_of

    name = counting.name if format_of(counting.name) is OPENAI else describe(counting.name)
    table = Table(title=visible(f"Tokens with {name}" + (f" ({model})" if model else "")), title_justify="left")
    for header in ("File", "Read as", "Items", "Tokens", "Mean", "Min", "Max"):
        table.add_column(header, justify="left" if header in ("File", "Read as") else "right")
    for t in tallies:
        table.add_row(
            visible(t.source),
            t.kind,
            f"{t.items:,}",
            f"{t.tokens:,}",
            f"{t.mean:,.1f}",
            f"{t.smallest:,}",
            f"{t.largest:,}",
        )
    droppable(table, "Read as", "Min", "Max", "Mean")  # a long path is kept whole, for copying
    if len(tallies) > 1:
        total = sum(t.tokens for t in tallies)
        table.add_row("total", "", f"{sum(t.items for t in tallies):,}", f"{total:,}", "", "", "", style="bold")
    notes = [] if counting.exact else [styled(visible(f"approximate: {counting.note}"), "dim")]
    print_out(table, *notes, file=file, width=width)
