"""What `advisor pricing refresh` read and changed, provider by provider."""

from __future__ import annotations

from datetime import UTC

from advisor.costs.money import format_price
from advisor.providers.refresh import RefreshOutcome
from advisor.render.console import line


def print_outcome(outcome: RefreshOutcome) -> None:
    """One provider: what its API said against the tables in force, and the file written (failures on stderr)."""
    name = outcome.provider
    if outcome.status == "failed":
        line(f"advisor: error: {name}: {outcome.message}", err=True)
        return
    if outcome.plan is None:
        line(f"{name}: {outcome.message}")
        return
    plan = outcome.plan
    when = f" at {plan.read_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC" if plan.read_at else ""
    line(
        f"{name}: read {', '.join(plan.urls) or 'nothing'}{when}: {plan.listed:,} models listed, "
        f"{plan.in_tables:,} of them in the price tables"
    )
    for found in plan.dates:
        if not found.table_dates:
            line(f"  new date: {name}:{found.model} shuts down on {found.on} ({found.api_model}; the tables had none)")
        else:
            tables = " or ".join(str(day) for day in found.table_dates)
            line(
                f"  dates differ: {name}:{found.model} shuts down on {found.on} by the API ({found.api_model}), on "
                f"{tables} by the tables: both are kept, and advisor decides on the earlier, {found.decided}"
            )
    for price in plan.prices:
        before = format_price(price.before) if price.before is not None else "none"
        line(
            f"  price change: {name}:{price.model} {price.field} {before} -> {format_price(price.after)} per 1M "
            f"({price.api_model}), from {price.since}"
        )
    for note in plan.notes:
        line(f"  note: {note}")
    if plan.confirmed:
        line(f"  {plan.confirmed:,} shutdown date(s) the tables already give")
    if not plan.dates and not plan.prices:
        line("  nothing differs from the price tables")
    kept = f"{plan.entries:,} model(s)" if plan.entries else "no model"
    if outcome.written is not None:
        line(f"  wrote {outcome.written} ({kept})")
    else:
        line(f"  dry run: nothing written (the file would hold {kept})")


def print_not_read(names: list[str], without_plugin: list[str]) -> None:
    """The providers a refresh does not ask, and why."""
    if names:
        line(f"not read: {', '.join(names)} (their plugins read no model list)")
    if without_plugin:
        line(f"not read: {', '.join(without_plugin)} (price tables only: no provider plugin is installed)")
