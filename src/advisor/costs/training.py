"""What a training job costs: the cookbook's default-epochs rule, the per-example token cap,
token-billed methods (SFT, DPO) and hour-billed RFT."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel

from advisor.costs.money import format_price, per_million
from advisor.methods import Method
from advisor.pricing.tables import FineTuning

# OpenAI Cookbook, examples/Chat_finetuning_data_prep.ipynb
TARGET_EPOCHS = 3
MIN_TARGET_EXAMPLES = 100
MAX_TARGET_EXAMPLES = 25_000
MIN_DEFAULT_EPOCHS = 1
MAX_DEFAULT_EPOCHS = 25


def auto_epochs(examples: int) -> int:
    """Epochs the provider picks by default for `examples` training examples."""
    if examples <= 0:
        raise ValueError("examples must be positive")
    if examples * TARGET_EPOCHS < MIN_TARGET_EXAMPLES:
        return min(MAX_DEFAULT_EPOCHS, MIN_TARGET_EXAMPLES // examples)
    if examples * TARGET_EPOCHS > MAX_TARGET_EXAMPLES:
        return max(MIN_DEFAULT_EPOCHS, MAX_TARGET_EXAMPLES // examples)
    return TARGET_EPOCHS


def auto_epochs_rule(examples: int) -> str:
    """The rule, applied, in words for the assumptions list."""
    epochs = auto_epochs(examples)
    return (
        f"epochs auto = {epochs} for {examples:,} examples (cookbook rule: 3, raised so that "
        f"examples x epochs reaches {MIN_TARGET_EXAMPLES}, lowered to stay under "
        f"{MAX_TARGET_EXAMPLES:,}; between {MIN_DEFAULT_EPOCHS} and {MAX_DEFAULT_EPOCHS})"
    )


def billed_tokens_per_epoch(example_tokens: Sequence[int], cap: int | None) -> tuple[int, int]:
    """(tokens billed per epoch, examples over the cap); longer examples are truncated to the cap."""
    if cap is None or not example_tokens or max(example_tokens) <= cap:
        return sum(example_tokens), 0
    total = over = 0
    for tokens in example_tokens:
        if cap is not None and tokens > cap:
            total += cap
            over += 1
        else:
            total += tokens
    return total, over


class TrainingCost(BaseModel):
    """A training job's cost and how it was reached."""

    usd: Decimal
    basis: Literal["tokens", "hours", "quoted"]
    method: Method
    epochs: int | None = None
    billed_tokens: int | None = None
    hours: Decimal | None = None
    explanation: str


def token_training_cost(method: Method, tokens_per_epoch: int, epochs: int, prices: FineTuning) -> TrainingCost:
    """SFT and DPO: price per 1M training tokens x tokens in the file x epochs.

    Validation tokens are not billed. For DPO OpenAI has not published how tokens are counted:
    input + preferred + non-preferred per example is an estimate, and says so.
    """
    assert prices.training is not None
    billed = tokens_per_epoch * epochs
    usd = per_million(billed, prices.training)
    explanation = (
        f"{tokens_per_epoch:,} tokens x {epochs} epochs = {billed:,} billed tokens "
        f"at {format_price(prices.training)} per 1M"
    )
    if method == "dpo":
        explanation += " (DPO token counting is not published: input + both outputs, an estimate)"
    return TrainingCost(
        usd=usd, basis="tokens", method=method, epochs=epochs, billed_tokens=billed, explanation=explanation
    )


def hourly_training_cost(hours: Decimal, prices: FineTuning) -> TrainingCost:
    """RFT: wall-clock hours of the core training loop x the hourly rate (prorated per second)."""
    assert prices.training_per_hour is not None
    usd = hours * prices.training_per_hour
    return TrainingCost(
        usd=usd,
        basis="hours",
        method="rft",
        hours=hours,
        explanation=f"{hours.normalize():f} billable hours at {format_price(prices.training_per_hour)} "
        "an hour (graders' model tokens are billed separately)",
    )
