"""`advisor launch` on the terminal: the plan before anything is sent, the problems that stop it, the
dry run's requests, a provider's own quote beside advisor's estimate, and the launched job."""

from __future__ import annotations

from typing import TYPE_CHECKING

from advisor.costs.money import format_usd
from advisor.render.console import echo, line
from advisor.safe_text import shell_command

if TYPE_CHECKING:
    from advisor.providers.base import Job, Provider, Quote
    from advisor.providers.checked_copy import CheckedFile
    from advisor.providers.preflight import LaunchPlan


def print_plan(plan: LaunchPlan) -> None:
    """What will be launched: the files as checked, the settings, the estimate, the table's notes."""
    report = plan.training_report
    files = plan.files
    line(f"{plan.method.upper()} on {plan.match.provider}:{plan.api_model}")
    line(
        f"  training file   {files['training'].source} ({report.valid_examples:,} valid examples, "
        f"{report.errors:,} errors, {report.warnings:,} warnings)"
    )
    line(_digest(files["training"]))
    if plan.validation_report is not None:
        v = plan.validation_report
        line(
            f"  validation file {files['validation'].source} ({v.valid_examples:,} valid examples, {v.errors:,} errors)"
        )
        line(_digest(files["validation"]))
    if "grader" in files:
        line(f"  grader          {files['grader'].source}")
        line(_digest(files["grader"]))
    if plan.settings:
        line("  settings        " + ", ".join(f"{name}={value}" for name, value in plan.settings.items()))
    line(f"  estimated cost  {plan.estimate_text}")
    for note in [plan.match.note, plan.stale, *plan.notices]:  # the row it is priced as, and why
        if note:
            line(f"  note: {note}")


def _digest(checked: CheckedFile) -> str:
    """The line under a file: the size and sha256 of the copy that was checked, which is the one sent."""
    return f"                  {checked.size:,} bytes, sha256 {checked.sha256} (checked, and sent as checked)"


def print_problems(problems: list[str]) -> None:
    line("Not launched:", err=True)
    for problem in problems:
        line(f"  - {problem}", err=True)


def print_dry_run(plan: LaunchPlan, provider: Provider) -> None:
    """The exact requests a launch would send, with placeholders for what only the provider assigns."""
    placeholder = "<run id>"
    uploads = plan.uploads(placeholder)
    request = plan.request(
        placeholder, f"<id of {uploads[0].name}>", f"<id of {uploads[1].name}>" if len(uploads) > 1 else None
    )
    line()
    line("Dry run: these requests would be sent (nothing was sent, no key was needed):")
    for text in provider.request_preview(uploads, request):
        for checked in plan.files.values():  # the private copy is named as the user gave the file
            text = text.replace(str(checked.path), f"checked copy of {checked.source}")
        echo(text)


def print_quote(plan: LaunchPlan, provider: str, quote: Quote) -> None:
    """The provider's own estimate beside advisor's, before the confirmation."""
    figure = format_usd(quote.usd) if quote.usd is not None else "no figure"
    line(f"  advisor's estimate   {plan.estimate_text}")
    line(f"  {provider}'s estimate".ljust(22) + f" {figure}" + (f" ({quote.note})" if quote.note else ""))
    if quote.usd is not None and plan.estimate_usd:
        difference = (quote.usd - plan.estimate_usd) / plan.estimate_usd * 100
        line(f"  difference           {difference:+.1f}% against advisor's estimate")


def print_launched(job: Job) -> None:
    line()
    line(f"Launched job {job.id} ({job.provider_status}), run {job.run_id or '-'}.")
    line(f"Watch it: {shell_command('advisor', 'jobs', 'watch', job.id)}")
