"""Finding a job for the `advisor jobs` commands: the ledger, and the provider plugin and ledger run of a
job id or run id. Shared by jobs_cmd, jobs_deploy_cmd and jobs_download_cmd, which import it (and not
each other)."""

from __future__ import annotations

from typing import Any


def open_ledger() -> Any:
    from advisor.providers.ledger import Ledger

    return Ledger()


def provider_for(key: str, ledger: Any, provider: str | None) -> tuple[Any, Any]:
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
        if run.state not in ("creating", "create-unknown"):
            raise UserError(f"run {run.run_id} has no job: {_stopped(run)}", hint=_resume_hint(run))
        from advisor.providers.sync import resolve

        resolve(provider_named(name), ledger)
        run = ledger.get(key)
        if run.job_id is None:
            raise UserError(
                f"run {key} has no job yet ({run.state})",
                hint="the create request's answer was lost and no job with this run id is visible yet; "
                "`advisor jobs list` (or the same `advisor launch`) looks again",
            )
    return provider_named(name), run


def _stopped(run: Any) -> str:
    """Why a run has no job, from its state: only `creating` and `create-unknown` may have sent a create."""
    if run.state == "failed":
        return f"the launch failed before a job was created ({run.error or 'no reason recorded'})"
    return f"the launch stopped at `{run.state}`, before the job was created: no create request was sent"


def _resume_hint(run: Any) -> str:
    resume = "the same `advisor launch` resumes it, " if run.state != "failed" else ""
    from advisor.safe_text import shell_command

    return f"{resume}`{shell_command('advisor', 'jobs', 'forget', run.run_id)}` removes it from the ledger"
