"""What an option costs month by month over the horizon: stretches of months, each on one model at one
monthly cost, so that a model that stops inside the horizon hands its traffic to what replaces it, and
totals, payback, break-even and the chart all read the same series.

A stretch's monthly cost is `per request x requests + fixed` (hosting, retraining, retrieval
infrastructure), so the break-even volume can be solved for exactly. Months are fractional (a month is
730 hours, as for hosting); money is exact Decimal.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from decimal import Decimal
from itertools import pairwise

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True, kw_only=True)
class Stretch:
    """Months [start, end) served one way."""

    start: Decimal
    end: Decimal
    per_request_usd: Decimal
    fixed_monthly_usd: Decimal = ZERO
    requests: int
    what: str  # what serves the traffic: `openai:gpt-4o`, `openai:gpt-6-luna (named successor)`

    @property
    def monthly_usd(self) -> Decimal:
        return self.per_request_usd * self.requests + self.fixed_monthly_usd

    @property
    def months(self) -> Decimal:
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class Schedule:
    """An option's stretches, back to back from month 0 to the horizon, and what it costs up front."""

    stretches: tuple[Stretch, ...]
    upfront_usd: Decimal = ZERO

    def __post_init__(self) -> None:
        for before, after in pairwise(self.stretches):
            if before.end != after.start:
                raise ValueError("stretches must follow each other without a gap")

    @property
    def horizon(self) -> Decimal:
        return self.stretches[-1].end if self.stretches else ZERO

    @property
    def first(self) -> Stretch:
        """What serves now (month 0)."""
        return next((s for s in self.stretches if s.months > 0), self.stretches[0])

    def at(self, month: Decimal) -> Stretch:
        """The stretch that serves month `month` (the last one from the horizon on)."""
        return next((s for s in self.stretches if s.start <= month < s.end), self.stretches[-1])

    def spent(self, month: Decimal) -> Decimal:
        """Up front plus everything paid in the first `month` months."""
        return self.upfront_usd + sum(
            (s.monthly_usd * (min(month, s.end) - s.start) for s in self.stretches if s.start < month), ZERO
        )

    def cumulative(self, months: int) -> list[Decimal]:
        """Spent after 0, 1, ... `months` whole months (the chart's points)."""
        return [self.spent(Decimal(month)) for month in range(months + 1)]

    def total(self) -> Decimal:
        return self.spent(self.horizon)

    def then(self, end: Decimal, after: Schedule) -> Schedule:
        """This schedule until month `end`, then `after`'s stretches from that month to the horizon."""
        end = max(ZERO, min(end, after.horizon))
        mine = [replace(s, end=min(s.end, end)) for s in self.stretches if s.start < end]
        rest = [replace(s, start=max(s.start, end)) for s in after.stretches if s.end > end]
        return Schedule(tuple(mine + rest) or after.stretches, self.upfront_usd)


def _breaks(*schedules: Schedule) -> list[Decimal]:
    """Every month at which either schedule changes, in order, from 0 to the horizon."""
    points = {ZERO} | {p for schedule in schedules for s in schedule.stretches for p in (s.start, s.end)}
    return sorted(points)


def payback(option: Schedule, baseline: Schedule) -> Decimal | None:
    """The month from which the option, up front included, has cost no more than the baseline and stays so
    to the end of the horizon; None when it is behind at the end. Savings may change sign where either
    schedule changes stretch (today's model stops, a fine-tune stops), so an option that pulls ahead early
    and falls behind later has not paid back."""
    points = _breaks(option, baseline)
    behind = [option.spent(p) - baseline.spent(p) for p in points]
    saves = any(baseline.at(p).monthly_usd > option.at(p).monthly_usd for p in points[:-1])
    if behind[-1] > 0 or not saves:  # behind at the end, or never cheaper: nothing is earned back
        return None
    last = max((k for k, value in enumerate(behind) if value > 0), default=None)
    if last is None:
        return ZERO
    start = points[last]
    gain = baseline.at(start).monthly_usd - option.at(start).monthly_usd  # > 0: it is behind, then ahead
    return start + behind[last] / gain


def net(option: Schedule, baseline: Schedule) -> Decimal:
    """What the option keeps over the horizon against the baseline (negative: what it costs more)."""
    return baseline.total() - option.total()


def break_even(option: Schedule, baseline: Schedule) -> int | None:
    """The fewest requests a month at which the option keeps at least as much as it costs over the
    horizon (up front included); None when no volume does. Each stretch costs `per request x volume +
    fixed`, so the net is linear in the volume."""
    per_request = fixed = ZERO
    points = _breaks(option, baseline)
    for start, end in pairwise(points):
        mine, theirs = option.at(start), baseline.at(start)
        per_request += (theirs.per_request_usd - mine.per_request_usd) * (end - start)
        fixed += (mine.fixed_monthly_usd - theirs.fixed_monthly_usd) * (end - start)
    if per_request <= 0:
        return None
    return max(0, math.ceil((option.upfront_usd - baseline.upfront_usd + fixed) / per_request))
