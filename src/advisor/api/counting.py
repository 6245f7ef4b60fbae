"""`count_tokens`: what `advisor tokens` does, as a function (the CLI calls it), and its result."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, TYPE_CHECKING

from advisor.api import arguments
from advisor.api.display import as_html

if TYPE_CHECKING:
    from advisor.pricing.row_counting import RowCounting
    from advisor.tokens.files import TokenTally

KINDS = ("auto", "text", "chat", "jsonl")


@dataclass(frozen=True)
class TokenCount:
    """`advisor tokens`: each source's count (`tallies`) and how they were counted (`counting`)."""

    tallies: tuple[TokenTally, ...]
    counting: RowCounting
    model: str | None

    @property
    def total_tokens(self) -> int:
        return sum(tally.tokens for tally in self.tallies)

    def to_json(self) -> str:
        from advisor.render.tokens import tokens_json

        return tokens_json(self.tallies, self.counting, self.model)

    def show(self, file: IO[str] | None = None, width: int | None = None) -> None:
        from advisor.render.tokens import print_tokens

        print_tokens(self.tallies, self.counting, self.model, file=file, width=width)

    def _repr_html_(self) -> str:
        return as_html(lambda file, width: self.show(file, width))


def count_tokens(
    *files: str | Path,
    model: str | None = None,
    encoding: str | None = None,
    as_: str = "auto",
    pricing: arguments.Files = (),
    today: date | str | None = None,
) -> TokenCount:
    """Tokens in text files, chat requests ({"messages": [...]}) and chat JSONL, per file and in total, in
    `model`'s tokenizer and chat format (or `encoding`'s). `as_` is `--as` (how to read the files: by
    extension, or all as text, chat or jsonl); no file, or "-", reads standard input, as the CLI does."""
    from advisor.errors import UserError
    from advisor.plugins import catalog_with_plugins, load_plugins
    from advisor.pricing.catalog import counting_for
    from advisor.pricing.row_counting import RowCounting
    from advisor.tokens.chat_format import format_of
    from advisor.tokens.files import count_source
    from advisor.tokens.tokenizer import ENCODINGS

    kind = arguments.choice("as_", as_, KINDS)
    day = arguments.day("today", today)
    if not model and not encoding:
        raise UserError("which tokenizer?", hint="give --model M (e.g. gpt-4.1) or --encoding o200k_base")
    if encoding:
        counting = RowCounting(encoding, given=True)
        if encoding.partition(":")[0] not in ENCODINGS:  # a plugin's tokenizer: the plugins register it
            load_plugins()
    else:
        counting = counting_for(catalog_with_plugins(arguments.files(pricing), day), str(model))
    format_of(counting.name)  # an unknown encoding or format is refused before any file is read
    # by name: JSONL is counted by worker processes, and this one need not load the tokenizer
    tallies = tuple(count_source(str(source), counting.name, kind) for source in (files or ("-",)))
    return TokenCount(tallies, counting, model)
