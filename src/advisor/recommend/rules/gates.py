"""The gates: rules that keep a team on prompting (no eval set, the target already met, nothing
failing, only JSON syntax failing, a prototype)."""

from __future__ import annotations

from advisor.recommend.rules.base import Context, Rule, rule

MIN_EVAL_CASES = 20  # graded cases from real traffic before any change can be measured


def _open(ctx: Context) -> bool:
    """A gate can keep the team on prompting unless today's model is a fine-tune (which has to move)."""
    return not ctx.facts.current_fine_tuned


def _gate(ctx: Context, next_step: str | None = None) -> None:
    ctx.decision.gated = True
    if next_step:
        ctx.decision.next_steps.append(next_step)


@rule(
    "gate.no-eval-set",
    "gate",
    when="there is no eval set",
    then=f"stay with prompting; build {MIN_EVAL_CASES}+ graded cases first",
    sources=("openai-accuracy", "openai-optimization"),
    applies=lambda ctx: not ctx.facts.scenario.task.has_eval_set,
)
def no_eval_set(ctx: Context) -> str:
    _gate(
        ctx,
        f"Build an eval set first: {MIN_EVAL_CASES} or more graded cases from real traffic, and measure the prompted "
        "baseline on it",
    )
    return "there is no eval set: without one no change can be shown to help, so keep prompting and build evals"


@rule(
    "gate.target-met",
    "gate",
    when="the prompted baseline meets the target, and cost or latency is not what fails",
    then="prompting, nothing more",
    sources=("openai-accuracy",),
    # when quality is met and the bill or the wait is the failure, the cost lever (cost.distill) decides
    applies=lambda ctx: _open(ctx) and ctx.facts.quality_met is True and not ctx.facts.cost_only,
)
def target_met(ctx: Context) -> str:
    task = ctx.facts.scenario.task
    _gate(ctx)
    return f"the prompted baseline ({task.baseline_score:.0%}) already meets the target ({task.target_score:.0%})"


@rule(
    "gate.nothing-fails",
    "gate",
    when="no failure is listed after a solid prompt",
    then="prompting, nothing more",
    sources=("openai-optimization",),
    applies=lambda ctx: _open(ctx) and not ctx.facts.failures,
)
def nothing_fails(ctx: Context) -> str:
    _gate(ctx)
    return "nothing fails after a solid prompt: there is nothing for training or retrieval to fix"


@rule(
    "gate.syntax-only",
    "gate",
    when="the only failures are JSON syntax or schema errors",
    then="structured outputs or constrained decoding, not training",
    sources=("openai-structured-outputs", "openai-optimization"),
    applies=lambda ctx: ctx.facts.failures == {"format-syntax"},
)
def syntax_only(ctx: Context) -> str:
    _gate(ctx, "Turn on structured outputs (a JSON schema with strict mode) or constrained decoding")
    return "the only failures are JSON syntax or schema errors: structured outputs remove them without training"


@rule(
    "gate.prototype",
    "gate",
    when="the feature is a prototype",
    then="prompting; training pays back in months or never",
    sources=("openai-optimization", "azure-when"),
    applies=lambda ctx: ctx.facts.scenario.stage == "prototype",
)
def prototype(ctx: Context) -> str:
    _gate(ctx, "Revisit training once the feature is in production and its volume is known")
    return "the feature is a prototype: training pays back in months or never, and the task may still change"


@rule(
    "gate.fine-tune-moves",
    "gate",
    when="today's model is a fine-tune",
    then="the baseline is the fine-tune: keep its quality by training again where it can serve on",
    sources=("openai-deprecations", "openai-sft"),
    applies=lambda ctx: ctx.facts.current_fine_tuned,
)
def fine_tune_moves(ctx: Context) -> str:
    ctx.decision.next_steps.append(
        "Keep the training file and the eval set the current fine-tune was made with: the same file trains "
        "the replacement, and the same evals show it matches"
    )
    return (
        "today's model is a fine-tune: the baseline and target describe the fine-tune, so meeting the target "
        "means training again, with the same data, wherever the fine-tune can keep serving"
    )


RULES: tuple[Rule, ...] = (fine_tune_moves, no_eval_set, target_met, nothing_fails, syntax_only, prototype)
