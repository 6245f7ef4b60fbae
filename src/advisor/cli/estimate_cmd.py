"""`advisor estimate`: the cost, savings and payback of a fine-tune, from flags and real files."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Literal

import click

from advisor.cli.options import (
    AMOUNT,
    COUNT,
    COUNT_OR_ZERO,
    EPOCHS,
    POSITIVE_AMOUNT,
    format_option,
    pricing_options,
)

if TYPE_CHECKING:
    from pathlib import Path

    from advisor.methods import Method


@click.command(
    epilog="""\b
Examples:
  advisor estimate --model gpt-4.1 --ft-model gpt-4.1-mini --requests 2M \\
      --prompt-tokens 1800 --cached-tokens 1500 --ft-prompt-tokens 300 --output-tokens 120 \\
      --training-file train.jsonl --setup-cost 2000
  advisor estimate --model gpt-4.1 --ft-model gpt-4.1-mini --provider all --requests 2M \
      --prompt-tokens 1800 --ft-prompt-tokens 300 --training-tokens 150000 --examples 400

See docs/cost-model.md for every formula."""
)
@click.option("--model", required=True, help="Model the feature uses today (e.g. gpt-4.1).")
@click.option("--ft-model", help="Base model to fine-tune [default: --model].")
@click.option(
    "--provider",
    "providers",
    multiple=True,
    default=("openai",),
    show_default=True,
    help="Price table of --model. Repeat it, or give `all`, to compare the fine-tune at each place side by side.",
)
@click.option("--ft-provider", help="Price table of the fine-tune [default: --provider].")
@click.option("--requests", type=COUNT, required=True, help="Requests a month (2000, 10k, 1.5M).")
@click.option("--prompt-tokens", type=COUNT_OR_ZERO, help="Prompt tokens per request today.")
@click.option("--prompt-file", metavar="FILE", help="Real prompt(s) today: text, chat JSON or JSONL (mean).")
@click.option("--cached-tokens", type=COUNT_OR_ZERO, default=0, help="Static prompt prefix eligible for caching.")
@click.option("--output-tokens", type=COUNT_OR_ZERO, default=0, show_default=True, help="Output tokens per request.")
@click.option(
    "--reasoning-tokens",
    type=COUNT_OR_ZERO,
    help="Reasoning tokens a request bills as output on a model that reasons by default (measured: "
    "usage.completion_tokens_details.reasoning_tokens) [default: as many as --output-tokens].",
)
@click.option("--ft-prompt-tokens", type=COUNT_OR_ZERO, help="Prompt tokens after fine-tuning [default: today's].")
@click.option("--ft-prompt-file", metavar="FILE", help="Real prompt(s) for the fine-tuned model.")
@click.option("--ft-cached-tokens", type=COUNT_OR_ZERO, default=0, help="Cacheable prefix of the fine-tuned prompt.")
@click.option(
    "--ft-output-tokens", type=COUNT_OR_ZERO, help="Output tokens after fine-tuning [default: --output-tokens]."
)
@click.option(
    "--method",
    type=click.Choice(["sft", "dpo", "rft"]),
    default="sft",
    show_default=True,
    help="Training method: supervised, preference (DPO) or reinforcement (RFT, billed by the hour).",
)
@click.option("--training-tokens", type=COUNT, help="Tokens in the training file (one epoch).")
@click.option("--examples", type=COUNT, help="Examples in the training file (for --epochs auto).")
@click.option("--training-file", metavar="FILE", help="JSONL training file to count.")
@click.option(
    "--epochs",
    type=EPOCHS,
    default="auto",
    show_default=True,
    help="Epochs, or 'auto' (the cookbook rule).",
)
@click.option("--rft-hours", type=POSITIVE_AMOUNT, metavar="HOURS", help="Billable RFT training hours.")
@click.option(
    "--training-cost", type=AMOUNT, metavar="USD", help="Quoted training cost in USD (overrides the computed one)."
)
@click.option(
    "--setup-cost", type=AMOUNT, metavar="USD", default="0", help="Data preparation and evaluation labour, USD."
)
@click.option("--batch", is_flag=True, help="Price both sides at Batch API rates.")
@click.option("--data-sharing", is_flag=True, help="Fine-tuned inference at the data-sharing discount (o4-mini).")
@click.option(
    "--cache-hit-rate",
    type=AMOUNT,
    metavar="RATE",
    default="1",
    show_default=True,
    help="Share of the static prefix served from cache (0 to 1).",
)
@click.option(
    "--retrain-every",
    type=POSITIVE_AMOUNT,
    metavar="MONTHS",
    help="Retrain this often because the data changes; its cost is spread per month.",
)
@click.option(
    "--hosting-hours",
    type=AMOUNT,
    metavar="HOURS",
    default="730",
    show_default=True,
    help="Hours a month a fine-tune stays deployed (for hourly hosting fees).",
)
@click.option(
    "--horizon",
    type=click.IntRange(1, 120),
    metavar="MONTHS",
    default=12,
    show_default=True,
    help="Months to compare over.",
)
@click.option(
    "--encoding",
    metavar="NAME",
    help="Tokenizer for both sides, for models no price row names one: o200k_base, cl100k_base, llama3 (with "
    "advisor-together), or ENCODING:FORMAT (cl100k_base:llama3). Without it each side counts as its price row does.",
)
@format_option("table", "json", "markdown")
@pricing_options
def estimate(
    output_format: str,
    pricing_files: tuple[Path, ...],
    today: date | None,
    providers: tuple[str, ...],
    model: str,
    ft_model: str | None,
    ft_provider: str | None,
    requests: int,
    prompt_tokens: int | None,
    prompt_file: str | None,
    cached_tokens: int,
    output_tokens: int,
    reasoning_tokens: int | None,
    ft_prompt_tokens: int | None,
    ft_prompt_file: str | None,
    ft_cached_tokens: int,
    ft_output_tokens: int | None,
    method: Method,
    training_tokens: int | None,
    examples: int | None,
    training_file: str | None,
    epochs: int | Literal["auto"],
    rft_hours: Decimal | None,
    training_cost: Decimal | None,
    setup_cost: Decimal,
    batch: bool,
    data_sharing: bool,
    cache_hit_rate: Decimal,
    retrain_every: Decimal | None,
    hosting_hours: Decimal,
    horizon: int,
    encoding: str | None,
) -> None:
    """Monthly cost of today's model vs a fine-tuned one, training cost, savings, payback and
    break-even volume. Prices come from the versioned tables (see `advisor pricing list`); several
    --provider (or `all`) compare the places that can train it."""
    from advisor.api.estimating import estimate as run

    result = run(
        model=model,
        requests=requests,
        ft_model=ft_model,
        provider=providers,
        ft_provider=ft_provider,
        prompt_tokens=prompt_tokens,
        prompt_file=prompt_file,
        cached_tokens=cached_tokens,
        output_tokens=output_tokens,
        reasoning_tokens=reasoning_tokens,
        ft_prompt_tokens=ft_prompt_tokens,
        ft_prompt_file=ft_prompt_file,
        ft_cached_tokens=ft_cached_tokens,
        ft_output_tokens=ft_output_tokens,
        method=method,
        training_tokens=training_tokens,
        examples=examples,
        training_file=training_file,
        epochs=epochs,
        rft_hours=rft_hours,
        training_cost=training_cost,
        setup_cost=setup_cost,
        batch=batch,
        data_sharing=data_sharing,
        cache_hit_rate=cache_hit_rate,
        retrain_every=retrain_every,
        hosting_hours=hosting_hours,
        horizon=horizon,
        encoding=encoding,
        pricing=pricing_files,
        today=today,
    )
    if output_format == "json":
        click.echo(result.to_json())
    elif output_format == "markdown":
        click.echo(result.to_markdown(), nl=False)
    else:
        result.show()
