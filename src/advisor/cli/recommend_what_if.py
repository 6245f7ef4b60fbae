"""`recommend --set` and `--sweep`: the scenario with values set otherwise, recommended once or once per
value; the work is recommend.what_if and recommend.sweep, the printing render.sweep."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from advisor.pricing.catalog import Catalog
    from advisor.recommend.recommendation import CommandPlace, Recommendation
    from advisor.recommend.scenario import LoadedScenario

    Build = Callable[[LoadedScenario, Catalog, date, CommandPlace], Recommendation]


def with_settings(build: Build, texts: tuple[str, ...]) -> Build:
    """`build` for the scenario with each `--set KEY=VALUE` in place (a bad key is refused before any file
    is read)."""
    from advisor.recommend.what_if import building_with, parse_setting

    return building_with(build, [parse_setting(text) for text in texts])


def run_sweep(
    paths: list[str], set_texts: tuple[str, ...], sweep_texts: tuple[str, ...], output_format: str,
    catalog: Catalog, today: date, place: CommandPlace, build: Build,
) -> None:  # fmt: skip
    """One row a value of the one key swept, then where the answer flips."""
    from dataclasses import replace

    from advisor.errors import UserError
    from advisor.recommend.scenario import load_scenario
    from advisor.recommend.sweep import flips, parse_sweep, sweep
    from advisor.recommend.what_if import noted, parse_setting, setting_assumptions
    from advisor.render import sweep as render

    if len(sweep_texts) > 1:
        keys = ", ".join(text.partition("=")[0] for text in sweep_texts)
        raise UserError(
            f"sweeps over one key at a time, not {len(sweep_texts)} ({keys})",
            where="--sweep",
            hint="give one --sweep KEY=V1,V2,... and fix the other keys with --set KEY=VALUE",
        )
    if len(paths) != 1:
        raise UserError(f"sweeps one scenario file, not {len(paths)}", where="--sweep", hint="name one file")
    fixed = [parse_setting(text) for text in set_texts]
    values = parse_sweep(sweep_texts[0])
    key = values[0].key
    if any(setting.key == key for setting in fixed):
        raise UserError(f"{key} is both set and swept", where="--sweep", hint=f"drop --set {key}=...")
    loaded = load_scenario(paths[0])
    points = sweep(loaded, fixed, values, lambda changed: build(changed, catalog, today, place))
    fixed_notes = setting_assumptions(loaded, fixed)
    points = [  # each row's recommendation says what was set, as `--set` alone would
        replace(point, rec=noted(point.rec, [*fixed_notes, *setting_assumptions(loaded, [point.setting], "--sweep")]))
        for point in points
    ]
    found, settings = flips(points), [item.text for item in fixed_notes]
    if output_format == "json":
        click.echo(render.to_json(key, points, found, settings))
    elif output_format == "markdown":
        click.echo(render.to_markdown(key, points, found, settings), nl=False)
    else:
        render.print_sweep(key, points, found, settings)
