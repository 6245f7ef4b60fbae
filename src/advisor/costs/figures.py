"""How figures read in words: counts with separators, months to two places, plurals and articles,
paybacks ("within days") and intervals ("every week") as a planning meeting says them."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal


def tokens(value: Decimal | int) -> str:
    """`1,800`, or `412.5` for a mean."""
    number = Decimal(value)
    if number == number.to_integral_value():
        return f"{int(number):,}"
    return f"{number.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP):,}"


def months(value: Decimal | None, never: str = "never") -> str:
    if value is None:
        return never
    return f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)} months"


DAY = Decimal(24) / 730  # a day in months (a month is 730 hours, as for hosting)
WITHIN_DAYS = Decimal("0.25")  # under about a week, a payback is "within days"
_INTERVALS = {1: "every day", 7: "every week", 14: "every two weeks"}


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """`1 example`, `2 examples`, `1,200 demonstrations` (`nouns` when the plural is not noun + s)."""
    return f"{count:,} {noun if count == 1 else nouns or noun + 's'}"


def article(word: str) -> str:
    """`an exact grader`, `a fuzzy grader`: the article by the word's first sound (a vowel letter)."""
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


def payback_words(value: Decimal | None, never: str = "never") -> str:
    """`within days`, `in 1.12 months`, or `never`: how a payback reads in a sentence."""
    if value is None:
        return never
    if value < WITHIN_DAYS:
        return "within days"
    return f"in {months(value)}"


def payback_cell(value: Decimal | None, never: str = "never") -> str:
    """A payback in a table cell: `within days`, `1.12 months`, `never`."""
    if value is not None and value < WITHIN_DAYS:
        return "within days"
    return months(value, never)


def interval(value: Decimal) -> str:
    """`every day`, `every week`, `every month`, `every 3 months`, `every 0.5 months`: an interval in
    months as people say it, never 28 digits (a week is 7 x 24 / 730 months, which has no short form)."""
    days = value / DAY
    whole_days = days.to_integral_value(rounding=ROUND_HALF_UP)
    if value < 1 and abs(days - whole_days) < Decimal("1e-9") and whole_days >= 1:
        return _INTERVALS.get(int(whole_days), f"every {int(whole_days)} days")
    shown = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP).normalize()
    return "every month" if shown == 1 else f"every {shown:f} months"
