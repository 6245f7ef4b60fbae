"""The cost engine: worked cases pinned to the facts file, the honesty rules, and invariants."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from advisor.costs.estimate import MIN_RETRAIN_MONTHS, EstimateRequest, estimate
from advisor.costs.training import auto_epochs
from advisor.errors import UserError
from advisor.parsing.constraints import OutOfRange
from advisor.pricing.catalog import load_catalog
from advisor.recommend.scenario import VOLATILITY_MONTHS

from .conftest import FLAT_15, TODAY

D = Decimal


@pytest.fixture(scope="module")
def flat(tmp_path_factory) -> object:
    path = tmp_path_factory.mktemp("tables") / "acme.toml"
    path.write_text(FLAT_15)
    return load_catalog([path], include_user=False)


def request(**changes) -> EstimateRequest:
    base = dict(
        model="gpt-4.1",
        ft_model="gpt-4.1-mini",
        requests_per_month=100_000,
        prompt_tokens=D(2000),
        ft_prompt_tokens=D(300),
        output_tokens=D(100),
        training_tokens=1_000_000,
        examples=1000,
        today=TODAY,
    )
    return EstimateRequest(**{**base, **changes})


def flat_request(**changes) -> EstimateRequest:
    return request(
        **{
            "model": "flat15",
            "ft_model": "flat15",
            "provider": "acme",
            "requests_per_month": 10_000,
            "prompt_tokens": D(2000),
            "ft_prompt_tokens": D(500),
            "output_tokens": D(0),
            "quoted_training_usd": D(100),
            **changes,
        }
    )


class TestRequestBounds:
    """A request holds only figures an estimate can use: each out-of-range one is refused by name."""

    @pytest.mark.parametrize(
        ("field", "value", "says"),
        [
            ("requests_per_month", 0, "greater than 0"),
            ("prompt_tokens", D(-1), "at least 0"),
            ("ft_output_tokens", D("NaN"), "finite"),
            ("examples", 0, "greater than 0"),
            ("setup_usd", D("-Infinity"), "finite"),
            ("cache_hit_rate", D("1.01"), "at most 1"),
            ("horizon_months", 121, "at most 120"),
            ("retrain_every_months", D(0), "at least 0.033 months"),
            ("retrain_every_months", D("1e-30"), r"at least 0\.033 months \(a day"),
            ("retrain_every_months", D("0.0328"), "at least 0.033 months"),
            ("hosting_hours_per_month", D(745), "at most 744"),
        ],
    )
    def test_a_figure_out_of_range_is_refused_by_name(self, field: str, value: object, says: str) -> None:
        with pytest.raises(OutOfRange, match=says) as refused:
            request(**{field: value})
        assert refused.value.field == field

    def test_the_edges_of_each_range_are_accepted(self) -> None:
        edges = request(cache_hit_rate=D(0), horizon_months=120, hosting_hours_per_month=D(744), setup_usd=D(0))
        assert (edges.cache_hit_rate, edges.horizon_months) == (0, 120)
        daily = request(retrain_every_months=VOLATILITY_MONTHS["daily"])  # a scenario's `daily` knowledge
        assert daily.retrain_every_months == MIN_RETRAIN_MONTHS == D(24) / 730


class TestWorkedCases:
    def test_sft_training_on_gpt_4o_mini_and_gpt_35(self, catalog) -> None:
        """OpenAI's own example: 100,000 tokens x 3 epochs."""
        for model, usd in (("gpt-4o-mini", "0.90"), ("gpt-3.5-turbo", "2.40")):
            result = estimate(request(model=model, ft_model=model, training_tokens=100_000, epochs=3), catalog)
            assert result.training_usd == D(usd)
            assert result.training.billed_tokens == 300_000

    def test_flat_15_dollar_table(self, flat) -> None:
        result = estimate(flat_request(), flat)
        assert result.baseline_monthly_usd == D(300)
        assert result.option_monthly_usd == D(75)
        assert result.monthly_savings_usd == D(225)
        assert result.payback_months.quantize(D("0.01")) == D("0.44")
        assert result.payback_months == D(100) / D(225)  # exact until displayed

    def test_flat_15_at_a_million_requests(self, flat) -> None:
        """The source document prints $30 here: it is off by a factor of 1,000."""
        result = estimate(flat_request(requests_per_month=1_000_000), flat)
        assert (result.baseline_monthly_usd, result.option_monthly_usd) == (D(30_000), D(7_500))

    def test_rft_on_o4_mini_four_hours(self, catalog) -> None:
        result = estimate(request(model="o4-mini", ft_model="o4-mini", method="rft", rft_hours=D(4)), catalog)
        assert result.training_usd == D(400)
        assert result.training.basis == "hours"


class TestCaching:
    def test_static_prefix_billed_at_cached_price(self, catalog) -> None:
        result = estimate(request(prompt_tokens=D(2000), cached_tokens=D(1500), output_tokens=D(0)), catalog)
        # gpt-4.1: 500 x $2.00 + 1,500 x $0.50 per 1M
        assert result.baseline.per_request_usd == D("0.00175")

    def test_no_caching_under_1024_prompt_tokens(self, catalog) -> None:
        result = estimate(request(prompt_tokens=D(1000), cached_tokens=D(900), output_tokens=D(0)), catalog)
        assert result.baseline.per_request_usd == D("0.002")
        assert any("under the 1,024-token minimum" in a.text for a in result.assumptions)

    def test_hit_rate_scales_the_cached_share(self, catalog) -> None:
        result = estimate(
            request(prompt_tokens=D(2000), cached_tokens=D(1200), cache_hit_rate=D("0.5"), output_tokens=D(0)), catalog
        )
        assert result.baseline.per_request_usd == D(1400) * D(2) / 10**6 + D(600) * D("0.5") / 10**6

    def test_cached_prefix_cannot_exceed_the_prompt(self, catalog) -> None:
        with pytest.raises(UserError, match="larger than the prompt"):
            estimate(request(prompt_tokens=D(1000), cached_tokens=D(2000)), catalog)


class TestFineTunedPricing:
    def test_fine_tuned_traffic_at_fine_tuned_rates(self, catalog) -> None:
        result = estimate(
            request(
                model="gpt-4.1-mini",
                ft_model="gpt-4.1-mini",
                prompt_tokens=D(1000),
                ft_prompt_tokens=D(1000),
                output_tokens=D(0),
            ),
            catalog,
        )
        assert result.baseline.per_request_usd == D("0.0004")
        assert result.option.per_request_usd == D("0.0008")  # 2x its base
        assert result.payback_months is None
        assert "costs $40.00 more a month" in result.payback_note

    def test_existing_fine_tune_as_baseline_is_priced_as_one(self, catalog) -> None:
        result = estimate(
            request(model="ft:gpt-4.1-mini-2025-04-14:acme:x:1", prompt_tokens=D(1000), output_tokens=D(0)), catalog
        )
        assert result.baseline.per_request_usd == D("0.0008")

    def test_batch_prices_come_from_the_table(self, catalog) -> None:
        result = estimate(
            request(
                model="gpt-4o",
                ft_model="gpt-4o",
                batch=True,
                prompt_tokens=D(1_000_000),
                ft_prompt_tokens=D(1_000_000),
                output_tokens=D(0),
            ),
            catalog,
        )
        assert result.baseline.per_request_usd == D("1.25")
        assert result.option.per_request_usd == D("2.225")  # as published, not half of 3.75

    def test_batch_without_batch_prices_is_refused(self, flat) -> None:
        with pytest.raises(UserError, match="no fine-tuned batch prices"):
            estimate(flat_request(batch=True), flat)

    def test_data_sharing_halves_o4_mini_inference(self, catalog) -> None:
        result = estimate(
            request(
                model="o4-mini",
                ft_model="o4-mini",
                method="rft",
                rft_hours=D(1),
                data_sharing=True,
                prompt_tokens=D(1_000_000),
                ft_prompt_tokens=D(1_000_000),
                output_tokens=D(0),
            ),
            catalog,
        )
        assert result.option.per_request_usd == D(2)

    def test_hosting_fee_730_hours_a_month(self, catalog) -> None:
        result = estimate(request(provider="azure-openai"), catalog)
        assert result.option.hosting_monthly_usd == D("1.70") * 730
        assert result.baseline.hosting_monthly_usd == 0

    def test_model_without_fine_tuning_is_refused_with_alternatives(self, catalog) -> None:
        with pytest.raises(UserError, match=r"openai:gpt-5 cannot be fine-tuned.*gpt-4\.1-mini"):
            estimate(request(ft_model="gpt-5"), catalog)


class TestTraining:
    @pytest.mark.parametrize(
        ("examples", "epochs"),
        [(10, 10), (20, 5), (33, 3), (50, 3), (1000, 3), (8333, 3), (8334, 2), (12500, 2), (25000, 1), (1, 25)],
    )
    def test_auto_epochs_cookbook_rule(self, examples: int, epochs: int) -> None:
        assert auto_epochs(examples) == epochs

    def test_auto_epochs_need_the_example_count(self, catalog) -> None:
        with pytest.raises(UserError, match="--examples"):
            estimate(request(examples=None), catalog)

    def test_quoted_cost_overrides_computed(self, catalog) -> None:
        result = estimate(request(quoted_training_usd=D(1234)), catalog)
        assert result.training_usd == D(1234) and result.training.basis == "quoted"

    def test_dpo_says_its_token_count_is_an_estimate(self, catalog) -> None:
        result = estimate(request(method="dpo"), catalog)
        assert "estimate" in result.training.explanation

    def test_rft_needs_hours(self, catalog) -> None:
        with pytest.raises(UserError, match="--rft-hours"):
            estimate(request(model="o4-mini", ft_model="o4-mini", method="rft"), catalog)

    def test_retraining_is_spread_over_its_interval(self, catalog) -> None:
        result = estimate(request(retrain_every_months=D(3), epochs=3), catalog)
        assert result.option.retraining_monthly_usd == result.training_usd / 3

    def test_azure_auto_pause_is_flagged(self, catalog) -> None:
        result = estimate(
            request(model="o4-mini", ft_model="o4-mini", provider="azure-openai", method="rft", rft_hours=D(60)),
            catalog,
        )
        assert any("pauses training jobs at $5,000.00" in w for w in result.warnings)


class TestDatesAndHorizon:
    def test_horizon_ends_at_the_base_models_shutdown(self, catalog) -> None:
        result = estimate(request(), catalog)  # gpt-4.1-mini at OpenAI: 2027-01-14 (notice of 2026-10-14)
        assert result.effective_horizon_months == D(53) / (D(730) / 24)
        assert "fine-tunes shut down on 2027-01-14" in result.horizon_note and "unverified" not in result.horizon_note

    def test_horizon_ends_where_fine_tunes_stop_serving_not_at_the_base(self, catalog) -> None:
        # Azure: fine-tuned gpt-4.1-mini deployments serve a year after training retires, which one version of
        # Microsoft's pages puts on 2026-10-14 and another on 2027-04-14: the earlier decides, and says so
        result = estimate(request(provider="azure-openai", today=date(2027, 6, 1), horizon_months=24), catalog)
        assert result.effective_horizon_months == D((date(2027, 10, 14) - date(2027, 6, 1)).days) / (D(730) / 24)
        assert "fine-tunes of azure-openai:gpt-4.1-mini stop serving on 2027-10-14" in result.horizon_note
        assert any(
            "sources disagree on the end of serving of fine-tunes of azure-openai:gpt-4.1-mini: 2028-04-14" in w
            and "2027-10-14" in w
            and "advisor decides on the earlier, 2027-10-14" in w
            for w in result.warnings
        )

    def test_payback_never_after_the_shutdown(self, catalog) -> None:
        result = estimate(request(setup_usd=D(1_000_000)), catalog)
        assert result.payback_months is None
        assert "longer than the" in result.payback_note

    def test_shut_down_model_has_no_horizon(self, catalog) -> None:
        result = estimate(request(ft_model="gpt-4.1-nano"), catalog)
        assert result.effective_horizon_months == 0 and result.payback_months is None
        assert result.break_even_requests_per_month is None
        assert any("gpt-4.1-nano was shut down on 2026-10-23" in w for w in result.warnings)

    def test_full_horizon_without_shutdown(self, flat) -> None:
        result = estimate(flat_request(), flat)
        assert result.effective_horizon_months == 12
        assert result.net_savings_usd == 225 * 12 - 100

    def test_job_cutoff_and_alternatives_after_wind_down(self, catalog) -> None:
        result = estimate(request(today=date(2027, 1, 6)), catalog)  # job creation ends on 2027-01-06
        assert any("stopped new fine-tuning jobs" in w and "on 2027-01-06" in w for w in result.warnings)
        # Azure, the other table that trains gpt-4.1-mini, retired it on 2026-10-14 by the earlier of its sources
        assert any("no table offers it today" in w for w in result.warnings)

    def test_retraining_beyond_the_job_cutoff_is_flagged(self, catalog) -> None:
        result = estimate(request(retrain_every_months=D(1), epochs=3), catalog)
        assert any("retraining every month needs new jobs after 2027-01-06" in w for w in result.warnings)

    def test_wind_down_notices_are_shown(self, catalog) -> None:
        result = estimate(request(), catalog)
        assert any("since 2026-07-02" in w for w in result.warnings)

    def test_every_price_used_is_cited_with_its_date(self, catalog) -> None:
        result = estimate(request(cached_tokens=D(1500)), catalog)
        prices = [a for a in result.assumptions if a.topic == "price"]
        rows = {a.row for a in prices}
        assert {
            "openai:gpt-4.1 standard input",
            "openai:gpt-4.1 standard cached_input",
            "openai:gpt-4.1-mini fine-tuned standard input",
            "openai:gpt-4.1-mini fine_tuning training",
        } <= rows
        assert all(a.as_of and a.source for a in prices)
        base = [a for a in prices if a.row.startswith("openai:gpt-4.1 standard")]
        tuned = [a for a in prices if "gpt-4.1-mini" in a.row]
        # base prices come from genai-prices (in force on the day), fine-tuning prices from advisor's table
        assert all("genai-prices 0.2.5 (openai)" in a.text and a.as_of == date(2026, 11, 19) for a in base)
        assert all("(bundled) openai.toml" in a.text and a.as_of == date(2026, 6, 30) for a in tuned)


class TestBreakEven:
    def test_break_even_volume_pays_back_exactly_within_the_horizon(self, flat) -> None:
        result = estimate(flat_request(), flat)
        at = estimate(flat_request(requests_per_month=result.break_even_requests_per_month), flat)
        below = estimate(flat_request(requests_per_month=result.break_even_requests_per_month - 1), flat)
        assert at.payback_months is not None and at.payback_months <= 12
        assert below.payback_months is None or below.payback_months > 12


volumes = st.integers(min_value=1, max_value=10**9)
token_counts = st.integers(min_value=0, max_value=200_000).map(D)


@st.composite
def requests(draw):
    prompt = draw(token_counts)
    return dict(
        model=draw(st.sampled_from(["gpt-4.1", "gpt-4o", "gpt-4.1-mini", "gpt-5", "gpt-3.5-turbo"])),
        ft_model=draw(st.sampled_from(["gpt-4.1-mini", "gpt-4o-mini", "gpt-4.1"])),
        provider=draw(st.sampled_from(["openai", "azure-openai"])),
        prompt_tokens=prompt,
        cached_tokens=D(draw(st.integers(0, int(prompt)))),
        output_tokens=draw(token_counts),
        ft_prompt_tokens=draw(token_counts),
        training_tokens=draw(st.integers(0, 10**9)),
        examples=draw(st.integers(1, 100_000)),
        setup_usd=D(draw(st.integers(0, 10**6))),
        retrain_every_months=draw(st.none() | st.integers(1, 24).map(D)),
        today=draw(st.dates(date(2026, 1, 1), date(2027, 12, 31))),
    )


class TestInvariants:
    @settings(max_examples=200, deadline=None)
    @given(requests(), volumes, volumes)
    def test_cost_and_savings_move_monotonically_with_volume(self, catalog, fields, v1, v2) -> None:
        if fields["provider"] == "azure-openai" and fields["model"] in ("gpt-5", "gpt-3.5-turbo"):
            fields["model"] = "gpt-4o"
        low, high = sorted((v1, v2))
        a = estimate(request(**fields, requests_per_month=low), catalog)
        b = estimate(request(**fields, requests_per_month=high), catalog)
        assert a.baseline_monthly_usd <= b.baseline_monthly_usd
        assert a.option_monthly_usd <= b.option_monthly_usd
        per_request = a.baseline_schedule.first.per_request_usd - a.option.per_request_usd
        # a retraining cost spread over 3 months is a repeating decimal, kept to Decimal's 28 digits: equal
        # savings at two volumes can differ in the last of them
        last_digit = D("1e-20")
        if per_request >= 0:
            assert a.monthly_savings_usd <= b.monthly_savings_usd + last_digit
            if a.payback_months is not None:
                assert b.payback_months is not None and b.payback_months <= a.payback_months
        else:
            assert a.monthly_savings_usd + last_digit >= b.monthly_savings_usd

    @settings(max_examples=200, deadline=None)
    @given(requests(), volumes)
    def test_no_negative_money_and_payback_never_without_savings(self, catalog, fields, volume) -> None:
        if fields["provider"] == "azure-openai" and fields["model"] in ("gpt-5", "gpt-3.5-turbo"):
            fields["model"] = "gpt-4o"
        result = estimate(request(**fields, requests_per_month=volume), catalog)
        for amount in (
            result.baseline_monthly_usd,
            result.option_monthly_usd,
            result.training_usd,
            result.setup_usd,
            result.baseline.per_request_usd,
            result.option.per_request_usd,
            result.option.hosting_monthly_usd,
            result.option.retraining_monthly_usd,
        ):
            assert amount >= 0
        if result.monthly_savings_usd <= 0:
            assert result.payback_months is None
        else:
            assert result.payback_months is None or result.payback_months <= result.effective_horizon_months
        assert result.effective_horizon_months <= result.horizon_months

    @settings(max_examples=100, deadline=None)
    @given(volumes, st.integers(1, 10**6), st.integers(0, 10**6))
    def test_arithmetic_is_exact_until_display(self, flat, volume, prompt, ft_prompt) -> None:
        result = estimate(
            flat_request(requests_per_month=volume, prompt_tokens=D(prompt), ft_prompt_tokens=D(ft_prompt)), flat
        )
        assert result.baseline_monthly_usd == D(volume) * prompt * 15 / 10**6
        assert result.monthly_savings_usd == D(volume) * (prompt - ft_prompt) * 15 / 10**6
