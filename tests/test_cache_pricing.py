"""Prompt caching priced honestly: no discount for a static prefix under 1,024 tokens (a cache hit needs
that much), and under --batch the cached prefix is treated alike on the base and the fine-tuned side."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from advisor.costs.estimate import CACHE_MIN_PROMPT_TOKENS, EstimateRequest, estimate

from .conftest import TODAY

D = Decimal


def request(**changes: object) -> EstimateRequest:
    base: dict[str, object] = dict(
        model="gpt-4.1",
        ft_model="gpt-4.1",
        requests_per_month=1_000_000,
        prompt_tokens=D(3000),
        ft_prompt_tokens=D(3000),
        output_tokens=D(0),
        training_tokens=1_000_000,
        examples=1000,
        today=TODAY,
    )
    return EstimateRequest(**{**base, **changes})  # type: ignore[arg-type]


class TestShortPrefix:
    def test_a_prefix_under_1024_tokens_gets_no_discount_even_in_a_long_prompt(self, catalog) -> None:
        result = estimate(request(cached_tokens=D(1023)), catalog)
        assert result.baseline.cached_prompt_tokens == 0
        assert result.baseline.per_request_usd == D(3000) * D(2) / 10**6
        assert any("under the 1,024-token minimum" in a.text for a in result.assumptions)

    def test_a_prefix_of_1024_tokens_is_discounted(self, catalog) -> None:
        result = estimate(request(cached_tokens=D(1024)), catalog)
        assert result.baseline.cached_prompt_tokens == 1024
        assert result.baseline.per_request_usd == (D(1976) * D(2) + D(1024) * D("0.5")) / 10**6

    @settings(max_examples=60, deadline=None)
    @given(prompt=st.integers(1, 5000), cached=st.integers(0, 5000), output=st.integers(0, 500))
    def test_per_request_cost_is_exact(self, catalog, prompt: int, cached: int, output: int) -> None:
        cached = min(cached, prompt)
        result = estimate(request(prompt_tokens=D(prompt), cached_tokens=D(cached), output_tokens=D(output)), catalog)
        hit = cached if cached >= CACHE_MIN_PROMPT_TOKENS else 0
        expected = (D(prompt - hit) * D(2) + D(hit) * D("0.5") + D(output) * D(8)) / 10**6
        assert result.baseline.per_request_usd == expected
        assert result.baseline_monthly_usd == expected * 1_000_000


class TestBatchCaching:
    def test_both_sides_keep_their_cache_discount(self, catalog) -> None:
        """gpt-4.1's base row publishes no batch cached price, its fine-tuned row does ($0.50): the base side
        gets its own standard discount (75% off) on the batch input price, as the fine-tuned side gets one."""
        result = estimate(request(batch=True, cached_tokens=D(2000), ft_cached_tokens=D(2000)), catalog)
        assert result.baseline.per_request_usd == (D(1000) * D(1) + D(2000) * D("0.25")) / 10**6
        assert result.option.per_request_usd == (D(1000) * D("1.5") + D(2000) * D("0.5")) / 10**6
        derived = [a.text for a in result.assumptions if "no batch cached-input price" in a.text]
        assert derived and "$0.25 per 1M" in derived[0]

    @settings(max_examples=40, deadline=None)
    @given(cached=st.integers(0, 3000))
    def test_caching_never_makes_the_baseline_dearer_under_batch(self, catalog, cached: int) -> None:
        plain = estimate(request(batch=True), catalog)
        cached_result = estimate(request(batch=True, cached_tokens=D(cached)), catalog)
        assert cached_result.baseline.per_request_usd <= plain.baseline.per_request_usd
        if cached >= CACHE_MIN_PROMPT_TOKENS:
            assert cached_result.baseline.per_request_usd < plain.baseline.per_request_usd
