"""The Rule type and what a rule sees: the facts, the decision it builds up, and (for the stages that
run after costing) each option's figures and whether its training job can start today."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from advisor.methods import Method
from advisor.recommend.rules.facts import Facts
from advisor.recommend.strategies import BY_NAME, StrategyName

if TYPE_CHECKING:
    from advisor.costs.where import Availability
    from advisor.recommend.costing import StrategyCost

RuleStage = Literal["gate", "knowledge", "behaviour", "method", "cost", "economics", "availability"]


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
    method: Method | None = None  # the behaviour lever's answer
    primary: StrategyName = "prompt"
    plan: list[str] = field(default_factory=list)
    alternatives: list[StrategyName] = field(default_factory=list)
    not_recommended: dict[str, str] = field(default_factory=dict)
    reasons: list[Reason] = field(default_factory=list)
    caveats: list[str] = field(default_factory=list)
    next_steps: list[str] = field(default_factory=list)

    def exclude(self, strategy: str, why: str) -> None:
        self.not_recommended.setdefault(strategy, why)

    def suggest(self, strategy: StrategyName) -> None:
        if strategy not in self.alternatives:
            self.alternatives.append(strategy)


@dataclass
class Context:
    """What a rule sees: the facts, the decision so far, and (for the late stages) the costs."""

    facts: Facts
    decision: Decision
    costs: dict[str, StrategyCost] = field(default_factory=dict)
    availability: dict[str, Availability] = field(default_factory=dict)  # by method: why it cannot start today
    labels: dict[str, str] = field(default_factory=dict)  # provider -> the name it writes for itself
    today_stops: str | None = None  # `gpt-4o stops on 2027-01-14`: today's model ends inside the horizon

    def label(self, provider: str) -> str:
        return self.labels.get(provider, provider)


@dataclass(frozen=True)
class Rule:
    id: str
    stage: RuleStage
    when: str
    then: str
    sources: tuple[str, ...]
    applies: Callable[[Context], bool]
    act: Callable[[Context], str]  # changes the decision and says why, in this case


def rule(
    rule_id: str,
    stage: RuleStage,
    *,
    when: str,
    then: str,
    sources: tuple[str, ...],
    applies: Callable[[Context], bool],
) -> Callable[[Callable[[Context], str]], Rule]:
    """Make the decorated function the action of a Rule, so each rule is written beside what it does."""

    def make(act: Callable[[Context], str]) -> Rule:
        return Rule(rule_id, stage, when, then, sources, applies, act)

    return make


def compose(d: Decision, facts: Facts) -> None:
    """Primary strategy and plan from the levers' answers."""
    if d.gated:
        d.primary, d.plan = "prompt", ["prompt"]
        later = _levers_choice(d)
        if later != "prompt":
            d.suggest(later)  # what the levers would choose once the gate is lifted
        return
    d.primary = _levers_choice(d)
    d.plan = list(BY_NAME[d.primary].steps)
    if BY_NAME[d.primary].retrieval and d.method and d.method not in d.plan:
        d.plan.append(d.method)  # retrieval first, then the training: RAG -> RFT, RAG -> SFT -> DPO
    d.alternatives = [s for s in d.alternatives if s != d.primary and s not in d.not_recommended]


def _levers_choice(d: Decision) -> StrategyName:
    if d.context == "rag" and d.method in ("sft", "dpo"):
        return "rag+sft"
    if d.context == "rag":
        return "rag"
    if d.method:
        return d.method
    return "prompt"
