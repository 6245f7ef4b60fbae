"""`advisor jobs list|show|watch|events|cancel`: fine-tuning jobs, from the ledger and the provider."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import click

from advisor.cli.options import pricing_file_option


@click.group()
def jobs() -> None:
    """Fine-tuning jobs launched with `advisor launch` (the ledger), refreshed from their providers."""


def _ledger() -> Any:
    from advisor.providers.ledger import Ledger

    return Ledger()


def _provider_for(key: str, ledger: Any, provider: str | None) -> tuple[Any, Any]:
    """(provider plugin, ledger run or None) for a job id or run id."""
    from advisor.errors import UserError
    from advisor.plugins import provider_named

    run = ledger.get(key)
    if run is None and provider is None:
        raise UserError(
            f"{key!r} is not in the job ledger",
            hint="give --provider to look it up at a provider, or see `advisor jobs list`",
        )
    name = provider or run.provider
    if run is not None and run.job_id is None:
        from advisor.providers.sync import resolve

        resolve(provider_named(name), ledger)
        run = ledger.get(key)
        if run.job_id is None:
            raise UserError(
                f"run {key} has no job yet ({run.state})",
                hint="the create request's answer was lost and no job with this run id is visible yet",
            )
    return provider_named(name), run


def _when(timestamp: int | None) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M UTC") if timestamp else "-"


@jobs.command("list")
@click.option("--provider", help="Only this provider's jobs.")
@click.option("--offline", is_flag=True, help="Show the ledger as it is; do not ask the providers.")
def list_jobs(provider: str | None, offline: bool) -> None:
    """Every job in the ledger with its last known status. Unfinished jobs are refreshed, and launches
    whose answer was lost are looked up by run id; with no network, the ledger is shown as it is."""
    from advisor.plugins import provider_named
    from advisor.providers.sync import refresh

    ledger = _ledger()
    notes = [] if offline else refresh(ledger, provider_named, provider)
    runs = ledger.runs(provider)
    if not runs:
        click.echo("No jobs in the ledger yet (`advisor launch` records them).")
        return
    from rich.table import Table

    from advisor.render.console import print_wide

    table = Table(title=f"Jobs ({ledger.path})", title_justify="left")
    for column in ("Job", "Run", "Provider", "Method", "Model", "Status", "Fine-tuned model", "Updated"):
        table.add_column(column)
    for run in runs:
        status = run.provider_status or run.state
        table.add_row(
            run.job_id or "(none yet)",
            run.run_id,
            run.provider,
            run.method,
            run.model,
            status,
            run.fine_tuned_model or "-",
            run.updated_at,
        )
    print_wide(table, max_width=180)
    for note in notes:
        click.echo(f"note: {note}", err=True)


@jobs.command("show")
@click.argument("job")
@click.option("--provider", help="Provider of a job that is not in the ledger.")
@pricing_file_option
def show(job: str, provider: str | None, pricing_files: tuple[str, ...]) -> None:
    """A job's details, its ledger history, and its training cost against the estimate."""
    from advisor.pricing.catalog import load_catalog
    from advisor.providers.sync import actual_cost, record_status

    ledger = _ledger()
    plugin, run = _provider_for(job, ledger, provider)
    current = plugin.get_job(run.job_id if run else job)
    if run is not None:
        record_status(ledger, run, current)
    click.echo(f"job {current.id}  {current.provider_status} ({current.status})")
    click.echo(f"  model           {current.model}")
    click.echo(f"  fine-tuned      {current.fine_tuned_model or '-'}")
    click.echo(f"  created         {_when(current.created_at)}   finished {_when(current.finished_at)}")
    if current.error:
        click.echo(f"  error           {current.error}")
    if run is not None:
        click.echo(
            f"  run             {run.run_id} ({run.method}, files {run.training_file_id}"
            + (f", {run.validation_file_id}" if run.validation_file_id else "")
            + ")"
        )
        click.echo(f"  cost            {actual_cost(run, current, load_catalog(pricing_files))}")
        click.echo("  ledger history:")
        for at, what in ledger.history(run.run_id):
            click.echo(f"    {at}  {what}")


@jobs.command("watch")
@click.argument("job")
@click.option("--provider", help="Provider of a job that is not in the ledger.")
@click.option(
    "--every",
    type=click.FloatRange(0.01, 600),
    default=2.0,
    show_default=True,
    metavar="SECONDS",
    help="First polling interval; it grows while nothing changes.",
)
@pricing_file_option
def watch(job: str, provider: str | None, every: float, pricing_files: tuple[str, ...]) -> None:
    """Follow a job until it finishes, then show the fine-tuned model, the trained tokens and the training
    cost against the estimate. Ctrl-C stops watching; the job keeps running."""
    import sys
    import time

    from advisor.pricing.catalog import load_catalog
    from advisor.providers.sync import actual_cost
    from advisor.providers.watch import watch as poll

    ledger = _ledger()
    plugin, run = _provider_for(job, ledger, provider)
    job_id = run.job_id if run else job
    live = sys.stdout.isatty()  # a terminal gets one line rewritten in place; a pipe gets each change
    last = [""]
    started = time.monotonic()

    def show_status(current: Any) -> None:
        line = f"{current.id}: {current.provider_status}" + (
            f" ({current.trained_tokens:,} tokens)" if current.trained_tokens else ""
        )
        if live:
            click.echo(f"\r{line}  [watching {time.monotonic() - started:.0f} s]\x1b[K", nl=False)
        elif line != last[0]:
            click.echo(line)
        last[0] = line

    try:
        final = poll(plugin, ledger, job_id, show_status, first_delay=every)
    except KeyboardInterrupt:
        click.echo(
            f"\nstopped watching {job_id}; the job keeps running ({last[0] or 'status unknown'}). "
            f"Watch again: advisor jobs watch {job_id}",
            err=True,
        )
        raise click.exceptions.Exit(130) from None
    if live:
        click.echo("")
    click.echo(f"{final.id} {final.provider_status}")
    click.echo(f"  fine-tuned model  {final.fine_tuned_model or '-'}")
    click.echo(f"  trained tokens    {final.trained_tokens:,}" if final.trained_tokens else "  trained tokens    -")
    run = ledger.get(job_id)
    if run is not None:
        click.echo(f"  training cost     {actual_cost(run, final, load_catalog(pricing_files))}")
    if final.error:
        click.echo(f"  error             {final.error}")


@jobs.command("events")
@click.argument("job")
@click.option("--provider", help="Provider of a job that is not in the ledger.")
def events(job: str, provider: str | None) -> None:
    """The job's events at its provider, oldest first."""
    ledger = _ledger()
    plugin, run = _provider_for(job, ledger, provider)
    for event in plugin.list_events(run.job_id if run else job):
        click.echo(f"{_when(event.created_at)}  {event.level:<5} {event.message}")


@jobs.command("cancel")
@click.argument("job")
@click.option("--provider", help="Provider of a job that is not in the ledger.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def cancel(job: str, provider: str | None, yes: bool) -> None:
    """Cancel a running job (training done so far is still billed)."""
    from advisor.providers.sync import record_status

    ledger = _ledger()
    plugin, run = _provider_for(job, ledger, provider)
    job_id = run.job_id if run else job
    if not yes and not click.confirm(f"Cancel {job_id}?", default=False):
        click.echo("not cancelled", err=True)
        raise click.exceptions.Exit(1)
    current = plugin.cancel_job(job_id)
    if run is not None:
        record_status(ledger, run, current)
    click.echo(f"{current.id}: {current.provider_status}")
