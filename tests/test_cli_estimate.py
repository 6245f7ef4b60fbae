"""`advisor estimate` from the command line: the JSON contract, the three formats, real files."""

import json
from pathlib import Path

import pytest

from .conftest import EXAMPLES

INVOICE = EXAMPLES / "invoice-extraction"
CONTRACT = {
    "baseline_monthly_usd",
    "option_monthly_usd",
    "monthly_savings_usd",
    "training_usd",
    "setup_usd",
    "payback_months",
    "break_even_requests_per_month",
    "horizon_months",
    "net_savings_usd",
    "assumptions",
}


def flat_args(flat15: Path, *more: str) -> list[str]:
    return [
        "estimate",
        "--pricing",
        str(flat15),
        "--provider",
        "acme",
        "--model",
        "flat15",
        "--requests",
        "10k",
        "--prompt-tokens",
        "2000",
        "--ft-prompt-tokens",
        "500",
        "--training-cost",
        "100",
        "--today",
        "2026-11-22",
        *more,
    ]


class TestJsonContract:
    def test_worked_case(self, advisor, flat15: Path) -> None:
        run = advisor(*flat_args(flat15, "--format", "json"))
        assert run.code == 0, run.err
        data = json.loads(run.out)
        assert data.keys() >= CONTRACT
        assert (data["baseline_monthly_usd"], data["option_monthly_usd"], data["monthly_savings_usd"]) == (300, 75, 225)
        assert round(data["payback_months"], 2) == 0.44
        assert data["horizon_months"] == 12 and data["training_usd"] == 100 and data["setup_usd"] == 0
        assert data["net_savings_usd"] == 2600

    def test_a_million_requests(self, advisor, flat15: Path) -> None:
        args = flat_args(flat15, "--format", "json")
        args[args.index("10k")] = "1M"
        data = json.loads(advisor(*args).out)
        assert (data["baseline_monthly_usd"], data["option_monthly_usd"]) == (30000, 7500)

    def test_payback_null_when_never(self, advisor) -> None:
        run = advisor(
            "estimate",
            "--model",
            "gpt-4.1-mini",
            "--requests",
            "1M",
            "--prompt-tokens",
            "500",
            "--training-tokens",
            "100k",
            "--examples",
            "200",
            "--format",
            "json",
            "--today",
            "2026-11-22",
        )
        data = json.loads(run.out)
        assert data["payback_months"] is None and data["break_even_requests_per_month"] is None
        assert data["monthly_savings_usd"] < 0

    def test_assumptions_cite_price_rows_tokenizer_epochs_and_caching(self, advisor) -> None:
        run = advisor(
            "estimate",
            "--model",
            "gpt-4.1",
            "--ft-model",
            "gpt-4.1-mini",
            "--requests",
            "2M",
            "--prompt-file",
            str(INVOICE / "prompt.json"),
            "--cached-tokens",
            "1500",
            "--ft-prompt-file",
            str(INVOICE / "ft-prompt.json"),
            "--output-tokens",
            "300",
            "--training-file",
            str(INVOICE / "train.jsonl"),
            "--format",
            "json",
            "--today",
            "2026-11-22",
        )
        assert run.code == 0, run.err
        topics = {a["topic"] for a in json.loads(run.out)["assumptions"]}
        assert {"price", "tokenizer", "epochs", "caching", "horizon"} <= topics
        texts = " ".join(a["text"] for a in json.loads(run.out)["assumptions"])
        assert "400 examples" in texts and "o200k_base" in texts and "epochs auto = 3" in texts


class TestFormats:
    def test_table(self, advisor, flat15: Path) -> None:
        run = advisor(*flat_args(flat15))
        assert run.code == 0
        assert "$300.00" in run.out and "$75.00" in run.out and "0.44 months" in run.out

    def test_markdown_is_a_section_with_tables_and_assumptions(self, advisor, flat15: Path) -> None:
        run = advisor(*flat_args(flat15, "--format", "markdown"))
        assert run.out.startswith("### Cost estimate:")
        assert "| Total / month | $300.00 | $75.00 |" in run.out
        assert "**Assumptions**" in run.out and "as_of 2026-11-01" in run.out


class TestFiles:
    def test_prompt_file_of_many_prompts_uses_the_mean(self, advisor, tmp_path: Path, flat15: Path) -> None:
        prompts = tmp_path / "prompts.jsonl"
        prompts.write_text(
            '{"messages": [{"role": "user", "content": "hi"}]}\n'
            '{"messages": [{"role": "user", "content": "hello there, how are you"}]}\n'
        )
        args = flat_args(flat15, "--format", "json", "--encoding", "o200k_base")
        args[args.index("--prompt-tokens") : args.index("--prompt-tokens") + 2] = ["--prompt-file", str(prompts)]
        data = json.loads(advisor(*args).out)
        assert any("mean of 2 prompts" in a["text"] for a in data["assumptions"])

    def test_training_file_sets_examples_and_tokens(self, advisor) -> None:
        run = advisor(
            "estimate",
            "--model",
            "gpt-4o-mini",
            "--requests",
            "10k",
            "--prompt-tokens",
            "100",
            "--training-file",
            str(INVOICE / "train.jsonl"),
            "--epochs",
            "2",
            "--format",
            "json",
            "--today",
            "2026-11-22",
        )
        data = json.loads(run.out)
        assert data["training"]["epochs"] == 2
        assert data["training"]["billed_tokens"] == 2 * 146_130


class TestBadInput:
    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["--requests", "0"], "greater than zero"),
            (["--requests", "-5"], "--requests"),
            (["--requests", "lots"], "number such as"),
            (["--prompt-file", "x.txt"], "--prompt-tokens and --prompt-file cannot be used together"),
            (["--cache-hit-rate", "2"], "between 0 and 1"),
            (["--epochs", "many"], "'auto' or a whole number"),
            (["--model", "gpt-9"], "unknown model 'gpt-9'"),
            (["--pricing", "/nonexistent/p.toml"], "/nonexistent/p.toml: no such file"),
        ],
    )
    def test_one_line_and_status_2(self, advisor, args: list[str], message: str) -> None:
        base = [
            "estimate",
            "--model",
            "gpt-4.1",
            "--requests",
            "1000",
            "--prompt-tokens",
            "100",
            "--training-tokens",
            "1000",
            "--examples",
            "100",
        ]
        for flag, value in zip(args[::2], args[1::2], strict=True):
            if flag in base:
                base[base.index(flag) + 1] = value
            else:
                base += [flag, value]
        run = advisor(*base)
        assert run.code == 2
        assert message in run.err
        assert len(run.err.strip().splitlines()) == 1
        assert "Traceback" not in run.err and run.out == ""

    def test_missing_prompt_size(self, advisor) -> None:
        run = advisor("estimate", "--model", "gpt-4.1", "--requests", "10")
        assert run.code == 2 and "--prompt-tokens N or --prompt-file" in run.err

    def test_non_utf8_prompt_file(self, advisor, tmp_path: Path) -> None:
        path = tmp_path / "prompt.txt"
        path.write_bytes(b"caf\xe9")
        run = advisor("estimate", "--model", "gpt-4.1", "--requests", "10", "--prompt-file", str(path))
        assert run.code == 2 and f"{path}:1: not UTF-8" in run.err

    def test_malformed_pricing_file_names_line_and_field(self, advisor, tmp_path: Path, flat15: Path) -> None:
        broken = tmp_path / "broken.toml"
        broken.write_text(flat15.read_text().replace("output = 15\nbatch_input", 'output = "x"\nbatch_input'))
        run = advisor(
            "estimate", "--pricing", str(broken), "--model", "gpt-4.1", "--requests", "10", "--prompt-tokens", "5"
        )
        assert run.code == 2
        assert f"{broken}:9: models.flat15.output:" in run.err


class TestComparingPlaces:
    """`--provider all` (or repeated): the same fine-tune priced at every place that trains it."""

    ARGS = (
        "estimate", "--model", "gpt-4.1", "--ft-model", "gpt-4.1-mini", "--requests", "2M", "--prompt-tokens", "1739",
        "--cached-tokens", "1614", "--ft-prompt-tokens", "142", "--output-tokens", "120", "--training-tokens",
        "146130", "--examples", "400", "--setup-cost", "2000", "--today", "2026-09-15",
    )  # fmt: skip  (before the earlier of Azure's conflicting retirement dates, so that both places can start)

    def test_json_gives_one_estimate_per_place_best_first(self, advisor) -> None:
        result = advisor(*self.ARGS, "--provider", "all", "--format", "json")
        assert result.code == 0, result.err
        options = json.loads(result.out)["options"]
        assert [(o["provider"], o["model"]) for o in options][:2] == [
            ("openai", "gpt-4.1-mini"),
            ("azure-openai", "gpt-4.1-mini"),
        ]
        openai, azure = options[0], options[1]
        # OpenAI's fine-tune serves until 2027-01-14, when gpt-4.1 stops too and today's traffic moves to gpt-6-luna;
        # Azure's serves until 2027-10-14 (the earlier of its sources) for $1,241 of hosting a month, which its
        # savings against gpt-6-luna do not cover: it keeps less over the horizon, and never pays back
        assert openai["available"] and openai["why_not"] == [] and openai["estimate"]["effective_horizon_months"] < 4
        assert azure["serving_until"] == "2027-10-14" and azure["estimate"]["payback_months"] is None
        assert azure["estimate"]["net_savings_usd"] < 0 < openai["estimate"]["net_savings_usd"]
        single = json.loads(advisor(*self.ARGS, "--ft-provider", "azure-openai", "--format", "json").out)
        assert single["net_savings_usd"] == azure["estimate"]["net_savings_usd"]  # the same estimate as alone

    def test_repeated_providers_compare_only_those(self, advisor) -> None:
        result = advisor(*self.ARGS, "--provider", "openai", "--provider", "azure-openai", "--format", "markdown")
        assert result.code == 0, result.err
        assert "| OpenAI gpt-4.1-mini ★ | yes | 2027-01-06 | 2027-01-14 |" in result.out
        assert "| Azure OpenAI gpt-4.1-mini | yes | 2026-10-14 | 2027-10-14 |" in result.out
        assert "Fireworks" not in result.out

    def test_an_unknown_provider_is_named(self, advisor) -> None:
        result = advisor(*self.ARGS, "--provider", "openai", "--provider", "nope")
        assert result.code == 2 and "no price table for provider 'nope'" in result.err


class TestReasoningTokens:
    """A model that reasons by default (gpt-6-luna, OpenAI's named successor to gpt-4.1) bills its reasoning
    tokens as output: measured when given, else assumed as many as the answer's, and said so."""

    ARGS = (
        "estimate", "--model", "gpt-4.1", "--ft-model", "gpt-4.1-mini", "--requests", "1M", "--prompt-tokens", "1000",
        "--ft-prompt-tokens", "200", "--output-tokens", "100", "--training-tokens", "100000", "--examples", "400",
        "--today", "2026-12-07", "--format", "json",
    )  # fmt: skip

    def test_given_reasoning_tokens_are_billed_as_output_once_today_moves(self, advisor) -> None:
        assumed = json.loads(advisor(*self.ARGS).out)
        measured = json.loads(advisor(*self.ARGS, "--reasoning-tokens", "500").out)
        assert assumed["baseline_after"]["output_tokens"] == 200  # 100 answer + 100 assumed reasoning
        assert measured["baseline_after"]["output_tokens"] == 600
        # $0.50 per 1M output tokens on gpt-6-luna: 400 more tokens x 1M requests = $200 more a month
        assert measured["baseline_after"]["monthly_usd"] - assumed["baseline_after"]["monthly_usd"] == 200
        assert any("not measured" in a["text"] for a in assumed["assumptions"] if a["topic"] == "reasoning")
        assert any("as given" in a["text"] for a in measured["assumptions"] if a["topic"] == "reasoning")
        assert measured["baseline"]["output_tokens"] == 100  # gpt-4.1 does not reason by default
