"""`advisor tokens`: token counts of files or stdin for a model's tokenizer."""

from __future__ import annotations

from datetime import date

import click

from advisor.cli.options import format_option, pricing_options, today_or


@click.command()
@click.argument("files", nargs=-1, metavar="[FILE]...")
@click.option("--model", help="Model whose tokenizer to use (aliases, snapshots and ft: ids work).")
@click.option("--encoding", type=click.Choice(["o200k_base", "cl100k_base"]), help="Name the tokenizer outright.")
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
    pricing_files: tuple[str, ...],
    today: date | None,
) -> None:
    """Count tokens in text files, chat requests ({"messages": [...]}, tools included) and chat
    JSONL, per file and in total, with the OpenAI Cookbook's message rules. No FILE, or `-`,
    reads standard input."""
    from advisor.errors import UserError
    from advisor.plugins import load_catalog
    from advisor.tokens.files import count_source
    from advisor.tokens.tokenizer import spec_for

    if not model and not encoding:
        raise UserError("which tokenizer?", hint="give --model M (e.g. gpt-4.1) or --encoding o200k_base")
    name = encoding or load_catalog(pricing_files, today_or(today)).encoding_for(str(model))
    spec_for(name)  # an unknown encoding is refused before any file is read
    # by name: JSONL is counted by worker processes, and this one need not load the tokenizer
    tallies = [count_source(source, name, kind) for source in (files or ("-",))]
    if output_format == "json":
        from advisor.render.tokens import tokens_json

        click.echo(tokens_json(tallies, name, model))
        return
    from advisor.render.tokens import print_tokens

    print_tokens(tallies, name, model)
