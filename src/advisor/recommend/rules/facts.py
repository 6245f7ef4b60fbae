"""What the rules read, derived once from the scenario: the failures split by lever, whether the
knowledge is volatile, and what stands in the way of RFT."""

from __future__ import annotations

from dataclasses import dataclass

from advisor.costs.figures import plural
from advisor.pricing.model_ids import parse_model_id
from advisor.recommend.scenario import Data, Scenario

# failures training fixes; JSON syntax errors are structured outputs' job
BEHAVIOUR_FAILURES = ("format", "consistency", "tone", "reasoning", "context-use")
COST_FAILURES = frozenset({"cost", "latency"})  # failures of the bill or the wait, not of the answers
VOLATILE = ("monthly", "weekly", "daily", "realtime")  # slowest first: rule text states the first
MIN_GRADED_PROMPTS = 20  # RFT works with "dozens to hundreds"


@dataclass(frozen=True)
class Facts:
    """What the rules read, derived once from the scenario."""

    scenario: Scenario
    failures: frozenset[str]
    behaviour: tuple[str, ...]
    knowledge_gap: bool
    volatile: bool
    rft_blockers: tuple[str, ...]
    current_fine_tuned: bool  # today's model is a fine-tune (an `ft:` id): its quality came from training

    @property
    def data(self) -> Data:
        return self.scenario.data

    @property
    def cost_only(self) -> bool:
        """What fails is cost or latency, nothing about the answers."""
        return bool(self.failures) and self.failures <= COST_FAILURES

    @property
    def quality_met(self) -> bool | None:
        """The prompted baseline meets the target (None: either is not measured)."""
        task = self.scenario.task
        if task.baseline_score is None or task.target_score is None:
            return None
        return task.baseline_score >= task.target_score


def facts_of(scenario: Scenario) -> Facts:
    failures = frozenset(scenario.task.failures)
    return Facts(
        scenario=scenario,
        failures=failures,
        behaviour=tuple(f for f in scenario.task.failures if f in BEHAVIOUR_FAILURES),
        knowledge_gap="knowledge" in failures,
        volatile=scenario.knowledge.volatility in VOLATILE,
        rft_blockers=tuple(_rft_blockers(scenario)),
        current_fine_tuned=parse_model_id(scenario.models.current).fine_tuned,
    )


def _rft_blockers(scenario: Scenario) -> list[str]:
    """Why RFT cannot work here (empty: all of its preconditions hold)."""
    data, task = scenario.data, scenario.task
    blockers = []
    if data.graded_prompts < MIN_GRADED_PROMPTS:
        blockers.append(f"{plural(data.graded_prompts, 'graded prompt')} (RFT needs dozens to hundreds)")
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
