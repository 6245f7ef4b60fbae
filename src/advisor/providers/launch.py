"""Launching a job so that it is never lost and never doubled.

1. Preflight: the dataset check (errors stop the launch), the price tables' methods and dates for the
   model today, the provider's own rules, and the cost estimate.
2. The ledger records the intent (a run id, the request) before any request is sent.
3. Files are uploaded under names made from the run id, so a lost upload response can be recovered.
4. The job is created once, tagged with the run id. When the answer is lost (timeout, dropped
   connection, server error), advisor does not retry: it looks the job up by its run id. If it is not
   there yet, the run stays unresolved in the ledger, and the next `advisor launch` or `advisor jobs`
   looks again before anything is created.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from advisor.costs.money import format_price, format_usd, per_million
from advisor.datasets.check import check_dataset
from advisor.datasets.grader import load_grader
from advisor.datasets.report import DatasetReport
from advisor.errors import UserError
from advisor.pricing.catalog import Catalog, ModelMatch, stale_warning, training_blockers
from advisor.pricing.model_ids import has_snapshot
from advisor.providers.base import (
    FINISHED,
    Job,
    JobCreateUnknown,
    JobRequest,
    Method,
    Provider,
    ProviderError,
    Upload,
)
from advisor.providers.ledger import Ledger, Run, new_run_id

LOOKUP_DELAYS = (0.5, 1.0, 2.0)  # seconds between looking for a job whose create answer was lost


@dataclass
class LaunchPlan:
    provider: str
    method: Method
    match: ModelMatch
    api_model: str
    training: Path
    validation: Path | None
    grader: dict[str, Any] | None
    suffix: str | None
    epochs: int | Literal["auto"]
    seed: int | None
    training_report: DatasetReport
    validation_report: DatasetReport | None
    estimate_usd: Decimal | None
    estimate_text: str
    problems: list[str] = field(default_factory=list)  # any of them stops the launch
    notices: list[str] = field(default_factory=list)  # the price table's notices in force (the wind-down ...)
    stale: str | None = None  # the price table is old
    others_training: list[str] = field(default_factory=list)  # other providers that train this method and model

    def not_available_hint(self) -> str:
        """Why the provider refuses new jobs (its table's notices) and who still trains this, for a
        403 training_not_available."""
        notices = list(self.notices)
        until = self.match.row.fine_tuning.new_jobs_until if self.match.row.fine_tuning else None
        if until and not any(str(until) in notice for notice in notices):
            notices.append(f"New {self.match.name} jobs end for everyone on {until}.")
        method, model = self.method.upper(), self.match.name
        where = (
            f"Still training {method} on {model} today, per the price tables: {', '.join(self.others_training)} "
            f"(price it: `advisor estimate --ft-provider {self.others_training[0]} ...`)."
            if self.others_training
            else f"No other provider in the price tables trains {method} on {model} today."
        )
        return " ".join(["This is final: advisor does not retry it.", *notices, where])

    def fingerprint(self) -> str:
        """Identifies 'the same launch': same provider, method, model, data, grader and settings."""
        parts = {
            "provider": self.provider,
            "method": self.method,
            "model": self.api_model,
            "training": _sha256(self.training),
            "validation": _sha256(self.validation) if self.validation else None,
            "grader": self.grader,
            "suffix": self.suffix,
            "epochs": self.epochs,
            "seed": self.seed,
        }
        return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()

    def uploads(self, run_id: str) -> list[Upload]:
        files = [("training", self.training)] + ([("validation", self.validation)] if self.validation else [])
        return [
            Upload(role, path, f"{run_id}-{role}.jsonl", path.stat().st_size, _sha256(path))  # type: ignore[arg-type]
            for role, path in files
        ]

    def request(self, run_id: str, training_file: str, validation_file: str | None) -> JobRequest:
        return JobRequest(
            run_id=run_id,
            method=self.method,
            model=self.api_model,
            training_file=training_file,
            validation_file=validation_file,
            grader=self.grader,
            suffix=self.suffix,
            epochs=self.epochs,
            seed=self.seed,
        )


def _sha256(path: Path) -> str:
    """The file's sha256, read once however often a launch asks (the fingerprint, the uploads, the
    preview); a file that changes in between is read again."""
    stat = path.stat()
    return _file_sha256(str(path), stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=8)
def _file_sha256(path: str, _size: int, _mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def api_model_name(match: ModelMatch) -> str:
    """The model name to send: fine-tuning takes a dated snapshot (gpt-4.1-mini -> gpt-4.1-mini-2025-04-14)."""
    written = match.model_id.base
    if has_snapshot(written):
        return written
    dated = [alias for alias in match.row.aliases if has_snapshot(alias)]
    return dated[0] if dated else written


def plan_launch(
    provider: Provider,
    catalog: Catalog,
    today: date,
    *,
    method: Method,
    model: str,
    training: str,
    validation: str | None = None,
    grader: str | None = None,
    suffix: str | None = None,
    epochs: int | Literal["auto"] = "auto",
    seed: int | None = None,
) -> LaunchPlan:
    """Everything checked before anything is sent."""
    match = catalog.find(model, provider.name)
    others = [p for p in catalog.providers_offering(method, match.name, today) if p != provider.name]
    problems = [f"{blocker}" for blocker in training_blockers(match, method, today)]
    if problems:
        problems[-1] += f"; {', '.join(others)} can" if others else "; no provider in the price tables can, today"
    grader_spec = None
    if method == "rft":
        if not grader:
            problems.append("RFT needs a grader: give --grader FILE (JSON)")
        else:
            grader_spec = load_grader(grader)
        if not validation:
            problems.append("RFT needs a validation file: give --validation-file (advisor dataset split makes one)")
    elif grader:
        raise UserError("--grader goes with --method rft", hint="drop --grader, or use --method rft")
    training_report = check_dataset(
        training,
        catalog,
        today,
        method=method,
        models=[f"{match.provider}/{match.name}"],
        epochs=epochs,
        grader_path=grader if grader_spec else None,
    )
    problems += _dataset_problems(training, training_report)
    validation_report = None
    if validation:
        validation_report = check_dataset(
            validation,
            catalog,
            today,
            method=method,
            models=[f"{match.provider}/{match.name}"],
            grader_path=grader if grader_spec else None,
        )
        problems += _dataset_problems(validation, validation_report, validation=True)
    estimate_usd, estimate_text = _estimate(training_report, match, method)
    plan = LaunchPlan(
        provider.name,
        method,
        match,
        api_model_name(match),
        Path(training),
        Path(validation) if validation else None,
        grader_spec.definition if grader_spec else None,
        suffix,
        epochs,
        seed,
        training_report,
        validation_report,
        estimate_usd,
        estimate_text,
        problems,
        notices=[notice.text for notice in match.table.notices if notice.since <= today],
        stale=stale_warning(match.table, today),
        others_training=others,
    )
    preview = plan.request("adv-preview", "file-training", "file-validation" if validation else None)
    plan.problems += provider.preflight(preview, plan.uploads("adv-preview"))
    return plan


def _dataset_problems(path: str, report: DatasetReport, validation: bool = False) -> list[str]:
    # a validation file may be small: too few examples is a training-file rule
    errors = [p for p in report.problems if p.severity == "error" and not (validation and p.code == "too-few-examples")]
    if not errors:
        return []
    first = errors[0]
    where = f"{path}:{first.line}" if first.line else path
    more = report.errors - 1
    return [
        f"{where}: {first.message} ({first.code})"
        + (f", and {more:,} more error(s)" if more else "")
        + f": run `advisor dataset check {path}`"
    ]


def _estimate(report: DatasetReport, match: ModelMatch, method: Method) -> tuple[Decimal | None, str]:
    quote = next((q for q in report.costs if q.provider == match.provider and q.model == match.name), None)
    if quote is None:
        return None, "no estimate (the file has no valid examples)"
    if quote.basis == "hours":
        return None, (
            f"RFT is billed per training hour: {format_price(quote.price)} an hour ({quote.row}, as_of "
            f"{quote.as_of}); `advisor estimate --method rft --rft-hours H` prices a run"
        )
    if quote.usd is None or quote.billed_tokens is None:
        return None, f"no estimate ({quote.note or 'no training price'})"
    return quote.usd, (
        f"{format_usd(quote.usd)}: {quote.billed_tokens:,} billed tokens ({quote.epochs} epochs) at "
        f"{format_price(quote.price)} per 1M ({quote.row}, as_of {quote.as_of})"
    )


class AlreadyLaunched(UserError):
    def __init__(self, run: Run):
        super().__init__(
            f"this launch was already made: run {run.run_id}, job {run.job_id} ({run.status})",
            hint="see `advisor jobs show " + (run.job_id or run.run_id) + "`; use --again to launch "
            "another job with the same data and settings",
        )
        self.run = run


def launch(
    provider: Provider,
    plan: LaunchPlan,
    ledger: Ledger,
    *,
    again: bool = False,
    say: Callable[[str], None] = lambda _: None,
    sleep: Callable[[float], None] = time.sleep,
) -> Job:
    """Upload and create, recording every step; resume a run that was cut short instead of doubling it."""
    fingerprint = plan.fingerprint()
    with ledger.launching(fingerprint):
        return _launch(provider, plan, ledger, fingerprint, again, say, sleep)


def _launch(
    provider: Provider,
    plan: LaunchPlan,
    ledger: Ledger,
    fingerprint: str,
    again: bool,
    say: Callable[[str], None],
    sleep: Callable[[float], None],
) -> Job:
    previous = ledger.by_fingerprint(fingerprint)
    finished = [run for run in previous if run.job_id]
    if finished and not again:
        raise AlreadyLaunched(finished[-1])
    pending = [run for run in previous if not run.job_id and run.state != "failed"]
    if pending:
        run = pending[-1]
        say(f"resuming run {run.run_id}, which was cut short ({run.state})")
        job = provider.find_job(run.run_id) if run.state in ("creating", "create-unknown") else None
        if job is not None:
            _record_job(ledger, run.run_id, job, "found the job by its run id")
            return job
        run_id = run.run_id
    else:
        run_id = new_run_id()
        request = plan.request(run_id, "<training file id>", "<validation file id>" if plan.validation else None)
        ledger.record_intent(
            run_id,
            plan.provider,
            plan.method,
            plan.api_model,
            fingerprint,
            _stored(request),
            str(plan.estimate_usd) if plan.estimate_usd is not None else None,
        )
    current = ledger.get(run_id)
    assert current is not None
    file_ids: dict[str, str | None] = {"training": current.training_file_id, "validation": current.validation_file_id}
    for upload in plan.uploads(run_id):
        if file_ids[upload.role]:
            continue
        file_id = provider.find_upload(upload) if current.state != "intent" else None
        if file_id is None:
            ledger.update(run_id, f"uploading the {upload.role} file", state="uploading")
            say(f"uploading {upload.path} ({upload.size:,} bytes) as {upload.name}")
            try:
                file_id = provider.upload(upload)
            except ProviderError as error:
                if error.final:
                    ledger.update(run_id, f"upload refused: {error}", state="failed", error=str(error))
                raise
        file_ids[upload.role] = file_id
        ledger.update(
            run_id, f"{upload.role} file uploaded: {file_id}", state="uploaded", **{f"{upload.role}_file_id": file_id}
        )
    request = plan.request(run_id, str(file_ids["training"]), file_ids["validation"])
    ledger.update(run_id, "creating the job", state="creating", request=json.dumps(_stored(request), sort_keys=True))
    say(f"creating the {plan.method.upper()} job on {plan.api_model} (run {run_id})")
    try:
        job = provider.create_job(request)
    except JobCreateUnknown as error:
        ledger.update(run_id, f"create outcome unknown: {error}", state="create-unknown", error=str(error))
        say(f"the answer to the create request was lost ({error}); looking for the job by its run id")
        for delay in LOOKUP_DELAYS:
            sleep(delay)
            job_found = provider.find_job(run_id)
            if job_found is not None:
                _record_job(ledger, run_id, job_found, "found the job by its run id after a lost answer")
                return job_found
        raise ProviderError(
            f"the job may or may not have been created (run {run_id}); no job with that run id is visible yet",
            hint="nothing was launched twice: `advisor jobs list` (or the same `advisor launch`) looks again "
            "and only creates the job if the provider has none for this run",
        ) from None
    except ProviderError as error:
        ledger.update(run_id, f"create refused: {error}", state="failed", error=str(error))
        if error.code == "training_not_available":
            raise ProviderError(str(error), final=True, hint=plan.not_available_hint(), code=error.code) from None
        raise
    _record_job(ledger, run_id, job, "job created")
    return job


def _stored(request: JobRequest) -> dict[str, Any]:
    """The request as the ledger keeps it (no credentials are part of a JobRequest)."""
    return {key: value for key, value in vars(request).items() if value is not None}


def _record_job(ledger: Ledger, run_id: str, job: Job, what: str) -> None:
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
            _record_job(ledger, run.run_id, job, "found the job by its run id")
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


def actual_cost(run: Run, job: Job, catalog: Catalog) -> str:
    """The training cost the job's billed tokens come to, next to the estimate."""
    estimate = f"estimated {format_usd(Decimal(run.estimate_usd))}" if run.estimate_usd else "no estimate"
    if job.trained_tokens is None:
        return f"{estimate}; the provider reports no trained tokens (RFT bills hours: see the invoice)"
    match = catalog.find(run.model, run.provider)
    fine_tuning = match.row.fine_tuning
    if fine_tuning is None or fine_tuning.training is None:
        return f"{job.trained_tokens:,} trained tokens; {estimate}"
    cost = per_million(job.trained_tokens, fine_tuning.training)
    return (
        f"{job.trained_tokens:,} trained tokens x {format_price(fine_tuning.training)} per 1M = {format_usd(cost)} "
        f"({estimate})"
    )
