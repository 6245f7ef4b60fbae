"""Figures in words as a planning meeting says them: "every week", "within days", right plurals."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from advisor.costs.figures import article, interval, payback_words, plural
from advisor.recommend.scenario import VOLATILITY_MONTHS


def test_retraining_intervals_read_as_words() -> None:
    assert interval(VOLATILITY_MONTHS["weekly"]) == "every week"  # type: ignore[arg-type]
    assert interval(VOLATILITY_MONTHS["daily"]) == "every day"  # type: ignore[arg-type]
    assert interval(Decimal(1)) == "every month" and interval(Decimal(3)) == "every 3 months"


@given(st.decimals(min_value=Decimal("0.001"), max_value=Decimal(1000), allow_nan=False, places=28))
def test_an_interval_never_shows_long_decimals(months: Decimal) -> None:
    text = interval(months)
    assert text.startswith("every ") and len(text) < 30


def test_paybacks_under_a_week_are_within_days() -> None:
    assert payback_words(Decimal("0.004")) == "within days"
    assert payback_words(Decimal("1.1236")) == "in 1.12 months"
    assert payback_words(None) == "never"


def test_plurals_and_articles() -> None:
    assert plural(1, "example") == "1 example" and plural(2, "example") == "2 examples"
    assert article("exact") == "an exact" and article("fuzzy") == "a fuzzy"
