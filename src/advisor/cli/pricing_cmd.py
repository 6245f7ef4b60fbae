"""`advisor pricing list|show|refresh`: the price rows in force, where each came from and its dates, and
the dates and prices the providers' own APIs give."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import click

from advisor.cli.options import format_option, pricing_options, today_or

if TYPE_CHECKING:
    from pathlib import Path

    from advisor.methods import Method


@click.group()
def pricing() -> None:
    """List and show the price tables in force (bundled, your config folder, --pricing files); refresh
    their dates and prices from the providers' APIs."""


@pricing.command("list")
@click.option("--provider", help="Only this provider's rows.")
@click.option("--all", "every", is_flag=True, help="Also the models only genai-prices prices (no table names them).")
@click.option(
    "--method",
    type=click.Choice(["sft", "dpo", "rft"]),
    help="Where this method can run: every model that offers it, and whether a job can start on --today.",
)
@format_option("table", "json")
@pricing_options
def list_rows(
    provider: str | None,
    every: bool,
    method: Method | None,
    output_format: str,
    pricing_files: tuple[Path, ...],
    today: date | None,
) -> None:
    """Every model with its prices (USD per 1M tokens) and dates; with --method, where that method can
    run on --today."""
    from advisor.errors import UserError
    from advisor.plugins import catalog_with_plugins
    from advisor.render.pricing import print_rows, rows_json

    catalog = catalog_with_plugins(pricing_files, today_or(today))
    if provider and provider not in catalog.providers:
        raise UserError(f"no price table for provider {provider!r}", hint=f"known: {', '.join(catalog.providers)}")
    if method:
        from advisor.costs.where import PlaceFilter, candidates
        from advisor.render.pricing import method_json, print_method

        wanted = PlaceFilter(method, today_or(today), (provider,) if provider else ())
        found = [
            (match, why) for match, why in candidates(catalog, wanted) if not provider or match.provider == provider
        ]
        if output_format == "json":
            click.echo(method_json(found, method))
        else:
            print_method(found, method, today_or(today))
        return
    rows = catalog.rows(provider)
    only_genai = [row for row in rows if not catalog.from_tables(row[2].provider, row[0])]
    if not every:
        rows = [row for row in rows if catalog.from_tables(row[2].provider, row[0])]
    if output_format == "json":
        click.echo(rows_json(rows))
        return
    from advisor.pricing.price_files import user_tables_dir

    footer = [
        f"Tables read: {', '.join(table.path for table in catalog.tables)}, and "
        f"{catalog.genai.label if catalog.genai else 'no genai-prices (not installed)'} for the inference prices the "
        "tables leave to it",
        *(
            [f"{len(only_genai)} more models are priced only by genai-prices: `advisor pricing list --all`"]
            if only_genai and not every
            else []
        ),
        f"Your own tables go in {user_tables_dir()} (or pass --pricing FILE); see docs/pricing.md.",
    ]
    print_rows(rows, today_or(today), footer)


@pricing.command("show")
@click.argument("model")
@click.option("--provider", help="Only this provider's row [default: every provider that prices MODEL].")
@format_option("table", "json")
@pricing_options
def show(
    model: str, provider: str | None, output_format: str, pricing_files: tuple[Path, ...], today: date | None
) -> None:
    """One model's row, resolving aliases, snapshots and fine-tuned ids (ft:...)."""
    from advisor.plugins import catalog_with_plugins
    from advisor.render.pricing import match_json, print_match

    catalog = catalog_with_plugins(pricing_files, today_or(today))
    if provider:
        matches = [catalog.find(model, provider)]
    else:
        matches = [m for p in catalog.providers if (m := catalog.find_optional(model, p))] or [catalog.find(model)]
    if output_format == "json":
        click.echo(match_json(matches, today_or(today)))
    else:
        for match in matches:
            print_match(match, today_or(today))


@pricing.command("refresh")
@click.option("--provider", help="Only this provider [default: every provider whose plugin reads its model list].")
@click.option("--dry-run", is_flag=True, help="Read the APIs and say what differs; write nothing.")
def refresh(provider: str | None, dry_run: bool) -> None:
    """Read the providers' model lists (shutdown dates, list prices) and keep what differs from the price
    tables as an overlay in your price folder, refresh-PROVIDER.toml (docs/pricing.md). Without a
    provider's key nothing is read and nothing changes. Exit status: 0 every provider asked was read,
    1 a read or a write failed, 3 a key was missing."""

    from advisor.errors import UserError
    from advisor.plugins import catalog_with_plugins, load_plugins
    from advisor.pricing.catalog import Catalog
    from advisor.pricing.catalog import load_catalog as load_tables
    from advisor.pricing.price_files import user_price_files, user_tables_dir
    from advisor.providers.lifecycle import ReadsModelFacts
    from advisor.providers.refresh import Summary
    from advisor.providers.refresh import refresh as refresh_one
    from advisor.render.refresh import print_not_read, print_outcome

    plugins = load_plugins()
    installed = {name: found for name, (found, _) in plugins.providers.items()}
    readers = sorted(name for name, found in installed.items() if isinstance(found, ReadsModelFacts))
    priced = set(catalog_with_plugins().providers)
    if provider is not None and provider not in readers:
        if provider in installed:
            problem = f"the {provider} plugin cannot read the provider's model list"
        elif provider in priced:
            problem = f"no provider plugin for {provider} is installed (its price table is), so its API cannot be read"
        else:
            problem = f"no provider called {provider!r}"
        raise UserError(f"{problem}: nothing refreshed", hint=f"providers that can be refreshed: {', '.join(readers)}")
    folder = user_tables_dir()
    plugin_tables = plugins.price_tables

    def tables_without(path: Path) -> Catalog:
        others = [file for file in user_price_files(folder) if file != path]
        return load_tables(others, include_user=False, plugin_tables=plugin_tables)

    summary = Summary()
    for name in [provider] if provider else readers:
        outcome = refresh_one(installed[name], folder, tables_without, dry_run=dry_run)
        summary.outcomes.append(outcome)
        print_outcome(outcome)
    if provider is None:
        print_not_read(sorted(set(installed) - set(readers)), sorted(priced - set(installed)))
    click.get_current_context().exit(summary.exit_code)
