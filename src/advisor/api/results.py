"""What the Python API returns: frozen dataclasses around the engines' results, each writing itself as the
CLI writes it (`to_json()` is `--format json`'s text, `to_markdown()` `--format markdown`'s, `show()` the
terminal report) and showing itself in a notebook (`_repr_markdown_`, or `_repr_html_` where the command
has no Markdown). The renderers are imported when asked for, so holding a result costs nothing."""

from __future__ import annotations

import html
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from advisor.costs.estimate import Estimate
    from advisor.costs.places import PlaceEstimate
    from advisor.datasets.report import DatasetReport
    from advisor.pricing.row_counting import RowCounting
    from advisor.recommend.recommendation import Recommendation
    from advisor.recommend.scenario import LoadedScenario
    from advisor.tokens.files import TokenTally

NOTEBOOK_WIDTH = 100  # columns of a terminal report shown in a notebook cell


def _as_html(show: Callable[[IO[str], int], None]) -> str:
    """A terminal report as a notebook shows it: the CLI's text, at a fixed width, in a <pre> block."""
    text = io.StringIO()
    show(text, NOTEBOOK_WIDTH)
    return f"<pre>{html.escape(text.getvalue())}</pre>"


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


@dataclass(frozen=True)
class EstimateResult:
    """`advisor estimate` with one place: monthly costs, training, savings, payback, break-even."""

    estimate: Estimate

    def to_json(self) -> str:
        from advisor.render.estimate import to_json

        return to_json(self.estimate)

    def to_markdown(self) -> str:
        from advisor.render.estimate import to_markdown

        return to_markdown(self.estimate)

    def show(self, file: IO[str] | None = None, width: int | None = None) -> None:
        from advisor.render.estimate import print_table

        print_table(self.estimate, file=file, width=width)

    def _repr_markdown_(self) -> str:
        return self.to_markdown()


@dataclass(frozen=True)
class PlaceComparison:
    """`advisor estimate --provider all` (or several providers): the fine-tune at each place, best first;
    a place that could not be priced has no estimate and says why (`place.why_not`)."""

    places: tuple[PlaceEstimate, ...]

    @property
    def best(self) -> PlaceEstimate | None:
        """The place the comparison chooses (the first, when it is available)."""
        return self.places[0] if self.places and self.places[0].place.available else None

    def to_json(self) -> str:
        from advisor.render.estimate import places_json

        return places_json(self.places)

    def to_markdown(self) -> str:
        from advisor.render.estimate import places_markdown

        return places_markdown(self.places)

    def show(self, file: IO[str] | None = None, width: int | None = None) -> None:
        """The terminal table; the estimate's warnings go to stderr, as the CLI's do."""
        from advisor.render.estimate import print_places

        print_places(self.places, file=file, width=width)

    def _repr_markdown_(self) -> str:
        return self.to_markdown()


@dataclass(frozen=True)
class TokenCount:
    """`advisor tokens`: each source's count (`tallies`) and how they were counted (`counting`)."""

    tallies: tuple[TokenTally, ...]
    counting: RowCounting
    model: str | None

    @property
    def total_tokens(self) -> int:
        return sum(tally.tokens for tally in self.tallies)

    def to_json(self) -> str:
        from advisor.render.tokens import tokens_json

        return tokens_json(self.tallies, self.counting, self.model)

    def show(self, file: IO[str] | None = None, width: int | None = None) -> None:
        from advisor.render.tokens import print_tokens

        print_tokens(self.tallies, self.counting, self.model, file=file, width=width)

    def _repr_html_(self) -> str:
        return _as_html(lambda file, width: self.show(file, width))


@dataclass(frozen=True)
class DatasetCheck:
    """`advisor dataset check FILE`: problems (each with line, field and what to do), statistics and the
    training cost. The CLI exits 1 when `errors` is not zero; here `ok` says it."""

    report: DatasetReport

    @property
    def errors(self) -> int:
        return self.report.errors

    @property
    def warnings(self) -> int:
        return self.report.warnings

    @property
    def ok(self) -> bool:
        """No errors: the provider would accept the file (warnings may remain)."""
        return self.report.errors == 0

    def to_json(self) -> str:
        from advisor.render.dataset import to_json

        return to_json(self.report)

    def show(self, file: IO[str] | None = None, width: int | None = None) -> None:
        from advisor.render.dataset import print_report

        print_report(self.report, file=file, width=width)

    def _repr_html_(self) -> str:
        return _as_html(lambda file, width: self.show(file, width))
