"""`advisor tokens`: token counts of files or stdin for a model's tokenizer."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import click

from advisor.cli.options import format_option, pricing_options, today_or

if TYPE_CHECKING:
    from pathlib import Path


@click.command()
@click.argument("files", nargs=-1, metavar="[FILE]...")
@click.option("--model", help="Model whose tokenizer to use (aliases, snapshots and ft: ids work).")
@click.option(
    "--encoding",
    metavar="NAME",
    help="Name the tokenizer outright: o200k_base, cl100k_base, one a plugin ships (llama3), or ENCODING:FORMAT "
    "for another model's chat format (cl100k_base:llama3).",
)
@click.option(
    "--as",
    "kind",
    type=click.Choice(["auto", "text", "chat", "jsonl"]),
    default="auto",
    show_default=True,
    help="How to read the files: auto goes by extension (.json chat, .jsonl examples, else text).",
)
@format_option("table", "json")
@pricing_options
def tokens(
    files: tuple[str, ...],
    model: str | None,
    encoding: str | None,
    kind: str,
    output_format: str,
    pricing_files: tuple[Path, ...],
    today: date | None,
) -> None:
    """Count tokens in text files, chat requests ({"messages": [...]}, tools included) and chat
    JSONL, per file and in total, in the model's chat format (the OpenAI Cookbook's message rules for
    OpenAI's tokenizers, Llama 3's template for llama3). No FILE, or `-`, reads standard input."""
    from advisor.errors import UserError
    from advisor.plugins import catalog_with_plugins, load_plugins
    from advisor.pricing.catalog import counting_for
    from advisor.pricing.row_counting import RowCounting
    from advisor.tokens.chat_format import format_of
    from advisor.tokens.files import count_source
    from advisor.tokens.tokenizer import ENCODINGS

    if not model and not encoding:
        raise UserError("which tokenizer?", hint="give --model M (e.g. gpt-4.1) or --encoding o200k_base")
    if encoding:
        counting = RowCounting(encoding, given=True)
        if encoding.partition(":")[0] not in ENCODINGS:  # a plugin's tokenizer: the plugins register it
            load_plugins()
    else:
        counting = counting_for(catalog_with_plugins(pricing_files, today_or(today)), str(model))
    format_of(counting.name)  # an unknown encoding or format is refused before any file is read
    # by name: JSONL is counted by worker processes, and this one need not load the tokenizer
    tallies = [count_source(source, counting.name, kind) for source in (files or ("-",))]
    if output_format == "json":
        from advisor.render.tokens import tokens_json

        click.echo(tokens_json(tallies, counting, model))
        return
    from advisor.render.tokens import print_tokens

    print_tokens(tallies, counting, model)
