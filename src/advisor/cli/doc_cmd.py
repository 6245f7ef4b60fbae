"""`advisor doc update|check|reproduce`: proposal documents whose advisor blocks keep themselves current
(docs/proposals.md). The work is advisor.documents'; this parses, prints and sets the exit status."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from advisor.cli.options import FILE, pricing_options, today_or

if TYPE_CHECKING:
    from advisor.documents.refresh import Outcome, Pricing
    from advisor.recommend.recommendation import CommandPlace

BAD = 2  # a document that cannot be read or has a malformed block
STALE = 1  # a block that would change (check), or that does not reproduce


@click.group()
def doc() -> None:
    """Keep advisor blocks in proposal documents current.

    A block is the text between `<!-- advisor:begin scenario=PATH [section=NAME] [today=YYYY-MM-DD]
    [frozen] -->` and `<!-- advisor:end -->` in a Markdown, HTML, reStructuredText or AsciiDoc file;
    see docs/proposals.md."""


def documents_argument(function: Callable[..., None]) -> Callable[..., None]:
    return click.argument("documents", nargs=-1, required=True, type=FILE, metavar="DOC...")(function)


@doc.command()
@documents_argument
@pricing_options
def update(documents: tuple[Path, ...], pricing_files: tuple[Path, ...], today: date | None) -> None:
    """Fill every block of each DOC, keeping every byte outside the blocks. A document is written
    (atomically) only when a block changed; frozen blocks (`frozen`, `today=`) are written once, when
    empty. Prints each block's state and, for a changed one, why."""
    from advisor.documents.refresh import plan_document, write_document

    pricing = _pricing(pricing_files, today)
    status = 0
    for path in documents:
        try:
            plan = plan_document(path, pricing)
            for outcome in plan.outcomes:
                _say_outcome(path, outcome)
            changed = sum(o.changes for o in plan.outcomes)
            charts = [chart.path.name for chart in plan.charts]  # before writing: then they are current
            if write_document(plan):
                also = f" and {', '.join(charts)}" if charts else ""
                click.echo(f"{path}: wrote {changed} of {len(plan.outcomes)} blocks{also}")
            else:
                click.echo(f"{path}: every block current, nothing written")
        except _user_error() as error:
            status = _bad(error)
    _exit(status)


@doc.command()
@documents_argument
@pricing_options
@click.option("--strict", is_flag=True, help="A frozen block that reads differently today fails the check too.")
def check(documents: tuple[Path, ...], pricing_files: tuple[Path, ...], today: date | None, strict: bool) -> None:
    """Change nothing; exit 0 when every block of each DOC is current, 1 when an update would change one
    (its diff and why are printed), 2 when a document or block is bad. Frozen blocks that read
    differently today are shown as information (exit 1 with --strict)."""
    from advisor.documents.refresh import plan_document

    pricing = _pricing(pricing_files, today)
    status = 0
    for path in documents:
        try:
            plan = plan_document(path, pricing, compare_frozen=True)
        except _user_error() as error:
            status = _bad(error)
            continue
        for outcome in plan.outcomes:
            where = _where(path, outcome)
            if outcome.changes:
                status = max(status, STALE)
                click.echo(f"{where}: stale: {outcome.reason}")
                click.echo(outcome.diff(path), nl=False)
            elif outcome.kind == "frozen-differs":
                if strict:
                    status = max(status, STALE)
                click.echo(f"{where}: frozen, reads differently on {pricing.today} (information): {outcome.reason}")
                click.echo(outcome.diff(path), nl=False)
            else:
                click.echo(f"{where}: {'frozen, the same today' if outcome.kind == 'frozen' else 'current'}")
    _exit(status)


@doc.command()
@documents_argument
@pricing_options
def reproduce(documents: tuple[Path, ...], pricing_files: tuple[Path, ...], today: date | None) -> None:
    """Render each block of each DOC again on the date its provenance records, with the prices in force
    that day: "reproduced", or a diff. Says when a price table, the scenario, genai-prices or advisor
    differs from the one recorded (a figure may then legitimately differ). Exit 0, 1 (a block differs)
    or 2 (a bad document)."""
    from advisor.documents.refresh import reproduce_document

    pricing = _pricing(pricing_files, today)
    status = 0
    for path in documents:
        try:
            found = reproduce_document(path, pricing)
        except _user_error() as error:
            status = _bad(error)
            continue
        for item in found:
            where = f"{path}:{item.block.line} {item.block.spec.section} ({item.block.spec.scenario})"
            if item.kind == "not-rendered":
                click.echo(f"{where}: not rendered yet (no provenance): nothing to reproduce")
                continue
            if item.kind == "reproduced":
                click.echo(f"{where}: reproduced (priced on {item.priced})")
            else:
                status = max(status, STALE)
                click.echo(f"{where}: differs from a rendering on {item.priced}")
                click.echo(item.diff, nl=False)
            for note in item.notes:
                click.echo(f"  note: {note}")
    _exit(status)


def _pricing(pricing_files: tuple[Path, ...], today: date | None) -> Pricing:
    from advisor.documents.refresh import Pricing
    from advisor.plugins import catalog_with_plugins

    day = today_or(today)
    return Pricing(catalog_with_plugins(pricing_files, day), day, _document_place)


def _document_place(scenario_file: str) -> CommandPlace:
    """Where a block's commands run: the document's folder (the working folder while it renders), paths
    outside it written relative to it too, so that the document reads the same on every machine."""
    from dataclasses import replace

    from advisor.api.recommending import command_place

    return replace(command_place(scenario_file), relative=True)


def _where(path: Path, outcome: Outcome) -> str:
    spec = outcome.block.spec
    return f"{path}:{outcome.block.line} {spec.section} ({spec.scenario})"


def _say_outcome(path: Path, outcome: Outcome) -> None:
    words = {
        "current": "current",
        "frozen": "frozen, kept as it is",
        "frozen-differs": "frozen, kept as it is",
        "updated": "updated",
        "filled": "filled",
    }[outcome.kind]
    click.echo(f"{_where(path, outcome)}: {words}" + (f": {outcome.reason}" if outcome.changes else ""))


def _user_error() -> type[Exception]:
    from advisor.errors import UserError

    return UserError


def _bad(error: Exception) -> int:
    from advisor.safe_text import visible

    click.echo(f"advisor: error: {visible(str(error))}", err=True)
    return BAD


def _exit(status: int) -> None:
    if status:
        click.get_current_context().exit(status)
