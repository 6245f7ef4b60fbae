"""The knowledge lever: facts the model lacks call for context (RAG, or the whole corpus in a cached
prompt when it is small), never for fine-tuning alone."""

from __future__ import annotations

from advisor.recommend.rules.base import Context, Rule, rule
from advisor.recommend.rules.facts import VOLATILE

CORPUS_IN_PROMPT_MAX = 200_000  # Anthropic: a knowledge base under ~200k tokens fits in a cached prompt


@rule(
    "knowledge.gap",
    "knowledge",
    when="answers need facts the model lacks (missing, stale, proprietary)",
    then="context: RAG; fine-tuning is not for knowledge",
    sources=("ovadia-2023", "gekhman-2024", "openai-optimization"),
    applies=lambda ctx: ctx.facts.knowledge_gap,
)
def knowledge_gap(ctx: Context) -> str:
    ctx.decision.context = "rag"
    if not ctx.facts.behaviour:  # with a behaviour gap SFT is still in the plan, for the behaviour
        ctx.decision.exclude(
            "sft",
            "fine-tuning does not add knowledge reliably: new facts are learned slowly and "
            "raise hallucination; retrieval beats it",
        )
    volatility = ctx.facts.scenario.knowledge.volatility
    return f"answers need knowledge the model lacks ({volatility} data): give it context (RAG), not training"


@rule(
    "knowledge.volatile",
    "knowledge",
    when=f"the knowledge changes {VOLATILE[0]} or faster",
    then="only retrieval keeps answers current; never fine-tuning alone",
    sources=("ovadia-2023", "openai-optimization"),
    applies=lambda ctx: ctx.facts.knowledge_gap and ctx.facts.volatile,
)
def volatile_knowledge(ctx: Context) -> str:
    volatility = ctx.facts.scenario.knowledge.volatility
    if not ctx.facts.behaviour:
        ctx.decision.exclude(
            "sft", f"the facts change {volatility}: a fine-tune carrying them would be stale between retrainings"
        )
    return f"the knowledge changes {volatility}: only retrieval at request time keeps answers current"


@rule(
    "knowledge.corpus-in-prompt",
    "knowledge",
    when=f"a knowledge gap over a corpus under ~{CORPUS_IN_PROMPT_MAX // 1000}k tokens",
    then="the whole corpus in a cached prompt instead of a retrieval system",
    sources=("anthropic-retrieval",),
    applies=lambda ctx: (
        ctx.facts.knowledge_gap
        and not ctx.facts.behaviour  # with a behaviour gap too: RAG + SFT (RAFT), not a huge fine-tuned prompt
        and 0 < ctx.facts.scenario.knowledge.corpus_tokens < CORPUS_IN_PROMPT_MAX
        and not ctx.facts.scenario.knowledge.rag_in_place
        and not ctx.facts.scenario.knowledge.citations_required
        # realtime facts change between requests: a cached prompt would be rewritten constantly
        and ctx.facts.scenario.knowledge.volatility != "realtime"
    ),
)
def corpus_in_prompt(ctx: Context) -> str:
    knowledge = ctx.facts.scenario.knowledge
    ctx.decision.context = "prompt"
    ctx.decision.suggest("rag")
    fresh = (
        f"; the facts change {knowledge.volatility}, so the prompt is rebuilt when they do and the cache refills"
        if knowledge.volatility != "static"
        else ""
    )
    return (
        f"the corpus is {knowledge.corpus_tokens:,} tokens, under ~{CORPUS_IN_PROMPT_MAX:,}: all of it can go in "
        f"the prompt, discounted by prompt caching, with no retrieval system{fresh}. Both are priced: the cheaper "
        "over the horizon is recommended"
    )


@rule(
    "knowledge.citations",
    "knowledge",
    when="answers must cite sources",
    then="retrieval, which returns citable passages",
    sources=("anthropic-retrieval", "openai-optimization"),
    applies=lambda ctx: ctx.facts.knowledge_gap and ctx.facts.scenario.knowledge.citations_required,
)
def citations(ctx: Context) -> str:
    ctx.decision.context = "rag"
    return "answers must cite their sources: retrieval returns the passages to cite"


@rule(
    "knowledge.improve-retrieval",
    "knowledge",
    when="RAG is in place and knowledge still fails",
    then="improve retrieval (contextual retrieval, hybrid search, reranking)",
    sources=("anthropic-retrieval",),
    applies=lambda ctx: ctx.facts.knowledge_gap and ctx.facts.scenario.knowledge.rag_in_place,
)
def improve_retrieval(ctx: Context) -> str:
    ctx.decision.next_steps.append(
        "Improve retrieval before anything else: contextual retrieval (chunks with their "
        "context), hybrid BM25 + embedding search, and reranking"
    )
    return "RAG is in place and knowledge still fails: the retrieval, not the model, is what to fix"


RULES: tuple[Rule, ...] = (knowledge_gap, volatile_knowledge, corpus_in_prompt, citations, improve_retrieval)
