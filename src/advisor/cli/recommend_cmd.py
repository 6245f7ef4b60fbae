"""`advisor recommend`: a strategy for a scenario file, why, and what each option costs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from advisor.cli.options import format_option, pricing_options, today_or

if TYPE_CHECKING:
    from advisor.pricing.catalog import Catalog
    from advisor.recommend.recommendation import CommandPlace, Recommendation
    from advisor.recommend.scenario import LoadedScenario
    from advisor.render.portfolio import Outcome

    Build = Callable[[LoadedScenario, Catalog, date, CommandPlace], Recommendation]


@click.command()
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@format_option("table", "json", "markdown")
@click.option("--output", metavar="FILE", help="Write the report to FILE (Markdown also writes its chart beside it).")
@click.option("--force", is_flag=True, help="Overwrite --output files that exist.")
@click.option(
    "--set", "set_texts", multiple=True, metavar="KEY=VALUE",
    help="Recommend with a scenario value set otherwise (traffic.requests_per_month=300k); repeatable. "
    "The report's assumptions say what was set.",
)  # fmt: skip
@click.option(
    "--sweep", "sweep_texts", multiple=True, metavar="KEY=V1,V2,...",
    help="One row a value of one key (primary, place, monthly cost, payback), then where the answer flips.",
)  # fmt: skip
@click.option("--brief", is_flag=True, help="Headline, plan, costs, top three places and the first risk (80x24).")
@click.option("--all-places", is_flag=True, help="Every place in the where-to-train table, not the top five.")
@pricing_options
def recommend(
    files: tuple[str, ...],
    output_format: str,
    output: str | None,
    force: bool,
    pricing_files: tuple[Path, ...],
    today: date | None,
    set_texts: tuple[str, ...] = (),
    sweep_texts: tuple[str, ...] = (),
    brief: bool = False,
    all_places: bool = False,
) -> None:
    """Recommend prompting, RAG, SFT, DPO, RFT or RAG + SFT for the feature described in FILE
    (a scenario in TOML or JSON; see docs/recommendations.md), rule by rule with sources, with the
    monthly cost, training cost and payback of every option.

    Several files, or a folder (its *.toml and *.json scenarios), are recommended in one run: JSON
    gives a list, Markdown one document with a summary table first. A file with an error is named and
    left out; the others still run, and the exit status is 2."""
    from advisor import api
    from advisor.api.recommending import command_place
    from advisor.cli.recommend_what_if import run_sweep, with_settings
    from advisor.plugins import catalog_with_plugins
    from advisor.recommend.recommendation import recommend as build

    _check_views(output_format, brief, sweep_texts)
    view = View(output_format, brief=brief, all_places=all_places)
    paths = _scenario_files(files)
    if sweep_texts:  # each value with the --set values: settings apply to the file once, together
        catalog = catalog_with_plugins(pricing_files, today_or(today))
        run_sweep(paths, set_texts, sweep_texts, output_format, catalog, today_or(today), command_place(), build)
        return
    build_with = with_settings(build, set_texts)
    if len(paths) == 1 and not Path(files[0]).is_dir():
        scenario = api.load_scenario(paths[0])
        _warn(scenario.notices)
        rec = api.recommend(scenario, today, pricing=pricing_files, settings=set_texts).recommendation
        if output is None:
            _print(rec, view)
            return
        target = Path(output)
        chart = target.with_name(f"{target.stem}.payback.svg") if output_format == "markdown" else None
        _refuse_overwrite([path for path in (target, chart) if path is not None], force)
        write_output(rec, view, target, chart)
        _line(f"wrote {target}" + (f" and {chart}" if chart else ""), err=True)
        return
    catalog = catalog_with_plugins(pricing_files, today_or(today))
    _recommend_many(paths, view, output, force, catalog, today_or(today), build_with)


@dataclass(frozen=True)
class View:
    """How the report is shown: its format, and in the terminal --brief and --all-places."""

    format: str
    brief: bool = False
    all_places: bool = False


def _check_views(output_format: str, brief: bool, sweep_texts: tuple[str, ...]) -> None:
    from advisor.errors import UserError

    if brief and output_format != "table":
        raise UserError("is a terminal view", where="--brief", hint="drop --format, or drop --brief for a document")
    if brief and sweep_texts:
        raise UserError("and --sweep are two views", where="--brief", hint="use one of them")


def _scenario_files(files: tuple[str, ...]) -> list[str]:
    """The files given, a folder standing for its *.toml and *.json files (sorted)."""
    from advisor.errors import UserError

    paths: list[str] = []
    for name in files:
        folder = Path(name)
        if folder.is_dir():
            found = sorted(str(p) for p in folder.iterdir() if p.suffix in (".toml", ".json") and p.is_file())
            if not found:
                raise UserError("has no scenario files (*.toml, *.json)", where=name, hint="name scenario files")
            paths += found
        else:
            paths.append(name)
    return paths


def _recommend_many(
    paths: list[str], view: View, output: str | None, force: bool, catalog: Catalog, today: date, build: Build
) -> None:
    """Every scenario with one catalog; a failing file is reported on stderr and in the output."""
    from advisor.api.recommending import command_place
    from advisor.recommend.scenario import load_scenario
    from advisor.render import portfolio

    global _SHARED
    _SHARED = _Shared(catalog, today, build, load_scenario, command_place())
    outcomes = _across_cores(paths)
    for outcome in outcomes:
        _warn(outcome.notices)
        if outcome.error is not None:
            _line(f"advisor: error: {outcome.error}", err=True)
    failed = sum(o.rec is None for o in outcomes)
    if output is None:
        if view.format == "json":
            click.echo(portfolio.portfolio_json(outcomes))
        elif view.format == "markdown":
            click.echo(portfolio.portfolio_markdown(outcomes), nl=False)
        else:
            for outcome in outcomes:
                if outcome.rec is not None:
                    _print(outcome.rec, view)
            portfolio.print_summary(outcomes)
    else:
        _write_many(outcomes, view, Path(output), force)
    if failed:
        click.echo(f"advisor: {failed} of {len(outcomes)} scenario files failed (named above)", err=True)
        click.get_current_context().exit(2)


@dataclass(frozen=True)
class _Shared:
    """What forked workers inherit: the catalog loaded once, the date, the functions already imported."""

    catalog: Catalog
    today: date
    build: Build
    load: Callable[[str], LoadedScenario]
    place: CommandPlace


_SHARED: _Shared | None = None
PARALLEL_FROM = 32  # fewer scenarios than this: forking costs more than it saves


def _one(path: str) -> Outcome:
    """One scenario file's recommendation, or its error."""
    from advisor.errors import UserError
    from advisor.render.portfolio import Outcome

    assert _SHARED is not None, "set by _recommend_many before any worker starts"
    try:
        loaded = _SHARED.load(path)
        return Outcome(
            path, rec=_SHARED.build(loaded, _SHARED.catalog, _SHARED.today, _SHARED.place), notices=loaded.notices
        )
    except UserError as exc:
        return Outcome(path, error=str(exc))


def _across_cores(paths: list[str]) -> list[Outcome]:
    """Outcomes in the order given; many files are shared out to forked workers (every core), which
    inherit the catalog instead of loading it again."""
    import multiprocessing
    import threading

    from advisor.tokens.workers import default_jobs

    jobs = min(default_jobs(), len(paths) // PARALLEL_FROM)
    if jobs <= 1 or "fork" not in multiprocessing.get_all_start_methods() or threading.active_count() > 1:
        return [_one(path) for path in paths]
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as pool:
        return list(pool.map(_one, paths, chunksize=max(1, len(paths) // (jobs * 4))))


def _write_many(outcomes: list[Outcome], view: View, target: Path, force: bool) -> None:
    from advisor.errors import UserError
    from advisor.render import portfolio
    from advisor.render import recommendation as render

    charts: list[Path] = []
    if view.format == "markdown":
        used: set[str] = set()
        for outcome in outcomes:
            if outcome.rec is None:
                continue
            stem = Path(outcome.source).stem
            name, n = stem, 1
            while name in used:
                n += 1
                name = f"{stem}-{n}"
            used.add(name)
            charts.append(target.with_name(f"{target.stem}.{name}.payback.svg"))
    _refuse_overwrite([target, *charts], force)
    try:
        if view.format == "json":
            target.write_text(portfolio.portfolio_json(outcomes) + "\n", encoding="utf-8")
        elif view.format == "markdown":
            done = [o.rec for o in outcomes if o.rec is not None]
            for rec, chart in zip(done, charts, strict=True):
                render.write_chart(rec, chart)
            target.write_text(portfolio.portfolio_markdown(outcomes, [c.name for c in charts]), encoding="utf-8")
        else:
            with target.open("w", encoding="utf-8") as handle:
                for outcome in outcomes:
                    if outcome.rec is not None:
                        render.print_report(outcome.rec, file=handle, all_places=view.all_places)
                portfolio.print_summary(outcomes, file=handle)
    except OSError as exc:
        raise UserError(f"cannot write ({exc.strerror})", where=str(target), hint="check the folder") from None
    _line(f"wrote {target}" + (f" and {len(charts)} charts beside it" if charts else ""), err=True)


def _warn(notices: list[str]) -> None:
    """What a scenario file holds that advisor read and ignored (a retired key), on stderr."""
    for notice in notices:
        _line(f"warning: {notice}", err=True)


def _line(text: str, err: bool = False) -> None:
    from advisor.render.console import line

    line(text, err=err)


def _print(rec: Recommendation, view: View) -> None:
    from advisor.render import recommendation as render

    if view.format == "json":
        click.echo(render.to_json(rec))
    elif view.format == "markdown":
        click.echo(render.to_markdown(rec), nl=False)
    elif view.brief:
        from advisor.render.brief import print_brief

        print_brief(rec)
    else:
        render.print_report(rec, all_places=view.all_places)


def write_output(rec: Recommendation, view: View, target: Path, chart: Path | None) -> None:
    from advisor.errors import UserError
    from advisor.render import recommendation as render

    try:
        if view.format == "json":
            target.write_text(render.to_json(rec) + "\n", encoding="utf-8")
        elif view.format == "markdown":
            assert chart is not None
            render.write_chart(rec, chart)
            target.write_text(render.to_markdown(rec, chart.name), encoding="utf-8")
        else:
            with target.open("w", encoding="utf-8") as handle:
                render.print_report(rec, file=handle, all_places=view.all_places)
    except OSError as exc:
        raise UserError(f"cannot write ({exc.strerror})", where=str(target), hint="check the folder") from None


def _refuse_overwrite(paths: list[Path], force: bool) -> None:
    from advisor.errors import UserError

    existing = [str(path) for path in paths if path.exists()]
    if existing and not force:
        raise UserError(
            f"{' and '.join(existing)} already exist(s)", hint="use --force to overwrite, or another --output"
        )
