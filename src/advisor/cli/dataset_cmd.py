"""`advisor dataset check|split`: will a provider accept this training file, what will it cost,
what is wrong with it; and a deterministic train/validation split."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Literal

import click

from advisor.cli.options import EPOCHS, format_option, pricing_options

if TYPE_CHECKING:
    from pathlib import Path

    from advisor.methods import Method


@click.group()
def dataset() -> None:
    """Check and split fine-tuning data (SFT, DPO, RFT JSONL)."""


@dataset.command()
@click.argument("file")
@click.option("--method", type=click.Choice(["sft", "dpo", "rft"]), help="Force the method [default: detected].")
@click.option(
    "--model",
    "models",
    multiple=True,
    metavar="M",
    help="Price training on this model; repeatable [default: every model that offers the method today].",
)
@click.option(
    "--epochs",
    type=EPOCHS,
    default="auto",
    show_default=True,
    help="Epochs for the cost ('auto' is the cookbook rule).",
)
@click.option(
    "--provider",
    metavar="P",
    help="Check by this provider's data rules and price its models [default: the --model's provider; "
    "OpenAI's rules for several providers].",
)
@click.option(
    "--grader",
    metavar="FILE",
    help="RFT grader (JSON): check it (openai-python's grader types, with advisor-openai) and the fields it reads.",
)
@click.option("--jobs", type=click.IntRange(1, 256), help="Worker processes [default: every core].")
@format_option("table", "json")
@pricing_options
def check(
    file: str,
    method: Method | None,
    models: tuple[str, ...],
    epochs: int | Literal["auto"],
    provider: str | None,
    grader: str | None,
    jobs: int | None,
    output_format: str,
    pricing_files: tuple[Path, ...],
    today: date | None,
) -> None:
    """Check a JSONL training file: errors (the provider rejects it) and warnings (it trains, but
    badly), each with its line, example, field and what to do; statistics; training cost.
    The rules are the provider's (--provider, or --model's); its SDK's own checker, where it has one,
    is asked too. Exit status 1 when there are errors."""
    from advisor.api.checking import check_dataset

    result = check_dataset(
        file,
        method=method,
        model=models,
        epochs=epochs,
        provider=provider,
        grader=grader,
        jobs=jobs,
        pricing=pricing_files,
        today=today,
    )
    if output_format == "json":
        click.echo(result.to_json())
    else:
        result.show()
    if not result.ok:
        click.get_current_context().exit(1)


@dataset.command()
@click.argument("file")
@click.option(
    "--validation",
    default="0.2",
    show_default=True,
    metavar="SHARE|N",
    help="Validation share (0.2) or number of examples (500).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same split.")
@click.option("--force", is_flag=True, help="Overwrite existing output files.")
def split(file: str, validation: str, seed: int, force: bool) -> None:
    """Split FILE into FILE.train.jsonl and FILE.validation.jsonl beside it, deterministically
    (RFT needs a validation file). Refuses to overwrite unless --force."""
    from advisor.datasets.split import split_file
    from advisor.render.console import line

    result = split_file(file, validation, seed=seed, force=force)
    line(f"{result.train:,} examples -> {result.train_path}")
    line(f"{result.validation:,} examples -> {result.validation_path} (seed {seed})")
    for warning in result.warnings:
        line(f"warning: {warning}", err=True)
