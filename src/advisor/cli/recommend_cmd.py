"""`advisor recommend`: a strategy for a scenario file, why, and what each option costs."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from advisor.cli.options import format_option, pricing_options, today_or


@click.command()
@click.argument("file")
@format_option("table", "json", "markdown")
@click.option("--output", metavar="FILE", help="Write the report to FILE (Markdown also writes its chart beside it).")
@click.option("--force", is_flag=True, help="Overwrite --output files that exist.")
@pricing_options
def recommend(
    file: str, output_format: str, output: str | None, force: bool, pricing_files: tuple[str, ...], today: date | None
) -> None:
    """Recommend prompting, RAG, SFT, DPO, RFT or RAG + SFT for the feature described in FILE
    (a scenario in TOML or JSON; see docs/recommendations.md), rule by rule with sources, with the
    monthly cost, training cost and payback of every option."""
    from advisor.plugins import load_catalog
    from advisor.recommend.recommendation import recommend as build
    from advisor.recommend.scenario import load_scenario

    rec = build(load_scenario(file), load_catalog(pricing_files), today_or(today))
    if output is None:
        _print(rec, output_format)
        return
    target = Path(output)
    chart = target.with_name(f"{target.stem}.payback.svg") if output_format == "markdown" else None
    _refuse_overwrite([path for path in (target, chart) if path is not None], force)
    write_output(rec, output_format, target, chart)
    click.echo(f"wrote {target}" + (f" and {chart}" if chart else ""), err=True)


def _print(rec, output_format: str) -> None:  # type: ignore[no-untyped-def]
    from advisor.render import recommendation as render

    if output_format == "json":
        click.echo(render.to_json(rec))
    elif output_format == "markdown":
        click.echo(render.to_markdown(rec), nl=False)
    else:
        render.print_report(rec)


def write_output(rec, output_format: str, target: Path, chart: Path | None) -> None:  # type: ignore[no-untyped-def]
    from advisor.errors import UserError
    from advisor.render import recommendation as render

    try:
        if output_format == "json":
            target.write_text(render.to_json(rec) + "\n", encoding="utf-8")
        elif output_format == "markdown":
            assert chart is not None
            render.write_chart(rec, chart)
            target.write_text(render.to_markdown(rec, chart.name), encoding="utf-8")
        else:
            with target.open("w", encoding="utf-8") as handle:
                render.print_report(rec, file=handle)
    except OSError as exc:
        raise UserError(f"cannot write ({exc.strerror})", where=str(target), hint="check the folder") from None


def _refuse_overwrite(paths: list[Path], force: bool) -> None:
    from advisor.errors import UserError

    existing = [str(path) for path in paths if path.exists()]
    if existing and not force:
        raise UserError(
            f"{' and '.join(existing)} already exist(s)", hint="use --force to overwrite, or another --output"
        )
