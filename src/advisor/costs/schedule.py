"""What an option costs month by month over the horizon: stretches of months, each on one model at one
monthly cost, so that a model that stops inside the horizon hands its traffic to what replaces it, and
totals, payback, break-even and the chart all read the same series.

A stretch's monthly cost is `per request x requests + fixed` (hosting, retraining, retrieval
infrastructure), so the break-even volume can be solved for exactly. Months are fractional (a month is
730 hours, as for hosting); money is exact Decimal.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

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
        for before, after in zip(self.stretches, self.stretches[1:], strict=False):
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

    def until(self, end: Decimal) -> Schedule:
        """This schedule cut at month `end`."""
        kept = tuple(replace(s, end=min(s.end, end)) for s in self.stretches if s.start < end)
        return Schedule(kept or (replace(self.stretches[0], end=self.stretches[0].start),), self.upfront_usd)

    def then(self, end: Decimal, after: Schedule) -> Schedule:
        """This schedule until month `end`, then `after`'s stretches from that month to the horizon."""
        end = max(ZERO, min(end, after.horizon))
        mine = [replace(s, end=min(s.end, end)) for s in self.stretches if s.start < end]
        rest = [replace(s, start=max(s.start, end)) for s in after.stretches if s.end > end]
        return Schedule(tuple(mine + rest) or after.stretches, self.upfront_usd)


def one_stretch(per_request: Decimal, requests: int, horizon: Decimal, what: str, fixed: Decimal = ZERO) -> Schedule:
    return Schedule((Stretch(start=ZERO, end=horizon, per_request_usd=per_request, fixed_monthly_usd=fixed,
                             requests=requests, what=what),))  # fmt: skip


def _breaks(*schedules: Schedule) -> list[Decimal]:
    """Every month at which either schedule changes, in order, from 0 to the horizon."""
    points = {ZERO} | {p for schedule in schedules for s in schedule.stretches for p in (s.start, s.end)}
    return sorted(points)


def payback(option: Schedule, baseline: Schedule) -> Decimal | None:
    """The month at which the option, up front included, has cost no more than the baseline (None when
    it never does within the horizon). Savings may change sign where either schedule changes stretch."""
    points = _breaks(option, baseline)
    for start, end in zip(points, points[1:], strict=False):
        gain = baseline.at(start).monthly_usd - option.at(start).monthly_usd
        if gain <= 0:  # nothing earned back in these months
            continue
        behind = option.spent(start) - baseline.spent(start)
        if behind <= gain * (end - start):
            return start + max(ZERO, behind) / gain
    return None


def net(option: Schedule, baseline: Schedule) -> Decimal:
    """What the option keeps over the horizon against the baseline (negative: what it costs more)."""
    return baseline.total() - option.total()


def break_even(option: Schedule, baseline: Schedule) -> int | None:
    """The fewest requests a month at which the option keeps at least as much as it costs over the
    horizon (up front included); None when no volume does. Each stretch costs `per request x volume +
    fixed`, so the net is linear in the volume."""
    per_request = fixed = ZERO
    points = _breaks(option, baseline)
    for start, end in zip(points, points[1:], strict=False):
        mine, theirs = option.at(start), baseline.at(start)
        per_request += (theirs.per_request_usd - mine.per_request_usd) * (end - start)
        fixed += (mine.fixed_monthly_usd - theirs.fixed_monthly_usd) * (end - start)
    if per_request <= 0:
        return None
    return max(0, math.ceil((option.upfront_usd - baseline.upfront_usd + fixed) / per_request))
