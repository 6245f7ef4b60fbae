"""`advisor providers`: the provider plugins installed, and what each can train today."""

from __future__ import annotations

from datetime import date

import click

from advisor.cli.options import format_option, pricing_options, today_or


@click.command()
@format_option("table", "json")
@pricing_options
def providers(output_format: str, pricing_files: tuple[str, ...], today: date | None) -> None:
    """List installed provider plugins: name, distribution, version, the methods and models their
    price tables say they can train, and whether new jobs can start today. Plugins that fail to load
    are reported, not fatal; ADVISOR_LOAD_PLUGINS restricts which are loaded."""
    from advisor.plugins import load_plugins
    from advisor.pricing.catalog import load_catalog
    from advisor.render.figures import jsonable
    from advisor.render.providers import plugin_rows, provider_rows

    plugins = load_plugins()
    day = today_or(today)
    rows = provider_rows(plugins, load_catalog(pricing_files), day)
    loaded = plugin_rows(plugins)
    for warning in plugins.warnings:
        click.echo(f"warning: {warning}", err=True)
    if output_format == "json":
        import json

        click.echo(json.dumps(jsonable({"providers": rows, "plugins": loaded, "warnings": plugins.warnings}), indent=2))
        return
    for plugin in loaded:
        if plugin["commands"]:
            names = ", ".join(f"advisor {name}" for name in plugin["commands"])
            click.echo(f"Commands from {plugin['distribution']} {plugin['version']}: {names}")
    if not rows:
        click.echo("No provider plugins are installed (pip install ./plugins/advisor-openai; see docs/plugins.md).")
        return
    from rich.table import Table

    from advisor.render.console import print_wide

    table = Table(title=f"Provider plugins (new jobs checked for {day})", title_justify="left")
    for column in ("Provider", "Distribution", "Can train", "New jobs today"):
        table.add_column(column)
    for row in rows:
        trains = "\n".join(f"{m['method']} {m['model']}" for m in row["trains"]) or (
            "-" if row["priced"] else "no price table for this provider"
        )
        today_text = "\n".join(
            ("yes" + (f" (until {m['new_jobs_until']})" if m["new_jobs_until"] else ""))
            if m["new_jobs_today"]
            else "no: " + "; ".join(m["why_not"])
            for m in row["trains"]
        )
        table.add_row(row["provider"], f"{row['distribution']} {row['version']}", trains, today_text or "-")
    print_wide(table, max_width=160)
    for row in rows:
        for notice in row["notices"]:
            click.echo(f"note: {notice}")
