"""Money in JSON is exact: every Decimal is written as a JSON number with all its digits, so parsing it
as a decimal gives the same amount back; otherwise the text is what json.dumps writes."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from advisor.recommend.recommendation import recommend
from advisor.recommend.scenario import load_scenario
from advisor.render.estimate import to_json as estimate_json
from advisor.render.figures import dumps, number_text
from advisor.render.recommendation import to_json

from .strategies import json_values

DECIMALS = st.decimals(allow_nan=False, allow_infinity=False) | st.builds(
    lambda digits, exponent: Decimal(digits).scaleb(exponent), st.integers(-(10**30), 10**30), st.integers(-30, 10)
)


def decimals_in(value: object) -> list[Decimal]:
    if isinstance(value, dict):
        return [d for item in value.values() for d in decimals_in(item)]
    if isinstance(value, list):
        return [d for item in value for d in decimals_in(item)]
    return [value] if isinstance(value, Decimal) else []


class TestDumps:
    def test_the_amounts_the_old_rounding_lost(self) -> None:
        text = dumps({"per_request_usd": Decimal("0.0000028"), "price": Decimal("0.0002818")})
        assert '"per_request_usd": 0.0000028' in text and '"price": 0.0002818' in text
        assert json.loads(text, parse_float=Decimal) == {
            "per_request_usd": Decimal("0.0000028"),
            "price": Decimal("0.0002818"),
        }

    @settings(max_examples=300)
    @given(DECIMALS)
    def test_any_decimal_round_trips(self, value: Decimal) -> None:
        text = number_text(value)
        assert "e" not in text.lower()
        assert Decimal(json.loads(text, parse_float=Decimal)) == value

    @settings(max_examples=200)
    @given(json_values())
    def test_without_decimals_it_is_json_dumps(self, value: object) -> None:
        assert dumps(value) == json.dumps(value, indent=2)

    @settings(max_examples=100)
    @given(st.dictionaries(st.text(max_size=5), DECIMALS | st.lists(DECIMALS, max_size=3), max_size=4))
    def test_nested_money_round_trips(self, value: dict) -> None:
        parsed = json.loads(dumps(value), parse_float=Decimal)
        assert [Decimal(d) for d in decimals_in_parsed(parsed)] == decimals_in(value)


def decimals_in_parsed(value: object) -> list[object]:
    if isinstance(value, dict):
        return [d for item in value.values() for d in decimals_in_parsed(item)]
    if isinstance(value, list):
        return [d for item in value for d in decimals_in_parsed(item)]
    return [value]


def test_a_recommendation_round_trips_exactly(catalog) -> None:
    """Every figure of a real recommendation (divisions included) comes back as the same Decimal."""
    rec = recommend(load_scenario("examples/invoice-extraction/scenario.toml"), catalog, date(2026, 12, 1))
    parsed = json.loads(to_json(rec), parse_float=Decimal)
    for name, cost in rec.costs.items():
        again = parsed["costs"][name]
        assert Decimal(again["monthly_usd"]) == cost.monthly_usd
        assert Decimal(again["upfront_usd"]) == cost.upfront_usd
        assert again["payback_months"] is None or Decimal(again["payback_months"]) == cost.payback_months
        assert {k: Decimal(v) for k, v in again["breakdown"].items()} == cost.breakdown
    assert Decimal(parsed["today_monthly_usd"]) == rec.today_monthly_usd


def test_an_estimate_round_trips_exactly(catalog) -> None:
    from advisor.costs.estimate import EstimateRequest, estimate

    result = estimate(
        EstimateRequest(
            model="gpt-4.1",
            ft_model="gpt-4.1-mini",
            requests_per_month=7,
            prompt_tokens=Decimal(1739),
            cached_tokens=Decimal(1614),
            ft_prompt_tokens=Decimal(7),
            output_tokens=Decimal(1),
            training_tokens=146_130,
            examples=400,
            retrain_every_months=Decimal(7) * 24 / 730,
            today=date(2026, 12, 1),
        ),
        catalog,
    )
    parsed = json.loads(estimate_json(result), parse_float=Decimal)
    assert Decimal(parsed["option"]["per_request_usd"]) == result.option.per_request_usd
    assert Decimal(parsed["option"]["retraining_monthly_usd"]) == result.option.retraining_monthly_usd
    assert Decimal(parsed["baseline_monthly_usd"]) == result.baseline_monthly_usd
