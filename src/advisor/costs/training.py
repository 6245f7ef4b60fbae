"""What a training job costs: the cookbook's default-epochs rule, the per-example token cap,
token-billed methods (SFT, DPO; by LoRA or full, and by training tier), hour-billed RFT, and GPU-hours
on the team's own GPUs from published throughput (GRPO's generation priced apart from its training)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from advisor.costs.money import format_price, per_million
from advisor.methods import Method
from advisor.pricing.tables import FineTuning, Gpu

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
class Rollouts:
    """What GRPO samples in RFT on own GPUs: each prompt answered `generations` times an epoch, each
    completion about `completion_tokens` long (the expected length, or the longest as an upper bound)."""

    prompts: int
    generations: Decimal
    completion_tokens: Decimal

    def generated(self, epochs: int) -> int:
        """Completion tokens generated over `epochs` epochs."""
        return int(self.prompts * epochs * self.generations * self.completion_tokens)


@dataclass(frozen=True, slots=True, kw_only=True)
class GpuWork:
    """One kind of work on one kind of GPU: tokens at a published speed, as GPU-hours at the GPU's price."""

    work: Literal["training", "generation"]
    tokens: int
    per_second: Decimal  # tokens a second per GPU
    gpu: str  # the table's [gpus] row
    per_hour: Decimal
    training_type: str | None = None  # training: the type whose throughput applies (lora, qlora, full)

    @property
    def hours(self) -> Decimal:
        return Decimal(self.tokens) / (self.per_second * 3600)

    @property
    def usd(self) -> Decimal:
        return self.hours * self.per_hour

    def text(self, what: str) -> str:
        return (
            f"{what} / {self.per_second.normalize():,f} tokens a second per GPU = "
            f"{self.hours.quantize(Decimal('0.01'))} GPU-hours at {format_price(self.per_hour)} ({self.gpu})"
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class TrainingCost:
    """A training job's cost and how it was reached."""

    usd: Decimal
    basis: Literal["tokens", "hours", "gpu_hours", "quoted"]
    method: Method
    epochs: int | None = None
    billed_tokens: int | None = None
    hours: Decimal | None = None  # own GPUs: GPU-hours of all `gpu_work`
    gpu_work: tuple[GpuWork, ...] = ()  # own GPUs: training, and GRPO's generation, each on its GPU
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
    gpus: Mapping[str, Gpu],
    *,
    training_type: str | None = None,
    rollouts: Rollouts | None = None,
) -> TrainingCost:
    """Own GPUs: GPU-hours = tokens / (tokens a second per GPU x 3,600), at the hourly price of the GPU the
    speed was measured on.

    RFT runs as GRPO: it generates `generations` completions of each prompt at inference speed
    (`generation_throughput`, on `generation_gpu`), then trains on every completion with its prompt, so the
    training tokens are prompts x generations + completions. The two are priced apart: they run at
    different speeds, and in TRL's server mode on different GPUs."""
    kind = training_type or next(iter(prices.throughput))
    if kind not in prices.throughput:
        raise ValueError(f"no published throughput for {kind!r}: one of {', '.join(prices.throughput)}")
    trained, what, generation = tokens_per_epoch * epochs, f"{tokens_per_epoch:,} x {epochs} epochs", None
    if rollouts is not None and method == "rft":
        if prices.generation_throughput is None:
            raise ValueError("no published generation throughput (`generation_throughput`) for GRPO's rollouts")
        generated = rollouts.generated(epochs)
        trained = int(tokens_per_epoch * epochs * rollouts.generations) + generated
        what = (
            f"{tokens_per_epoch:,} prompt tokens x {epochs} epochs x {rollouts.generations.normalize():f} "
            f"generations + {generated:,} completion tokens"
        )
        gpu = prices.generation_gpu or prices.gpu
        generation = _work("generation", generated, prices.generation_throughput, gpu, gpus)
    training = _work("training", trained, prices.throughput[kind], prices.gpu_for(kind), gpus, kind)
    explanation = f"training: {training.text(f'{trained:,} tokens ({what}, {kind})')}"
    if generation is not None:
        explanation += f"; generation: {generation.text(f'{generation.tokens:,} completion tokens')}"
    work = (training,) if generation is None else (training, generation)
    return TrainingCost(
        usd=sum((w.usd for w in work), Decimal(0)),
        basis="gpu_hours",
        method=method,
        epochs=epochs,
        billed_tokens=trained,
        hours=sum((w.hours for w in work), Decimal(0)),
        gpu_work=work,
        explanation=explanation,
    )


def _work(
    work: Literal["training", "generation"],
    tokens: int,
    per_second: Decimal,
    gpu: str | None,
    gpus: Mapping[str, Gpu],
    training_type: str | None = None,
) -> GpuWork:
    if gpu is None or gpu not in gpus:
        raise ValueError(f"no price for gpu {gpu!r}: the table's [gpus] must list it")
    per_hour = gpus[gpu].per_hour
    return GpuWork(
        work=work, tokens=tokens, per_second=per_second, gpu=gpu, per_hour=per_hour, training_type=training_type
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
