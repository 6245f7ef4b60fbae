"""`advisor launch`: check, price, confirm and launch a fine-tuning job through a provider plugin."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, Literal

import click

from advisor.cli.options import EPOCHS, pricing_options, today_or
from advisor.providers.base import MAX_GPUS_PER_NODE, MAX_NODES

if TYPE_CHECKING:
    from pathlib import Path

    from advisor.methods import Method


@click.command()
@click.option("--provider", required=True, help="Provider plugin (see `advisor providers`), e.g. openai.")
@click.option("--method", type=click.Choice(["sft", "dpo", "rft"]), required=True)
@click.option("--model", required=True, help="Base model to fine-tune, e.g. gpt-4.1-mini.")
@click.option("--training-file", required=True, metavar="FILE", help="JSONL training data.")
@click.option("--validation-file", metavar="FILE", help="JSONL validation data (required for RFT).")
@click.option("--grader", metavar="FILE", help="RFT grader (JSON).")
@click.option("--suffix", help="Added to the fine-tuned model's name.")
@click.option("--epochs", type=EPOCHS, default="auto", show_default=True, help="Epochs, or 'auto' (the cookbook rule).")
@click.option("--seed", type=int, help="Seed for a reproducible job.")
@click.option(
    "--training-type",
    type=click.Choice(["lora", "qlora", "full"]),
    help="LoRA, QLoRA or full fine-tuning, where offered.",
)
@click.option("--tier", help="Training tier, where the provider has tiers (Azure: global, standard, developer).")
@click.option(
    "--gpus", type=click.IntRange(1, MAX_GPUS_PER_NODE), help=f"GPUs per node (own GPUs), at most {MAX_GPUS_PER_NODE}."
)
@click.option("--nodes", type=click.IntRange(1, MAX_NODES), help=f"Nodes (own GPUs), at most {MAX_NODES:,}.")
@click.option(
    "--scheduler",
    metavar="NAME",
    help="Hand the job to a scheduler, where the provider takes one (own GPUs: slurm, skypilot); "
    "the same as --set scheduler=NAME.",
)
@click.option(
    "--set",
    "extra",
    multiple=True,
    metavar="NAME=VALUE",
    help="A provider's own setting (repeatable); `advisor providers --format json` lists what each takes.",
)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation (for scripts).")
@click.option("--dry-run", is_flag=True, help="Check and price, print the requests that would be sent; send nothing.")
@click.option("--again", is_flag=True, help="Launch even if the same launch was already made.")
@pricing_options
def launch(
    provider: str,
    method: Method,
    model: str,
    training_file: str,
    validation_file: str | None,
    grader: str | None,
    suffix: str | None,
    epochs: int | Literal["auto"],
    seed: int | None,
    training_type: str | None,
    tier: str | None,
    gpus: int | None,
    nodes: int | None,
    scheduler: str | None,
    extra: tuple[str, ...],
    yes: bool,
    dry_run: bool,
    again: bool,
    pricing_files: tuple[Path, ...],
    today: date | None,
) -> None:
    """Launch an SFT, DPO or RFT job. Before anything is sent: the dataset check (errors stop it), the
    price tables' methods and dates for the model today, the provider's own rules, the cost estimate,
    and a confirmation. Every step is recorded in the job ledger, so a launch cut short is resumed,
    never doubled."""
    from advisor.plugins import catalog_with_plugins, load_plugins, provider_named
    from advisor.providers.checked_copy import CheckedCopies
    from advisor.providers.preflight import plan_launch

    plugin = provider_named(provider)
    with CheckedCopies() as copies:  # every file read once; the copies are gone when the command ends
        plan = plan_launch(
            plugin,
            catalog_with_plugins(pricing_files, today_or(today)),
            today_or(today),
            copies=copies,
            method=method,
            model=model,
            training=training_file,
            validation=validation_file,
            grader=grader,
            suffix=suffix,
            epochs=epochs,
            seed=seed,
            settings={
                "training_type": training_type,
                "tier": tier,
                "gpus": gpus,
                "nodes": nodes,
                "scheduler": scheduler,
                **_pairs(extra),
            },
            formats=load_plugins().dataset_formats,
            grader_checks=load_plugins().grader_checks if grader else (),
        )
        _carry_out(plan, plugin, provider, method, yes=yes, dry_run=dry_run, again=again)


def _carry_out(plan: Any, plugin: Any, provider: str, method: str, *, yes: bool, dry_run: bool, again: bool) -> None:
    """Show the plan, then stop, print the dry run, or confirm and launch (while the copies exist)."""
    from advisor.providers.base import quoter_of
    from advisor.providers.launch import LaunchDeclined
    from advisor.providers.launch import launch as run_launch
    from advisor.providers.ledger import Ledger
    from advisor.render import launch as render
    from advisor.render.console import line
    from advisor.safe_text import visible

    render.print_plan(plan)
    if plan.problems:
        render.print_problems(plan.problems)
        raise click.exceptions.Exit(1)
    if dry_run:
        render.print_dry_run(plan, plugin)
        return
    question = "\n" + visible(f"Launch this {method.upper()} job on {plan.api_model} at {provider}?")
    quotes = quoter_of(plugin) is not None  # the provider prices the job itself: confirm once its quote is in
    if not quotes and not yes and not click.confirm(question, default=False):
        click.echo("not launched", err=True)
        raise click.exceptions.Exit(1)

    def confirm(quote: Any) -> bool:
        render.print_quote(plan, provider, quote)
        return yes or click.confirm(question, default=False)

    ledger = Ledger()
    try:
        job = run_launch(
            plugin,
            plan,
            ledger,
            again=again,
            say=lambda text: line(text, err=True),
            confirm=confirm if quotes else None,
        )
    except LaunchDeclined:
        click.echo("not launched (the uploaded files stay with the provider)", err=True)
        raise click.exceptions.Exit(1) from None
    finally:
        ledger.close()
    render.print_launched(job)


def _pairs(values: tuple[str, ...]) -> dict[str, str]:
    pairs = {}
    for value in values:
        name, equals, setting = value.partition("=")
        if not equals or not name.strip():
            raise click.BadParameter(f"{value!r} is not NAME=VALUE", param_hint="--set")
        pairs[name.strip()] = setting
    return pairs
