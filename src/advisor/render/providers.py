"""`advisor providers`: what the installed provider plugins can train, per the price tables, on a given
day, which credentials they miss (never their values), and what each plugin added."""

from __future__ import annotations

import os
from datetime import date
from typing import Any

from advisor.plugins import Plugins
from advisor.pricing.catalog import Catalog, training_blockers
from advisor.providers.base import credentials_of


def provider_rows(plugins: Plugins, catalog: Catalog, day: date) -> list[dict[str, Any]]:
    """One row per provider: its plugin, the (method, model) pairs it can launch that its price table
    offers, whether each can start a job on `day` (and if not, why), and the table's notices in force."""
    rows = []
    for name, (provider, info) in sorted(plugins.providers.items()):
        priced = name in catalog.providers
        trains = []
        for model, row, _ in catalog.rows(name) if priced else []:
            if row.fine_tuning is None:
                continue
            match = catalog.find(model, name)
            for method in (m for m in row.fine_tuning.methods if m in provider.methods):
                blockers = training_blockers(match, method, day)
                trains.append(
                    {
                        "model": model,
                        "method": method,
                        "new_jobs_today": not blockers,
                        "new_jobs_until": row.fine_tuning.new_jobs_until,
                        "why_not": blockers,
                    }
                )
        rows.append(
            {
                "provider": name,
                "plugin": info.name,
                "distribution": info.distribution,
                "version": info.version,
                "class": type(provider).__name__,
                "methods": list(provider.methods),
                "trains": trains,
                "priced": priced,
                "credentials": [
                    {
                        "name": credential.name,
                        "purpose": credential.purpose,
                        "required": credential.required,
                        "set": bool(os.environ.get(credential.name)),
                    }
                    for credential in credentials_of(provider)
                ],
                "notices": [n.text for t in catalog.tables if t.provider == name for n in t.notices if n.since <= day],
            }
        )
    return rows


def plugin_rows(plugins: Plugins, catalog: Catalog | None = None) -> list[dict[str, Any]]:
    """One row per loaded plugin: its distribution, what it added, and the rows of other tables its price
    tables replace (a plugin that re-prices a bundled provider is never silent)."""
    providers: dict[str, list[str]] = {}
    for name, (_, info) in plugins.providers.items():
        providers.setdefault(info.name, []).append(name)
    plugins.dataset_formats  # noqa: B018  (asked for now, so that every plugin's are listed)
    plugins.grader_checks  # noqa: B018  (the same)
    replaced = catalog.replacements() if catalog is not None else []
    return [
        {
            "plugin": info.name,
            "distribution": info.distribution,
            "version": info.version,
            "providers": providers.get(info.name, []),
            "commands": sorted(info.commands),
            "price_tables": [f"{table.provider} ({table.path}, as_of {table.as_of})" for table in info.price_tables],
            "replaces": [
                f"{provider}:{name} of {old.path}"
                for provider, name, table, old in replaced
                if any(table is mine for mine in info.price_tables)
            ],
            "tokenizers": [spec.name for spec in info.tokenizers],
            "dataset_formats": [f"{fmt.provider}:{fmt.name}" for fmt in info.dataset_formats],
            "model_ids": [f"{fmt.provider}:{fmt.name}" for fmt in info.model_id_formats],
            "grader_checks": [check.name for check in info.grader_checks],
        }
        for info in plugins.loaded
    ]


def providers_json(plugins: Plugins, catalog: Catalog, day: date) -> str:

    from advisor.render.figures import dumps

    document = {
        "providers": provider_rows(plugins, catalog, day),
        "plugins": plugin_rows(plugins, catalog),
        "warnings": plugins.warnings,
    }
    return dumps(document)


def print_providers(plugins: Plugins, catalog: Catalog, day: date) -> None:
    """The terminal listing: plugin commands, a table of providers, missing credentials, notices."""
    from rich import box
    from rich.table import Table

    from advisor.render.console import print_out, styled
    from advisor.render.fit import droppable
    from advisor.safe_text import visible

    rows = provider_rows(plugins, catalog, day)
    lines = []
    for plugin in plugin_rows(plugins, catalog):
        added = [
            f"{kind} {', '.join(plugin[key])}"
            for kind, key in (
                ("providers", "providers"),
                ("commands", "commands"),
                ("price tables", "price_tables"),
                ("tokenizers", "tokenizers"),
                ("dataset formats", "dataset_formats"),
                ("model-id formats", "model_ids"),
                ("grader checks", "grader_checks"),
            )
            if plugin[key]
        ]
        lines.append(f"Plugin {plugin['plugin']} ({plugin['distribution']} {plugin['version']}): " + "; ".join(added))
        if plugin["replaces"]:
            lines.append(f"  its price tables replace {len(plugin['replaces'])} rows: {', '.join(plugin['replaces'])}")
    if not rows:
        lines.append("No provider plugins are installed (pip install ./plugins/advisor-openai; see docs/plugins.md).")
        print_out(*(styled(visible(text)) for text in lines))
        return
    table = Table(title=f"Provider plugins (new jobs checked for {day})", title_justify="left", box=box.SIMPLE_HEAD)
    for column in ("Provider", "Distribution", "Can train", "New jobs today"):
        table.add_column(column)
    droppable(table, "Distribution")
    for row in rows:
        # one table row a trainable model, so that its "new jobs today" sits beside it at any width
        name, distribution = visible(row["provider"]), visible(f"{row['distribution']} {row['version']}")
        if not row["trains"]:
            table.add_row(name, distribution, "-" if row["priced"] else "no price table for this provider", "-")
        for n, m in enumerate(row["trains"]):
            today_text = (
                ("yes" + (f" (jobs end {m['new_jobs_until']})" if m["new_jobs_until"] else ""))
                if m["new_jobs_today"]
                else "no: " + "; ".join(m["why_not"])
            )
            first = n == 0
            table.add_row(
                name if first else "",
                distribution if first else "",
                visible(f"{m['method']} {m['model']}"),
                visible(today_text),
                end_section=n == len(row["trains"]) - 1,
            )
    notes = []
    for row in rows:
        missing = [c["name"] for c in row["credentials"] if c["required"] and not c["set"]]
        if missing:
            notes.append(f"note: {row['provider']}: set {', '.join(missing)} before launching (not set now)")
        notes += [f"note: {notice}" for notice in row["notices"]]
    print_out(*(styled(visible(text)) for text in lines), table, *(styled(visible(text)) for text in notes))
