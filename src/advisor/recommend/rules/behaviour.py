"""The behaviour lever: format, consistency, tone, reasoning or use of context still failing after a
solid prompt calls for training; with a knowledge gap too, for RAG + SFT."""

from __future__ import annotations

from advisor.recommend.rules.base import Context, Rule, rule
from advisor.recommend.rules.facts import BEHAVIOUR_FAILURES

_NAMED = [failure.replace("-", " ") for failure in BEHAVIOUR_FAILURES]


@rule(
    "behaviour.gap",
    "behaviour",
    when=f"{', '.join(_NAMED[:-1])} or {_NAMED[-1]} still fails",
    then="training (the method follows from the data)",
    sources=("openai-optimization", "cookbook-techniques"),
    applies=lambda ctx: bool(ctx.facts.behaviour) and not ctx.decision.gated,
)
def behaviour_gap(ctx: Context) -> str:
    failures = ", ".join(ctx.facts.behaviour)
    return f"a solid prompt still fails on behaviour ({failures}): that is what training changes"


def _retrieval_serves(ctx: Context) -> bool:
    """Retrieval in place that the answers depend on: over changing knowledge, or whose passages the model
    is failing to use. Advice never drops it."""
    knowledge = ctx.facts.scenario.knowledge
    return knowledge.rag_in_place and (
        knowledge.volatility != "static" or ctx.facts.knowledge_gap or "context-use" in ctx.facts.failures
    )


@rule(
    "behaviour.rag-hurts",
    "behaviour",
    when="a behaviour gap with no knowledge gap, and no retrieval in place that the answers depend on",
    then="no RAG: extra context can lower quality on a behaviour task",
    sources=("openai-accuracy",),
    applies=lambda ctx: bool(ctx.facts.behaviour) and not ctx.facts.knowledge_gap and not _retrieval_serves(ctx),
)
def rag_hurts_behaviour(ctx: Context) -> str:
    ctx.decision.exclude(
        "rag",
        "a pure behaviour task gains nothing from retrieved text, and extra context can hurt "
        "it (OpenAI's correction example: fine-tuned 87 BLEU, fine-tuned + RAG 83)",
    )
    return "there is no knowledge gap: retrieval would add tokens and can lower quality on a behaviour task"


@rule(
    "behaviour.syntax-alongside",
    "behaviour",
    when="JSON syntax failures alongside other failures",
    then="structured outputs for the syntax part",
    sources=("openai-structured-outputs",),
    applies=lambda ctx: (
        "format-syntax" in ctx.facts.failures and len(ctx.facts.failures) > 1 and not ctx.decision.gated
    ),
)
def syntax_alongside(ctx: Context) -> str:
    ctx.decision.next_steps.append("Use structured outputs for the JSON syntax part; train for the rest")
    return "JSON syntax failures are fixed by structured outputs, whatever else is trained"


@rule(
    "behaviour.both-gaps",
    "behaviour",
    when="knowledge and behaviour both fail",
    then="RAG + SFT, with retrieved context in the SFT examples (RAFT)",
    sources=("microsoft-agriculture-2024", "raft-2024", "openai-optimization"),
    applies=lambda ctx: ctx.facts.knowledge_gap and bool(ctx.facts.behaviour) and not ctx.decision.gated,
)
def both_gaps(ctx: Context) -> str:
    ctx.decision.suggest("rag")
    ctx.decision.caveats.append(
        "Build the SFT examples with the retrieved context in the prompt, including some "
        "irrelevant passages, so the model learns to use retrieval (RAFT)"
    )
    return "both knowledge and behaviour fail: RAG for the facts plus SFT for the behaviour; the gains add up"


@rule(
    "behaviour.raft",
    "behaviour",
    when="retrieval is in place but the model uses its passages badly (context-use fails)",
    then="keep retrieval; RAG + SFT on examples with the retrieved passages, distractors among them (RAFT)",
    sources=("raft-2024", "openai-optimization"),
    applies=lambda ctx: (
        not ctx.decision.gated and ctx.facts.scenario.knowledge.rag_in_place and "context-use" in ctx.facts.failures
    ),
)
def raft(ctx: Context) -> str:
    ctx.decision.context = "rag"
    ctx.decision.caveats.append(
        "Build each SFT example from a real retrieval: the question, the passages retrieved for it (the right one "
        "and distractors), and an answer that quotes the right passage; keep some examples where the right "
        "passage is missing, so the model learns to say so (RAFT)"
    )
    return (
        "retrieval is in place but the model answers from the wrong passages or ignores them: the retrieval "
        "stays, and SFT on examples that include the retrieved passages, distractors among them, teaches the "
        "model to use them (RAFT: +35% on HotpotQA over the base model with RAG)"
    )


@rule(
    "behaviour.keep-retrieval",
    "behaviour",
    when="retrieval is in place over knowledge that changes, and behaviour fails",
    then="keep retrieval: RAG + SFT with the retrieved context in the training examples; never drop it",
    sources=("ovadia-2023", "microsoft-agriculture-2024", "openai-optimization"),
    applies=lambda ctx: (
        not ctx.decision.gated
        and bool(ctx.facts.behaviour)
        and _retrieval_serves(ctx)
        and "context-use" not in ctx.facts.failures  # behaviour.raft says it
        and not ctx.facts.knowledge_gap  # behaviour.both-gaps says it
    ),
)
def keep_retrieval(ctx: Context) -> str:
    ctx.decision.context = "rag"
    volatility = ctx.facts.scenario.knowledge.volatility
    return (
        f"retrieval is in place over knowledge that changes ({volatility}): it stays, since a fine-tune cannot "
        "keep changing facts current; the training fixes the behaviour, on examples that carry the retrieved context"
    )


RULES: tuple[Rule, ...] = (behaviour_gap, rag_hurts_behaviour, syntax_alongside, both_gaps, raft, keep_retrieval)
