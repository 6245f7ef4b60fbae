"""A sweep: one scenario recommended again for each of several values of one key (`recommend --sweep
traffic.requests_per_month=300k,1M,3M`), and the values between which the answer flips.

Each value is a what-if setting (recommend.what_if), so a value is refused exactly as `--set` would
refuse it; the recommendation for each value is the one `recommend --set KEY=VALUE` prints.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise

from advisor.errors import UserError
from advisor.recommend.recommendation import Recommendation
from advisor.recommend.scenario import LoadedScenario
from advisor.recommend.strategies import STRATEGY_NAMES
from advisor.recommend.what_if import Setting, parse_setting, shown, with_settings

OPTION = "--sweep"


def parse_sweep(text: str) -> list[Setting]:
    """`KEY=V1,V2,...` as one setting a value, in the order given. Commas inside brackets or quotes belong
    to the value (`task.failures=["format", "tone"],[]`)."""
    key, sep, values = text.partition("=")
    if not sep or not key.strip():
        hint = "for example traffic.requests_per_month=300k,1M,3M"
        raise UserError(f"{text!r} is not KEY=V1,V2,...", where=OPTION, hint=hint)
    parts = split_values(values)
    if any(not part.strip() for part in parts):
        raise UserError(f"{text!r} has an empty value", where=OPTION, hint="separate values with single commas")
    return [parse_setting(f"{key.strip()}={part.strip()}", option=OPTION) for part in parts]


def split_values(text: str) -> list[str]:
    """`text` split at the commas outside brackets, braces and quotes."""
    parts, current, depth, quote = [], "", 0, ""
    for char in text:
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth = max(0, depth - 1)
        elif char == "," and depth == 0:
            parts.append(current)
            current = ""
            continue
        current += char
    return [*parts, current]


@dataclass(frozen=True)
class Point:
    """The answer for one value: what is recommended, where, what it costs a month and when it pays back."""

    setting: Setting
    rec: Recommendation

    @property
    def value(self) -> str:
        return shown(self.setting.value)

    @property
    def primary(self) -> str:
        return self.rec.recommendation.primary

    @property
    def primary_name(self) -> str:
        cost = self.rec.costs.get(self.primary)
        return (cost.label if cost and cost.label else None) or STRATEGY_NAMES.get(self.primary, self.primary)

    @property
    def place(self) -> str:
        """Where the primary runs: the place it trains, else the model it prompts (`-` when not priced)."""
        cost = self.rec.costs.get(self.primary)
        if cost is None:
            return "-"
        return f"{self.rec.providers.get(cost.provider, cost.provider)} {cost.model}"

    @property
    def monthly_usd(self) -> Decimal | None:
        cost = self.rec.costs.get(self.primary)
        return cost.monthly_usd if cost else None

    @property
    def payback_months(self) -> Decimal | None:
        cost = self.rec.costs.get(self.primary)
        return cost.payback_months if cost else None

    @property
    def pays_back(self) -> bool:
        """Whether the primary has anything to earn back (prompting on today's model has not)."""
        cost = self.rec.costs.get(self.primary)
        return cost is not None and not (self.primary in ("prompt", "switch") and not cost.upfront_usd)


@dataclass(frozen=True)
class Flip:
    """Between two neighbouring values, the recommendation or its place changes."""

    key: str
    before: Point
    after: Point

    @property
    def what(self) -> str:
        changes = []
        if self.before.primary_name != self.after.primary_name:
            changes.append(f"the recommendation flips from {self.before.primary_name} to {self.after.primary_name}")
        if self.before.place != self.after.place:
            changes.append(f"the place moves from {self.before.place} to {self.after.place}")
        return " and ".join(changes)

    def __str__(self) -> str:
        unit = UNITS.get(self.key, f"({self.key})")
        return f"Between {self.before.value} and {self.after.value} {unit} {self.what}."


UNITS = {"traffic.requests_per_month": "requests a month"}  # how a flip names the key it is between


def sweep(
    loaded: LoadedScenario, fixed: Sequence[Setting], values: Sequence[Setting],
    build: Callable[[LoadedScenario], Recommendation],
) -> list[Point]:  # fmt: skip
    """The recommendation for each value, with the `fixed` settings (`--set`) in place as well."""
    with_settings(loaded, fixed)  # a bad --set is refused as --set, before any value is tried
    return [Point(value, build(with_settings(loaded, [*fixed, value], option=OPTION))) for value in values]


def flips(points: Sequence[Point]) -> list[Flip]:
    """Each pair of neighbouring values (in the order given) between which the answer changes."""
    return [
        Flip(before.setting.key, before, after)
        for before, after in pairwise(points)
        if before.primary_name != after.primary_name or before.place != after.place
    ]
