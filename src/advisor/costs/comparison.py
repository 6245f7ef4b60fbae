"""An option priced against today's setup over the horizon: the one comparison `estimate`, `recommend`
and the where-to-train ranking read (monthly cost, months it serves, payback, break-even volume, net).

Both sides are month-by-month schedules (costs/schedule.py); the option serves for `horizon` months
(a fine-tune stops with its base) and, when that is shorter than the requested horizon, the team falls
back to today's setup for the rest, which the caller has already put in the option's schedule.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from advisor.costs.money import format_usd
from advisor.costs.schedule import Schedule, break_even, net, payback


@dataclass(frozen=True, slots=True, kw_only=True)
class PricedOption:
    """One option's figures against today's setup. Money in USD; horizon and payback in months."""

    training_usd: Decimal
    upfront_usd: Decimal  # training, set-up and embedding: what is paid before it serves
    monthly_usd: Decimal  # what the option costs a month while it serves
    today_monthly_usd: Decimal  # what today's setup costs this month
    payback_months: Decimal | None
    payback_note: str
    horizon_months: Decimal  # months the option serves within the requested horizon
    horizon_note: str
    net_savings_usd: Decimal  # today's setup minus this option over the requested horizon, up front included
    total_usd: Decimal  # this option over the requested horizon, up front included
    break_even_requests_per_month: int | None  # the fewest requests a month at which it keeps its cost
    schedule: Schedule

    @property
    def monthly_savings_usd(self) -> Decimal:
        return self.today_monthly_usd - self.monthly_usd


def compare(
    option: Schedule,
    today: Schedule,
    *,
    horizon: Decimal,
    horizon_note: str,
    training_usd: Decimal = Decimal(0),
    monthly_usd: Decimal | None = None,
    what: str = "the fine-tuned option",
) -> PricedOption:
    """`option` against `today`; `monthly_usd` is what the option itself costs a month (by default what
    serves its first month), `what` names it in the payback note."""
    months, note = _payback(option, today, horizon, horizon_note, what)
    return PricedOption(
        training_usd=training_usd,
        upfront_usd=option.upfront_usd,
        monthly_usd=option.first.monthly_usd if monthly_usd is None else monthly_usd,
        today_monthly_usd=today.first.monthly_usd,
        payback_months=months,
        payback_note=note,
        horizon_months=horizon,
        horizon_note=horizon_note,
        net_savings_usd=net(option, today),
        total_usd=option.total(),
        break_even_requests_per_month=break_even(option, today) if horizon > 0 else None,
        schedule=option,
    )


def _steady_payback(
    upfront: Decimal, savings: Decimal, horizon: Decimal, horizon_note: str, what: str
) -> tuple[Decimal | None, str]:
    """Months to earn back `upfront` from a steady `savings` a month; None (and why) when not within the horizon."""
    if horizon <= 0:
        return None, horizon_note
    if savings <= 0:
        return (
            None,
            f"{what} costs {format_usd(-savings)} more a month" if savings < 0 else f"{what} saves nothing a month",
        )
    months = upfront / savings
    if months > horizon:
        return None, (
            f"it would take {months.quantize(Decimal('0.01'))} months, longer than the "
            f"{horizon.quantize(Decimal('0.01'))}-month horizon"
        )
    return months, f"{format_usd(upfront)} up front / {format_usd(savings)} saved a month"


def _payback(
    option: Schedule, today: Schedule, horizon: Decimal, horizon_note: str, what: str
) -> tuple[Decimal | None, str]:
    """Months until the option, up front included, has cost no more than today's setup and stays so, and
    how; None (and why) when that does not happen while it serves (`horizon`). Savings change where
    today's setup moves to another model."""
    savings = today.first.monthly_usd - option.first.monthly_usd
    steady, note = _steady_payback(option.upfront_usd, savings, horizon, horizon_note, what)
    months = payback(option, today) if horizon > 0 else None
    change = f"today's setup moves to {today.stretches[-1].what}" if len(today.stretches) > 1 else ""
    if months is not None and months <= horizon:
        if steady is not None and steady == months:  # earned back before either side changes
            return months, note
        return months, f"{format_usd(option.upfront_usd)} up front, earned back by month {months:.2f} ({change})"
    if steady is not None and change:
        after = format_usd(today.stretches[-1].monthly_usd)
        return None, f"not earned back while it serves: {change}, which costs {after} a month"
    return None, note
