"""`advisor tokens`: token counts of files or stdin for a model's tokenizer."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import click

from advisor.cli.options import format_option, pricing_options

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
    from advisor.api.counting import count_tokens

    result = count_tokens(*files, model=model, encoding=encoding, as_=kind, pricing=pricing_files, today=today)
    if output_format == "json":
        click.echo(result.to_json())
    else:
        result.show()
