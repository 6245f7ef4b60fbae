"""Economics, once every option is costed: a small corpus goes where it is cheaper (a cached prompt or
retrieval); training chosen only for cost that never pays back is dropped; training that costs more is
kept and said to be paid for by quality; a short payback window, low volume and RFT's training cost are
caveats; a current model that cannot be fine-tuned is shown when it is cheaper or today's stops serving."""

from __future__ import annotations

from advisor.costs.money import format_usd
from advisor.recommend.rules.base import Context, Rule, rule
from advisor.recommend.strategies import BY_NAME, TRAINING

LOW_VOLUME = 10_000  # requests a month


def _training_primary(ctx: Context) -> bool:
    return ctx.decision.primary in TRAINING


@rule(
    "economics.cost-only-never-pays",
    "economics",
    when="training chosen only for cost does not pay back",
    then="stay with the prompt",
    sources=("openai-pricing", "openai-optimization"),
    applies=lambda ctx: (
        _training_primary(ctx)
        and not ctx.facts.behaviour
        and not ctx.facts.knowledge_gap
        and ctx.costs.get(ctx.decision.primary) is not None
        and ctx.costs[ctx.decision.primary].payback_months is None
    ),
)
def cost_only_never_pays(ctx: Context) -> str:
    d = ctx.decision
    chosen = d.primary
    d.exclude(chosen, "it costs more a month than it saves, and only cost was the reason to train")
    d.primary, d.plan, d.method = "prompt", ["prompt"], None
    return f"{BY_NAME[chosen].label} does not pay back, and cost was the only reason for it: stay with the prompt"


@rule(
    "economics.quality-costs-more",
    "economics",
    when="training chosen for quality costs more than today",
    then="keep it, and say it is paid for by quality",
    sources=("openai-pricing",),
    applies=lambda ctx: (
        _training_primary(ctx)
        and not ctx.facts.current_fine_tuned  # a move is not a choice between today and training
        and ctx.decision.primary in ctx.costs
        and "prompt" in ctx.costs
        and ctx.costs[ctx.decision.primary].monthly_usd > ctx.costs["prompt"].monthly_usd
    ),
)
def quality_costs_more(ctx: Context) -> str:
    figures = ctx.costs[ctx.decision.primary]
    extra = figures.monthly_usd - ctx.costs["prompt"].monthly_usd
    name = BY_NAME[ctx.decision.primary].label
    ctx.decision.caveats.append(
        f"{name} costs {format_usd(extra)} more a month than today: it is justified by the quality gain, not by savings"
    )
    return f"{name} does not pay back in money; it is chosen for quality"


def _window_cut(ctx: Context) -> bool:
    """Whether the primary strategy's payback window ends before the scenario's horizon."""
    figures = ctx.costs.get(ctx.decision.primary)
    window = figures.horizon_months if figures is not None else None
    return window is not None and window < ctx.facts.scenario.costs.horizon_months


@rule(
    "economics.horizon-cut",
    "economics",
    when="the fine-tuned model's base shuts down before the horizon ends",
    then="a caveat: the payback window ends at the shutdown",
    sources=("openai-pricing",),
    applies=lambda ctx: _training_primary(ctx) and _window_cut(ctx),
)
def horizon_cut(ctx: Context) -> str:
    figures = ctx.costs[ctx.decision.primary]
    ctx.decision.caveats.append(
        f"The payback window is short: {figures.horizon_note}. A fine-tune earns nothing once it stops "
        "serving; the places that serve longer are listed under where to train"
    )
    return f"the base model's shutdown limits the payback window to {figures.horizon_months:.2f} months"


@rule(
    "economics.low-volume",
    "economics",
    when=f"training at under {LOW_VOLUME:,} requests a month",
    then="a caveat: payback comes from quality, rarely from savings",
    sources=("openai-optimization",),
    applies=lambda ctx: _training_primary(ctx) and ctx.facts.scenario.traffic.requests_per_month < LOW_VOLUME,
)
def low_volume(ctx: Context) -> str:
    requests = ctx.facts.scenario.traffic.requests_per_month
    ctx.decision.caveats.append(
        f"At {requests:,} requests a month, training pays back through quality, rarely through savings"
    )
    return f"{requests:,} requests a month is low volume"


@rule(
    "economics.rft-expensive",
    "economics",
    when="RFT is the choice",
    then="a caveat on its cost: pilot first",
    sources=("openai-rft", "cookbook-techniques"),
    applies=lambda ctx: "rft" in ctx.decision.plan,  # RFT alone, or after RAG
)
def rft_expensive(ctx: Context) -> str:
    ctx.decision.caveats.append(
        "RFT bills training hours (or GPU time for its rollouts) and one benchmark found it 100-700 "
        "times SFT's cost: run a short pilot and measure before a full job"
    )
    return "RFT costs far more to train than SFT"


def _context_choice(ctx: Context) -> bool:
    """The knowledge lever put the corpus in a cached prompt, and retrieval was priced beside it."""
    d = ctx.decision
    return not d.gated and d.context == "prompt" and d.primary == "prompt" and {"prompt", "rag"} <= ctx.costs.keys()


@rule(
    "economics.cheaper-context",
    "economics",
    when="a small corpus can go in a cached prompt or behind retrieval, and both are priced",
    then="the cheaper over the horizon (both keep answers as fresh as the knowledge changes)",
    sources=("anthropic-retrieval", "openai-pricing"),
    applies=_context_choice,
)
def cheaper_context(ctx: Context) -> str:
    d, months = ctx.decision, ctx.facts.scenario.costs.horizon_months
    in_prompt, retrieval = ctx.costs["prompt"].total_usd, ctx.costs["rag"].total_usd
    figures = (
        f"over {months} months the corpus in a cached prompt costs {format_usd(in_prompt)} and retrieval "
        f"{format_usd(retrieval)}"
    )
    if retrieval < in_prompt:
        d.primary, d.plan, d.context = "rag", ["rag"], "rag"
        d.suggest("prompt")
        return f"{figures}: at this volume retrieval is cheaper, so it is recommended"
    return f"{figures}: the cached prompt is cheaper, so it is recommended"


@rule(
    "economics.newer-model",
    "economics",
    when="a current model that cannot be fine-tuned serves today's prompt for less, or today's model stops serving",
    then='a costed "prompt model X" option, to measure on the eval set',
    sources=("openai-optimization", "openai-pricing", "openai-deprecations"),
    applies=lambda ctx: "switch" in ctx.costs and ctx.decision.primary != "switch",
)
def newer_model(ctx: Context) -> str:
    switch = ctx.costs["switch"]
    ctx.decision.suggest("switch")
    today = ctx.costs.get("prompt")
    months = ctx.facts.scenario.costs.horizon_months
    than = (
        f" ({format_usd(switch.total_usd)} over {months} months against {format_usd(today.total_usd)} for today's "
        "setup)"
        if today
        else ""
    )
    why = ctx.today_stops or ("today's model stops serving" if ctx.facts.current_fine_tuned else "it is cheaper")
    return (
        f"a current model, {switch.model} at {ctx.label(switch.provider)}, cannot be fine-tuned but serves today's "
        "prompt for "
        f"{format_usd(switch.monthly_usd)} a month{than}, and {why}: an option once the eval set shows its quality"
    )


RULES: tuple[Rule, ...] = (
    cheaper_context,
    cost_only_never_pays,
    quality_costs_more,
    horizon_cut,
    low_volume,
    rft_expensive,
    newer_model,
)
