"""The decision rules, as data: each has an id, the condition and the effect in words, the sources it
follows, and two small functions (does it apply; apply it and say why in this case).

Stages run in order, one module each: gates (which keep a team on prompting), the knowledge lever
(context: RAG, or the corpus in the prompt), the behaviour lever (training), the choice among SFT, DPO
and RFT, the cost lever; then, once every option is costed, economics and availability. The engine
returns the trace of the rules that fired. This module holds the ordered list and runs it.
"""

from __future__ import annotations

from advisor.recommend.rules import availability, behaviour, cost, economics, gates, knowledge, method
from advisor.recommend.rules.base import (
    Context,
    Decision,
    Reason,
    Rule,
    RuleStage,
    compose,
)
from advisor.recommend.rules.facts import MIN_GRADED_PROMPTS, Facts, facts_of
from advisor.recommend.rules.method import MIN_DEMONSTRATIONS, MIN_PREFERENCE_PAIRS, OBJECTIVE_TASKS
from advisor.recommend.sources import cite

__all__ = [
    "MIN_DEMONSTRATIONS",
    "MIN_GRADED_PROMPTS",
    "MIN_PREFERENCE_PAIRS",
    "OBJECTIVE_TASKS",
    "REVIEW_STAGES",
    "RULES",
    "STRATEGY_STAGES",
    "Context",
    "Decision",
    "Facts",
    "Reason",
    "Rule",
    "RuleStage",
    "compose",
    "facts_of",
    "run",
]

RULES: tuple[Rule, ...] = (
    *gates.RULES,
    *knowledge.RULES,
    *behaviour.RULES,
    *method.RULES,
    *cost.RULES,
    *economics.RULES,
    *availability.RULES,
)

STRATEGY_STAGES: tuple[RuleStage, ...] = ("gate", "knowledge", "behaviour", "method", "cost")
REVIEW_STAGES: tuple[RuleStage, ...] = ("economics", "availability")


def run(ctx: Context, stages: tuple[RuleStage, ...]) -> None:
    """Apply the rules of these stages in order, recording each that fires."""
    for rule in RULES:
        if rule.stage in stages and rule.applies(ctx):
            says = rule.act(ctx)
            ctx.decision.reasons.append(Reason(rule.id, says, cite(*rule.sources)))
