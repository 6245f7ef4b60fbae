"""The price-table fields for providers beyond OpenAI: training by LoRA or full, tiers, minimums, own
GPUs priced from throughput, hosting by the minute, storage, approximate tokenizers (docs/pricing.md)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from advisor.costs.estimate import EstimateRequest, estimate
from advisor.costs.training import gpu_training_cost, token_training_cost
from advisor.errors import UserError
from advisor.pricing.catalog import Catalog
from advisor.pricing.tables import parse_table

HEADER = 'provider = "acme"\ncurrency = "USD"\nas_of = 2026-11-01\nsource = "https://example.com"\n'
OPEN_MODEL = (
    HEADER
    + """
[gpus.H100]
per_hour = 4.00

[models.small]
parameters_b = 8
open_weights = true
encoding = "o200k_base"
input = 0.20
output = 0.20

[models.small.fine_tuning]
methods = ["sft", "dpo"]
training_prices = { "sft.lora" = 0.50, "sft.full" = 0.60, "dpo" = 1.25 }
training_types = ["lora", "full"]
training_tiers = { global = 1, developer = 0.5 }
minimum_usd = 2
input = 0.20
output = 0.20
hosting_per_minute = 0.05
storage_per_month = 3

[models.own]
parameters_b = 8
input = 0
output = 0

[models.own.fine_tuning]
methods = ["sft", "rft"]
throughput = { lora = 10000, full = 2500 }
gpu = "H100"
rft_rollouts = 4
input = 0
output = 0
"""
)
TODAY = date(2026, 12, 1)


@pytest.fixture(scope="module")
def table():
    return parse_table(OPEN_MODEL, "acme.toml")


class TestPerTokenTraining:
    def test_the_training_type_picks_its_price_then_the_method_then_training(self, table) -> None:
        ft = table.models["small"].fine_tuning
        assert ft.token_price("sft") == (Decimal("0.50"), "training_prices.sft.lora")  # LoRA is the default
        assert ft.token_price("sft", "full") == (Decimal("0.60"), "training_prices.sft.full")
        assert ft.token_price("dpo", "full") == (Decimal("1.25"), "training_prices.dpo")

    def test_a_tier_multiplies_the_price_and_the_minimum_is_a_floor(self, table) -> None:
        ft = table.models["small"].fine_tuning
        big = token_training_cost("sft", 4_000_000, 2, ft)  # 8M tokens at $0.50
        assert big.usd == Decimal("4.00")
        assert token_training_cost("sft", 4_000_000, 2, ft, tier="developer").usd == Decimal("2.00")
        small = token_training_cost("sft", 1_000_000, 1, ft)  # $0.50, under the $2 minimum
        assert small.usd == Decimal(2) and "per-job minimum" in small.explanation

    def test_an_unknown_tier_is_refused(self, table) -> None:
        with pytest.raises(ValueError, match="unknown training tier 'premium'"):
            token_training_cost("sft", 1_000, 1, table.models["small"].fine_tuning, tier="premium")


class TestOwnGpus:
    def test_gpu_hours_come_from_throughput_and_the_gpu_price(self, table) -> None:
        ft = table.models["own"].fine_tuning
        cost = gpu_training_cost("sft", 18_000_000, 2, ft, table.gpus["H100"].per_hour)
        assert cost.hours == 1  # 36M tokens / (10,000 a second x 3,600)
        assert cost.usd == Decimal(4) and cost.basis == "gpu_hours"
        full = gpu_training_cost("sft", 18_000_000, 2, ft, Decimal(4), training_type="full")
        assert full.hours == 4

    def test_rft_adds_the_rollout_tokens_it_generates(self, table) -> None:
        catalog = Catalog([table])
        request = EstimateRequest(
            model="small", ft_model="own", provider="acme", requests_per_month=1000, prompt_tokens=Decimal(100),
            output_tokens=Decimal(500), ft_prompt_tokens=Decimal(100), method="rft", training_tokens=36_000_000,
            examples=1000, epochs=1, today=TODAY,
        )  # fmt: skip
        result = estimate(request, catalog)
        # 36M training tokens + 1,000 prompts x 1 epoch x 4 generations x 500 tokens = 38M tokens
        assert result.training.billed_tokens == 38_000_000
        assert result.training.usd == Decimal(38_000_000) / 36_000_000 * 4
        assert any("rollouts" in a.text for a in result.assumptions)


class TestFixedFees:
    def test_hosting_by_the_minute_and_storage_are_monthly_fees(self, table) -> None:
        catalog = Catalog([table])
        request = EstimateRequest(
            model="small", provider="acme", requests_per_month=1000, prompt_tokens=Decimal(100),
            ft_prompt_tokens=Decimal(100), training_tokens=1_000_000, examples=100, today=TODAY,
        )  # fmt: skip
        result = estimate(request, catalog)
        assert result.option.hosting_monthly_usd == Decimal("0.05") * 60 * 730 + 3
        rows = {a.row for a in result.assumptions}
        assert "acme:small hosting_per_minute" in rows and "acme:small storage_per_month" in rows


class TestRefusedTables:
    @pytest.mark.parametrize(
        ("change", "message"),
        [
            ('encoding_exact = false\n', "`encoding_note` is required"),
            ('[models.x.fine_tuning]\nmethods = ["sft"]\ninput = 1\noutput = 1\nthroughput = { lora = 5 }\n',
             "`gpu` is required with `throughput`"),
            ('[models.x.fine_tuning]\nmethods = ["sft"]\ninput = 1\noutput = 1\nthroughput = { lora = 5 }\n'
             'gpu = "A1"\n',
             "which the table's [gpus] does not price"),
            ('[models.x.fine_tuning]\nmethods = ["sft"]\ninput = 1\noutput = 1\ntraining_prices = { "sft.huge" = 1 }\n',
             "unknown key(s) sft.huge"),
            ('[models.x.fine_tuning]\nmethods = ["dpo"]\ninput = 1\noutput = 1\ntraining_prices = { "sft" = 1 }\n',
             "is required for dpo"),
        ],
    )  # fmt: skip
    def test_incomplete_rows_are_refused_with_the_field(self, change: str, message: str) -> None:
        text = HEADER + "\n[models.x]\ninput = 1\noutput = 1\n" + change
        with pytest.raises(UserError, match=r"acme\.toml") as error:
            parse_table(text, "acme.toml")
        assert message in str(error.value)


class TestCacheWrites:
    def test_prefix_tokens_that_miss_the_cache_are_billed_as_cache_writes(self) -> None:
        table = parse_table(
            HEADER + "\n[models.new]\ninput = 2\ncached_input = 0.2\ncache_write = 2.5\noutput = 8\n", "acme.toml"
        )
        request = EstimateRequest(
            model="new", provider="acme", requests_per_month=1000, prompt_tokens=Decimal(2000),
            cached_tokens=Decimal(1500), cache_hit_rate=Decimal("0.8"), ft_prompt_tokens=Decimal(100),
            quoted_training_usd=Decimal(0), today=TODAY,
        )  # fmt: skip
        with pytest.raises(UserError):  # `new` has no fine-tuning: the estimate needs a tunable option
            estimate(request, Catalog([table]))
        from advisor.costs.estimate import ServingOptions, Traffic, serving_cost

        side = serving_cost(
            "today", Catalog([table]).find("new", "acme"), False, Traffic(Decimal(2000), Decimal(1500), Decimal(0)),
            ServingOptions(1000, cache_hit_rate=Decimal("0.8")), [],
        )  # fmt: skip
        # 1,200 cached at $0.20, 300 written at $2.50 (1.25x), 500 plain input at $2 per 1M
        assert side.per_request_usd == (Decimal(1200) * Decimal("0.2") + 300 * Decimal("2.5") + 500 * 2) / 1_000_000
