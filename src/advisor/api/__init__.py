"""advisor's Python API: the CLI's commands as functions returning typed results (docs/python-api.md).
`import advisor` hands these names out when first used (advisor.__getattr__); the CLI calls the same
functions, so a result's `to_json()` is the text `--format json` prints. Each function imports what it
needs when it runs: importing this package loads click and advisor's small helpers, nothing heavy."""

from advisor.api.checking import check_dataset
from advisor.api.counting import count_tokens
from advisor.api.estimating import estimate
from advisor.api.recommending import load_scenario, recommend
from advisor.api.results import (
    DatasetCheck,
    EstimateResult,
    PlaceComparison,
    RecommendationResult,
    Scenario,
    TokenCount,
)
from advisor.errors import UserError as AdvisorError

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
