"""advisor-local's price table (`local.toml`): every figure names where it was read and when, GPUs are
priced for a small cloud (the default) and a hyperscaler, the published speeds are priced on the hardware
they were measured on, and RFT's GRPO generation is priced apart from its training (docs/providers/local.md)."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from importlib.resources import files
from pathlib import Path

import pytest

from advisor.pricing.reading import parse_table
from advisor.pricing.tables import PriceTable

from .conftest import ROOT

DATE = re.compile(r"\b20\d\d-\d\d-\d\d\b")
SMALL_CLOUD = {"H100", "A100-80GB", "RTX-4090"}


@pytest.fixture(scope="module")
def table() -> PriceTable:
    path = files("advisor_local") / "local.toml"
    return parse_table(path.read_text(encoding="utf-8"), "local.toml")


def unsourced(table: PriceTable) -> list[str]:
    """Figures of an own-GPU table with no source a reader can follow (a URL and the date it was read)."""
    missing = []
    for name, gpu in table.gpus.items():
        if not gpu.source or "https://" not in gpu.source or gpu.as_of is None:
            missing.append(f"gpus.{name}")
    for name, row in table.models.items():
        ft = row.fine_tuning
        if ft is None:
            continue
        figures = [f"throughput.{kind}" for kind in ft.throughput]
        figures += [f for f in ("generation_throughput", "rft_rollouts") if getattr(ft, f) is not None]
        for figure in figures:
            source = ft.sources.get(figure, "")
            if "https://" not in source or not DATE.search(source):
                missing.append(f"models.{name}.fine_tuning {figure}")
        if ft.hosting_per_hour is not None and "gpus." not in ft.sources.get("hosting_per_hour", ""):
            missing.append(f"models.{name}.fine_tuning hosting_per_hour")  # the GPUs that serve: a sourced row
    return missing


class TestEveryFigureHasASource:
    def test_every_gpu_price_and_every_speed_names_a_url_and_when_it_was_read(self, table) -> None:
        assert unsourced(table) == []

    def test_the_check_finds_a_gpu_or_a_throughput_without_a_source(self) -> None:
        bare = parse_table(
            'provider = "acme"\ncurrency = "USD"\nas_of = 2026-11-01\nsource = "https://example.com"\n'
            "[gpus.H100]\nper_hour = 4\n[models.m]\ninput = 0\noutput = 0\n[models.m.fine_tuning]\n"
            'methods = ["sft"]\nthroughput = { lora = 10 }\ngpu = "H100"\ninput = 0\noutput = 0\n',
            "acme.toml",
        )
        assert unsourced(bare) == ["gpus.H100", "models.m.fine_tuning throughput.lora"]

    def test_second_hand_gpu_prices_say_so(self, table) -> None:
        for name, gpu in table.gpus.items():
            assert "transcribed" in str(gpu.source), name  # every price here was read from a transcription
            assert gpu.unverified and "second-hand" in gpu.unverified, name

    def test_the_lora_speed_whose_issue_could_not_be_found_is_unverified(self, table) -> None:
        for name in ("llama-3.1-8b-instruct", "open-8b"):
            ft = table.models[name].fine_tuning
            assert ft.throughput["lora"] == 9600
            assert "throughput.lora" in str(ft.unverified) and "could not be found" in str(ft.unverified)

    def test_an_estimate_repeats_what_is_unverified(self, advisor) -> None:
        result = advisor(
            "estimate", "--model", "gpt-5-mini", "--ft-provider", "local", "--ft-model", "llama-3.1-8b-instruct",
            "--requests", "1000", "--prompt-tokens", "100", "--training-tokens", "100000", "--examples", "100",
            "--today", "2026-12-07", "--format", "json",
        )  # fmt: skip
        assert result.code == 0, result.err
        texts = {a["row"]: a["text"] for a in json.loads(result.out)["assumptions"] if a["row"]}
        assert "could not be found" in texts["local:llama-3.1-8b-instruct fine_tuning throughput.lora"]
        assert "unverified: second-hand" in texts["local gpus.H100"]

    def test_a_recommendation_and_pricing_show_warn_of_them(self, table) -> None:
        from datetime import date

        from advisor.pricing.catalog import Catalog, row_status

        status = " ".join(row_status(Catalog([table]).find("llama-3.1-8b-instruct", "local"), date(2026, 12, 7)))
        assert "local:llama-3.1-8b-instruct prices are unverified" in status
        assert "could not be found" in status and "gpus.H100 second-hand" in status
        assert "gpus.RTX-4090 second-hand" in status and "gpus.A100-80GB second-hand" in status


class TestGpuSuppliers:
    def test_a_small_cloud_and_a_hyperscaler_price_the_same_gpus(self, table) -> None:
        assert (table.gpus["H100"].per_hour, table.gpus["H100-aws"].per_hour) == (Decimal("3.99"), Decimal("6.88"))
        assert table.gpus["A100-80GB-aws"].per_hour == Decimal("27.44705") / 8  # p4de.24xlarge / its 8 GPUs
        assert table.gpus["H100-aws"].per_hour == Decimal("55.04") / 8  # p5.48xlarge / its 8 GPUs
        assert "runpod.io" in str(table.gpus["H100"].source) and "p5.48xlarge" in str(table.gpus["H100-aws"].source)

    def test_the_small_cloud_is_the_default(self, table) -> None:
        for name, row in table.models.items():
            assert row.fine_tuning is not None
            assert set(row.fine_tuning.gpus_used()) <= SMALL_CLOUD, name

    def test_serving_is_priced_as_the_gpus_that_serve(self, table) -> None:
        assert table.models["llama-3.1-8b-instruct"].fine_tuning.hosting_per_hour == table.gpus["H100"].per_hour
        assert (
            table.models["llama-3.3-70b-instruct"].fine_tuning.hosting_per_hour == 4 * table.gpus["A100-80GB"].per_hour
        )

    def test_the_documented_aws_override_prices_the_run_at_aws_prices(self, advisor, tmp_path: Path) -> None:
        doc = (ROOT / "docs" / "providers" / "local.md").read_text()
        override = tmp_path / "aws.toml"
        override.write_text(re.search(r"```toml\n(# aws\.toml.*?)```", doc, flags=re.S).group(1))
        args = [
            "estimate", "--model", "gpt-5-mini", "--ft-provider", "local", "--ft-model", "llama-3.1-8b-instruct",
            "--requests", "30000", "--prompt-tokens", "650", "--output-tokens", "1400", "--method", "rft",
            "--training-tokens", "1300000", "--examples", "2000", "--today", "2026-12-07", "--format", "json",
        ]  # fmt: skip
        default = json.loads(advisor(*args).out)
        aws = advisor(*args, "--pricing", str(override))
        assert aws.code == 0, aws.err
        shown = json.loads(aws.out)
        rows = {a["row"] for a in shown["assumptions"]}
        assert {"local gpus.H100-aws", "local gpus.A100-80GB-aws"} <= rows
        assert round(shown["training_usd"], 2) == 35.09 and round(default["training_usd"], 2) == 19.45
        assert "$35.09 instead of $19.45" in " ".join(doc.split())  # the figures the documentation quotes


class TestPublishedFiguresOnTheirHardware:
    def test_8b_qlora_is_priced_on_the_rtx_4090_it_was_measured_on(self, table) -> None:
        ft = table.models["llama-3.1-8b-instruct"].fine_tuning
        assert ft.throughput["qlora"] == 2413 and ft.gpu_for("qlora") == "RTX-4090"
        assert ft.gpu_for("lora") == ft.gpu_for("full") == "H100"

    def test_70b_totals_of_eight_a100s_are_divided_per_gpu(self, table) -> None:
        ft = table.models["llama-3.3-70b-instruct"].fine_tuning
        assert ft.throughput["lora"] * 8 == 3497 and ft.throughput["full"] * 8 == 1568
        assert ft.gpu == "A100-80GB" and "8x A100" in ft.sources["throughput.full"]

    def test_generation_speeds_are_vllms_on_the_gpus_it_ran_on(self, table) -> None:
        small, large = (table.models[name].fine_tuning for name in ("llama-3.1-8b-instruct", "llama-3.3-70b-instruct"))
        assert (small.generation_throughput, small.generation_gpu) == (Decimal("4132.37"), "A100-80GB")
        assert (large.generation_throughput * 4, large.generation_gpu) == (Decimal("3700.64"), "H100")
        assert "1x A100 80G" in small.sources["generation_throughput"]
        assert "4x H100 80G" in large.sources["generation_throughput"]


class TestGrpoIsPricedApart:
    def test_the_estimate_shows_generation_and_training_gpu_hours_with_their_sources(self, advisor) -> None:
        result = advisor(
            "estimate", "--model", "gpt-5-mini", "--ft-provider", "local", "--ft-model", "llama-3.1-8b-instruct",
            "--requests", "30000", "--prompt-tokens", "650", "--output-tokens", "1400", "--method", "rft",
            "--training-tokens", "1300000", "--examples", "2000", "--today", "2026-12-07", "--format", "json",
        )  # fmt: skip
        assert result.code == 0, result.err
        shown = json.loads(result.out)
        found = {a["row"]: a for a in shown["assumptions"] if a["row"]}
        generation = found["local:llama-3.1-8b-instruct fine_tuning generation_throughput"]
        assert "67,200,000 generated tokens / 4,132.37 tokens a second per GPU" in generation["text"]
        assert "4.52 GPU-hours on A100-80GB" in generation["text"]
        assert "sgl-project/sglang" in generation["source"]
        training = found["local:llama-3.1-8b-instruct fine_tuning throughput.lora"]
        assert "98,400,000 tokens / 9,600 tokens a second per GPU (lora) = 2.85 GPU-hours on H100" in training["text"]
        # 2.85 H100-hours at $3.99 and 4.52 A100-hours at $1.79 (docs/cost-model.md, "Own GPUs")
        assert round(shown["training_usd"], 2) == 19.45


@pytest.mark.parametrize("doc", ["providers/local.md", "pricing.md", "cost-model.md"])
def test_the_docs_say_how_grpo_is_priced(doc: str) -> None:
    text = (ROOT / "docs" / doc).read_text()
    assert "GRPO" in text and "generation_throughput" in text and "rft_rollouts" in text
