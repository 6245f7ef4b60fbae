"""Launching a job so that it is never lost and never doubled.

1. Pre-flight (`advisor.providers.preflight`) has checked the data, the model's dates, the provider's
   rules and the cost: a LaunchPlan.
2. The ledger records the intent (a run id, the request) before any request is sent.
3. Files are uploaded under names made from the run id, so a lost upload response can be recovered. What
   is uploaded is the private copy the pre-flight checked (`advisor.providers.checked_copy`); each file's
   source, size and sha256 are kept with the run's request in the ledger (`files`). An
   upload that fails while a required credential is not set sent nothing: the run is marked failed, not
   left `uploading`, and the same launch starts afresh once the key is set.
4. The job is created once, tagged with the run id. When the answer is lost (timeout, dropped
   connection, server error), advisor does not retry: it looks the job up by its run id. If it is not
   there yet, the run stays unresolved in the ledger, and the next `advisor launch` or `advisor jobs`
   looks again (`advisor.providers.sync`) before anything is created.

A provider that prices jobs itself (`quote_job`) is asked between the upload and the create: a quote
that does not allow the job stops the launch with nothing created, and `confirm` (when given) is asked
with the quote in hand, so the user sees the provider's figure before saying yes.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from typing import Any

from advisor.errors import UserError
from advisor.providers.base import (
    Job,
    JobCreateUnknown,
    JobRequest,
    Provider,
    ProviderError,
    Quote,
    credentials_of,
    quoter_of,
)
from advisor.providers.ledger import Ledger, Run, new_run_id
from advisor.providers.preflight import LaunchPlan
from advisor.providers.sync import record_job
from advisor.safe_text import shell_command

LOOKUP_DELAYS = (0.5, 1.0, 2.0)  # seconds between looking for a job whose create answer was lost


class LaunchDeclined(Exception):
    """The user said no at the confirmation (after seeing the provider's quote): nothing was created."""


class AlreadyLaunched(UserError):
    def __init__(self, run: Run):
        super().__init__(
            f"this launch was already made: run {run.run_id}, job {run.job_id} ({run.status})",
            hint=f"see `{shell_command('advisor', 'jobs', 'show', run.job_id or run.run_id)}`; use --again to launch "
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
    confirm: Callable[[Quote], bool] | None = None,
) -> Job:
    """Upload and create, recording every step; resume a run that was cut short instead of doubling it.
    `confirm` is asked with the provider's quote, for providers that quote (the caller confirms the
    others before calling)."""
    fingerprint = plan.fingerprint()
    with ledger.launching(fingerprint):
        try:
            return _launch(provider, plan, ledger, fingerprint, again, say, sleep, confirm)
        except ProviderError as error:  # a provider names the file it uploads: the user's, not the private copy
            for checked in plan.files.values():
                error.args = tuple(str(arg).replace(str(checked.path), checked.source) for arg in error.args)
                error.hint = error.hint.replace(str(checked.path), checked.source) if error.hint else error.hint
            raise


def _launch(
    provider: Provider,
    plan: LaunchPlan,
    ledger: Ledger,
    fingerprint: str,
    again: bool,
    say: Callable[[str], None],
    sleep: Callable[[float], None],
    confirm: Callable[[Quote], bool] | None = None,
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
            record_job(ledger, run.run_id, job, "found the job by its run id")
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
            _stored(request, plan),
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
            source = plan.files[upload.role].source
            say(
                f"uploading the checked copy of {source} ({upload.size:,} bytes, sha256 {upload.sha256}) "
                f"as {upload.name}"
            )
            try:
                file_id = provider.upload(upload)
            except ProviderError as error:
                missing = [c.name for c in credentials_of(provider) if c.required and not os.environ.get(c.name)]
                if error.final or missing:  # refused, or never sent (no key): nothing to resume
                    why = f"not sent: {', '.join(missing)} not set" if missing and not error.final else "refused"
                    ledger.update(run_id, f"upload {why}: {error}", state="failed", error=str(error))
                raise
        file_ids[upload.role] = file_id
        ledger.update(
            run_id,
            f"{upload.role} file uploaded: {file_id} ({upload.size:,} bytes, sha256 {upload.sha256})",
            state="uploaded",
            **{f"{upload.role}_file_id": file_id},
        )
    request = plan.request(run_id, str(file_ids["training"]), file_ids["validation"])
    quote_job = quoter_of(provider)
    if quote_job is not None:
        _quote(quote_job, request, ledger, run_id, confirm, provider.name)
    ledger.update(
        run_id, "creating the job", state="creating", request=json.dumps(_stored(request, plan), sort_keys=True)
    )
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
                record_job(ledger, run_id, job_found, "found the job by its run id after a lost answer")
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
    record_job(ledger, run_id, job, "job created")
    return job


def _quote(
    quote_job: Callable[[JobRequest], Quote],
    request: JobRequest,
    ledger: Ledger,
    run_id: str,
    confirm: Callable[[Quote], bool] | None,
    name: str,
) -> None:
    """Ask the provider's price estimate; stop, with nothing created, when it does not allow the job or the
    user declines it."""
    try:
        quote = quote_job(request)
    except ProviderError as error:
        if error.final:
            ledger.update(run_id, f"estimate refused: {error}", state="failed", error=str(error))
        raise
    figure = f"${quote.usd}" if quote.usd is not None else "no figure"
    ledger.update(run_id, f"provider's estimate: {figure}" + (f" ({quote.note})" if quote.note else ""))
    if not quote.allowed:
        why = f"{name} will not run this job: {quote.note or 'it is not allowed to proceed'}"
        ledger.update(run_id, f"not launched: {why}", state="failed", error=why)
        raise ProviderError(why, final=True, hint="nothing was created", code="not_allowed_to_proceed")
    if confirm is not None and not confirm(quote):
        ledger.update(run_id, "not launched: declined at the confirmation", state="failed", error="declined")
        raise LaunchDeclined()


def _stored(request: JobRequest, plan: LaunchPlan) -> dict[str, Any]:
    """The request as the ledger keeps it (no credentials are part of a JobRequest), with each file's source,
    size and sha256: the bytes that were checked and sent."""
    stored = {key: value for key, value in vars(request).items() if value is not None}
    return {**stored, "files": plan.file_records()}
