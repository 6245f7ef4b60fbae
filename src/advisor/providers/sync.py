"""Keeping the ledger in step with the providers, and what a finished job cost.

`refresh` finds the jobs of launches whose create answer was lost (by their run id) and reads the
status of every unfinished job; a provider that cannot be asked leaves its jobs at their last known
status. `training_cost` prices the trained tokens a provider reports with the row the estimate used;
`actual_cost` says it in words, next to the estimate.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from advisor.costs.money import format_price, format_usd, per_million
from advisor.errors import UserError
from advisor.pricing.catalog import Catalog
from advisor.providers.base import FINISHED, Job, Provider, ProviderError
from advisor.providers.ledger import Ledger, Run


def record_job(ledger: Ledger, run_id: str, job: Job, what: str) -> None:
    """Record the job a run created (or that was found by its run id), with `what` happened in its history."""
    ledger.update(
        run_id,
        f"{what}: {job.id} ({job.provider_status})",
        state="created",
        job_id=job.id,
        status=job.status,
        provider_status=job.provider_status,
        fine_tuned_model=job.fine_tuned_model,
        trained_tokens=job.trained_tokens,
        error=job.error,
    )


def record_status(ledger: Ledger, run: Run, job: Job) -> None:
    """Record a job's status as the provider reports it, when it changed since the ledger last saw it."""
    if (job.status, job.provider_status, job.fine_tuned_model, job.trained_tokens) != (
        run.status,
        run.provider_status,
        run.fine_tuned_model,
        run.trained_tokens,
    ):
        ledger.update(
            run.run_id,
            f"status {job.provider_status}",
            status=job.status,
            provider_status=job.provider_status,
            fine_tuned_model=job.fine_tuned_model,
            trained_tokens=job.trained_tokens,
            error=job.error,
        )


def resolve(provider: Provider, ledger: Ledger) -> list[tuple[Run, Job]]:
    """Look for the jobs of runs whose create answer was lost; record those found."""
    found = []
    for run in ledger.unresolved():
        if run.provider != provider.name:
            continue
        job = provider.find_job(run.run_id)
        if job is not None:
            record_job(ledger, run.run_id, job, "found the job by its run id")
            found.append((run, job))
    return found


def refresh(ledger: Ledger, provider_named: Callable[[str], Provider], only: str | None = None) -> list[str]:
    """Bring the ledger up to date from the providers: find the jobs of launches whose answer was lost,
    and read the status of every unfinished job. Returns a note for each provider that could not be
    asked (no plugin loaded, network down); its jobs keep their last known status."""
    notes = []
    for name in sorted({run.provider for run in ledger.runs(only)}):
        try:
            provider = provider_named(name)
            resolve(provider, ledger)
            for run in ledger.runs(name):
                if run.job_id and run.status not in FINISHED:
                    record_status(ledger, run, provider.get_job(run.job_id))
        except UserError:
            notes.append(f"no {name} provider plugin is loaded: its jobs show the ledger's last known statuses")
        except ProviderError as error:
            notes.append(f"could not reach {name} ({error}): statuses are the ledger's last known ones")
    return notes


@dataclass(frozen=True)
class TrainingCost:
    """What a job's training came to: the ledger's estimate, and the trained tokens the provider reports
    priced with the training price of the row the estimate used (None where a figure is not known)."""

    estimate_usd: Decimal | None
    trained_tokens: int | None
    price_row: str | None = None  # e.g. "openai:gpt-4.1-mini fine_tuning training"
    as_of: date | None = None
    usd_per_million: Decimal | None = None
    usd: Decimal | None = None


def training_cost(run: Run, job: Job, catalog: Catalog) -> TrainingCost:
    estimate = Decimal(run.estimate_usd) if run.estimate_usd else None
    if job.trained_tokens is None:  # RFT bills hours, and unfinished jobs report none yet
        return TrainingCost(estimate, None)
    match = catalog.find(run.model, run.provider)
    fine_tuning = match.row.fine_tuning
    if fine_tuning is None or fine_tuning.training is None:
        return TrainingCost(estimate, job.trained_tokens)
    return TrainingCost(
        estimate,
        job.trained_tokens,
        f"{match.provider}:{match.name} fine_tuning training",
        match.table.as_of,
        fine_tuning.training,
        per_million(job.trained_tokens, fine_tuning.training),
    )


def actual_cost(run: Run, job: Job, catalog: Catalog) -> str:
    """The training cost the job's billed tokens come to, next to the estimate."""
    cost = training_cost(run, job, catalog)
    estimate = f"estimated {format_usd(cost.estimate_usd)}" if cost.estimate_usd is not None else "no estimate"
    if cost.trained_tokens is None:
        return f"{estimate}; the provider reports no trained tokens (RFT bills hours: see the invoice)"
    if cost.usd is None or cost.usd_per_million is None:
        return f"{cost.trained_tokens:,} trained tokens; {estimate}"
    return (
        f"{cost.trained_tokens:,} trained tokens x {format_price(cost.usd_per_million)} per 1M = "
        f"{format_usd(cost.usd)} ({estimate})"
    )
