"""Advice that survives the calendar: on any day, for every shipped example (and the docs' and README's),
no headline tells a team to stay on a model that stops inside the horizon; no option is priced on a
model past its date without saying so; today's setup moves to its successor on the day its model stops,
and every total, chart point and payback reads that one monthly series."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.costs.estimate import EstimateRequest, estimate
from advisor.costs.schedule import payback
from advisor.costs.succession import DAYS_PER_MONTH, months_until
from advisor.pricing.catalog import Catalog, load_catalog
from advisor.recommend.recommendation import Recommendation, recommend
from advisor.recommend.scenario import load_scenario

from .conftest import EXAMPLES

DAYS = [date(2026, 12, 7), date(2026, 12, 11), date(2027, 1, 6), date(2027, 1, 15), date(2027, 4, 15)]
EXAMPLE_FILES = sorted(
    str(path.relative_to(EXAMPLES)) for path in [*EXAMPLES.glob("scenarios/*.toml"), *EXAMPLES.glob("*/scenario.toml")]
)


@pytest.fixture(scope="module")
def catalog() -> Iterator[Catalog]:
    from advisor.plugins import load_plugins

    yield load_catalog(include_user=False, plugin_tables=load_plugins().price_tables)


def ends_on(catalog: Catalog, what: str, today: date) -> date | None:
    """The day the model a stretch names stops serving (`openai:gpt-4o`, `a fine-tune of openai:gpt-4.1`)."""
    from advisor.pricing.catalog import serving_end

    fine_tuned = what.startswith("a fine-tune of ")
    provider, _, name = what.removeprefix("a fine-tune of ").partition(":")
    name = name.removesuffix(" fine-tuned")
    match = catalog.on(today).find(name, provider)
    return serving_end(match) if fine_tuned or what.endswith(" fine-tuned") else match.row.shutdown


def assert_holds(rec: Recommendation, catalog: Catalog, today: date) -> None:
    ends, summary = rec.today_ends, rec.recommendation.summary
    # the headline never says "stay with" a model that stops inside the horizon, and leads with its date
    if ends.stops:
        assert "Stay with" not in summary
        assert summary.startswith(ends.model.split(":", 1)[-1]) and str(ends.ends) in summary.split(":")[0]
    # today's setup moves to its successor on the day its model stops (or says nothing replaces it)
    first = rec.today_stretches[0]
    if ends.stops and ends.successor:
        assert first.end == ends.months and rec.today_stretches[1].what == ends.successor
        assert ends_on(catalog, ends.successor, today) is None or ends_on(catalog, ends.successor, today) > (
            today + timedelta(days=int(rec.horizon_months * DAYS_PER_MONTH))
        )
    elif ends.stops:
        assert any("no model in the price tables replaces it" in a.text for a in rec.assumptions)
    else:
        assert len(rec.today_stretches) == 1
    # every stretch of every option runs on a model that still serves then: a model that stops hands over
    for name, cost in rec.costs.items():
        assert cost.stretches[0].start == 0 and cost.stretches[-1].end == rec.horizon_months, name
        for stretch in cost.stretches:
            if stretch.months <= 0:
                continue
            end = ends_on(catalog, stretch.what, today)
            carried = ends.stops and not ends.successor and stretch.what == ends.model
            if end is not None and not carried:
                assert months_until(end, today) >= stretch.end - Decimal("0.0001"), (name, stretch.what, end)
        if len([s for s in cost.stretches if s.months > 0]) > 1:
            assert cost.ends, name  # the row says what its traffic moves to inside the horizon
    # payback is the month from which an option stays ahead, never a month it falls behind again
    for cost in rec.costs.values():
        if cost.payback_months is not None:
            assert cost.net_savings_usd >= 0


@pytest.mark.parametrize("today", DAYS, ids=str)
@pytest.mark.parametrize("path", EXAMPLE_FILES)
def test_every_example_on_every_day(catalog, path: str, today: date) -> None:
    rec = recommend(load_scenario(str(EXAMPLES / path)), catalog, today)
    assert_holds(rec, catalog, today)


def test_the_newer_model_example_moves_to_the_named_successor(catalog) -> None:
    rec = recommend(load_scenario(str(EXAMPLES / "scenarios/newer-model.toml")), catalog, date(2026, 12, 7))
    assert rec.recommendation.summary.startswith("gpt-4o stops on 2027-01-14, in 38 days: move today's prompt to")
    assert rec.today_ends.successor == "openai:gpt-6-luna"
    assert rec.today_stretches[0].monthly_usd == Decimal("187.50")
    # after the date, today's model is gone: today's cost is the successor's, from month 0
    later = recommend(load_scenario(str(EXAMPLES / "scenarios/newer-model.toml")), catalog, date(2027, 2, 1))
    assert later.recommendation.summary.startswith("gpt-4o stopped serving on 2027-01-14")
    assert later.today_ends.gone and later.today_monthly_usd == later.today_stretches[-1].monthly_usd
    assert "187.50" not in later.recommendation.summary


def test_a_snapshot_removed_on_2026_12_11_is_never_the_model_to_move_to(catalog) -> None:
    for today in (date(2026, 12, 7), date(2026, 12, 11)):
        for path in EXAMPLE_FILES:
            rec = recommend(load_scenario(str(EXAMPLES / path)), catalog, today)
            movers = [rec.today_ends.successor, *(c.model for n, c in rec.costs.items() if n == "switch")]
            assert not {"gpt-5", "gpt-5-mini", "gpt-5-nano", "openai:gpt-5", "openai:gpt-5-mini"} & set(movers)


SCENARIOS = ["scenarios/newer-model.toml", "invoice-extraction/scenario.toml", "migration/scenario.toml"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.sampled_from(SCENARIOS),
    st.dates(min_value=date(2026, 6, 1), max_value=date(2028, 6, 1)),
    st.integers(min_value=1, max_value=36),
)
def test_any_day_and_horizon(catalog, path: str, today: date, horizon: int) -> None:
    loaded = load_scenario(str(EXAMPLES / path))
    costs = loaded.scenario.costs.model_copy(update={"horizon_months": horizon})
    loaded = loaded.model_copy(update={"scenario": loaded.scenario.model_copy(update={"costs": costs})})
    assert_holds(recommend(loaded, catalog, today), catalog, today)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.dates(min_value=date(2026, 6, 1), max_value=date(2028, 6, 1)),
    st.integers(min_value=1, max_value=36),
    st.sampled_from(["gpt-4.1", "gpt-4o", "gpt-5-mini", "gpt-4.1-mini"]),
)
def test_an_estimates_baseline_changes_at_the_shutdown(catalog, today: date, horizon: int, model: str) -> None:
    request = EstimateRequest(
        model=model,
        ft_model="llama-3.1-8b-instruct",
        ft_provider="together",
        requests_per_month=100_000,
        prompt_tokens=Decimal(1500),
        cached_tokens=Decimal(1200),
        output_tokens=Decimal(200),
        ft_prompt_tokens=Decimal(300),
        training_tokens=1_000_000,
        examples=2000,
        horizon_months=horizon,
        today=today,
    )
    result = estimate(request, catalog)
    ends, stretches = result.today_ends, result.baseline_schedule.stretches
    shutdown = catalog.on(today).find(model).row.shutdown
    if shutdown is not None and months_until(shutdown, today) < horizon:
        assert ends.ends == shutdown and stretches[0].end == months_until(shutdown, today)
        assert result.baseline_monthly_usd == result.baseline_schedule.first.monthly_usd
        if ends.gone:  # the headline figure is what replaced it, never the model that stopped
            assert result.baseline_after is not None
            assert result.baseline_monthly_usd == result.baseline_after.monthly_usd
    else:
        assert not ends.stops and len(stretches) == 1
    # the totals, payback and break-even all read the same two series
    assert result.net_savings_usd == result.baseline_schedule.total() - result.option_schedule.total()
    if result.payback_months is not None:
        assert result.payback_months == payback(result.option_schedule, result.baseline_schedule)
        assert result.net_savings_usd >= 0
