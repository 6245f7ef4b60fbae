"""The decision rules, as data: each has an id, the condition and the effect in words, the sources it
follows, and two small functions (does it apply; apply it and say why in this case).

Stages run in order: gates (which keep a team on prompting), the knowledge lever (context: RAG, or the
corpus in the prompt), the behaviour lever (training), the choice among SFT, DPO and RFT, the cost lever;
then, once every option is costed, economics and availability. The engine returns the trace of the rules
that fired.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from advisor.recommend.scenario import Scenario
from advisor.recommend.sources import cite

Strategy = Literal["prompt", "rag", "sft", "dpo", "rft", "rag+sft"]
STRATEGY_NAMES = {
    "prompt": "Prompting",
    "rag": "RAG",
    "sft": "SFT",
    "dpo": "SFT then DPO",
    "rft": "RFT",
    "rag+sft": "RAG + SFT",
}
Stage = Literal["gate", "knowledge", "behaviour", "method", "cost", "economics", "availability"]

# failures training fixes; JSON syntax errors are structured outputs' job
BEHAVIOUR_FAILURES = ("format", "consistency", "tone", "reasoning", "context-use")
VOLATILE = ("monthly", "weekly", "daily", "realtime")
CORPUS_IN_PROMPT_MAX = 200_000  # Anthropic: a knowledge base under ~200k tokens fits in a cached prompt
MIN_DEMONSTRATIONS = 10  # providers reject fewer
FEW_DEMONSTRATIONS = 50  # 50-100 to see an effect
MIN_PREFERENCE_PAIRS = 100  # "ideally thousands"
MIN_GRADED_PROMPTS = 20  # RFT works with "dozens to hundreds"
LOW_VOLUME = 10_000  # requests a month
OBJECTIVE_TASKS = ("classification", "extraction", "structured-output", "qa", "code", "math", "reasoning")


@dataclass(frozen=True)
class Facts:
    """What the rules read, derived once from the scenario."""

    scenario: Scenario
    failures: frozenset[str]
    behaviour: tuple[str, ...]
    knowledge_gap: bool
    volatile: bool
    rft_blockers: tuple[str, ...]

    @property
    def data(self):  # type: ignore[no-untyped-def]
        return self.scenario.data


def facts_of(scenario: Scenario) -> Facts:
    failures = frozenset(scenario.task.failures)
    return Facts(
        scenario=scenario,
        failures=failures,
        behaviour=tuple(f for f in scenario.task.failures if f in BEHAVIOUR_FAILURES),
        knowledge_gap="knowledge" in failures,
        volatile=scenario.knowledge.volatility in VOLATILE,
        rft_blockers=tuple(_rft_blockers(scenario)),
    )


def _rft_blockers(scenario: Scenario) -> list[str]:
    """Why RFT cannot work here (empty: all of its preconditions hold)."""
    data, task = scenario.data, scenario.task
    blockers = []
    if data.graded_prompts < MIN_GRADED_PROMPTS:
        blockers.append(f"{data.graded_prompts} graded prompts (RFT needs dozens to hundreds)")
    if data.grader == "none":
        blockers.append("no grader can score the answers")
    if not data.experts_agree:
        blockers.append("experts do not agree on the right answer")
    if data.answers_guessable:
        blockers.append("answers can be guessed (multiple choice, yes/no): the reward teaches guessing")
    if task.baseline_score is None:
        blockers.append("the baseline score is not measured (RFT needs it strictly between 0 and the maximum)")
    elif task.baseline_score <= 0:
        blockers.append("the baseline scores 0: a model that never succeeds gets no reward to learn from (SFT first)")
    elif task.baseline_score >= 1:
        blockers.append("the baseline already scores the maximum")
    return blockers


@dataclass
class Reason:
    rule: str
    says: str
    source: str


@dataclass
class Decision:
    """Built up by the rules; `compose` turns the components into primary, plan and alternatives."""

    gated: bool = False
    context: Literal["rag", "prompt"] | None = None  # the knowledge lever's answer
    method: Literal["sft", "dpo", "rft"] | None = None  # the behaviour lever's answer
    primary: Strategy = "prompt"
    plan: list[str] = field(default_factory=list)
    alternatives: list[Strategy] = field(default_factory=list)
    not_recommended: dict[str, str] = field(default_factory=dict)
    reasons: list[Reason] = field(default_factory=list)
    caveats: list[str] = field(default_factory=list)
    next_steps: list[str] = field(default_factory=list)

    def exclude(self, strategy: str, why: str) -> None:
        self.not_recommended.setdefault(strategy, why)

    def suggest(self, strategy: Strategy) -> None:
        if strategy not in self.alternatives:
            self.alternatives.append(strategy)


@dataclass
class Context:
    """What a rule sees: the facts, the decision so far, and (for the late stages) the costs."""

    facts: Facts
    decision: Decision
    costs: dict[str, StrategyFigures] = field(default_factory=dict)
    availability: dict[str, list[str]] = field(default_factory=dict)  # strategy -> why it cannot start today


@dataclass(frozen=True)
class StrategyFigures:
    """The few cost figures the late rules read."""

    monthly_usd: Decimal
    upfront_usd: Decimal
    payback_months: Decimal | None
    provider: str | None = None
    offered_by: tuple[str, ...] = ()
    horizon_months: Decimal | None = None
    horizon_note: str = ""


@dataclass(frozen=True)
class Rule:
    id: str
    stage: Stage
    when: str
    then: str
    sources: tuple[str, ...]
    applies: Callable[[Context], bool]
    act: Callable[[Context], str]


# --- gates --------------------------------------------------------------------------------------


def _gate(ctx: Context, next_step: str | None = None) -> None:
    ctx.decision.gated = True
    if next_step:
        ctx.decision.next_steps.append(next_step)


def _no_eval_set(ctx: Context) -> str:
    _gate(
        ctx,
        "Build an eval set first: 20 or more graded cases from real traffic, and measure the prompted baseline on it",
    )
    return "there is no eval set: without one no change can be shown to help, so keep prompting and build evals"


def _target_met(ctx: Context) -> str:
    task = ctx.facts.scenario.task
    _gate(ctx)
    return f"the prompted baseline ({task.baseline_score:.0%}) already meets the target ({task.target_score:.0%})"


def _nothing_fails(ctx: Context) -> str:
    _gate(ctx)
    return "nothing fails after a solid prompt: there is nothing for training or retrieval to fix"


def _syntax_only(ctx: Context) -> str:
    _gate(ctx, "Turn on structured outputs (a JSON schema with strict mode) or constrained decoding")
    return "the only failures are JSON syntax or schema errors: structured outputs remove them without training"


def _prototype(ctx: Context) -> str:
    _gate(ctx, "Revisit training once the feature is in production and its volume is known")
    return "the feature is a prototype: training pays back in months or never, and the task may still change"


# --- knowledge lever ------------------------------------------------------------------------------


def _knowledge_gap(ctx: Context) -> str:
    ctx.decision.context = "rag"
    if not ctx.facts.behaviour:  # with a behaviour gap SFT is still in the plan, for the behaviour
        ctx.decision.exclude(
            "sft",
            "fine-tuning does not add knowledge reliably: new facts are learned slowly and "
            "raise hallucination; retrieval beats it",
        )
    volatility = ctx.facts.scenario.knowledge.volatility
    return f"answers need knowledge the model lacks ({volatility} data): give it context (RAG), not training"


def _volatile_knowledge(ctx: Context) -> str:
    volatility = ctx.facts.scenario.knowledge.volatility
    if not ctx.facts.behaviour:
        ctx.decision.exclude(
            "sft", f"the facts change {volatility}: a fine-tune carrying them would be stale between retrainings"
        )
    return f"the knowledge changes {volatility}: only retrieval at request time keeps answers current"


def _corpus_in_prompt(ctx: Context) -> str:
    tokens = ctx.facts.scenario.knowledge.corpus_tokens
    ctx.decision.context = "prompt"
    ctx.decision.suggest("rag")
    return (
        f"the corpus is {tokens:,} tokens, under ~{CORPUS_IN_PROMPT_MAX:,}: put all of it in the prompt and "
        "let prompt caching discount it, no retrieval system needed"
    )


def _citations(ctx: Context) -> str:
    ctx.decision.context = "rag"
    return "answers must cite their sources: retrieval returns the passages to cite"


def _improve_retrieval(ctx: Context) -> str:
    ctx.decision.next_steps.append(
        "Improve retrieval before anything else: contextual retrieval (chunks with their "
        "context), hybrid BM25 + embedding search, and reranking"
    )
    return "RAG is in place and knowledge still fails: the retrieval, not the model, is what to fix"


# --- behaviour lever ------------------------------------------------------------------------------


def _behaviour_gap(ctx: Context) -> str:
    failures = ", ".join(ctx.facts.behaviour)
    return f"a solid prompt still fails on behaviour ({failures}): that is what training changes"


def _rag_hurts_behaviour(ctx: Context) -> str:
    ctx.decision.exclude(
        "rag",
        "a pure behaviour task gains nothing from retrieved text, and extra context can hurt "
        "it (OpenAI's correction example: fine-tuned 87 BLEU, fine-tuned + RAG 83)",
    )
    return "there is no knowledge gap: retrieval would add tokens and can lower quality on a behaviour task"


def _syntax_alongside(ctx: Context) -> str:
    ctx.decision.next_steps.append("Use structured outputs for the JSON syntax part; train for the rest")
    return "JSON syntax failures are fixed by structured outputs, whatever else is trained"


def _both_gaps(ctx: Context) -> str:
    ctx.decision.suggest("rag")
    ctx.decision.caveats.append(
        "Build the SFT examples with the retrieved context in the prompt, including some "
        "irrelevant passages, so the model learns to use retrieval (RAFT)"
    )
    return "both knowledge and behaviour fail: RAG for the facts plus SFT for the behaviour; the gains add up"


# --- method choice ----------------------------------------------------------------------------------


def _training_needed(ctx: Context) -> bool:
    d = ctx.decision
    return not d.gated and bool(ctx.facts.behaviour) and d.method is None


def _choose_rft(ctx: Context) -> str:
    data = ctx.facts.data
    ctx.decision.method = "rft"
    if data.demonstrations >= MIN_DEMONSTRATIONS:
        ctx.decision.suggest("sft")
    task = ctx.facts.scenario.task
    return (
        f"{data.graded_prompts:,} graded prompts with a {data.grader} grader, experts agree, answers cannot be "
        f"guessed and the baseline ({task.baseline_score:.0%}) is between 0 and the maximum: every RFT "
        "precondition holds"
    )


def _rft_blocked(ctx: Context) -> str:
    why = "; ".join(ctx.facts.rft_blockers)
    ctx.decision.exclude("rft", why)
    return f"RFT does not fit: {why}"


def _choose_dpo(ctx: Context) -> str:
    data = ctx.facts.data
    ctx.decision.method = "dpo"
    ctx.decision.suggest("sft")
    source = (
        f"{data.demonstrations:,} demonstrations"
        if data.demonstrations >= MIN_DEMONSTRATIONS
        else ("the preferred answers")
    )
    return (
        f"tone is judged by preference and there are {data.preference_pairs:,} preference pairs: SFT on "
        f"{source} first, then DPO from that checkpoint"
    )


def _few_pairs(ctx: Context) -> str:
    pairs = ctx.facts.data.preference_pairs
    ctx.decision.exclude(
        "dpo", f"{pairs} preference pairs are too few (ideally thousands, at least {MIN_PREFERENCE_PAIRS})"
    )
    ctx.decision.next_steps.append(
        "Collect preference pairs (prompt, better answer, worse answer) from reviewers to add DPO later"
    )
    return f"only {pairs} preference pairs: too few for DPO"


def _choose_sft(ctx: Context) -> str:
    data = ctx.facts.data
    ctx.decision.method = "sft"
    if data.preference_pairs >= MIN_PREFERENCE_PAIRS:
        ctx.decision.suggest("dpo")
    if data.demonstrations < FEW_DEMONSTRATIONS:
        ctx.decision.caveats.append(
            f"{data.demonstrations} demonstrations is enough to start but likely too few to "
            "see an effect: aim for 50-100, and 500+ for production"
        )
    return (
        f"{data.demonstrations:,} demonstrations of the right output: supervised fine-tuning teaches format, "
        "consistency and house style"
    )


def _no_training_data(ctx: Context) -> str:
    ctx.decision.next_steps.append(
        "Collect 50-100 demonstrations (input and ideal output) approved by the people who judge quality, then run SFT"
    )
    for method in ("sft", "dpo", "rft"):
        ctx.decision.exclude(method, "there is no training data yet")
    return "training would help but there is no data for it yet: keep prompting while demonstrations are collected"


# --- cost lever -------------------------------------------------------------------------------------


def _distill(ctx: Context) -> str:
    scenario = ctx.facts.scenario
    ctx.decision.method = "sft"
    ctx.decision.suggest("prompt")
    base = scenario.models.fine_tune_base or scenario.models.current
    return (
        f"quality is met but {', '.join(sorted(ctx.facts.failures & {'cost', 'latency'}))} fails: fine-tune "
        f"{base} on {scenario.models.current}'s own answers so a shorter prompt on a smaller model does the job"
    )


def _cache_first(ctx: Context) -> str:
    ctx.decision.next_steps.append(
        "Declare the static start of the prompt (system prompt, examples) as "
        "traffic.cached_prompt_tokens: caching it is the cheapest saving there is"
    )
    return "the prompt is long and nothing is declared cacheable: prompt caching discounts its static prefix"


# --- economics (after costing) ---------------------------------------------------------------------


def _training_primary(ctx: Context) -> bool:
    return ctx.decision.primary in ("sft", "dpo", "rft", "rag+sft")


def _cost_only_never_pays(ctx: Context) -> str:
    d = ctx.decision
    chosen = d.primary
    d.exclude(chosen, "it costs more a month than it saves, and only cost was the reason to train")
    d.primary, d.plan, d.method = "prompt", ["prompt"], None
    return f"{STRATEGY_NAMES[chosen]} does not pay back, and cost was the only reason for it: stay with the prompt"


def _quality_costs_more(ctx: Context) -> str:
    figures = ctx.costs[ctx.decision.primary]
    extra = figures.monthly_usd - ctx.costs["prompt"].monthly_usd
    name = STRATEGY_NAMES[ctx.decision.primary]
    ctx.decision.caveats.append(
        f"{name} costs ${extra:,.2f} more a month than today: it is justified by the quality gain, not by savings"
    )
    return f"{name} does not pay back in money; it is chosen for quality"


def _low_volume(ctx: Context) -> str:
    requests = ctx.facts.scenario.traffic.requests_per_month
    ctx.decision.caveats.append(
        f"At {requests:,} requests a month, training pays back through quality, rarely through savings"
    )
    return f"{requests:,} requests a month is low volume"


def _horizon_cut(ctx: Context) -> str:
    figures = ctx.costs[ctx.decision.primary]
    ctx.decision.caveats.append(
        f"The payback window is short: {figures.horizon_note}. Fine-tunes stop serving when "
        "their base model shuts down; a provider without that date (see `advisor pricing show`) "
        "or a newer base model keeps the savings longer"
    )
    return f"the base model's shutdown limits the payback window to {figures.horizon_months:.2f} months"


def _rft_expensive(ctx: Context) -> str:
    ctx.decision.caveats.append(
        "RFT bills training hours ($100 an hour on o4-mini) and one benchmark found it 100-700 "
        "times SFT's cost: run a short pilot and measure before a full job"
    )
    return "RFT costs far more to train than SFT"


# --- availability (after costing) ------------------------------------------------------------------


def _unavailable(ctx: Context) -> str:
    d = ctx.decision
    method = d.method or d.primary
    blockers = ctx.availability.get(method, [])
    elsewhere = ctx.costs[d.primary].offered_by if d.primary in ctx.costs else ()
    provider = ctx.facts.scenario.models.provider
    if elsewhere:
        d.caveats.append(
            f"{provider} cannot start this job today ({'; '.join(blockers)}); "
            f"{', '.join(elsewhere)} can, and the costs shown use {elsewhere[0]}"
        )
        return f"{method.upper()} is not available at {provider} today; {', '.join(elsewhere)} offers it"
    d.caveats.append(
        f"No provider in the price tables can start a {method} job on this model today ({'; '.join(blockers)})"
    )
    return f"no provider can run {method.upper()} on this model today"


RULES: tuple[Rule, ...] = (
    Rule(
        "gate.no-eval-set",
        "gate",
        "there is no eval set",
        "stay with prompting; build 20+ graded cases first",
        ("openai-accuracy", "openai-optimization"),
        lambda ctx: not ctx.facts.scenario.task.has_eval_set,
        _no_eval_set,
    ),
    Rule(
        "gate.target-met",
        "gate",
        "the prompted baseline meets the target",
        "prompting, nothing more",
        ("openai-accuracy",),
        lambda ctx: (
            ctx.facts.scenario.task.baseline_score is not None
            and ctx.facts.scenario.task.target_score is not None
            and ctx.facts.scenario.task.baseline_score >= ctx.facts.scenario.task.target_score
        ),
        _target_met,
    ),
    Rule(
        "gate.nothing-fails",
        "gate",
        "no failure is listed after a solid prompt",
        "prompting, nothing more",
        ("openai-optimization",),
        lambda ctx: not ctx.facts.failures,
        _nothing_fails,
    ),
    Rule(
        "gate.syntax-only",
        "gate",
        "the only failures are JSON syntax or schema errors",
        "structured outputs or constrained decoding, not training",
        ("openai-structured-outputs", "openai-optimization"),
        lambda ctx: ctx.facts.failures == {"format-syntax"},
        _syntax_only,
    ),
    Rule(
        "gate.prototype",
        "gate",
        "the feature is a prototype",
        "prompting; training pays back in months or never",
        ("openai-optimization", "azure-when"),
        lambda ctx: ctx.facts.scenario.stage == "prototype",
        _prototype,
    ),
    Rule(
        "knowledge.gap",
        "knowledge",
        "answers need facts the model lacks (missing, stale, proprietary)",
        "context: RAG; fine-tuning is not for knowledge",
        ("ovadia-2023", "gekhman-2024", "openai-optimization"),
        lambda ctx: ctx.facts.knowledge_gap,
        _knowledge_gap,
    ),
    Rule(
        "knowledge.volatile",
        "knowledge",
        "the knowledge changes monthly or faster",
        "only retrieval keeps answers current; never fine-tuning alone",
        ("ovadia-2023", "openai-optimization"),
        lambda ctx: ctx.facts.knowledge_gap and ctx.facts.volatile,
        _volatile_knowledge,
    ),
    Rule(
        "knowledge.corpus-in-prompt",
        "knowledge",
        "a knowledge gap over a corpus under ~200k tokens",
        "the whole corpus in a cached prompt instead of a retrieval system",
        ("anthropic-retrieval",),
        lambda ctx: (
            ctx.facts.knowledge_gap
            and not ctx.facts.behaviour  # with a behaviour gap too: RAG + SFT (RAFT), not a huge fine-tuned prompt
            and 0 < ctx.facts.scenario.knowledge.corpus_tokens < CORPUS_IN_PROMPT_MAX
            and not ctx.facts.scenario.knowledge.rag_in_place
            and not ctx.facts.scenario.knowledge.citations_required
        ),
        _corpus_in_prompt,
    ),
    Rule(
        "knowledge.citations",
        "knowledge",
        "answers must cite sources",
        "retrieval, which returns citable passages",
        ("anthropic-retrieval", "openai-optimization"),
        lambda ctx: ctx.facts.knowledge_gap and ctx.facts.scenario.knowledge.citations_required,
        _citations,
    ),
    Rule(
        "knowledge.improve-retrieval",
        "knowledge",
        "RAG is in place and knowledge still fails",
        "improve retrieval (contextual retrieval, hybrid search, reranking)",
        ("anthropic-retrieval",),
        lambda ctx: ctx.facts.knowledge_gap and ctx.facts.scenario.knowledge.rag_in_place,
        _improve_retrieval,
    ),
    Rule(
        "behaviour.gap",
        "behaviour",
        "format, consistency, tone, reasoning or context use still fails",
        "training (the method follows from the data)",
        ("openai-optimization", "cookbook-techniques"),
        lambda ctx: bool(ctx.facts.behaviour) and not ctx.decision.gated,
        _behaviour_gap,
    ),
    Rule(
        "behaviour.rag-hurts",
        "behaviour",
        "a behaviour gap with no knowledge gap",
        "no RAG: extra context can lower quality on a behaviour task",
        ("openai-accuracy",),
        lambda ctx: bool(ctx.facts.behaviour) and not ctx.facts.knowledge_gap,
        _rag_hurts_behaviour,
    ),
    Rule(
        "behaviour.syntax-alongside",
        "behaviour",
        "JSON syntax failures alongside other failures",
        "structured outputs for the syntax part",
        ("openai-structured-outputs",),
        lambda ctx: "format-syntax" in ctx.facts.failures and len(ctx.facts.failures) > 1 and not ctx.decision.gated,
        _syntax_alongside,
    ),
    Rule(
        "behaviour.both-gaps",
        "behaviour",
        "knowledge and behaviour both fail",
        "RAG + SFT, with retrieved context in the SFT examples (RAFT)",
        ("microsoft-agriculture-2024", "raft-2024", "openai-optimization"),
        lambda ctx: ctx.facts.knowledge_gap and bool(ctx.facts.behaviour) and not ctx.decision.gated,
        _both_gaps,
    ),
    Rule(
        "method.rft",
        "method",
        "graded prompts and every RFT precondition hold, for reasoning or objective tasks",
        "RFT on the graded prompts",
        ("openai-rft", "cookbook-techniques"),
        lambda ctx: (
            _training_needed(ctx)
            and not ctx.facts.rft_blockers
            and ("reasoning" in ctx.facts.behaviour or ctx.facts.data.graded_prompts > ctx.facts.data.demonstrations)
            and ctx.facts.scenario.task.kind in OBJECTIVE_TASKS
        ),
        _choose_rft,
    ),
    Rule(
        "method.rft-blocked",
        "method",
        "RFT is in question but a precondition fails",
        "not RFT; the failed precondition says why",
        ("openai-rft", "cookbook-techniques"),
        lambda ctx: (
            not ctx.decision.gated
            and bool(ctx.facts.rft_blockers)
            and ("reasoning" in ctx.facts.behaviour or ctx.facts.data.graded_prompts > 0)
        ),
        _rft_blocked,
    ),
    Rule(
        "method.dpo",
        "method",
        "tone (subjective quality) fails and preference pairs exist",
        "SFT first, then DPO from that checkpoint",
        ("openai-dpo", "cookbook-techniques"),
        lambda ctx: (
            _training_needed(ctx)
            and "tone" in ctx.facts.behaviour
            and ctx.facts.data.preference_pairs >= MIN_PREFERENCE_PAIRS
        ),
        _choose_dpo,
    ),
    Rule(
        "method.few-pairs",
        "method",
        "tone fails with fewer than 100 preference pairs",
        "no DPO yet",
        ("openai-dpo",),
        lambda ctx: (
            not ctx.decision.gated
            and "tone" in ctx.facts.behaviour
            and 0 < ctx.facts.data.preference_pairs < MIN_PREFERENCE_PAIRS
        ),
        _few_pairs,
    ),
    Rule(
        "method.sft",
        "method",
        "demonstrations of the right output exist (10 at least)",
        "SFT",
        ("openai-sft", "cookbook-techniques", "vertex-tuning"),
        lambda ctx: _training_needed(ctx) and ctx.facts.data.demonstrations >= MIN_DEMONSTRATIONS,
        _choose_sft,
    ),
    Rule(
        "method.no-data",
        "method",
        "training is needed but there is no data for any method",
        "keep prompting; collect 50-100 demonstrations",
        ("openai-sft",),
        lambda ctx: _training_needed(ctx),
        _no_training_data,
    ),
    Rule(
        "cost.distill",
        "cost",
        "cost or latency fails while quality is met by a large prompted model",
        "SFT a smaller model on the large model's answers",
        ("openai-optimization", "cookbook-techniques"),
        lambda ctx: (
            not ctx.decision.gated
            and bool(ctx.facts.failures & {"cost", "latency"})
            and not ctx.facts.behaviour
            and not ctx.facts.knowledge_gap
        ),
        _distill,
    ),
    Rule(
        "cost.cache-first",
        "cost",
        "a long prompt with no cacheable prefix declared",
        "declare the static prefix: caching is the cheapest saving",
        ("openai-pricing",),
        lambda ctx: (
            ctx.facts.scenario.traffic.cached_prompt_tokens == 0
            and (ctx.facts.scenario.traffic.prompt_tokens or 0) >= 2048
        ),
        _cache_first,
    ),
    Rule(
        "economics.cost-only-never-pays",
        "economics",
        "training chosen only for cost does not pay back",
        "stay with the prompt",
        ("openai-pricing", "openai-optimization"),
        lambda ctx: (
            _training_primary(ctx)
            and not ctx.facts.behaviour
            and not ctx.facts.knowledge_gap
            and ctx.costs.get(ctx.decision.primary) is not None
            and ctx.costs[ctx.decision.primary].payback_months is None
        ),
        _cost_only_never_pays,
    ),
    Rule(
        "economics.quality-costs-more",
        "economics",
        "training chosen for quality costs more than today",
        "keep it, and say it is paid for by quality",
        ("openai-pricing",),
        lambda ctx: (
            _training_primary(ctx)
            and ctx.decision.primary in ctx.costs
            and "prompt" in ctx.costs
            and ctx.costs[ctx.decision.primary].monthly_usd > ctx.costs["prompt"].monthly_usd
        ),
        _quality_costs_more,
    ),
    Rule(
        "economics.horizon-cut",
        "economics",
        "the fine-tuned model's base shuts down before the horizon ends",
        "a caveat: the payback window ends at the shutdown",
        ("openai-pricing",),
        lambda ctx: (
            _training_primary(ctx)
            and ctx.decision.primary in ctx.costs
            and ctx.costs[ctx.decision.primary].horizon_months is not None
            and ctx.costs[ctx.decision.primary].horizon_months < ctx.facts.scenario.costs.horizon_months
        ),
        _horizon_cut,
    ),
    Rule(
        "economics.low-volume",
        "economics",
        f"training at under {LOW_VOLUME:,} requests a month",
        "a caveat: payback comes from quality, rarely from savings",
        ("openai-optimization",),
        lambda ctx: _training_primary(ctx) and ctx.facts.scenario.traffic.requests_per_month < LOW_VOLUME,
        _low_volume,
    ),
    Rule(
        "economics.rft-expensive",
        "economics",
        "RFT is the choice",
        "a caveat on its cost: pilot first",
        ("openai-rft", "cookbook-techniques"),
        lambda ctx: ctx.decision.method == "rft" and ctx.decision.primary in ("rft", "rag", "rag+sft"),
        _rft_expensive,
    ),
    Rule(
        "availability.provider",
        "availability",
        "the provider cannot start the job on this model today",
        "say so, and name the providers in the price tables that can",
        ("openai-pricing",),
        lambda ctx: bool(ctx.availability.get(ctx.decision.method or ctx.decision.primary)),
        _unavailable,
    ),
)

STRATEGY_STAGES: tuple[Stage, ...] = ("gate", "knowledge", "behaviour", "method", "cost")
REVIEW_STAGES: tuple[Stage, ...] = ("economics", "availability")


def run(ctx: Context, stages: tuple[Stage, ...]) -> None:
    """Apply the rules of these stages in order, recording each that fires."""
    for rule in RULES:
        if rule.stage in stages and rule.applies(ctx):
            says = rule.act(ctx)
            ctx.decision.reasons.append(Reason(rule.id, says, cite(*rule.sources)))


def compose(d: Decision, facts: Facts) -> None:
    """Primary strategy and plan from the levers' answers."""
    if d.gated:
        d.primary, d.plan = "prompt", ["prompt"]
        later = _levers_choice(d)
        if later != "prompt":
            d.suggest(later)  # what the levers would choose once the gate is lifted
        return
    d.primary, d.plan = _levers_choice(d), []
    if d.primary == "rag+sft":
        d.plan = ["rag", "sft", *(["dpo"] if d.method == "dpo" else [])]
    elif d.primary == "rag" and d.method == "rft":
        d.plan = ["rag", "rft"]
    elif d.primary == "dpo":
        d.plan = ["sft", "dpo"]
    else:
        d.plan = [d.primary]
    d.alternatives = [s for s in d.alternatives if s != d.primary and s not in d.not_recommended]


def _levers_choice(d: Decision) -> Strategy:
    if d.context == "rag" and d.method in ("sft", "dpo"):
        return "rag+sft"
    if d.context == "rag":
        return "rag"
    if d.method:
        return d.method
    return "prompt"
