"""`load_scenario` and `recommend`: what `advisor recommend FILE` does, as functions (the CLI calls them)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from advisor.api import arguments
from advisor.api.results import RecommendationResult, Scenario

if TYPE_CHECKING:
    from advisor.recommend.recommendation import CommandPlace


def load_scenario(path: str | Path) -> Scenario:
    """The scenario file at `path` (TOML or JSON; docs/recommendations.md), read and checked. A bad file
    raises AdvisorError naming the file, line and key, as the CLI says it."""
    from advisor.recommend.scenario import load_scenario as load

    return Scenario(load(str(path)))


def recommend(
    scenario: Scenario,
    today: date | str | None = None,
    horizon_months: int | None = None,
    pricing: arguments.Files = (),
) -> RecommendationResult:
    """The recommendation for `scenario` (`advisor recommend FILE`): prices in force on `today` (default:
    today, as the CLI's `--today`), over `horizon_months` (default: the scenario's costs.horizon_months),
    with price tables of your own laid over advisor's (`pricing`, as `--pricing FILE`)."""
    from advisor.plugins import catalog_with_plugins
    from advisor.recommend.recommendation import recommend as build
    from advisor.recommend.scenario import with_horizon

    day = arguments.day("today", today)
    loaded = scenario.loaded if horizon_months is None else with_horizon(scenario.loaded, horizon_months)
    catalog = catalog_with_plugins(arguments.files(pricing), day)
    return RecommendationResult(build(loaded, catalog, day, command_place()))


def command_place(scenario_file: str | None = None) -> CommandPlace:
    """Where the report's commands will run: this folder, with the provider plugins installed here (and
    the settings each takes); a provider that is not installed is installed first, from advisor's source
    folder when this folder holds it (`./plugins/advisor-NAME`), else by its distribution's name."""
    from advisor.plugins import load_plugins
    from advisor.providers.base import settings_of
    from advisor.recommend.recommendation import CommandPlace

    installed = {name: frozenset(settings_of(provider)) for name, (provider, _) in load_plugins().providers.items()}
    return CommandPlace(Path.cwd(), installed, install_line, scenario_file)


def install_line(provider: str) -> str:
    """The command that installs provider `provider`'s plugin, `advisor-<provider>` by advisor's naming."""
    from advisor.safe_text import shell_command

    source = Path("plugins") / f"advisor-{provider}"
    if (source / "pyproject.toml").is_file():
        return shell_command("pip", "install", f"./{source.as_posix()}")
    return shell_command("pip", "install", f"advisor-{provider}")
