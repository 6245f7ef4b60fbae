"""The method choice, once training is called for: RFT when every precondition holds, SFT then DPO when
tone fails and there are preference pairs, SFT on demonstrations; otherwise collect data first."""

from __future__ import annotations

from advisor.costs.figures import article, plural
from advisor.recommend.rules.base import Context, Rule, rule
from advisor.recommend.strategies import STRATEGIES

MIN_DEMONSTRATIONS = 10  # providers reject fewer
FEW_DEMONSTRATIONS = 50  # 50-100 to see an effect
ENOUGH_DEMONSTRATIONS = 100
PRODUCTION_DEMONSTRATIONS = 500
MIN_PREFERENCE_PAIRS = 100  # "ideally thousands"
OBJECTIVE_TASKS = ("classification", "extraction", "structured-output", "qa", "code", "math", "reasoning")
_TO_COLLECT = f"{FEW_DEMONSTRATIONS}-{ENOUGH_DEMONSTRATIONS}"


def _training_needed(ctx: Context) -> bool:
    d = ctx.decision
    return not d.gated and bool(ctx.facts.behaviour) and d.method is None


@rule(
    "method.rft",
    "method",
    when="graded prompts and every RFT precondition hold, for reasoning or objective tasks",
    then="RFT on the graded prompts",
    sources=("openai-rft", "cookbook-techniques"),
    applies=lambda ctx: (
        _training_needed(ctx)
        and not ctx.facts.rft_blockers
        and ("reasoning" in ctx.facts.behaviour or ctx.facts.data.graded_prompts > ctx.facts.data.demonstrations)
        and ctx.facts.scenario.task.kind in OBJECTIVE_TASKS
    ),
)
def choose_rft(ctx: Context) -> str:
    data = ctx.facts.data
    ctx.decision.method = "rft"
    if data.demonstrations >= MIN_DEMONSTRATIONS:
        ctx.decision.suggest("sft")
    task = ctx.facts.scenario.task
    return (
        f"{data.graded_prompts:,} graded prompts with {article(data.grader)} grader, experts agree, answers cannot be "
        f"guessed and the baseline ({task.baseline_score:.0%}) is between 0 and the maximum: every RFT "
        "precondition holds"
    )


@rule(
    "method.rft-blocked",
    "method",
    when="RFT is in question but a precondition fails",
    then="not RFT; the failed precondition says why",
    sources=("openai-rft", "cookbook-techniques"),
    applies=lambda ctx: (
        not ctx.decision.gated
        and bool(ctx.facts.rft_blockers)
        and ("reasoning" in ctx.facts.behaviour or ctx.facts.data.graded_prompts > 0)
    ),
)
def rft_blocked(ctx: Context) -> str:
    why = "; ".join(ctx.facts.rft_blockers)
    ctx.decision.exclude("rft", why)
    return f"RFT does not fit: {why}"


@rule(
    "method.dpo",
    "method",
    when="tone (subjective quality) fails and preference pairs exist",
    then="SFT first, then DPO from that checkpoint",
    sources=("openai-dpo", "cookbook-techniques", "azure-foundry-data"),
    applies=lambda ctx: (
        _training_needed(ctx)
        and "tone" in ctx.facts.behaviour
        and ctx.facts.data.preference_pairs >= MIN_PREFERENCE_PAIRS
    ),
)
def choose_dpo(ctx: Context) -> str:
    data = ctx.facts.data
    ctx.decision.method = "dpo"
    ctx.decision.suggest("sft")
    source = (
        f"{data.demonstrations:,} demonstrations"
        if data.demonstrations >= MIN_DEMONSTRATIONS
        else "the preferred answers"
    )
    return (
        f"tone is judged by preference and there are {data.preference_pairs:,} preference pairs: SFT on "
        f"{source} first, then DPO from that checkpoint"
    )


@rule(
    "method.few-pairs",
    "method",
    when=f"tone fails with fewer than {MIN_PREFERENCE_PAIRS} preference pairs",
    then="no DPO yet",
    sources=("openai-dpo",),
    applies=lambda ctx: (
        not ctx.decision.gated
        and "tone" in ctx.facts.behaviour
        and 0 < ctx.facts.data.preference_pairs < MIN_PREFERENCE_PAIRS
    ),
)
def few_pairs(ctx: Context) -> str:
    pairs = ctx.facts.data.preference_pairs
    ctx.decision.exclude(
        "dpo",
        f"{plural(pairs, 'preference pair')} {'is' if pairs == 1 else 'are'} too few "
        f"(ideally thousands, at least {MIN_PREFERENCE_PAIRS})",
    )
    ctx.decision.next_steps.append(
        "Collect preference pairs (prompt, better answer, worse answer) from reviewers to add DPO later"
    )
    return f"only {plural(pairs, 'preference pair')}: too few for DPO"


@rule(
    "method.sft",
    "method",
    when=f"demonstrations of the right output exist ({MIN_DEMONSTRATIONS} at least)",
    then="SFT",
    sources=("openai-sft", "cookbook-techniques", "vertex-tuning", "lora-land-2024", "azure-foundry-data"),
    applies=lambda ctx: _training_needed(ctx) and ctx.facts.data.demonstrations >= MIN_DEMONSTRATIONS,
)
def choose_sft(ctx: Context) -> str:
    data = ctx.facts.data
    ctx.decision.method = "sft"
    if data.preference_pairs >= MIN_PREFERENCE_PAIRS:
        ctx.decision.suggest("dpo")
    if data.demonstrations < FEW_DEMONSTRATIONS:
        ctx.decision.caveats.append(
            f"{plural(data.demonstrations, 'demonstration')} {'is' if data.demonstrations == 1 else 'are'} enough "
            f"to start but likely too few to see an effect: aim for {_TO_COLLECT}, and {PRODUCTION_DEMONSTRATIONS}+ "
            "for production"
        )
    return (
        f"{data.demonstrations:,} demonstrations of the right output: supervised fine-tuning teaches format, "
        "consistency and house style"
    )


@rule(
    "method.no-data",
    "method",
    when="training is needed but there is no data for any method",
    then=f"keep prompting; collect {_TO_COLLECT} demonstrations",
    sources=("openai-sft",),
    applies=lambda ctx: _training_needed(ctx),
)
def no_training_data(ctx: Context) -> str:
    ctx.decision.next_steps.append(
        f"Collect {_TO_COLLECT} demonstrations (input and ideal output) approved by the people who judge quality, "
        "then run SFT"
    )
    for strategy in STRATEGIES:
        if strategy.method and not strategy.retrieval:  # each training method on its own
            ctx.decision.exclude(strategy.name, "there is no training data yet")
    return "training would help but there is no data for it yet: keep prompting while demonstrations are collected"


RULES: tuple[Rule, ...] = (choose_rft, rft_blocked, choose_dpo, few_pairs, choose_sft, no_training_data)
