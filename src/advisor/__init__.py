"""advisor: how to improve an LLM feature, and what it will cost.

The command line is `advisor`; the same commands are functions here (docs/python-api.md):
`advisor.recommend(advisor.load_scenario("scenario.toml")).to_json()`. They are imported when first used
(PEP 562), so `import advisor` and `advisor --help` load nothing heavy."""

__version__ = "0.1.0"

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (mypy reads the name as true)
if TYPE_CHECKING:  # what type checkers and editors see; at run time __getattr__ imports it when asked for
    from advisor.api import (
        AdvisorError,
        DatasetCheck,
        EstimateResult,
        PlaceComparison,
        RecommendationResult,
        Scenario,
        TokenCount,
        check_dataset,
        count_tokens,
        estimate,
        load_scenario,
        recommend,
    )

if not TYPE_CHECKING:
    # The engines' package advisor.recommend shares its name with the function advisor.recommend, and Python
    # binds a subpackage's name on its parent when the subpackage first loads. So it is loaded now (its
    # __init__ is a docstring) and its name left to __getattr__: advisor.recommend is the function however
    # the modules under it are imported later (`from advisor.recommend.scenario import ...` is unaffected).
    from advisor import recommend as _engines_recommend

    del _engines_recommend, globals()["recommend"]

__all__ = [
    "AdvisorError",
    "DatasetCheck",
    "EstimateResult",
    "PlaceComparison",
    "RecommendationResult",
    "Scenario",
    "TokenCount",
    "__version__",
    "check_dataset",
    "count_tokens",
    "estimate",
    "load_scenario",
    "recommend",
]
API = frozenset(__all__) - {"__version__"}  # what __getattr__ hands out


def __getattr__(name: str) -> object:
    """advisor.api's names, imported on first use; the package's one import up the layers
    (tests/test_architecture.py), made only after the package itself has loaded."""
    if name not in API:
        raise AttributeError(f"module 'advisor' has no attribute {name!r}")
    from advisor import api

    value = getattr(api, name)
    globals()[name] = value  # the next use is a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *API})
