"""The strategies advisor can recommend, in one registry: each with its name, its label, the training
method it launches, how it is costed, the plan it stands for and the words that open its summary.

The registry's order is the order options are costed and shown in. Adding a strategy means adding one
entry here, one costing when none of the existing ones fits, and the rules that choose it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from advisor.methods import Method

if TYPE_CHECKING:
    from advisor.recommend.rules.facts import Facts

StrategyName = Literal["prompt", "rag", "sft", "dpo", "rft", "rag+sft", "switch"]
Costing = Literal["prompt", "rag", "fine-tune", "switch"]


@dataclass(frozen=True)
class Strategy:
    """One option for improving the feature."""

    name: StrategyName
    label: str  # how reports name it
    method: Method | None  # the training job it launches; None when nothing is trained
    costing: Costing  # today's model (prompt), with retrieval (rag), a fine-tune, or another model prompted (switch)
    retrieval: bool  # it retrieves context on every request (RAG's costs and defaults apply)
    steps: tuple[StrategyName, ...]  # the plan when it is chosen (a retrieval plan adds the training after it)
    lead: Callable[[Facts, list[str], str], str]  # the summary's opening: (facts, plan, model to fine-tune)


def _prompt_lead(facts: Facts, plan: list[str], base: str) -> str:
    scenario = facts.scenario
    return f"Stay with prompting {scenario.models.current}" + (
        " and build an eval set first" if not scenario.task.has_eval_set else ""
    )


def _switch_lead(facts: Facts, plan: list[str], base: str) -> str:
    return f"Prompt {base}, a current model that cannot be fine-tuned, with today's prompt"


def _rag_lead(facts: Facts, plan: list[str], base: str) -> str:
    return "Add retrieval (RAG) over the knowledge base" + (
        ", then RFT for the reasoning" if plan == ["rag", "rft"] else ""
    )


def _sft_lead(facts: Facts, plan: list[str], base: str) -> str:
    data = facts.scenario.data
    examples = "demonstrations" if data.demonstrations else "examples"
    return f"Fine-tune {base} with SFT on {max(data.demonstrations, data.preference_pairs):,} {examples}"


def _dpo_lead(facts: Facts, plan: list[str], base: str) -> str:
    return f"Fine-tune {base} with SFT, then DPO on {facts.scenario.data.preference_pairs:,} preference pairs"


def _rft_lead(facts: Facts, plan: list[str], base: str) -> str:
    graded = facts.scenario.data.graded_prompts
    return f"Run reinforcement fine-tuning (RFT) on {base} with {graded:,} graded prompts"


def _rag_sft_lead(facts: Facts, plan: list[str], base: str) -> str:
    return (
        f"Add retrieval (RAG) for the facts and fine-tune {base} with SFT for the "
        f"{' and '.join(f.replace('-', ' ') for f in facts.behaviour) or 'behaviour'}"
    )


STRATEGIES: tuple[Strategy, ...] = (
    Strategy("prompt", "Prompting", None, "prompt", False, ("prompt",), _prompt_lead),
    Strategy("rag", "RAG", None, "rag", True, ("rag",), _rag_lead),
    Strategy("sft", "SFT", "sft", "fine-tune", False, ("sft",), _sft_lead),
    Strategy("dpo", "SFT then DPO", "dpo", "fine-tune", False, ("sft", "dpo"), _dpo_lead),
    Strategy("rft", "RFT", "rft", "fine-tune", False, ("rft",), _rft_lead),
    Strategy("rag+sft", "RAG + SFT", "sft", "fine-tune", True, ("rag", "sft"), _rag_sft_lead),
    Strategy("switch", "Prompt another model", None, "switch", False, ("switch",), _switch_lead),
)
BY_NAME: dict[str, Strategy] = {strategy.name: strategy for strategy in STRATEGIES}
STRATEGY_NAMES: dict[str, str] = {strategy.name: strategy.label for strategy in STRATEGIES}  # name -> label
TRAINING: frozenset[str] = frozenset(strategy.name for strategy in STRATEGIES if strategy.method)
