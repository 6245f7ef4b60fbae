"""`advisor jobs list|show|watch|events|cancel|forget`: fine-tuning jobs, from the ledger and the provider."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from advisor.cli.job_lookup import open_ledger, provider_for
from advisor.cli.options import SecondsType, format_option, pricing_file_option

if TYPE_CHECKING:
    from pathlib import Path


@click.group()
def jobs() -> None:
    """Fine-tuning jobs launched with `advisor launch` (the ledger), refreshed from their providers."""


@jobs.command("list")
@click.option("--provider", help="Only this provider's jobs.")
@click.option("--offline", is_flag=True, help="Show the ledger as it is; do not ask the providers.")
@format_option("table", "json")
def list_jobs(provider: str | None, offline: bool, output_format: str) -> None:
    """Every job in the ledger with its last known status. Unfinished jobs are refreshed, and launches
    whose answer was lost are looked up by run id; with no network, the ledger is shown as it is."""
    from advisor.plugins import provider_named
    from advisor.providers.ledger import Ledger, ledger_path
    from advisor.providers.sync import refresh
    from advisor.render.console import line
    from advisor.render.jobs import jobs_json, print_jobs

    ledger = Ledger.existing(read_only=offline)  # listing never creates a ledger
    if ledger is None:
        if output_format == "json":
            click.echo(jobs_json([], ledger_path(), []))
        else:
            line(f"No jobs in the ledger yet: there is no ledger at {ledger_path()} (`advisor launch` starts one).")
        return
    notes = [] if offline else refresh(ledger, provider_named, provider)
    runs = ledger.runs(provider)
    notes += [f"run {run.run_id}: {run.damaged}" for run in runs if run.damaged]
    if output_format == "json":
        click.echo(jobs_json(runs, ledger.path, notes))
    else:
        print_jobs(runs, ledger.path)
    for note in notes:
        line(f"note: {note}", err=True)


@jobs.command("show")
@click.argument("job")
@click.option("--provider", help="Provider of a job that is not in the ledger.")
@format_option("table", "json")
@pricing_file_option
def show(job: str, provider: str | None, output_format: str, pricing_files: tuple[Path, ...]) -> None:
    """A job's details, its ledger history, and its training cost against the estimate."""
    from advisor.plugins import catalog_with_plugins
    from advisor.providers.sync import actual_cost, record_status, training_cost

    ledger = open_ledger()
    plugin, run = provider_for(job, ledger, provider)
    current = plugin.get_job(run.job_id if run else job)
    history: list[tuple[str, str]] = []
    cost = None
    if run is not None:
        record_status(ledger, run, current)
        run = ledger.get(run.run_id)
        catalog = catalog_with_plugins(pricing_files)
        cost = (training_cost(run, current, catalog), actual_cost(run, current, catalog))
        history = ledger.history(run.run_id)
    if output_format == "json":
        from advisor.render.jobs import job_json

        click.echo(job_json(current, run, history, cost))
        return
    from advisor.render.jobs import print_job

    print_job(current, run, history, cost[1] if cost else None)


@jobs.command("watch")
@click.argument("job")
@click.option("--provider", help="Provider of a job that is not in the ledger.")
@click.option(
    "--every",
    type=SecondsType(0.01, 600),
    default=2.0,
    show_default=True,
    metavar="SECONDS",
    help="First polling interval; it grows while nothing changes.",
)
@pricing_file_option
def watch(job: str, provider: str | None, every: float, pricing_files: tuple[Path, ...]) -> None:
    """Follow a job until it finishes, then show the fine-tuned model, the trained tokens and the training
    cost against the estimate. Ctrl-C stops watching; the job keeps running."""
    import os
    import sys

    from advisor.plugins import catalog_with_plugins
    from advisor.providers.sync import actual_cost
    from advisor.providers.watch import watch as poll
    from advisor.render.console import line, live
    from advisor.render.jobs import StatusLine, print_watched
    from advisor.safe_text import shell_command

    ledger = open_ledger()
    plugin, run = provider_for(job, ledger, provider)
    job_id = run.job_id if run else job
    status_line = StatusLine(live=live(sys.stdout), quiet=bool(os.environ.get("ADVISOR_QUIET")))
    try:
        final = poll(plugin, ledger, job_id, status_line, first_delay=every)
    except KeyboardInterrupt:
        line(err=True)
        line(
            f"stopped watching {job_id}; the job keeps running ({status_line.last or 'status unknown'}). "
            f"Watch again: {shell_command('advisor', 'jobs', 'watch', job_id)}",
            err=True,
        )
        raise click.exceptions.Exit(130) from None
    status_line.end()
    run = ledger.get(job_id)
    print_watched(final, actual_cost(run, final, catalog_with_plugins(pricing_files)) if run is not None else None)


@jobs.command("events")
@click.argument("job")
@click.option("--provider", help="Provider of a job that is not in the ledger.")
@format_option("table", "json")
def events(job: str, provider: str | None, output_format: str) -> None:
    """The job's events at its provider, oldest first."""
    ledger = open_ledger()
    plugin, run = provider_for(job, ledger, provider)
    job_id = run.job_id if run else job
    found = plugin.list_events(job_id)
    if output_format == "json":
        from advisor.render.jobs import events_json

        click.echo(events_json(job_id, found))
        return
    from advisor.render.jobs import print_events

    print_events(found)


@jobs.command("cancel")
@click.argument("job")
@click.option("--provider", help="Provider of a job that is not in the ledger.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def cancel(job: str, provider: str | None, yes: bool) -> None:
    """Cancel a running job (training done so far is still billed)."""
    from advisor.providers.sync import record_status
    from advisor.render.jobs import print_status

    ledger = open_ledger()
    plugin, run = provider_for(job, ledger, provider)
    job_id = run.job_id if run else job
    from advisor.safe_text import visible

    if not yes and not click.confirm(f"Cancel {visible(job_id)}?", default=False):
        click.echo("not cancelled", err=True)
        raise click.exceptions.Exit(1)
    current = plugin.cancel_job(job_id)
    if run is not None:
        record_status(ledger, run, current)
    print_status(current)


@jobs.command("forget")
@click.argument("run_id", metavar="RUN")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def forget(run_id: str, yes: bool) -> None:
    """Remove a run from the job ledger: a launch abandoned before its job was created, or a row that is
    damaged. A job at the provider is not touched (cancel it first with `advisor jobs cancel`)."""
    from advisor.errors import UserError
    from advisor.providers.ledger import Ledger

    ledger = Ledger.existing()
    run = ledger.get(run_id) if ledger is not None else None
    if ledger is None or run is None:
        raise UserError(f"{run_id!r} is not in the job ledger", hint="see `advisor jobs list --offline`")
    if run.job_id:
        warning = f"it has job {run.job_id} at {run.provider}, which keeps running and billing; "
    elif run.state in ("creating", "create-unknown"):
        warning = "its create request may have reached the provider (forgotten, its job would no longer be found); "
    else:
        warning = ""
    from advisor.render.console import line
    from advisor.safe_text import visible

    question = visible(f"Forget run {run.run_id} ({run.state})? {warning}".rstrip())
    if not yes and not click.confirm(question, default=False):
        click.echo("not forgotten", err=True)
        raise click.exceptions.Exit(1)
    ledger.forget(run.run_id)
    line(f"forgot run {run.run_id}" + (f" (job {run.job_id} is still at {run.provider})" if run.job_id else ""))


# `advisor jobs deploy` lives in its own module (providers whose fine-tunes need a deployment to serve)
from advisor.cli.jobs_deploy_cmd import deploy  # noqa: E402

jobs.add_command(deploy)

# `advisor jobs download` lives in its own module (weights and adapters, providers that hand them out)
from advisor.cli.jobs_download_cmd import download as _download  # noqa: E402

jobs.add_command(_download)
