"""Exact money. Prices are USD per 1M tokens as Decimals; rounding happens only when shown."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext

MILLION = Decimal(1_000_000)
CENT = Decimal("0.01")


def per_million(tokens: Decimal | int, usd_per_million: Decimal) -> Decimal:
    """Exact cost of `tokens` at a price quoted per 1M tokens."""
    return Decimal(tokens) * usd_per_million / MILLION


def rounded(amount: Decimal, step: Decimal) -> Decimal:
    """`amount` rounded half up to `step` (CENT, 0.01 months ...), however large: quantize needs as many
    digits of precision as the result has, more than the default 28 for amounts beyond 10^25."""
    places = step.as_tuple().exponent
    if not isinstance(places, int):  # 'n', 'N' or 'F': NaN or Infinity
        raise ValueError(f"cannot round to a step of {step}")
    with localcontext() as context:
        context.prec = max(context.prec, amount.adjusted() - places + 2)
        return amount.quantize(step, rounding=ROUND_HALF_UP)


def format_usd(amount: Decimal) -> str:
    """`$1,234.57` for display; amounts under a cent keep their significant digits (`$0.00042`)."""
    sign = "-" if amount < 0 else ""
    magnitude = abs(amount)
    if magnitude == 0 or magnitude >= CENT:
        return f"{sign}${rounded(magnitude, CENT):,}"
    shown = magnitude.quantize(Decimal("1e-8"), rounding=ROUND_HALF_UP).normalize()
    return f"{sign}${shown:f}"


def every(months: Decimal) -> str:
    """`every month`, `every 3 months`, `every 0.23 months` (a week)."""
    shown = months.normalize()
    return "every month" if shown == 1 else f"every {shown:f} months"


def format_price(usd_per_million: Decimal) -> str:
    """A table price as written in the table (`$0.275`), never rounded to cents."""
    exact = usd_per_million.normalize()
    places = exact.as_tuple().exponent  # 'n', 'N' or 'F' for NaN or Infinity: shown as such, not compared
    return f"${exact:f}" if isinstance(places, int) and places < -2 else f"${usd_per_million:.2f}"
