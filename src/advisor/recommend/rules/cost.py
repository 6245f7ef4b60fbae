"""The cost lever: distil a large prompted model into a smaller fine-tune when only cost or latency
fails, and declare the cacheable prefix of a long prompt before anything else."""

from __future__ import annotations

from advisor.costs.figures import plural
from advisor.recommend.rules.base import Context, Rule, rule
from advisor.recommend.rules.facts import COST_FAILURES

LONG_PROMPT_TOKENS = 2048  # a prompt this long with no cached prefix declared is worth a caching note


@rule(
    "cost.distill",
    "cost",
    when="cost or latency is what fails, and the prompted model's answers are good enough to learn from",
    then="distil: SFT a smaller model on the large model's answers (when it pays back)",
    sources=("openai-optimization", "openai-distillation", "cookbook-techniques"),
    applies=lambda ctx: not ctx.decision.gated and ctx.facts.cost_only,
)
def distill(ctx: Context) -> str:
    facts = ctx.facts
    scenario = facts.scenario
    ctx.decision.method = "sft"
    ctx.decision.suggest("prompt")
    base = scenario.models.fine_tune_base or scenario.models.current
    failing = " and ".join(sorted(facts.failures & COST_FAILURES))
    task = scenario.task
    if facts.quality_met:
        quality = f"the prompted baseline ({task.baseline_score:.0%}) meets the target ({task.target_score:.0%})"
    else:
        quality = "no answer quality is listed as failing (measure the baseline on the eval set to be sure)"
    demonstrations = facts.data.demonstrations
    data = (
        f"{plural(demonstrations, 'demonstration')} to train on"
        if demonstrations
        else f"{scenario.models.current}'s own answers to train on"
    )
    return (
        f"{quality} and {failing} is what fails: distil {scenario.models.current} into a fine-tune of {base}, "
        f"with {data}, so a shorter prompt on a smaller model does the job"
    )


@rule(
    "cost.cache-first",
    "cost",
    when="a long prompt with no cacheable prefix declared",
    then="declare the static prefix: caching is the cheapest saving",
    sources=("openai-pricing",),
    applies=lambda ctx: (
        ctx.facts.scenario.traffic.cached_prompt_tokens == 0
        and (ctx.facts.scenario.traffic.prompt_tokens or 0) >= LONG_PROMPT_TOKENS
    ),
)
def cache_first(ctx: Context) -> str:
    ctx.decision.next_steps.append(
        "Keep the static start of the prompt (system prompt, examples) first and identical on every request, and "
        "give its size in the scenario: caching it is the cheapest saving there is"
    )
    return "the prompt is long and nothing is declared cacheable: prompt caching discounts its static prefix"


RULES: tuple[Rule, ...] = (distill, cache_first)
