"""`advisor jobs download JOB`: a fine-tune's weights or adapter, whole or not at all (see
advisor.providers.download); the size first, progress on stderr when it is a terminal."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("download")
@click.argument("job")
@click.option("--provider", help="Provider of a job that is not in the ledger.")
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    metavar="DIR",
    help="Folder to write the file into.",
)
@click.option(
    "--checkpoint",
    metavar="KIND",
    help="What to download, as the provider names it (Together: merged, adapter, model_output_path); "
    "default: the provider's choice for the job.",
)
def download(job: str, provider: str | None, output: Path, checkpoint: str | None) -> None:
    """Download a finished job's weights or adapter. The file is written beside its final name and renamed
    only once its size (and checksum, when the provider gives one) is right; a cut is resumed."""
    import sys

    from advisor.cli.job_lookup import open_ledger, provider_for
    from advisor.providers.download import download as fetch

    ledger = open_ledger()
    plugin, run = provider_for(job, ledger, provider)
    job_id = run.job_id if run else job
    from advisor.render.console import line
    from advisor.render.console import live as drawn

    live = drawn(sys.stderr)

    def start(name: str, size: int | None) -> None:
        line(f"{name}: {_size(size)} from {plugin.name} job {job_id}, into {output}")

    def progress(done: int, total: int | None) -> None:
        if live:
            share = f" ({done / total:.0%})" if total else ""
            click.echo(f"\r  {_size(done)} of {_size(total)}{share}", nl=False, err=True)

    result = fetch(plugin, job_id, output, checkpoint=checkpoint, on_start=start, on_progress=progress)
    if live:
        click.echo(err=True)
    checked = "size and sha256 checked" if result.checked else "size checked"
    resumed = f", resumed {result.resumed} time(s) after a cut" if result.resumed else ""
    line(f"saved {result.path} ({result.size:,} bytes, {checked}{resumed}; sha256 {result.sha256})")


def _size(size: int | None) -> str:
    if size is None:
        return "size unknown"
    for unit, scale in (("GB", 10**9), ("MB", 10**6), ("kB", 10**3)):
        if size >= scale:
            return f"{size / scale:,.1f} {unit} ({size:,} bytes)"
    return f"{size:,} bytes"
