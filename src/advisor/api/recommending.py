"""`load_scenario` and `recommend`: what `advisor recommend FILE` does, as functions (the CLI calls them),
and what they return."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from advisor.api import arguments

if TYPE_CHECKING:
    from advisor.recommend.recommendation import CommandPlace, Recommendation
    from advisor.recommend.scenario import LoadedScenario


@dataclass(frozen=True)
class Scenario:
    """A scenario file as read (`load_scenario`): `loaded.scenario` holds every value, defaults filled in."""

    loaded: LoadedScenario

    @property
    def name(self) -> str:
        return self.loaded.scenario.name

    @property
    def source(self) -> str:
        return self.loaded.source

    @property
    def notices(self) -> list[str]:
        """Keys the file holds that advisor reads and ignores (retired), each with what to do: the CLI's
        warnings."""
        return list(self.loaded.notices)


@dataclass(frozen=True)
class RecommendationResult:
    """`advisor recommend FILE`: the strategy, why, what each option costs and where to train."""

    recommendation: Recommendation

    @property
    def primary(self) -> str:
        """The strategy recommended: prompt, rag, sft, dpo, rft, rag+sft..."""
        return self.recommendation.recommendation.primary

    @property
    def summary(self) -> str:
        return self.recommendation.recommendation.summary

    def to_json(self) -> str:
        from advisor.render.recommendation import to_json

        return to_json(self.recommendation)

    def to_markdown(self, chart_file: str | None = None) -> str:
        """The proposal section; `chart_file`: an SVG chart (write_chart) to link below the Mermaid one."""
        from advisor.render.recommendation import to_markdown

        return to_markdown(self.recommendation, chart_file)

    def write_chart(self, path: str | Path) -> None:
        """The cumulative-cost chart as an SVG file (what `--output report.md` writes beside the report)."""
        from advisor.render.recommendation import write_chart

        write_chart(self.recommendation, Path(path))

    def show(self, file: IO[str] | None = None, width: int | None = None) -> None:
        """The terminal report (`--format table`), on stdout or `file`."""
        from advisor.render.recommendation import print_report

        print_report(self.recommendation, file=file, width=width)

    def _repr_markdown_(self) -> str:
        return self.to_markdown()


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
    settings: Mapping[str, Any] | Iterable[str] = (),
) -> RecommendationResult:
    """The recommendation for `scenario` (`advisor recommend FILE`): prices in force on `today` (default:
    today, as the CLI's `--today`), over `horizon_months` (default: the scenario's costs.horizon_months),
    with price tables of your own laid over advisor's (`pricing`, as `--pricing FILE`) and scenario values
    set otherwise (`settings`, as `--set`: `{"traffic.requests_per_month": "300k"}` or
    `["traffic.requests_per_month=300k"]`; the report's assumptions say what was set)."""
    from advisor.plugins import catalog_with_plugins
    from advisor.recommend.recommendation import recommend as build
    from advisor.recommend.scenario import with_horizon
    from advisor.recommend.what_if import building_with, parse_setting, setting_of

    if isinstance(settings, Mapping):
        wanted = [setting_of(key, value) for key, value in settings.items()]
        option = "settings"
    else:
        wanted, option = [parse_setting(text) for text in settings], "--set"
    day = arguments.day("today", today)
    loaded = scenario.loaded if horizon_months is None else with_horizon(scenario.loaded, horizon_months)
    catalog = catalog_with_plugins(arguments.files(pricing), day)
    return RecommendationResult(building_with(build, wanted, option)(loaded, catalog, day, command_place()))


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
