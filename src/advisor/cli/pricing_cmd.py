"""`advisor pricing list|show`: the price rows in force, where each came from and its dates."""

from __future__ import annotations

from datetime import date

import click

from advisor.cli.options import format_option, pricing_options, today_or


@click.group()
def pricing() -> None:
    """List and show the price tables in force (bundled, your config folder, --pricing files)."""


@pricing.command("list")
@click.option("--provider", help="Only this provider's rows.")
@click.option(
    "--method",
    type=click.Choice(["sft", "dpo", "rft"]),
    help="Where this method can run: every model that offers it, and whether a job can start on --today.",
)
@format_option("table", "json")
@pricing_options
def list_rows(
    provider: str | None, method: str | None, output_format: str, pricing_files: tuple[str, ...], today: date | None
) -> None:
    """Every model with its prices (USD per 1M tokens) and dates; with --method, where that method can
    run on --today."""
    from advisor.errors import UserError
    from advisor.plugins import load_catalog
    from advisor.render.pricing import print_rows, rows_json

    catalog = load_catalog(pricing_files, today_or(today))
    if provider and provider not in catalog.providers:
        raise UserError(f"no price table for provider {provider!r}", hint=f"known: {', '.join(catalog.providers)}")
    if method:
        from advisor.costs.where import PlaceFilter, candidates
        from advisor.render.pricing import method_json, print_method

        wanted = PlaceFilter(method, today_or(today), (provider,) if provider else ())  # type: ignore[arg-type]
        found = [
            (match, why) for match, why in candidates(catalog, wanted) if not provider or match.provider == provider
        ]
        if output_format == "json":
            click.echo(method_json(found, method))
        else:
            print_method(found, method, today_or(today))
        return
    rows = catalog.rows(provider)
    if output_format == "json":
        click.echo(rows_json(rows))
        return
    from advisor.pricing.tables import user_tables_dir

    footer = [
        f"Tables read: {', '.join(table.path for table in catalog.tables)}",
        f"Your own tables go in {user_tables_dir()} (or pass --pricing FILE); see docs/pricing.md.",
    ]
    print_rows(rows, today_or(today), footer)


@pricing.command("show")
@click.argument("model")
@click.option("--provider", help="Only this provider's row [default: every provider that prices MODEL].")
@format_option("table", "json")
@pricing_options
def show(
    model: str, provider: str | None, output_format: str, pricing_files: tuple[str, ...], today: date | None
) -> None:
    """One model's row, resolving aliases, snapshots and fine-tuned ids (ft:...)."""
    from advisor.plugins import load_catalog
    from advisor.render.pricing import match_json, print_match

    catalog = load_catalog(pricing_files, today_or(today))
    if provider:
        matches = [catalog.find(model, provider)]
    else:
        matches = [m for p in catalog.providers if (m := catalog.find_optional(model, p))] or [catalog.find(model)]
    if output_format == "json":
        click.echo(match_json(matches, today_or(today)))
    else:
        for match in matches:
            print_match(match, today_or(today))
