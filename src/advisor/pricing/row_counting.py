"""Which tokenizer and chat format a price row's model is counted with, and whether that is exact.

A row names its model's tokenizer (`encoding`). When that tokenizer comes from a plugin that is not
installed (Llama 3's, from advisor-together and llama-models), a row may name a stand-in
(`encoding_fallback`, e.g. `cl100k_base:llama3`: cl100k_base's vocabulary in Llama 3's template) and its
measured error (`encoding_fallback_note`); counts are then approximate and say so. Every command that
counts for a row (recommend, estimate, dataset check, launch, tokens) resolves it here (a model by name:
advisor.pricing.catalog.counting_for), so a file gets one count per row wherever it is counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from advisor.pricing.tables import ModelRow


@dataclass(frozen=True)
class RowCounting:
    """A counting name (advisor.tokens.chat_format), whether its counts are the model's own, and the
    measured error when they are not."""

    name: str
    exact: bool = True
    note: str | None = None
    fallback: bool = False  # the row's own tokenizer is not installed: its stated stand-in counts
    given: bool = False  # named by the user (--encoding), not by a price row

    def describe(self) -> str:
        """`llama3 with Llama 3's chat template (exact)`, for assumptions."""
        from advisor.tokens.chat_format import describe

        how = "named with --encoding" if self.given else "exact" if self.exact else f"approximate: {self.note}"
        return f"{describe(self.name)} ({how})"


def row_counting(row: ModelRow) -> RowCounting | None:
    """How `row`'s model is counted; None when the row names no encoding."""
    if row.encoding is None:
        return None
    from advisor.tokens.tokenizer import is_installed

    if row.encoding_fallback and not is_installed(row.encoding):
        note = f"{row.encoding} is not installed; {row.encoding_fallback_note}"
        return RowCounting(row.encoding_fallback, False, note, fallback=True)
    return RowCounting(row.encoding, row.encoding_exact, row.encoding_note)
