"""The recommendation engine: the five public examples of the decision guidance, the rules' properties,
and every figure from the cost engine."""

import os
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.costs.money import format_usd
from advisor.costs.succession import months_until
from advisor.recommend.costing import Coster, cost_strategies
from advisor.recommend.recommendation import recommend
from advisor.recommend.rules import RULES
from advisor.recommend.scenario import (
    Costs,
    Data,
    Knowledge,
    LoadedScenario,
    Models,
    Scenario,
    Task,
    TrafficSection,
    load_scenario,
)
from advisor.recommend.strategies import STRATEGY_NAMES

from .conftest import EXAMPLES, TODAY

SCENARIOS = EXAMPLES / "scenarios"


def run(scenario: Scenario, catalog, today: date = TODAY):
    return recommend(LoadedScenario(scenario=scenario, source="test.toml", defaults=[]), catalog, today)


@pytest.mark.parametrize(
    ("file", "primary", "plan"),
    [
        ("marketing-copy.toml", "sft", ["sft"]),
        ("catalog-qa.toml", "rag", ["rag"]),
        ("math-word-problems.toml", "rft", ["rft"]),
        ("meeting-notes.toml", "prompt", ["prompt"]),
        ("clinical-notes.toml", "rag+sft", ["rag", "sft"]),
        ("support-replies.toml", "dpo", ["sft", "dpo"]),
    ],
)
def test_public_examples(catalog, file: str, primary: str, plan: list[str]) -> None:
    rec = recommend(load_scenario(str(SCENARIOS / file)), catalog, TODAY)
    assert (rec.recommendation.primary, rec.recommendation.plan) == (primary, plan)
    assert rec.reasons and all(reason.source for reason in rec.reasons)
    assert "prompt" in rec.costs and (primary == "prompt" or primary in rec.costs)


def test_issue_example_with_real_prompt_files(catalog) -> None:
    rec = recommend(load_scenario(str(EXAMPLES / "invoice-extraction" / "scenario.toml")), catalog, TODAY)
    assert rec.recommendation.primary == "sft"
    assert rec.today_monthly_usd == Decimal("4034.000")  # the demo's estimate: 1,739-token prompt, 1,614 cached
    assert any("counted with o200k_base" in a.text for a in rec.assumptions)


def test_prompt_files_are_counted_when_the_scenario_is_loaded(catalog, tmp_path) -> None:
    source = EXAMPLES / "invoice-extraction"
    for name in ("scenario.toml", "prompt.json", "ft-prompt.json", "train.jsonl"):  # the files it names
        shutil.copy(source / name, tmp_path / name)
    loaded = load_scenario(str(tmp_path / "scenario.toml"), catalog)
    assert loaded.tokens is not None and (loaded.tokens.prompt, loaded.tokens.ft_prompt) == (1739, 142)
    (tmp_path / "prompt.json").unlink()
    (tmp_path / "ft-prompt.json").unlink()
    rec = recommend(loaded, catalog, TODAY)  # costing reads no file
    assert rec.today_monthly_usd == Decimal("4034.000")


def test_costing_returns_availability(catalog) -> None:
    loaded = load_scenario(str(SCENARIOS / "math-word-problems.toml"), catalog)
    assert loaded.tokens is not None
    coster = Coster(loaded.scenario, loaded.tokens, catalog, TODAY)
    costing = cost_strategies(coster, ["prompt", "rft"], corpus_in_prompt=False)
    # no RFT is left at OpenAI (o4-mini shut down 2026-10-23) nor at Azure (retired 2026-11-19)
    assert costing.costs["rft"].provider == costing.availability["rft"].offered_by[0] == "fireworks"
    assert any("o4-mini was shut down on 2026-10-23" in b for b in costing.availability["rft"].blockers)
    places = {(p.provider, p.model): p for p in costing.places["rft"]}
    assert not places["azure-openai", "o4-mini"].available and places["fireworks", "llama-v3p1-8b-instruct"].available
    assert "prompt" in costing.costs and not costing.failed


class TestRuleDetails:
    def test_meeting_notes_builds_evals_first(self, catalog) -> None:
        rec = recommend(load_scenario(str(SCENARIOS / "meeting-notes.toml")), catalog, TODAY)
        assert [r.rule for r in rec.reasons][:2] == ["gate.no-eval-set", "gate.prototype"]
        assert rec.next_steps[0].startswith("Build an eval set")

    def test_rft_unavailable_at_openai_names_where_it_can_run(self, catalog) -> None:
        rec = recommend(load_scenario(str(SCENARIOS / "math-word-problems.toml")), catalog, TODAY)
        assert rec.costs["rft"].provider == "fireworks" and rec.where and rec.where.provider == "fireworks"
        assert any("Fireworks AI can" in caveat for caveat in rec.caveats)  # the name the provider writes
        assert rec.costs["rft"].training_usd == 0  # free under 16B parameters at Fireworks
        gone = {p.model: p.why_not for p in rec.where_options if p.provider in ("openai", "azure-openai")}
        assert "azure-openai:o4-mini was shut down on 2026-11-19" in gone["o4-mini"]

    def test_volatile_knowledge_excludes_fine_tuning_alone(self, catalog) -> None:
        rec = recommend(load_scenario(str(SCENARIOS / "catalog-qa.toml")), catalog, TODAY)
        excluded = {item.strategy: item.why for item in rec.recommendation.not_recommended}
        assert "sft" not in rec.costs or "sft" in excluded
        assert any(r.rule == "knowledge.volatile" for r in rec.reasons)
        assert rec.costs["rag"].breakdown["re-embedding"] > 0  # daily changes: re-embedded every day

    def test_syntax_only_failures_use_structured_outputs(self, catalog) -> None:
        rec = run(scenario(failures=["format-syntax"], demonstrations=500), catalog)
        assert rec.recommendation.primary == "prompt"
        assert any("structured outputs" in step.lower() for step in rec.next_steps)

    def test_small_corpus_goes_where_it_is_cheaper(self, catalog) -> None:
        """Both are priced; the cheaper over the horizon is recommended, and the headline gives its figure."""
        infra = {"costs": Costs(rag_infra_usd_per_month=Decimal(300))}  # a vector store is not free
        few = run(
            scenario(failures=["knowledge"], corpus_tokens=60_000, requests=2_000).model_copy(update=infra), catalog
        )
        assert few.recommendation.primary == "prompt" and "rag" in few.recommendation.alternatives
        assert few.costs["prompt"].monthly_usd > few.today_monthly_usd  # the corpus is paid for, cached
        assert format_usd(few.costs["prompt"].monthly_usd) in few.recommendation.summary
        many = run(
            scenario(failures=["knowledge"], corpus_tokens=60_000, requests=100_000).model_copy(update=infra), catalog
        )
        assert many.recommendation.primary == "rag" and "prompt" in many.recommendation.alternatives
        assert many.costs["rag"].total_usd < many.costs["prompt"].total_usd
        assert format_usd(many.costs["rag"].monthly_usd) in many.recommendation.summary

    def test_rft_with_zero_baseline_says_sft_first(self, catalog) -> None:
        rec = run(
            scenario(failures=["reasoning"], kind="math", baseline=0.0, graded=500, grader="exact", demonstrations=200),
            catalog,
        )
        assert rec.recommendation.primary == "sft"
        why = {item.strategy: item.why for item in rec.recommendation.not_recommended}
        assert "SFT first" in why["rft"]

    def test_cost_only_training_that_never_pays_back_is_dropped(self, catalog) -> None:
        rec = run(
            scenario(
                failures=["cost"],
                requests=1000,
                current="gpt-4.1-mini",
                base="gpt-4.1-mini",
                prompt=400,
                ft_prompt=400,
                setup=5000,
            ),
            catalog,
        )
        assert rec.recommendation.primary == "prompt"
        assert any(r.rule == "economics.cost-only-never-pays" for r in rec.reasons)

    def test_every_rule_cites_a_known_source(self) -> None:
        from advisor.recommend.sources import SOURCES

        for rule in RULES:
            assert rule.sources and all(source in SOURCES for source in rule.sources), rule.id
            assert rule.when and rule.then


def scenario(
    *,
    failures=("consistency",),
    kind="extraction",
    baseline=0.7,
    target=0.9,
    eval_set=True,
    stage="production",
    volatility="static",
    corpus_tokens=0,
    demonstrations=0,
    pairs=0,
    graded=0,
    grader="none",
    experts=True,
    guessable=False,
    requests=100_000,
    prompt=2000,
    cached=0,
    output=200,
    current="gpt-4.1",
    base="gpt-4.1-mini",
    ft_prompt=400,
    provider="openai",
    setup=0,
) -> Scenario:
    return Scenario(
        name="test",
        stage=stage,
        task=Task(
            kind=kind, failures=list(failures), has_eval_set=eval_set, baseline_score=baseline, target_score=target
        ),
        knowledge=Knowledge(volatility=volatility, corpus_tokens=corpus_tokens),
        data=Data(
            demonstrations=demonstrations,
            preference_pairs=pairs,
            graded_prompts=graded,
            grader=grader,
            experts_agree=experts,
            answers_guessable=guessable,
        ),
        traffic=TrafficSection(
            requests_per_month=requests, prompt_tokens=prompt, cached_prompt_tokens=cached, output_tokens=output
        ),
        models=Models(current=current, fine_tune_base=base, provider=provider, ft_prompt_tokens=ft_prompt),
        costs=Costs(setup_usd=Decimal(setup)),
    )


@st.composite
def scenarios(draw, **fixed):
    prompt = draw(st.integers(100, 8000))
    values = dict(
        failures=draw(
            st.lists(
                st.sampled_from(
                    [
                        "knowledge",
                        "format-syntax",
                        "format",
                        "consistency",
                        "tone",
                        "reasoning",
                        "context-use",
                        "cost",
                        "latency",
                    ]
                ),
                max_size=4,
                unique=True,
            )
        ),
        kind=draw(st.sampled_from(["classification", "extraction", "writing", "qa", "math", "support", "code"])),
        baseline=draw(st.none() | st.sampled_from([0.0, 0.3, 0.6, 0.9, 1.0])),
        target=draw(st.none() | st.sampled_from([0.5, 0.8, 0.95])),
        eval_set=draw(st.booleans()),
        stage=draw(st.sampled_from(["prototype", "production"])),
        volatility=draw(st.sampled_from(["static", "yearly", "quarterly", "monthly", "weekly", "daily", "realtime"])),
        corpus_tokens=draw(st.sampled_from([0, 50_000, 5_000_000])),
        demonstrations=draw(st.sampled_from([0, 5, 30, 800])),
        pairs=draw(st.sampled_from([0, 50, 3000])),
        graded=draw(st.sampled_from([0, 10, 500])),
        grader=draw(st.sampled_from(["none", "exact", "model"])),
        experts=draw(st.booleans()),
        guessable=draw(st.booleans()),
        requests=draw(st.integers(100, 5_000_000)),
        prompt=prompt,
        cached=draw(st.integers(0, prompt)),
        output=draw(st.integers(1, 2000)),
        current=draw(st.sampled_from(["gpt-4.1", "gpt-4o", "gpt-4.1-mini"])),
        base=draw(st.sampled_from(["gpt-4.1-mini", "gpt-4o-mini", "gpt-4.1"])),
        ft_prompt=draw(st.integers(1, 2000)),
        provider=draw(st.sampled_from(["openai", "azure-openai"])),
        setup=draw(st.sampled_from([0, 2000])),
    )
    values.update(fixed)
    return scenario(**values)


SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FINE_TUNING_ONLY = {"sft", "dpo", "rft"}


class TestProperties:
    @SETTINGS
    @given(scenarios(), st.sampled_from(["monthly", "weekly", "daily", "realtime"]))
    def test_knowledge_gap_on_volatile_data_never_gets_fine_tuning_alone(self, catalog, s, volatility) -> None:
        s = s.model_copy(
            update={
                "task": s.task.model_copy(update={"failures": [*s.task.failures, "knowledge"]}),
                "knowledge": s.knowledge.model_copy(update={"volatility": volatility}),
            }
        )
        assert run(s, catalog).recommendation.primary not in FINE_TUNING_ONLY

    @SETTINGS
    @given(scenarios(eval_set=True, baseline=0.9, target=0.85))
    def test_target_already_met_means_prompting(self, catalog, s) -> None:
        """Unless the bill or the wait is what fails: then distilling is the lever (issue 14, rule 1), and
        only when it pays back; otherwise prompting."""
        rec = run(s, catalog)
        failures = set(s.task.failures)
        if failures and failures <= {"cost", "latency"} and s.stage == "production":  # a prototype stays gated
            assert rec.recommendation.primary in ("prompt", "sft")
            assert any(r.rule == "cost.distill" for r in rec.reasons)
            if rec.recommendation.primary == "sft":
                assert rec.costs["sft"].payback_months is not None
        else:
            assert rec.recommendation.primary == "prompt"

    @SETTINGS
    @given(scenarios(), st.sampled_from(["zero", "guessable"]))
    def test_rft_is_never_primary_at_zero_or_when_guessable(self, catalog, s, why) -> None:
        data = {"graded_prompts": 500, "grader": "exact", "experts_agree": True}
        if why == "guessable":
            data["answers_guessable"] = True
        task = {"baseline_score": 0.0} if why == "zero" else {}
        s = s.model_copy(update={"data": s.data.model_copy(update=data), "task": s.task.model_copy(update=task)})
        rec = run(s, catalog)
        assert rec.recommendation.primary != "rft" and "rft" not in rec.recommendation.plan

    @SETTINGS
    @given(scenarios(), st.integers(2, 50))
    def test_more_volume_never_lengthens_a_payback(self, catalog, s, factor) -> None:
        """At any one place (the place chosen may change with volume), more traffic pays back sooner."""
        more = s.model_copy(
            update={
                "traffic": s.traffic.model_copy(update={"requests_per_month": s.traffic.requests_per_month * factor})
            }
        )
        low, high = run(s, catalog), run(more, catalog)
        if low.recommendation.primary != high.recommendation.primary:
            return
        sooner = {(p.provider, p.model): p.payback_months for p in high.where_options}
        for place in low.where_options:
            if place.payback_months is not None and (place.provider, place.model) in sooner:
                assert sooner[place.provider, place.model] is not None
                assert sooner[place.provider, place.model] <= place.payback_months

    @SETTINGS
    @given(scenarios())
    def test_every_recommendation_is_complete_and_consistent(self, catalog, s) -> None:
        rec = run(s, catalog)
        choice = rec.recommendation
        assert choice.primary in ("prompt", "rag", "sft", "dpo", "rft", "rag+sft")
        assert choice.plan and choice.summary and rec.reasons
        assert choice.primary not in {item.strategy for item in choice.not_recommended}
        assert choice.primary not in choice.alternatives
        for cost in rec.costs.values():
            assert cost.monthly_usd >= 0 and cost.upfront_usd >= 0 and cost.training_usd >= 0
            assert cost.payback_months is None or cost.payback_months <= cost.horizon_months
        assert rec.payback_months == (rec.costs[choice.primary].payback_months if choice.primary in rec.costs else None)


class TestWhereToTrain:
    """Properties of the place a recommendation trains at (advisor.costs.where), over any scenario."""

    @SETTINGS
    @given(scenarios(), st.sampled_from([date(2026, 11, 22), date(2026, 12, 1), date(2027, 1, 10), date(2027, 6, 1)]))
    def test_the_place_can_start_the_job_on_the_day_and_the_horizon_ends_with_its_service(
        self, catalog, s, today
    ) -> None:
        rec = run(s, catalog, today)
        if rec.where is None:
            assert rec.recommendation.primary in ("prompt", "rag") or not rec.where_options
            return
        (place,) = [p for p in rec.where_options if (p.provider, p.model) == (rec.where.provider, rec.where.model)]
        assert place.available and not [w for w in place.why_not if "shut down" in w or "stopped" in w]
        assert rec.where.jobs_until is None or rec.where.jobs_until >= today
        if rec.where.serving_until is not None:
            assert rec.where.horizon_months <= months_until(rec.where.serving_until, today)
        assert rec.where.horizon_months <= rec.horizon_months
        assert all(not p.available for p in rec.where_options[: rec.where_options.index(place)])

    @SETTINGS
    @given(scenarios())
    def test_totals_are_the_sum_of_the_monthly_series_the_chart_draws(self, catalog, s) -> None:
        from advisor.render.recommendation import cost_rows, series

        rec = run(s, catalog)
        horizon = rec.horizon_months
        drawn = {line.label.removesuffix(" (recommended)"): line.values for line in series(rec)}
        rows = {row[0].removesuffix(" ★").removesuffix(" †"): row for row in cost_rows(rec)}
        for name, cost in rec.costs.items():
            # every month of the horizon is paid once, on what serves it then (a fine-tune that stops hands its
            # traffic back to today's setup; today's model that stops hands it to its successor)
            assert cost.stretches[0].start == 0 and cost.stretches[-1].end == horizon
            assert all(a.end == b.start for a, b in zip(cost.stretches, cost.stretches[1:], strict=False))
            expected = cost.upfront_usd + sum((s.monthly_usd * (s.end - s.start) for s in cost.stretches), Decimal(0))
            label = cost.label or STRATEGY_NAMES[name]
            if label in drawn:
                assert drawn[label][-1] == expected and len(drawn[label]) == horizon + 1
            assert rows[label][4] == format_usd(expected) and cost.total_usd == expected
        today = next(values for label, values in drawn.items() if label.startswith("Today (prompting"))
        assert today[-1] == sum((s.monthly_usd * (s.end - s.start) for s in rec.today_stretches), Decimal(0))


def test_a_fine_tune_that_stops_serving_falls_back_to_today(catalog) -> None:
    """OpenAI's gpt-4.1-mini fine-tunes stop on 2027-01-14: after that the chart and totals carry today's cost."""
    s = scenario(provider="openai", base="gpt-4.1-mini", current="gpt-4.1", demonstrations=2000)
    rec = run(with_models(s, providers=["openai"]), catalog, date(2026, 12, 1))
    cost = rec.costs["sft"]
    assert cost.provider == "openai" and cost.horizon_months < 2
    first, *after = cost.stretches
    assert first.end == cost.horizon_months and first.monthly_usd == cost.monthly_usd
    # from then on it costs what today's setup costs (gpt-4.1 stops the same day: its successor, gpt-6-luna)
    assert [(s.start, s.monthly_usd, s.what) for s in after] == [
        (s.start, s.monthly_usd, s.what) for s in rec.today_stretches if s.start >= first.end
    ]
    assert after[0].what == "openai:gpt-6-luna"


def with_models(s: Scenario, **changes: object) -> Scenario:
    return s.model_copy(update={"models": s.models.model_copy(update=changes)})


def test_models_providers_and_open_weights_restrict_the_places(catalog) -> None:
    s = scenario(provider="openai", base="gpt-4.1-mini", demonstrations=2000)
    # before the earlier of Azure's conflicting retirement dates for the gpt-4.1 family (2026-10-14)
    only_azure = run(with_models(s, providers=["azure-openai"]), catalog, date(2026, 9, 15))
    assert only_azure.where is not None and only_azure.where.provider == "azure-openai"
    assert all(not p.available for p in only_azure.where_options if p.provider != "azure-openai")
    required = run(with_models(s, open_weights="required"), catalog)
    assert required.where is not None and required.where.provider == "fireworks"
    closed = run(with_models(s, open_weights="no"), catalog)
    assert closed.where is not None and closed.where.provider in ("openai", "azure-openai")


def test_moving_off_an_openai_fine_tune(catalog) -> None:
    rec = recommend(load_scenario(str(EXAMPLES / "migration" / "scenario.toml")), catalog, date(2026, 12, 1))
    assert rec.migration is not None and rec.migration.days_left == 44
    assert rec.migration.serving_until == date(2027, 1, 14)
    assert rec.reasons[0].rule == "gate.fine-tune-moves" and rec.recommendation.primary == "sft"
    assert (rec.where is not None and rec.where.serving_until is None) or rec.where.serving_until > date(2027, 12, 1)
    assert "stops serving on 2027-01-14, 44 days from 2026-12-01" in rec.caveats[0]
    # the scenario's `../invoice-extraction/train.jsonl`, as the folder the commands run from reaches it
    trained = Path(os.path.relpath(EXAMPLES / "invoice-extraction" / "train.train.jsonl")).as_posix()
    assert any(f"--training-file {trained}" in command for command in rec.commands)
