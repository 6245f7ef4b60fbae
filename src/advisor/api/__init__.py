"""advisor's Python API: the CLI's commands as functions returning typed results (docs/python-api.md).
One module per command holds its function and its result (`recommending`, `estimating`, `counting`,
`checking`); the names are imported when first used, here and as `advisor.NAME`, so that a command loads
only its own. The CLI calls the same functions: a result's `to_json()` is the text `--format json` prints.

Results are frozen dataclasses around the engines' results, each writing itself as the command writes it
(`to_json()`, `to_markdown()` where the command has Markdown, `show()` the terminal report) and showing
itself in a notebook (`_repr_markdown_`, or `_repr_html_` where the command has no Markdown). The
renderers are imported when asked for, so holding a result costs nothing."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # what type checkers see; at run time __getattr__ imports each when asked for
    from advisor.api.checking import DatasetCheck, check_dataset
    from advisor.api.counting import TokenCount, count_tokens
    from advisor.api.estimating import EstimateResult, PlaceComparison, estimate
    from advisor.api.recommending import RecommendationResult, Scenario, load_scenario, recommend
    from advisor.errors import UserError as AdvisorError

# each public name -> the module that defines it
WHERE = {
    "AdvisorError": "advisor.errors",
    "DatasetCheck": "advisor.api.checking",
    "check_dataset": "advisor.api.checking",
    "TokenCount": "advisor.api.counting",
    "count_tokens": "advisor.api.counting",
    "EstimateResult": "advisor.api.estimating",
    "PlaceComparison": "advisor.api.estimating",
    "estimate": "advisor.api.estimating",
    "RecommendationResult": "advisor.api.recommending",
    "Scenario": "advisor.api.recommending",
    "load_scenario": "advisor.api.recommending",
    "recommend": "advisor.api.recommending",
}
__all__ = [
    "AdvisorError",
    "DatasetCheck",
    "EstimateResult",
    "PlaceComparison",
    "RecommendationResult",
    "Scenario",
    "TokenCount",
    "check_dataset",
    "count_tokens",
    "estimate",
    "load_scenario",
    "recommend",
]


def __getattr__(name: str) -> object:
    if name not in WHERE:
        raise AttributeError(f"module 'advisor.api' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(WHERE[name]), "UserError" if name == "AdvisorError" else name)
    globals()[name] = value  # the next use is a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
