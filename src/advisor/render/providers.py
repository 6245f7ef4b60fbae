"""What the installed provider plugins can train, per the price tables, on a given day."""

from __future__ import annotations

from datetime import date
from typing import Any

from advisor.plugins import Plugins
from advisor.pricing.catalog import Catalog, training_blockers


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
                "notices": [n.text for t in catalog.tables if t.provider == name for n in t.notices if n.since <= day],
            }
        )
    return rows


def plugin_rows(plugins: Plugins) -> list[dict[str, Any]]:
    """One row per loaded plugin: its distribution, the providers and commands it added."""
    return [
        {
            "plugin": info.name,
            "distribution": info.distribution,
            "version": info.version,
            "providers": [provider.name for provider in info.providers],
            "commands": sorted(info.commands),
        }
        for info in plugins.loaded
    ]
