"""From a scenario to a Recommendation: the strategy, the rules that chose it, what each option costs."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import BaseModel

from advisor.costs.estimate import Assumption
from advisor.costs.figures import months
from advisor.costs.money import format_usd
from advisor.pricing.catalog import Catalog, dedupe, row_status
from advisor.recommend.costing import Coster, StrategyCost, cost_strategies
from advisor.recommend.rules import (
    MIN_DEMONSTRATIONS,
    MIN_GRADED_PROMPTS,
    MIN_PREFERENCE_PAIRS,
    REVIEW_STAGES,
    STRATEGY_STAGES,
    Context,
    Decision,
    Facts,
    StrategyFigures,
    compose,
    facts_of,
    run,
)
from advisor.recommend.scenario import LoadedScenario

STRATEGY_ORDER = ("prompt", "rag", "sft", "dpo", "rft", "rag+sft")


class Reason(BaseModel):
    rule: str
    says: str
    source: str


class NotRecommended(BaseModel):
    strategy: str
    why: str


class Choice(BaseModel):
    primary: str
    plan: list[str]
    alternatives: list[str]
    not_recommended: list[NotRecommended]
    summary: str


class Recommendation(BaseModel):
    """The recommendation section of a proposal, as data (the JSON contract)."""

    name: str
    source: str
    as_of: date
    recommendation: Choice
    reasons: list[Reason]
    caveats: list[str]
    next_steps: list[str]
    costs: dict[str, StrategyCost]
    payback_months: Decimal | None
    horizon_months: int
    today_monthly_usd: Decimal
    assumptions: list[Assumption]
    warnings: list[str]


def strategies_to_cost(facts: Facts, d: Decision) -> list[str]:
    """Today, the plan, the alternatives, and every strategy the team's data would allow."""
    scenario, data = facts.scenario, facts.scenario.data
    wanted = {"prompt", d.primary, *d.alternatives}
    if facts.knowledge_gap or scenario.knowledge.corpus_tokens or scenario.knowledge.rag_in_place:
        wanted.add("rag")
    if data.demonstrations >= MIN_DEMONSTRATIONS or d.method == "sft":
        wanted.add("sft")
    if data.preference_pairs >= MIN_PREFERENCE_PAIRS:
        wanted.add("dpo")
    if data.graded_prompts >= MIN_GRADED_PROMPTS and data.grader != "none":
        wanted.add("rft")
    if "rag" in wanted and "sft" in wanted and facts.knowledge_gap:
        wanted.add("rag+sft")
    return [strategy for strategy in STRATEGY_ORDER if strategy in wanted]


def recommend(loaded: LoadedScenario, catalog: Catalog, today: date) -> Recommendation:
    facts = facts_of(loaded.scenario)
    ctx = Context(facts, Decision())
    run(ctx, STRATEGY_STAGES)
    compose(ctx.decision, facts)
    coster = Coster(loaded, catalog, today)
    costs, failed = cost_strategies(coster, strategies_to_cost(facts, ctx.decision), ctx.decision.context == "prompt")
    for strategy, why in failed.items():
        ctx.decision.exclude(strategy, f"it cannot be priced: {why}")
    ctx.costs = {
        name: StrategyFigures(
            c.monthly_usd,
            c.upfront_usd,
            c.payback_months,
            c.provider,
            coster.offered_by.get(_method_of(name), ()),
            c.horizon_months,
            c.horizon_note,
        )
        for name, c in costs.items()
    }
    ctx.availability = coster.availability
    run(ctx, REVIEW_STAGES)
    d = ctx.decision
    d.alternatives = [s for s in d.alternatives if s != d.primary and s in costs]
    primary_cost = costs.get(d.primary)
    return Recommendation(
        name=loaded.scenario.name,
        source=loaded.source,
        as_of=today,
        recommendation=Choice(
            primary=d.primary,
            plan=d.plan,
            alternatives=d.alternatives,
            not_recommended=[NotRecommended(strategy=s, why=w) for s, w in d.not_recommended.items() if s != d.primary],
            summary=summary(facts, d, costs, coster.today_cost),
        ),
        reasons=[Reason(rule=r.rule, says=r.says, source=r.source) for r in d.reasons],
        caveats=dedupe(d.caveats),
        next_steps=dedupe([*d.next_steps, *_next_steps(facts, d, primary_cost)]),
        costs=costs,
        payback_months=primary_cost.payback_months if primary_cost else None,
        horizon_months=loaded.scenario.costs.horizon_months,
        today_monthly_usd=coster.today_cost,
        assumptions=_assumptions(loaded, coster, set(costs)),
        warnings=_warnings(coster, costs, d.primary, catalog, today),
    )


def _method_of(strategy: str) -> str:
    return {"dpo": "dpo", "rft": "rft"}.get(strategy, "sft")


def summary(facts: Facts, d: Decision, costs: dict[str, StrategyCost], today: Decimal) -> str:
    """The recommendation in one sentence."""
    scenario = facts.scenario
    data, models = scenario.data, scenario.models
    cost = costs.get(d.primary)
    base = cost.model if cost else models.fine_tune_base or models.current
    lead = {
        "prompt": f"Stay with prompting {models.current}"
        + (" and build an eval set first" if not scenario.task.has_eval_set else ""),
        "rag": "Add retrieval (RAG) over the knowledge base"
        + (", then RFT for the reasoning" if d.plan == ["rag", "rft"] else ""),
        "sft": f"Fine-tune {base} with SFT on {max(data.demonstrations, data.preference_pairs):,} "
        f"{'demonstrations' if data.demonstrations else 'examples'}",
        "dpo": f"Fine-tune {base} with SFT, then DPO on {data.preference_pairs:,} preference pairs",
        "rft": f"Run reinforcement fine-tuning (RFT) on {base} with {data.graded_prompts:,} graded prompts",
        "rag+sft": f"Add retrieval (RAG) for the facts and fine-tune {base} with SFT for the "
        f"{' and '.join(facts.behaviour) or 'behaviour'}",
    }[d.primary]
    if cost is None or (d.primary == "prompt" and cost.upfront_usd == 0):
        return f"{lead}: it costs {format_usd(today)} a month today."
    saving = today - cost.monthly_usd
    if cost.payback_months is not None:
        money = (
            f"{format_usd(cost.monthly_usd)} a month against {format_usd(today)} today, paying back "
            f"{format_usd(cost.upfront_usd)} up front in {months(cost.payback_months)}"
        )
    elif saving > 0:
        money = (
            f"it saves {format_usd(saving)} a month but does not earn back {format_usd(cost.upfront_usd)} up "
            f"front within {months(cost.horizon_months)} ({cost.payback_note}): it is chosen for quality"
        )
    else:
        money = (
            f"{format_usd(cost.monthly_usd)} a month against {format_usd(today)} today, plus "
            f"{format_usd(cost.upfront_usd)} up front: paid for by quality, not savings"
        )
    where = f" at {cost.provider}" if cost.provider != models.provider else ""
    return f"{lead}{where}: {money}."


def _next_steps(facts: Facts, d: Decision, cost: StrategyCost | None) -> list[str]:
    steps = []
    if "sft" in d.plan or d.primary == "sft":
        steps.append("Check the training file with `advisor dataset check` and split off a validation set")
    if d.primary == "rft" or "rft" in d.plan:
        steps.append("Validate the grader on a sample of graded prompts, then run a short RFT pilot")
    if cost is not None and d.primary in ("sft", "dpo", "rft", "rag+sft"):
        method = _method_of(d.primary)
        extra = " --validation-file VALID.jsonl --grader GRADER.json" if method == "rft" else ""
        steps.append(
            f"Launch the job through the {cost.provider} provider plugin (`advisor providers` lists those "
            f"installed): `advisor launch --provider {cost.provider} --method {method} --model {cost.model} "
            f"--training-file TRAIN.jsonl{extra} --dry-run` shows the requests, then the same without --dry-run "
            "sends them (docs/launching.md)"
        )
    if d.primary != "prompt":
        steps.append("Measure the result on the eval set against the prompted baseline before switching traffic")
    return steps


# defaults that matter only when a strategy that uses them is costed
_DEFAULT_USED_BY = {
    "knowledge.retrieved_tokens": ("rag", "rag+sft"),
    "costs.rag_infra_usd_per_month": ("rag", "rag+sft"),
    "costs.rft_hours": ("rft",),
}


def _assumptions(loaded: LoadedScenario, coster: Coster, costed: set[str]) -> list[Assumption]:
    items = [
        Assumption(topic="default", text=f"{key} (not in {loaded.source})")
        for key in loaded.defaults
        if costed & set(_DEFAULT_USED_BY.get(key.split(" = ")[0], costed))
    ]
    seen = set()
    for item in coster.assumptions:
        if item.text not in seen:
            seen.add(item.text)
            items.append(item)
    return items


def _warnings(coster: Coster, costs: dict[str, StrategyCost], primary: str, catalog: Catalog, today: date) -> list[str]:
    warnings = row_status(coster.today_match, today, training=False)
    if primary in costs and primary not in ("prompt", "rag"):
        warnings += row_status(catalog.find(costs[primary].model, costs[primary].provider), today)
    return dedupe(warnings)
