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


@rule(
    "behaviour.rag-hurts",
    "behaviour",
    when="a behaviour gap with no knowledge gap",
    then="no RAG: extra context can lower quality on a behaviour task",
    sources=("openai-accuracy",),
    applies=lambda ctx: bool(ctx.facts.behaviour) and not ctx.facts.knowledge_gap,
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


RULES: tuple[Rule, ...] = (behaviour_gap, rag_hurts_behaviour, syntax_alongside, both_gaps)
