"""`advisor providers`: the provider plugins installed, and what each can train today."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import click

from advisor.cli.options import format_option, pricing_options, today_or

if TYPE_CHECKING:
    from pathlib import Path


@click.command()
@format_option("table", "json")
@pricing_options
def providers(output_format: str, pricing_files: tuple[Path, ...], today: date | None) -> None:
    """List installed provider plugins: name, distribution, version, the methods and models their
    price tables say they can train, and whether new jobs can start today. Plugins that fail to load
    are reported, not fatal; ADVISOR_LOAD_PLUGINS restricts which are loaded."""
    from advisor.plugins import catalog_with_plugins, load_plugins
    from advisor.render.providers import print_providers, providers_json

    plugins = load_plugins()
    catalog = catalog_with_plugins(pricing_files, today_or(today))
    from advisor.render.console import line

    for warning in plugins.warnings:
        line(f"warning: {warning}", err=True)
    if output_format == "json":
        click.echo(providers_json(plugins, catalog, today_or(today)))
    else:
        print_providers(plugins, catalog, today_or(today))
