"""The price-table fields for providers beyond OpenAI: training by LoRA or full, tiers, minimums, own
GPUs priced from throughput, hosting by the minute, storage, approximate tokenizers (docs/pricing.md)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from advisor.costs.estimate import EstimateRequest, estimate
from advisor.costs.training import MissingFigure, Rollouts, TrainingWork, billing_of, price_training
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


def cost_of(method, tokens_per_epoch, epochs, prices, gpus=None, **given):
    """One training job priced by the one pricing function (advisor.costs.training.price_training)."""
    work = TrainingWork(method=method, tokens_per_epoch=tokens_per_epoch, epochs=epochs, **given)
    return price_training(work, prices, gpus or {})


TODAY = date(2026, 12, 1)


@pytest.fixture(scope="module")
def table():
    return parse_table(OPEN_MODEL, "acme.toml")


HOSTED_RFT = (
    HEADER
    + """
[models.hosted]
input = 1
output = 4

[models.hosted.fine_tuning]
methods = ["sft", "rft"]
training = 3
training_per_hour = 100
input = 2
output = 8
"""
)


@pytest.fixture(scope="module")
def hosted():
    return parse_table(HOSTED_RFT, "acme.toml").models["hosted"].fine_tuning


class TestOneFunctionPricesEveryBillingUnit:
    """`price_training` is the only place that turns a job into money, before and after it runs."""

    def test_each_row_bills_in_one_unit(self, table, hosted) -> None:
        assert billing_of(table.models["small"].fine_tuning, "sft") == "tokens"
        assert billing_of(table.models["own"].fine_tuning, "sft") == "gpu_hours"
        assert billing_of(table.models["own"].fine_tuning, "rft") == "gpu_hours"
        assert (billing_of(hosted, "sft"), billing_of(hosted, "rft")) == ("tokens", "hours")

    def test_hosted_rft_is_billed_by_the_hour_and_says_so_without_the_hours(self, hosted) -> None:
        cost = price_training(TrainingWork(method="rft", hours=Decimal("2.5")), hosted, {})
        assert (cost.usd, cost.basis, cost.rate.field) == (Decimal(250), "hours", "fine_tuning training_per_hour")
        with pytest.raises(MissingFigure) as missing:  # a file's tokens do not price an hourly job
            cost_of("rft", 1_000_000, 3, hosted)
        assert missing.value.needs == "hours" and missing.value.rate.price == 100

    def test_token_billing_needs_the_size_of_the_data(self, hosted) -> None:
        with pytest.raises(MissingFigure) as missing:
            price_training(TrainingWork(method="sft"), hosted, {})
        assert missing.value.needs == "tokens" and missing.value.rate.unit == "per 1M training tokens"

    def test_reported_tokens_are_priced_at_the_tier_and_the_minimum(self, table) -> None:
        ft = table.models["small"].fine_tuning
        reported = cost_of("sft", 6_000_000, 1, ft, tier="developer", measured=True)
        # 6M x $0.50 x 0.5 = $1.50, under the row's $2 per-job minimum
        assert reported.usd == Decimal(2) and reported.explanation.startswith("6,000,000 trained tokens x $0.50 per 1M")
        big = cost_of("sft", 20_000_000, 1, ft, tier="developer", measured=True)
        assert big.usd == Decimal(5) and "x 0.5 (developer tier)" in big.explanation

    def test_reported_gpu_hours_are_priced_at_the_training_types_gpu(self, table) -> None:
        ft = table.models["own"].fine_tuning
        work = TrainingWork(method="sft", hours=Decimal(3), training_type="qlora", measured=True)
        cost = price_training(work, ft, table.gpus)
        assert (cost.usd, cost.rate.row("acme", "own")) == (Decimal("1.50"), "acme gpus.RTX")
        with pytest.raises(MissingFigure):  # tokens alone do not say what a run on own GPUs used
            cost_of("sft", 1_000, 1, ft, table.gpus, measured=True)

    @given(tokens=st.integers(0, 10**10), more=st.integers(0, 10**9), epochs=st.integers(1, 25))
    def test_more_tokens_never_cost_less_and_nothing_is_negative(self, table, hosted, tokens, more, epochs) -> None:
        for prices, gpus in ((table.models["small"].fine_tuning, {}), (table.models["own"].fine_tuning, table.gpus)):
            less, most = (
                cost_of("sft", tokens, epochs, prices, gpus),
                cost_of("sft", tokens + more, epochs, prices, gpus),
            )
            assert Decimal(0) <= less.usd <= most.usd
            assert cost_of("sft", tokens, epochs + 1, prices, gpus).usd >= less.usd


class TestPerTokenTraining:
    def test_the_training_type_picks_its_price_then_the_method_then_training(self, table) -> None:
        ft = table.models["small"].fine_tuning
        assert ft.token_price("sft") == (Decimal("0.50"), "training_prices.sft.lora")  # LoRA is the default
        assert ft.token_price("sft", "full") == (Decimal("0.60"), "training_prices.sft.full")
        assert ft.token_price("dpo", "full") == (Decimal("1.25"), "training_prices.dpo")

    def test_a_tier_multiplies_the_price_and_the_minimum_is_a_floor(self, table) -> None:
        ft = table.models["small"].fine_tuning
        big = cost_of("sft", 4_000_000, 2, ft)  # 8M tokens at $0.50
        assert big.usd == Decimal("4.00")
        assert cost_of("sft", 4_000_000, 2, ft, tier="developer").usd == Decimal("2.00")
        small = cost_of("sft", 1_000_000, 1, ft)  # $0.50, under the $2 minimum
        assert small.usd == Decimal(2) and "per-job minimum" in small.explanation

    def test_an_unknown_tier_is_refused(self, table) -> None:
        with pytest.raises(ValueError, match="unknown training tier 'premium'"):
            cost_of("sft", 1_000, 1, table.models["small"].fine_tuning, tier="premium")


class TestOwnGpus:
    def test_gpu_hours_come_from_throughput_and_the_gpu_price(self, table) -> None:
        ft = table.models["own"].fine_tuning
        cost = cost_of("sft", 18_000_000, 2, ft, table.gpus)
        assert cost.hours == 1  # 36M tokens / (10,000 a second x 3,600)
        assert cost.usd == Decimal(4) and cost.basis == "gpu_hours"
        full = cost_of("sft", 18_000_000, 2, ft, table.gpus, training_type="full")
        assert full.hours == 4 and full.usd == 16

    def test_a_training_type_measured_on_another_gpu_is_priced_on_that_gpu(self, table) -> None:
        cost = cost_of("sft", 1_800_000, 2, table.models["own"].fine_tuning, table.gpus, training_type="qlora")
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
            return cost_of("rft", prompt_tokens, epochs, ft, table.gpus, rollouts=rollouts).usd

        base = cost(generations, completion)
        assert cost(generations + more, completion) >= base
        assert cost(generations, completion + longer) >= base

    @given(prompts=st.integers(1, 100_000), epochs=st.integers(1, 25), generations=st.integers(1, 64))
    def test_zero_completion_tokens_cost_no_generation(self, table, prompts, epochs, generations) -> None:
        ft = table.models["own"].fine_tuning
        rollouts = Rollouts(prompts=prompts, generations=Decimal(generations), completion_tokens=Decimal(0))
        cost = cost_of("rft", 3_600_000, epochs, ft, table.gpus, rollouts=rollouts)
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
