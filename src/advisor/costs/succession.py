"""What a model's traffic moves to when the model stops serving inside the horizon.

Today's setup is not priced as if it lasted forever: from the day today's model (or today's fine-tune)
stops, the team must serve the same prompt on another model. That is the model the provider names (a
table's `successor`, citing its notice), or, failing that, the cheapest model of the same size class at
the same provider that serves through the horizon, which the report states as an assumption. A model
already gone is replaced from month 0.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from advisor.errors import UserError
from advisor.pricing.catalog import Catalog, ModelMatch, named_successor, same_class, serving_end

DAYS_PER_MONTH = Decimal(730) / 24  # a month is 730 hours, as for hosting


def months_until(later: date, today: date) -> Decimal:
    """Months from `today` to `later`, never negative."""
    return max(Decimal(0), Decimal((later - today).days) / DAYS_PER_MONTH)


def horizon_end(today: date, horizon_months: Decimal | int) -> date:
    """The day the horizon ends."""
    return today + timedelta(days=math.ceil(Decimal(horizon_months) * DAYS_PER_MONTH))


@dataclass(frozen=True, slots=True, kw_only=True)
class Succession:
    """When a model stops within the horizon and what replaces it (the `today_ends` JSON contract)."""

    model: str  # `openai:gpt-4o`, or `a fine-tune of openai:gpt-4.1-mini`
    ends: date | None  # the day it stops serving, when that is inside the horizon
    days_left: int | None  # days from the report's day to then (0: already gone)
    months: Decimal  # months it still serves within the horizon
    successor: str | None = None  # `openai:gpt-6-luna`: what the team must move to (None: nothing in the tables)
    named: bool = False  # the provider names the successor (else advisor chose the cheapest of its size class)
    why: str = ""  # how the successor was chosen

    @property
    def stops(self) -> bool:
        return self.ends is not None

    @property
    def gone(self) -> bool:
        """Already stopped on the day of the report."""
        return self.ends is not None and self.months == 0


def end_of_service(match: ModelMatch) -> date | None:
    """The day a model stops serving: a fine-tune's end of serving, else the model's shutdown."""
    return serving_end(match) if match.model_id.fine_tuned else match.row.shutdown


def find_succession(
    match: ModelMatch,
    catalog: Catalog,
    today: date,
    horizon_months: Decimal | int,
    monthly_cost: Callable[[ModelMatch], Decimal],
) -> tuple[Succession, ModelMatch | None]:
    """When `match` stops within the horizon, and what replaces it (with its row); `monthly_cost` prices
    today's traffic on a candidate, to pick the cheapest of a size class."""
    horizon = Decimal(horizon_months)
    end = end_of_service(match)
    model = f"{'a fine-tune of ' if match.model_id.fine_tuned else ''}{match.provider}:{match.name}"
    if end is None or months_until(end, today) >= horizon:
        return Succession(model=model, ends=None, days_left=None, months=horizon), None
    stops = Succession(model=model, ends=end, days_left=max(0, (end - today).days), months=months_until(end, today))
    until = horizon_end(today, horizon)
    base = catalog.find(match.name, match.provider)
    named = named_successor(catalog, base, until)
    if named is not None:
        why = f"{match.provider} names {named.name} to move to ({base.row.successor_note})"
        return replace(stops, successor=f"{named.provider}:{named.name}", named=True, why=why), named
    priced = []
    for candidate in same_class(catalog, base, until):
        try:
            priced.append((monthly_cost(candidate), candidate.name, candidate))
        except UserError:  # a candidate that cannot be priced for this traffic (no batch prices...) is skipped
            continue
    if not priced:
        return stops, None
    _, _, cheapest = min(priced, key=lambda item: (item[0], item[1]))
    why = (
        f"{match.provider} names no successor to {match.name}: advisor assumes the cheapest "
        f"{base.row.size_class}-class {match.provider} model that serves through the horizon"
    )
    return replace(stops, successor=f"{cheapest.provider}:{cheapest.name}", why=why), cheapest


def effective_horizon(horizon_months: int, today: date, ft_match: ModelMatch) -> tuple[Decimal, str]:
    """The months a fine-tune can pay back in: the horizon, cut where its fine-tunes stop serving (the
    row's `serving_until`, else its base model's shutdown)."""
    horizon = Decimal(horizon_months)
    end = serving_end(ft_match)
    if end is None:
        return horizon, f"horizon: {horizon_months} months"
    where = f"{ft_match.provider}:{ft_match.name}"
    by_base = end == ft_match.row.shutdown
    note = (
        ft_match.row.shutdown_note if by_base else (ft_match.row.fine_tuning and ft_match.row.fine_tuning.serving_note)
    )
    unverified = " (unverified date)" if "UNVERIFIED" in (note or "") else ""
    stops = f"{where} and its fine-tunes shut down" if by_base else f"fine-tunes of {where} stop serving"
    left = months_until(end, today)
    if left <= 0:
        return Decimal(0), f"no horizon: {stops.replace('shut down', 'were shut down')} on {end}"
    if left >= horizon:
        ends = "the base model shuts down" if by_base else stops
        return horizon, f"horizon: {horizon_months} months ({ends} on {end}, after it)"
    return left, f"horizon cut to {left.quantize(Decimal('0.01'))} months: {stops} on {end}{unverified}"
