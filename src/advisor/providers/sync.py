"""Keeping the ledger in step with the providers, and what a finished job cost.

`refresh` finds the jobs of launches whose create answer was lost (by their run id) and reads the
status of every unfinished job; a provider that cannot be asked leaves its jobs at their last known
status. `training_cost` prices the trained tokens a provider reports with the row the estimate used
(or, on the team's own GPUs, the GPU-hours it reports at the row's GPU price); `actual_cost` says it in
words, next to the estimate.

Two optional keys of `Job.raw` carry what a provider knows beyond the job itself: `advisor_details`, a
JSON object of non-secret facts merged into the ledger run's details (host, pid, folders, command, and
`gpu_hours` used so far), and `advisor_progress`, a line such as "step 40/120, loss 1.21" that
`jobs watch` and `show` print and the ledger does not keep.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from advisor.costs.money import format_usd
from advisor.costs.training import TrainingCost, TrainingWork, price_training
from advisor.errors import UserError
from advisor.methods import method_named
from advisor.pricing.catalog import Catalog, ModelMatch
from advisor.providers.base import FINISHED, Job, Provider, ProviderError
from advisor.providers.ledger import Ledger, Run
from advisor.providers.preflight import cluster_of

DETAILS_KEY = "advisor_details"
PROGRESS_KEY = "advisor_progress"


def details_of(job: Job) -> dict[str, Any]:
    """The facts a provider reports about where and how the job runs (`Job.raw["advisor_details"]`)."""
    details = job.raw.get(DETAILS_KEY) if isinstance(job.raw, dict) else None
    return dict(details) if isinstance(details, dict) else {}


def progress_of(job: Job) -> str | None:
    """The provider's one-line progress report (`Job.raw["advisor_progress"]`), if it gives one."""
    progress = job.raw.get(PROGRESS_KEY) if isinstance(job.raw, dict) else None
    return progress if isinstance(progress, str) and progress else None


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
    ledger.merge_details(run_id, details_of(job))


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
    ledger.merge_details(run.run_id, details_of(job))


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
        except UserError:
            notes.append(f"no {name} provider plugin is loaded: its jobs show the ledger's last known statuses")
            continue
        except ProviderError as error:
            notes.append(f"could not reach {name} ({error}): statuses are the ledger's last known ones")
            continue
        for run in ledger.runs(name):
            if not run.job_id or run.status in FINISHED:
                continue
            try:  # one job that cannot be read does not stop the others from being refreshed
                record_status(ledger, run, provider.get_job(run.job_id))
            except ProviderError as error:
                if not error.final:  # the provider cannot be reached: the other jobs would fail the same way
                    notes.append(f"could not reach {name} ({error}): statuses are the ledger's last known ones")
                    break
                notes.append(
                    f"could not refresh {run.job_id} at {name} ({error}): its status is the ledger's last known "
                    f"one, from {run.updated_at}"
                )
    return notes


@dataclass(frozen=True)
class ActualCost:
    """What a job's training came to: the ledger's estimate, and what the provider reports (trained
    tokens, or GPU-hours on own GPUs) priced by the row the estimate used (`cost` None where the
    report or the row gives no price)."""

    estimate_usd: Decimal | None
    trained_tokens: int | None = None
    gpu_hours: Decimal | None = None  # own GPUs: wall-clock x GPUs, as the provider reports it
    cost: TrainingCost | None = None
    price_row: str | None = None  # e.g. "openai:gpt-4.1-mini fine_tuning training"
    as_of: date | None = None


def _price_match(run: Run, catalog: Catalog) -> ModelMatch:
    """The row the estimate used: the model's, or the row named by the `price_as` setting (a model the
    tables do not list, priced as a row of its size)."""
    price_as = (run.request.get("settings") or {}).get("price_as")
    return catalog.find(str(price_as) if price_as else run.model, run.provider)


def training_cost(run: Run, job: Job, catalog: Catalog) -> ActualCost:
    """The job's reported tokens (or GPU-hours) priced as the estimate priced them: the same row, method,
    training type and tier."""
    estimate = Decimal(run.estimate_usd) if run.estimate_usd else None
    hours = None if job.trained_tokens is not None else details_of(job).get("gpu_hours", run.details.get("gpu_hours"))
    reported = ActualCost(estimate, job.trained_tokens, None if hours is None else Decimal(str(hours)))
    if reported.trained_tokens is None and reported.gpu_hours is None:  # unfinished, or RFT's billed hours
        return reported
    match, method = _price_match(run, catalog), method_named(run.method)
    if match.row.fine_tuning is None or method is None:
        return reported
    settings = run.request.get("settings") or {}
    kind, tier = settings.get("training_type"), settings.get("tier")
    work = TrainingWork(
        method=method,
        tokens_per_epoch=job.trained_tokens,
        epochs=1,
        hours=reported.gpu_hours,
        training_type=None if kind is None else str(kind),
        tier=None if tier is None else str(tier),
        measured=True,
        cluster=cluster_of(settings),
    )
    try:
        cost = price_training(work, match.row.fine_tuning, match.table.gpus)
    except ValueError:  # the row does not price what was reported: the figures alone
        return reported
    assert cost.rate is not None
    row = cost.rate.row(match.provider, match.name)
    return replace(reported, cost=cost, price_row=row, as_of=cost.rate.as_of or match.table.as_of)


def actual_cost(run: Run, job: Job, catalog: Catalog) -> str:
    """The training cost the job's billed tokens (or GPU-hours) come to, next to the estimate."""
    actual = training_cost(run, job, catalog)
    estimate = f"estimated {format_usd(actual.estimate_usd)}" if actual.estimate_usd is not None else "no estimate"
    so_far = "" if job.status in FINISHED else " so far"
    if actual.cost is not None:
        rate = actual.cost.rate
        if actual.gpu_hours is not None and actual.estimate_usd is not None and rate and rate.price:
            estimate += f" = {actual.estimate_usd / rate.price:.2f} GPU-hours"
        return f"{actual.cost.explanation} = {format_usd(actual.cost.usd)}{so_far} ({estimate})"
    if actual.gpu_hours is not None:
        return f"{actual.gpu_hours:.2f} GPU-hours{so_far} (wall-clock x GPUs); {estimate}"
    if actual.trained_tokens is None:
        return f"{estimate}; the provider reports no trained tokens (RFT bills hours: see the invoice)"
    return f"{actual.trained_tokens:,} trained tokens; {estimate}"
