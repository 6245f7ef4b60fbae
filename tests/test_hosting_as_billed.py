"""Hosting as each provider bills it: Azure bills a deployed fine-tune's tokens at the base model's rate plus
an hourly fee; Fireworks deploys LoRA fine-tunes only on dedicated (on-demand) GPUs; Together serves LoRA
adapters serverless only on the bases it lists, and every other one on a dedicated endpoint."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest

from advisor.costs.estimate import EstimateRequest, estimate
from advisor.pricing.catalog import Catalog, load_catalog

TODAY = date(2026, 9, 15)  # before the earlier of Azure's conflicting retirement dates: every row can start
# https://docs.together.ai/docs/adapter-upload (read 2026-12-07): the bases with serverless LoRA adapters
TOGETHER_SERVERLESS = {
    "meta-llama/Llama-4-Maverick-17B-128E-Instruct",
    "meta-llama/Meta-Llama-3.1-8B-Instruct-Reference",
    "meta-llama/Meta-Llama-3.1-70B-Instruct-Reference",
    "Qwen/Qwen2.5-72B-Instruct",
    "Qwen/Qwen3-235B-A22B-Instruct-2507",
}


@pytest.fixture(scope="module")
def catalog() -> Iterator[Catalog]:
    from advisor.plugins import load_plugins

    yield load_catalog(include_user=False, plugin_tables=load_plugins().price_tables, today=TODAY)


def tuned_rows(catalog: Catalog, provider: str) -> list:
    return [catalog.find(name, provider) for name, row, _ in catalog.rows(provider) if row.fine_tuning is not None]


def test_azure_bills_fine_tuned_tokens_at_the_base_rate_plus_an_hourly_fee(catalog) -> None:
    rows = tuned_rows(catalog, "azure-openai")
    assert {m.name for m in rows} >= {"gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano", "gpt-4o", "gpt-4o-mini"}
    for match in rows:
        ft, base = match.row.fine_tuning, match.row
        assert (ft.input, ft.cached_input, ft.output) == (base.input, base.cached_input, base.output), match.name
        assert ft.hosting == "deployment" and ft.hosting_hourly(match.table.gpus) == Decimal("1.70")


def test_an_azure_fine_tune_costs_its_tokens_at_the_base_rate_and_1_241_a_month_of_hosting(catalog) -> None:
    """The invoice example on Azure: $0.40 / $1.60 per 1M (gpt-4.1-mini's own rate), not OpenAI's $0.80 / $3.20."""
    result = estimate(
        EstimateRequest(
            model="gpt-4.1",
            ft_model="gpt-4.1-mini",
            provider="azure-openai",
            requests_per_month=2_000_000,
            prompt_tokens=Decimal(1739),
            cached_tokens=Decimal(1614),
            output_tokens=Decimal(120),
            ft_prompt_tokens=Decimal(142),
            training_tokens=146_130,
            examples=400,
            today=TODAY,
        ),
        catalog,
    )
    assert result.option.inference_monthly_usd == 2_000_000 * (142 * Decimal("0.40") + 120 * Decimal("1.60")) / 10**6
    assert result.option.hosting_monthly_usd == Decimal("1241.00")
    assert result.option_monthly_usd == Decimal("1738.60")


def test_every_fireworks_lora_fine_tune_is_hosted_on_dedicated_gpus(catalog) -> None:
    rows = tuned_rows(catalog, "fireworks")
    assert rows
    for match in rows:
        ft = match.row.fine_tuning
        assert "lora" in ft.training_types and ft.hosting == "dedicated", match.name
        assert ft.hosting_hourly(match.table.gpus) >= Decimal("8.00") and (ft.input, ft.output) == (0, 0)
        assert "deploying-loras" in (ft.hosting_note or "")


def test_together_hosts_serverless_only_on_the_bases_it_lists(catalog) -> None:
    rows = tuned_rows(catalog, "together")
    assert rows
    for match in rows:
        ft = match.row.fine_tuning
        serverless = bool(TOGETHER_SERVERLESS & set(match.row.aliases))
        if serverless:
            assert ft.hosting == "serverless" and ft.hosting_hourly(match.table.gpus) is None, match.name
            assert (ft.input, ft.output) == (match.row.input, match.row.output)  # the base model's price
        else:
            assert ft.hosting == "dedicated" and ft.hosting_hourly(match.table.gpus) > 0, match.name
            assert "adapter-upload" in (ft.hosting_note or "")


@pytest.mark.parametrize("provider", ["fireworks", "together"])
def test_a_dedicated_fine_tune_pays_its_hours_whatever_its_traffic(catalog, provider: str) -> None:
    for match in tuned_rows(catalog, provider):
        if match.row.fine_tuning.hosting != "dedicated":
            continue
        low, high = (
            estimate(
                EstimateRequest(
                    model="gpt-4.1-mini",
                    ft_model=match.name,
                    ft_provider=provider,
                    requests_per_month=volume,
                    prompt_tokens=Decimal(1000),
                    ft_prompt_tokens=Decimal(200),
                    output_tokens=Decimal(100),
                    training_tokens=100_000,
                    examples=400,
                    today=TODAY,
                ),
                catalog,
            )
            for volume in (1, 1_000_000)
        )
        hourly = match.row.fine_tuning.hosting_hourly(match.table.gpus)
        assert low.option.hosting_monthly_usd == high.option.hosting_monthly_usd == hourly * 730
        assert low.option.inference_monthly_usd == high.option.inference_monthly_usd == 0  # tokens are not billed
