"""Published-guidance cases: every shipped example is a planning-meeting case that names the guidance it
follows, gets the strategy that guidance expects, and a report that agrees with itself (the headline,
the starred row and the JSON give the same figure; next steps are never empty; the Markdown reads without
the CLI; the terminal report leads with the answer at 80 columns)."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from advisor.costs.money import format_usd
from advisor.pricing.catalog import Catalog, load_catalog
from advisor.recommend.recommendation import Recommendation, recommend
from advisor.recommend.scenario import load_scenario, parse_scenario
from advisor.recommend.sources import SOURCES
from advisor.render.recommendation import print_report, to_json, to_markdown

from .conftest import EXAMPLES

TODAY = date(2026, 12, 1)


@dataclass(frozen=True)
class Case:
    path: str  # under examples/
    primary: str
    rule: str  # the rule that follows the guidance
    source: str  # the guidance, by its id in recommend/sources.py


CASES = [
    Case("scenarios/marketing-copy.toml", "sft", "method.sft", "openai-sft"),
    Case("scenarios/catalog-qa.toml", "rag", "knowledge.volatile", "ovadia-2023"),
    Case("scenarios/math-word-problems.toml", "rft", "method.rft", "openai-rft"),
    Case("scenarios/meeting-notes.toml", "prompt", "gate.no-eval-set", "openai-accuracy"),
    Case("scenarios/clinical-notes.toml", "rag+sft", "behaviour.both-gaps", "microsoft-agriculture-2024"),
    Case("scenarios/support-replies.toml", "dpo", "method.dpo", "openai-dpo"),
    Case("invoice-extraction/scenario.toml", "sft", "method.sft", "cookbook-techniques"),
    Case("migration/scenario.toml", "sft", "gate.fine-tune-moves", "openai-deprecations"),
    Case("scenarios/classifier-distill.toml", "sft", "cost.distill", "openai-distillation"),
    Case("scenarios/latency-distill.toml", "sft", "cost.distill", "openai-optimization"),
    Case("scenarios/policy-faq-in-prompt.toml", "prompt", "economics.cheaper-context", "anthropic-retrieval"),
    Case("scenarios/handbook-high-volume.toml", "rag", "economics.cheaper-context", "anthropic-retrieval"),
    Case("scenarios/raft-support-kb.toml", "rag+sft", "behaviour.raft", "raft-2024"),
    Case("scenarios/rag-in-place-format.toml", "rag+sft", "behaviour.keep-retrieval", "microsoft-agriculture-2024"),
    Case("scenarios/json-syntax-only.toml", "prompt", "gate.syntax-only", "openai-structured-outputs"),
    Case("scenarios/target-met.toml", "prompt", "gate.target-met", "openai-accuracy"),
    Case("scenarios/rft-guessable.toml", "sft", "method.rft-blocked", "openai-rft"),
    Case("scenarios/rft-baseline-zero.toml", "sft", "method.rft-blocked", "openai-rft"),
    Case("scenarios/few-preference-pairs.toml", "sft", "method.few-pairs", "openai-dpo"),
    Case("scenarios/no-training-data.toml", "prompt", "method.no-data", "openai-sft"),
    Case("scenarios/lora-open-weights.toml", "sft", "method.sft", "lora-land-2024"),
    Case("scenarios/low-volume-sft.toml", "sft", "economics.low-volume", "openai-optimization"),
    Case("scenarios/newer-model.toml", "prompt", "economics.newer-model", "openai-deprecations"),
]
EVERY_EXAMPLE = sorted(
    str(path.relative_to(EXAMPLES)) for path in [*EXAMPLES.glob("scenarios/*.toml"), *EXAMPLES.glob("*/scenario.toml")]
)


@pytest.fixture(scope="module")
def tables() -> Iterator[Catalog]:
    """advisor's own tables, as the snapshots use: an installed plugin must not change the cases."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ADVISOR_LOAD_PLUGINS", "")
        yield load_catalog(include_user=False)


_recommendations: dict[str, Recommendation] = {}


def rec_of(path: str, catalog: Catalog) -> Recommendation:
    if path not in _recommendations:
        _recommendations[path] = recommend(load_scenario(str(EXAMPLES / path)), catalog, TODAY)
    return _recommendations[path]


def test_twenty_distinct_cases_cover_every_example() -> None:
    assert len({case.path for case in CASES}) == len(CASES) >= 20
    assert {case.path for case in CASES} == set(EVERY_EXAMPLE)


@pytest.mark.parametrize("case", CASES, ids=lambda case: Path(case.path).stem)
def test_the_case_follows_its_guidance(case: Case, tables: Catalog) -> None:
    header = (EXAMPLES / case.path).read_text(encoding="utf-8").split("\nname")[0]
    title = SOURCES[case.source].title.split(" (")[0]
    assert case.source in header or title in header, f"{case.path} does not name {case.source}"
    rec = rec_of(case.path, tables)
    assert rec.recommendation.primary == case.primary
    fired = {reason.rule: reason.source for reason in rec.reasons}
    assert case.rule in fired, f"{case.rule} did not fire: {list(fired)}"
    assert any(title in reason.source for reason in rec.reasons)


@pytest.mark.parametrize("path", EVERY_EXAMPLE)
def test_headline_starred_row_and_json_agree(path: str, tables: Catalog) -> None:
    rec = rec_of(path, tables)
    primary = rec.recommendation.primary
    cost = rec.costs[primary]
    figure = format_usd(cost.monthly_usd)
    assert figure in rec.recommendation.summary
    cost_table = to_markdown(rec).split("### Cost of each option")[1].split("###")[0]
    starred = [line for line in cost_table.splitlines() if line.startswith("| ") and "★" in line.split("|")[1]]
    assert len(starred) == 1 and starred[0].split("|")[2].strip() == figure
    parsed = json.loads(to_json(rec), parse_float=Decimal)
    assert Decimal(parsed["costs"][primary]["monthly_usd"]) == cost.monthly_usd
    if parsed["where"] is not None:
        assert Decimal(parsed["where"]["monthly_usd"]) == cost.monthly_usd
    terminal = io.StringIO()
    print_report(rec, file=terminal)
    assert figure in " ".join(terminal.getvalue().split())


@pytest.mark.parametrize("path", EVERY_EXAMPLE)
def test_next_steps_are_never_empty(path: str, tables: Catalog) -> None:
    assert rec_of(path, tables).next_steps


BODY_FORBIDDEN = [
    (re.compile(r"(?<![\w-])--[a-z]"), "a flag"),
    (re.compile(r"`?\b(gate|knowledge|behaviour|method|cost|economics|availability)\.[a-z-]+`?"), "a rule id"),
    (re.compile(r"TRAIN\.jsonl|PAIRS\.jsonl|VALID\.jsonl|GRADER\.json|SFT_MODEL"), "a file placeholder"),
    (re.compile(r"azure-openai(?!\.toml)|\bOpenai\b|(?<![\w./])openai:|fireworks:|together:"), "a provider id"),
    (re.compile(r"0\.00 months"), "a payback of 0.00 months"),
    (re.compile(r"\b1 (examples|demonstrations|preference pairs|graded prompts)\b"), "a wrong plural"),
    (re.compile(r"\ba (exact|[aeiou]\w*) grader"), "a wrong article"),
]


@pytest.mark.parametrize("path", EVERY_EXAMPLE)
def test_markdown_reads_without_the_cli(path: str, tables: Catalog) -> None:
    text = to_markdown(rec_of(path, tables))
    body, _, appendix = text.partition("### Appendix")
    body = body.split("### Assumptions")[0]  # assumptions cite price rows by id, as references do
    for pattern, what in BODY_FORBIDDEN:
        assert not pattern.search(body), f"{what} in the body: {pattern.search(body)}"
    assert not re.search(r"\d\.\d{10,}", text), "a 28-digit decimal"
    assert appendix and "`" in appendix


@pytest.mark.parametrize("path", EVERY_EXAMPLE)
def test_the_terminal_leads_with_the_answer_at_80_columns(path: str, tables: Catalog) -> None:
    rec = rec_of(path, tables)
    out = io.StringIO()
    print_report(rec, file=out, width=80)
    lines = out.getvalue().splitlines()
    # every line fits, but a command, printed whole so that it runs when pasted (the terminal wraps it)
    assert max(len(line) for line in lines if not line.startswith("  $ ")) <= 80
    assert [line.removeprefix("  $ ") for line in lines if line.startswith("  $ ")] == rec.commands
    first_screen = "\n".join(lines[:30])  # what a planning meeting sees before scrolling
    assert "Recommendation:" in first_screen and "Cost of each option" in first_screen
    assert format_usd(rec.costs[rec.recommendation.primary].monthly_usd) in first_screen
    if rec.where is not None:
        assert "Where to train:" in first_screen
    assert first_screen.index("Cost of each option") < out.getvalue().index("Why")


def test_two_step_plans_launch_sft_then_dpo_on_the_sft_model(tables: Catalog) -> None:
    rec = rec_of("scenarios/support-replies.toml", tables)
    assert rec.recommendation.plan == ["sft", "dpo"]
    launches = [c for c in rec.commands if c.startswith("advisor launch")]
    assert [("--method sft" in c, "--method dpo" in c) for c in launches] == [(True, False), (False, True)]
    assert "--model SFT_MODEL" in launches[1] and f"--model {rec.costs['dpo'].model}" in launches[0]
    steps = " ".join(rec.next_steps)
    assert steps.index("with SFT") < steps.index("DPO") and "starting from the model the SFT job produced" in steps


def test_a_current_model_that_cannot_be_tuned_is_an_option_when_moving(tables: Catalog) -> None:
    rec = rec_of("migration/scenario.toml", tables)
    switch = rec.costs["switch"]
    row = tables.find(switch.model, switch.provider).row
    assert row.fine_tuning is None and row.shutdown is None
    assert switch.label == f"Prompt {switch.model}" and "switch" in rec.recommendation.alternatives
    assert f"Prompt {switch.model}" in to_markdown(rec)


def test_cost_is_the_failure_and_quality_is_met_distils(tables: Catalog) -> None:
    rec = rec_of("scenarios/classifier-distill.toml", tables)
    says = next(r.says for r in rec.reasons if r.rule == "cost.distill")
    assert "meets the target" in says and "cost is what fails" in says
    assert rec.costs["sft"].monthly_usd < rec.costs["prompt"].monthly_usd


def test_distill_never_claims_quality_it_was_not_told(tables: Catalog) -> None:
    text = """
[task]
failures = ["cost"]
has_eval_set = true
[traffic]
requests_per_month = 2000000
prompt_tokens = 3000
cached_prompt_tokens = 2800
[models]
fine_tune_base = "gpt-4.1-mini"
ft_prompt_tokens = 100
"""
    rec = recommend(parse_scenario(text, "cost.toml"), tables, TODAY)
    says = next(r.says for r in rec.reasons if r.rule == "cost.distill")
    assert "meets the target" not in says and "measure the baseline" in says


def test_retrieval_of_changing_knowledge_is_never_dropped(tables: Catalog) -> None:
    for path in ("scenarios/raft-support-kb.toml", "scenarios/rag-in-place-format.toml"):
        rec = rec_of(path, tables)
        assert "rag" in rec.recommendation.plan
        assert "rag" not in {item.strategy for item in rec.recommendation.not_recommended}


def test_a_short_cached_prefix_gets_no_discount_on_the_recommend_path(tables: Catalog) -> None:
    text = """
[task]
failures = ["consistency"]
has_eval_set = true
[traffic]
requests_per_month = 100000
prompt_tokens = 3000
cached_prompt_tokens = 1000
output_tokens = 0
"""
    rec = recommend(parse_scenario(text, "short.toml"), tables, TODAY)
    assert rec.today_monthly_usd == Decimal(100_000) * 3000 * 2 / 10**6  # gpt-4.1 input, no cached price
    assert any("under the 1,024-token minimum" in a.text for a in rec.assumptions)
