"""Fine-tuning jobs as terminal output or JSON: the ledger's list, one job, its events, a watch.

JSON carries every ledger field a user needs, timestamps as ISO-8601 in UTC, and never a credential:
the ledger holds none, and the provider's raw response (`Job.raw`) is left out.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from advisor.render.console import line, print_out
from advisor.render.figures import dumps as exact_dumps
from advisor.safe_text import visible

if TYPE_CHECKING:
    from advisor.providers.base import Job, JobEvent
    from advisor.providers.ledger import Run
    from advisor.providers.sync import ActualCost


def _when(timestamp: int | None) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M UTC") if timestamp else "-"


def _iso(timestamp: int | None) -> str | None:
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds") if timestamp else None


def _number(value: Decimal | None) -> Decimal | None:
    """A Decimal kept exact: written as a JSON number with every digit (render.figures.dumps)."""
    return value


def run_dict(run: Run) -> dict[str, Any]:
    """A ledger run; its request is stored without credentials, so it is shown as it is."""
    return {
        "run_id": run.run_id,
        "job_id": run.job_id,
        "provider": run.provider,
        "method": run.method,
        "model": run.model,
        "state": run.state,
        "status": run.status,
        "provider_status": run.provider_status,
        "fine_tuned_model": run.fine_tuned_model,
        "trained_tokens": run.trained_tokens,
        "estimate_usd": _number(Decimal(run.estimate_usd)) if run.estimate_usd else None,
        "training_file_id": run.training_file_id,
        "validation_file_id": run.validation_file_id,
        "error": run.error,
        "request": run.request,
        "details": run.details,  # what the provider reported: host, pid, folders, command, GPU-hours
        "created_at": run.created_at,  # the ledger writes ISO-8601 UTC
        "updated_at": run.updated_at,
    }


def job_dict(job: Job) -> dict[str, Any]:
    """A job as its provider reports it, without the raw response."""
    return {
        "id": job.id,
        "run_id": job.run_id,
        "status": job.status,
        "provider_status": job.provider_status,
        "model": job.model,
        "fine_tuned_model": job.fine_tuned_model,
        "trained_tokens": job.trained_tokens,
        "created_at": _iso(job.created_at),
        "finished_at": _iso(job.finished_at),
        "error": job.error,
    }


def cost_dict(actual: ActualCost, text: str) -> dict[str, Any]:
    rate = actual.cost.rate if actual.cost else None
    return {
        "estimate_usd": _number(actual.estimate_usd),
        "trained_tokens": actual.trained_tokens,
        "price_row": actual.price_row,
        "as_of": actual.as_of.isoformat() if actual.as_of else None,
        "training_usd_per_million": _number(rate.price if rate and rate.basis == "tokens" else None),
        "actual_usd": _number(actual.cost.usd if actual.cost else None),
        "gpu_hours": _number(actual.gpu_hours),
        "gpu_usd_per_hour": _number(rate.price if rate and rate.basis == "gpu_hours" else None),
        "text": text,
    }


def _progress(job: Job) -> str | None:
    from advisor.providers.sync import progress_of

    return progress_of(job)


# the ledger details `advisor jobs show` prints, in this order, with their labels
_DETAILS = (
    ("host", "host"),
    ("pid", "pid"),
    ("scheduler", "scheduler"),  # a run handed to a scheduler (own GPUs): its job there, and its state
    ("slurm_job_id", "Slurm job"),
    ("skypilot_job_id", "SkyPilot job"),
    ("scheduler_state", "its state"),
    ("job_file", "job file"),
    ("submit_command", "submitted with"),
    ("output_dir", "output"),
    ("log", "log"),
    ("command", "command"),
)


def _dumps(value: Any) -> str:
    return exact_dumps(value)


def jobs_json(runs: Sequence[Run], ledger: Path, notes: Sequence[str]) -> str:
    """`advisor jobs list --format json`: the ledger's jobs, newest first, and a note for each provider
    that could not be asked (its jobs keep their last known status)."""
    return _dumps({"ledger": str(ledger), "jobs": [run_dict(run) for run in runs], "notes": list(notes)})


def print_jobs(runs: Sequence[Run], ledger: Path) -> None:
    """`advisor jobs list`: a table of the ledger's jobs."""
    if not runs:
        line("No jobs in the ledger yet (`advisor launch` records them).")
        return
    from rich import box
    from rich.table import Table

    from advisor.render.fit import droppable

    table = Table(title=visible(f"Jobs ({ledger})"), title_justify="left", box=box.SIMPLE_HEAD)
    for column in ("Job", "Run", "Provider", "Method", "Model", "Status", "Fine-tuned model", "Updated"):
        table.add_column(column, no_wrap=column in ("Job", "Run", "Fine-tuned model"))  # ids are copied whole
    droppable(table, "Updated", "Method", "Provider", "Run", "Model", "Status")  # `jobs show JOB` has them all
    for run in runs:
        cells = (
            run.job_id or "(none yet)",
            run.run_id,
            run.provider,
            run.method,
            run.model,
            run.provider_status or run.state,
            run.fine_tuned_model or "-",
            _minute(run.updated_at),
        )
        table.add_row(*map(visible, cells))
    print_out(table)


def _minute(stamp: str) -> str:
    """`2026-12-01 09:44 UTC` (as _when) for the ledger's `2026-12-01T09:44:15+00:00` (JSON keeps it whole)."""
    try:
        return _when(int(datetime.fromisoformat(stamp).timestamp()))
    except ValueError:
        return stamp


def job_json(
    job: Job,
    run: Run | None,
    history: Sequence[tuple[str, str]],
    cost: tuple[ActualCost, str] | None,
) -> str:
    """`advisor jobs show --format json`: `run`, `history` and `cost` are null or empty for a job that
    is not in the ledger."""
    return _dumps(
        {
            "job": job_dict(job),
            "run": run_dict(run) if run else None,
            "history": [{"at": at, "what": what} for at, what in history],
            "cost": cost_dict(*cost) if cost else None,
        }
    )


def print_job(job: Job, run: Run | None, history: Sequence[tuple[str, str]], cost: str | None) -> None:
    """`advisor jobs show`: the job, its run and files, its cost against the estimate, its ledger history."""
    line(f"job {job.id}  {job.provider_status} ({job.status})")
    line(f"  model           {job.model}")
    line(f"  fine-tuned      {job.fine_tuned_model or '-'}")
    line(f"  created         {_when(job.created_at)}   finished {_when(job.finished_at)}")
    if progress := _progress(job):
        line(f"  progress        {progress}")
    if job.error:
        line(f"  error           {job.error}")
    if run is not None:
        for key, label in _DETAILS:
            if run.details.get(key) is not None:
                line(f"  {label:<15} {run.details[key]}")
        line(
            f"  run             {run.run_id} ({run.method}, files {run.training_file_id}"
            + (f", {run.validation_file_id}" if run.validation_file_id else "")
            + ")"
        )
        for role, source, size, sha256 in checked_files(run):
            line(f"  {role + ' file':<15} {source} ({size:,} bytes, sha256 {sha256}: checked, and sent as checked)")
        line(f"  cost            {cost}")
        line("  ledger history:")
        for at, what in history:
            line(f"    {at}  {what}")


def checked_files(run: Run) -> list[tuple[str, str, int, str]]:
    """(role, source, bytes, sha256) of each file the launch read once, checked and sent, as the ledger keeps
    them with the request; a run launched before advisor kept them, or a hand-edited row, has none."""
    files = run.request.get("files")
    found = []
    for role, record in files.items() if isinstance(files, dict) else ():
        if isinstance(record, dict) and isinstance(record.get("bytes"), int) and isinstance(record.get("sha256"), str):
            found.append((str(role), str(record.get("source", "?")), record["bytes"], record["sha256"]))
    return found


def events_json(job_id: str, events: Sequence[JobEvent]) -> str:
    """`advisor jobs events --format json`: the provider's events, oldest first."""
    return _dumps(
        {
            "job_id": job_id,
            "events": [
                {"created_at": _iso(event.created_at), "level": event.level, "message": event.message}
                for event in events
            ],
        }
    )


def print_events(events: Sequence[JobEvent]) -> None:
    """`advisor jobs events`: one line per event, oldest first."""
    for event in events:
        line(f"{_when(event.created_at)}  {event.level:<5} {event.message}")


class StatusLine:
    """`advisor jobs watch`'s progress: on a terminal one line rewritten in place, with the time spent
    watching; in a pipe a line for each change. `last` is the latest line, for the message on Ctrl-C."""

    def __init__(self, live: bool, quiet: bool = False) -> None:
        self.live = live
        self.quiet = quiet  # `advisor --quiet`: no line until the end
        self.last = ""
        self._started = time.monotonic()

    def __call__(self, job: Job) -> None:
        shown = f"{job.id}: {job.provider_status}" + (f" ({job.trained_tokens:,} tokens)" if job.trained_tokens else "")
        if progress := _progress(job):
            shown += f" {progress}"
        if self.quiet:
            pass
        elif self.live:
            # the line is rewritten in place: a carriage return, the line, then erase to its end
            click.echo(f"\r{visible(shown)}  [watching {time.monotonic() - self._started:.0f} s]\x1b[K", nl=False)
        elif shown != self.last:
            line(shown)
        self.last = shown

    def end(self) -> None:
        if self.live and not self.quiet:
            line()


def print_watched(job: Job, cost: str | None) -> None:
    """`advisor jobs watch`'s end: the fine-tuned model, the trained tokens, the cost against the estimate."""
    line(f"{job.id} {job.provider_status}")
    line(f"  fine-tuned model  {job.fine_tuned_model or '-'}")
    line(f"  trained tokens    {job.trained_tokens:,}" if job.trained_tokens else "  trained tokens    -")
    if progress := _progress(job):
        line(f"  progress          {progress}")
    if cost is not None:
        line(f"  training cost     {cost}")
    if job.error:
        line(f"  error             {job.error}")


def print_status(job: Job) -> None:
    """`advisor jobs cancel`: the job's status after the request."""
    line(f"{job.id}: {job.provider_status}")
