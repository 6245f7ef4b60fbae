"""The cost lever: distil a large prompted model into a smaller fine-tune when only cost or latency
fails, and declare the cacheable prefix of a long prompt before anything else."""

from __future__ import annotations

from advisor.recommend.rules.base import Context, Rule, rule

LONG_PROMPT_TOKENS = 2048  # a prompt this long with no cached prefix declared is worth a caching note


@rule(
    "cost.distill",
    "cost",
    when="cost or latency fails while quality is met by a large prompted model",
    then="SFT a smaller model on the large model's answers",
    sources=("openai-optimization", "cookbook-techniques"),
    applies=lambda ctx: (
        not ctx.decision.gated
        and bool(ctx.facts.failures & {"cost", "latency"})
        and not ctx.facts.behaviour
        and not ctx.facts.knowledge_gap
    ),
)
def distill(ctx: Context) -> str:
    scenario = ctx.facts.scenario
    ctx.decision.method = "sft"
    ctx.decision.suggest("prompt")
    base = scenario.models.fine_tune_base or scenario.models.current
    return (
        f"quality is met but {', '.join(sorted(ctx.facts.failures & {'cost', 'latency'}))} fails: fine-tune "
        f"{base} on {scenario.models.current}'s own answers so a shorter prompt on a smaller model does the job"
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
        "Declare the static start of the prompt (system prompt, examples) as "
        "traffic.cached_prompt_tokens: caching it is the cheapest saving there is"
    )
    return "the prompt is long and nothing is declared cacheable: prompt caching discounts its static prefix"


RULES: tuple[Rule, ...] = (distill, cache_first)
