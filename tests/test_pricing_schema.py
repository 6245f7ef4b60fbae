"""The price-table fields for providers beyond OpenAI: training by LoRA or full, tiers, minimums, own
GPUs priced from throughput, hosting by the minute, storage, approximate tokenizers (docs/pricing.md)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from advisor.costs.estimate import EstimateRequest, estimate
from advisor.costs.training import Rollouts, gpu_training_cost, token_training_cost
from advisor.errors import UserError
from advisor.pricing.catalog import Catalog
from advisor.pricing.reading import parse_table

HEADER = 'provider = "acme"\ncurrency = "USD"\nas_of = 2026-11-01\nsource = "https://example.com"\n'
OPEN_MODEL = (
    HEADER
    + """
[gpus.H100]
per_hour = 4.00

[gpus.A100]
per_hour = 2.00

[gpus.RTX]
per_hour = 0.50

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
throughput = { lora = 10000, full = 2500, qlora = 1000 }
gpu = "H100"
throughput_gpus = { qlora = "RTX" }
rft_rollouts = 4
generation_throughput = 2000
generation_gpu = "A100"
input = 0
output = 0

[models.own.fine_tuning.sources]
"throughput.lora" = "https://example.com/lora-benchmark, read 2026-11-01"
generation_throughput = "https://example.com/vllm-benchmark, read 2026-11-01"
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
        cost = gpu_training_cost("sft", 18_000_000, 2, ft, table.gpus)
        assert cost.hours == 1  # 36M tokens / (10,000 a second x 3,600)
        assert cost.usd == Decimal(4) and cost.basis == "gpu_hours"
        full = gpu_training_cost("sft", 18_000_000, 2, ft, table.gpus, training_type="full")
        assert full.hours == 4 and full.usd == 16

    def test_a_training_type_measured_on_another_gpu_is_priced_on_that_gpu(self, table) -> None:
        cost = gpu_training_cost(
            "sft", 1_800_000, 2, table.models["own"].fine_tuning, table.gpus, training_type="qlora"
        )
        assert cost.hours == 1 and cost.usd == Decimal("0.50")  # 3.6M / (1,000 a second x 3,600) on the RTX
        assert [w.gpu for w in cost.gpu_work] == ["RTX"] and "(RTX)" in cost.explanation

    def test_rft_prices_grpo_generation_apart_from_training(self, table) -> None:
        request = EstimateRequest(
            model="small", ft_model="own", provider="acme", requests_per_month=1000, prompt_tokens=Decimal(100),
            output_tokens=Decimal(1800), ft_prompt_tokens=Decimal(100), method="rft", training_tokens=7_200_000,
            examples=1000, epochs=1, today=TODAY,
        )  # fmt: skip
        result = estimate(request, Catalog([table]))
        training, generation = result.training.gpu_work
        # generated: 1,000 prompts x 1 epoch x 4 generations x 1,800 tokens = 7.2M, at 2,000 a second on the A100
        assert (generation.work, generation.tokens, generation.gpu, generation.hours) == (
            "generation",
            7_200_000,
            "A100",
            1,
        )
        # trained: every completion with its prompt, 7.2M prompt tokens x 4 + 7.2M = 36M, at 10,000 a second on the H100
        assert (training.work, training.tokens, training.gpu, training.hours) == ("training", 36_000_000, "H100", 1)
        assert result.training.usd == Decimal(4) + Decimal(2) and result.training.hours == 2
        texts = {a.row: a for a in result.assumptions if a.row}
        shown = texts["acme:own fine_tuning generation_throughput"]
        assert "7,200,000 generated tokens / 2,000 tokens a second per GPU (generation) = 1.00 GPU-hours on A100" in (
            shown.text
        )
        assert shown.source == "https://example.com/vllm-benchmark, read 2026-11-01"
        assert "36,000,000 tokens / 10,000 tokens a second per GPU (lora) = 1.00 GPU-hours on H100" in (
            texts["acme:own fine_tuning throughput.lora"].text
        )
        assert {"acme gpus.H100", "acme gpus.A100"} <= set(texts)

    def test_an_rft_estimate_on_own_gpus_needs_the_number_of_prompts(self, table) -> None:
        request = EstimateRequest(
            model="small", ft_model="own", provider="acme", requests_per_month=1000, prompt_tokens=Decimal(100),
            output_tokens=Decimal(500), ft_prompt_tokens=Decimal(100), method="rft", training_tokens=1_000_000,
            epochs=1, today=TODAY,
        )  # fmt: skip
        with pytest.raises(UserError, match="needs the number of prompts"):
            estimate(request, Catalog([table]))

    @given(
        prompts=st.integers(1, 100_000),
        epochs=st.integers(1, 25),
        generations=st.integers(1, 64),
        more=st.integers(0, 64),
        completion=st.decimals(0, 100_000, places=2),
        longer=st.decimals(0, 10_000, places=2),
        prompt_tokens=st.integers(0, 10**9),
    )
    def test_more_rollouts_never_cost_less(
        self, table, prompts, epochs, generations, more, completion, longer, prompt_tokens
    ) -> None:
        ft = table.models["own"].fine_tuning

        def cost(g: int, length: Decimal) -> Decimal:
            rollouts = Rollouts(prompts=prompts, generations=Decimal(g), completion_tokens=length)
            return gpu_training_cost("rft", prompt_tokens, epochs, ft, table.gpus, rollouts=rollouts).usd

        base = cost(generations, completion)
        assert cost(generations + more, completion) >= base
        assert cost(generations, completion + longer) >= base

    @given(prompts=st.integers(1, 100_000), epochs=st.integers(1, 25), generations=st.integers(1, 64))
    def test_zero_completion_tokens_cost_no_generation(self, table, prompts, epochs, generations) -> None:
        ft = table.models["own"].fine_tuning
        rollouts = Rollouts(prompts=prompts, generations=Decimal(generations), completion_tokens=Decimal(0))
        cost = gpu_training_cost("rft", 3_600_000, epochs, ft, table.gpus, rollouts=rollouts)
        generation = cost.gpu_work[1]
        assert generation.tokens == 0 and generation.hours == 0 and generation.usd == 0
        # what is left is training each prompt once per generation: 3.6M x epochs x generations at $4 per 36M
        assert cost.usd == Decimal(3_600_000 * epochs * generations) / 36_000_000 * 4


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
            ('[gpus.A1]\nper_hour = 1\n[models.x.fine_tuning]\nmethods = ["rft"]\ninput = 1\noutput = 1\n'
             'throughput = { lora = 5 }\ngpu = "A1"\n',
             "`generation_throughput` is required for rft on own GPUs"),
            ('[gpus.A1]\nper_hour = 1\n[models.x.fine_tuning]\nmethods = ["sft"]\ninput = 1\noutput = 1\n'
             'throughput = { lora = 5 }\ngpu = "A1"\nthroughput_gpus = { full = "A1" }\n',
             "throughput_gpus: full has no `throughput`"),
            ('[gpus.A1]\nper_hour = 1\n[models.x.fine_tuning]\nmethods = ["rft"]\ninput = 1\noutput = 1\n'
             'throughput = { lora = 5 }\ngpu = "A1"\ngeneration_throughput = 9\ngeneration_gpu = "B2"\n',
             "trains on gpu 'B2', which the table's [gpus] does not price"),
            ('[gpus.A1]\nper_hour = 1\n[models.x.fine_tuning]\nmethods = ["sft"]\ninput = 1\noutput = 1\n'
             'throughput = { lora = 5 }\ngpu = "A1"\nsources = { "throughput.full" = "a page" }\n',
             "sources: throughput.full is not a figure of this row (its figures: throughput.lora)"),
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
