"""`advisor tokens`: token counts of files or stdin for a model's tokenizer."""

from __future__ import annotations

from datetime import date

import click

from advisor.cli.options import format_option, pricing_options


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
    from advisor.pricing.catalog import load_catalog
    from advisor.tokens.files import count_source
    from advisor.tokens.tokenizer import get_encoding

    if not model and not encoding:
        raise UserError("which tokenizer?", hint="give --model M (e.g. gpt-4.1) or --encoding o200k_base")
    name = encoding or load_catalog(pricing_files).encoding_for(str(model))
    encoder = get_encoding(name)
    tallies = [count_source(source, encoder, kind) for source in (files or ("-",))]
    total = sum(tally.tokens for tally in tallies)
    if output_format == "json":
        import json

        click.echo(
            json.dumps(
                {
                    "model": model,
                    "encoding": name,
                    "total_tokens": total,
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
        )
        return
    from rich.table import Table

    from advisor.render.console import print_wide

    table = Table(title=f"Tokens with {name}" + (f" ({model})" if model else ""), title_justify="left")
    for header in ("File", "Read as", "Items", "Tokens", "Mean", "Min", "Max"):
        table.add_column(header, justify="left" if header in ("File", "Read as") else "right")
    for t in tallies:
        table.add_row(
            t.source, t.kind, f"{t.items:,}", f"{t.tokens:,}", f"{t.mean:,.1f}", f"{t.smallest:,}", f"{t.largest:,}"
        )
    if len(tallies) > 1:
        table.add_row("total", "", f"{sum(t.items for t in tallies):,}", f"{total:,}", "", "", "", style="bold")
    print_wide(table)
