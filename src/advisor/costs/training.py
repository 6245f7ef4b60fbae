"""What a training job costs: the cookbook's default-epochs rule, the per-example token cap,
token-billed methods (SFT, DPO; by LoRA or full, and by training tier), hour-billed RFT, and GPU-hours
on the team's own GPUs from published throughput."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

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


@dataclass(frozen=True, slots=True, kw_only=True)
class TrainingCost:
    """A training job's cost and how it was reached."""

    usd: Decimal
    basis: Literal["tokens", "hours", "gpu_hours", "quoted"]
    method: Method
    epochs: int | None = None
    billed_tokens: int | None = None
    hours: Decimal | None = None
    explanation: str


def token_training_cost(
    method: Method,
    tokens_per_epoch: int,
    epochs: int,
    prices: FineTuning,
    *,
    training_type: str | None = None,
    tier: str | None = None,
) -> TrainingCost:
    """SFT and DPO: price per 1M training tokens x tokens in the file x epochs, at the training type's
    price (LoRA or full, where the table tells them apart), times the tier's multiplier, never under
    the provider's per-job minimum.

    Validation tokens are not billed. For DPO OpenAI has not published how tokens are counted:
    input + preferred + non-preferred per example is an estimate, and says so.
    """
    found = prices.token_price(method, training_type)
    if found is None:
        raise ValueError(f"no per-token training price for {method}")
    price, field = found
    billed = tokens_per_epoch * epochs
    multiplier, tier_name = training_tier(prices, tier)
    usd = per_million(billed, price) * multiplier
    explanation = (
        f"{tokens_per_epoch:,} tokens x {epochs} epochs = {billed:,} billed tokens at {format_price(price)} per 1M"
    )
    if field != "training":
        explanation += f" ({field.removeprefix('training_prices.')})"
    if multiplier != 1:
        explanation += f" x {multiplier.normalize():f} ({tier_name} tier)"
    if method == "dpo":
        explanation += " (DPO token counting is not published: input + both outputs, an estimate)"
    if prices.minimum_usd is not None and usd < prices.minimum_usd:
        usd = prices.minimum_usd
        explanation += f"; raised to the per-job minimum of {format_price(prices.minimum_usd)}"
    return TrainingCost(
        usd=usd, basis="tokens", method=method, epochs=epochs, billed_tokens=billed, explanation=explanation
    )


def training_tier(prices: FineTuning, tier: str | None) -> tuple[Decimal, str | None]:
    """The multiplier of a training tier (the table's first tier when none is chosen; 1 without tiers)."""
    if not prices.training_tiers:
        if tier is not None:
            raise ValueError(f"this model has no training tiers (asked for {tier!r})")
        return Decimal(1), None
    name = tier or next(iter(prices.training_tiers))
    if name not in prices.training_tiers:
        raise ValueError(f"unknown training tier {name!r}: one of {', '.join(prices.training_tiers)}")
    return prices.training_tiers[name], name


def gpu_training_cost(
    method: Method,
    tokens_per_epoch: int,
    epochs: int,
    prices: FineTuning,
    gpu_per_hour: Decimal,
    *,
    training_type: str | None = None,
    rollout_tokens: int = 0,
) -> TrainingCost:
    """Own GPUs: GPU-hours = (training tokens x epochs + RFT rollout tokens) / (tokens a second per GPU
    x 3,600), at the GPU's hourly price. Rollout tokens are what GRPO generates: prompts x epochs x
    generations x expected completion length."""
    kind = training_type or next(iter(prices.throughput))
    if kind not in prices.throughput:
        raise ValueError(f"no published throughput for {kind!r}: one of {', '.join(prices.throughput)}")
    per_second = prices.throughput[kind]
    processed = tokens_per_epoch * epochs + rollout_tokens
    hours = Decimal(processed) / (per_second * 3600)
    explanation = (
        f"{processed:,} tokens ({tokens_per_epoch:,} x {epochs} epochs"
        + (f" + {rollout_tokens:,} generated in rollouts" if rollout_tokens else "")
        + f") / {per_second.normalize():,f} tokens a second per GPU ({kind}) = "
        f"{hours.quantize(Decimal('0.01'))} GPU-hours at {format_price(gpu_per_hour)} ({prices.gpu})"
    )
    return TrainingCost(
        usd=hours * gpu_per_hour,
        basis="gpu_hours",
        method=method,
        epochs=epochs,
        billed_tokens=processed,
        hours=hours,
        explanation=explanation,
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
