"""What a training job costs, in whatever unit its provider bills: the one place that knows the units.

`price_training` prices a job before it runs (estimate, recommend, dataset check, pre-flight) and after
(the tokens or GPU-hours the provider reports); `billing_of` says which unit a row bills in:
tokens (SFT, DPO; by LoRA or full, and by training tier), hours (hosted RFT), or GPU-hours on the team's
own GPUs from published throughput (GRPO's generation priced apart from its training). Also the
cookbook's default-epochs rule and the per-example token cap."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
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


SPOT = "-spot"  # a [gpus] row's name + this: the same GPU on spot (pre-emptible) capacity


@dataclass(frozen=True, slots=True, kw_only=True)
class Cluster:
    """Own GPUs: what a run holds while it runs. Training on `training_gpus` (GPUs per node x nodes); GRPO's
    generation on `generation_gpus` of their own (TRL's server mode, `trl vllm-serve` on another node: the two
    groups take turns, and each is held, and paid for, the whole time), or 0: on the training GPUs. `spot`:
    pre-emptible capacity, priced at the table's `-spot` rows (`gpus.H100-spot`)."""

    training_gpus: int = 1
    generation_gpus: int = 0
    spot: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class GpuWork:
    """One kind of work on one kind of GPU: tokens at a published speed, as GPU-hours at the GPU's price."""

    work: Literal["training", "generation"]
    tokens: int
    per_second: Decimal  # tokens a second per GPU
    gpu: str  # the table's [gpus] row
    per_hour: Decimal
    training_type: str | None = None  # training: the type whose throughput applies (lora, qlora, full)
    held_hours: Decimal | None = None  # GPU-hours held, busy or idle (GPUs of its own that wait their turn)

    @property
    def hours(self) -> Decimal:
        """GPU-hours of work at the published speed."""
        return Decimal(self.tokens) / (self.per_second * 3600)

    @property
    def billed_hours(self) -> Decimal:
        return self.hours if self.held_hours is None else self.held_hours

    @property
    def usd(self) -> Decimal:
        return self.billed_hours * self.per_hour

    def text(self, what: str) -> str:
        return (
            f"{what} / {self.per_second.normalize():,f} tokens a second per GPU = "
            f"{self.hours.quantize(Decimal('0.01'))} GPU-hours at {format_price(self.per_hour)} ({self.gpu})"
        )


Basis = Literal["tokens", "hours", "gpu_hours"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Rate:
    """What one unit of a job's training is billed at, and the table field that says so."""

    basis: Basis
    price: Decimal  # per 1M tokens, per hour or per GPU-hour, the tier's multiplier applied
    field: str  # in the row: `fine_tuning training`, `fine_tuning training_prices.sft.lora`, `gpus.h100`
    unit: str  # "per 1M training tokens", "an hour", "a GPU-hour"
    multiplier: Decimal = Decimal(1)  # the training tier's (Azure's developer tier is half of global)
    tier: str | None = None
    as_of: date | None = None  # a GPU row's own date; None: the table's

    def row(self, provider: str, model: str) -> str:
        """Where the price stands in the tables: a model's fine_tuning field, or a provider's GPU row."""
        return f"{provider} {self.field}" if self.basis == "gpu_hours" else f"{provider}:{model} {self.field}"


@dataclass(frozen=True, slots=True, kw_only=True)
class TrainingWork:
    """What a job trains, in every figure a billing unit may need; a unit reads the ones it bills.

    Before a run: the tokens of an epoch and the epochs (and, for GRPO on own GPUs, its rollouts), or
    the billable hours of hosted RFT. After a run, `measured`: the tokens the provider reports trained
    (as one epoch) or the GPU-hours it reports."""

    method: Method
    tokens_per_epoch: int | None = None
    epochs: int | None = None
    hours: Decimal | None = None  # hosted RFT: billable hours; own GPUs, measured: GPU-hours used
    rollouts: Rollouts | None = None  # own-GPU RFT: what GRPO generates
    training_type: str | None = None  # lora, qlora, full: where the table prices them apart
    tier: str | None = None  # the training tier, where the table has tiers
    measured: bool = False  # the figures are the provider's, after the run
    cluster: Cluster | None = None  # own GPUs: the GPUs the run holds (nodes, generation apart, spot)


class MissingFigure(ValueError):
    """The billing unit needs a figure the work does not give (`needs`: tokens, hours, prompts); `rate`
    is what it would be billed at, so a caller can still show the price."""

    def __init__(self, needs: Literal["tokens", "hours", "prompts"], message: str, rate: Rate) -> None:
        super().__init__(message)
        self.needs, self.rate = needs, rate


@dataclass(frozen=True, slots=True, kw_only=True)
class TrainingCost:
    """A training job's cost and how it was reached."""

    usd: Decimal
    basis: Basis | Literal["quoted"]
    method: Method
    rate: Rate | None = None  # None: quoted by the user
    epochs: int | None = None
    billed_tokens: int | None = None
    hours: Decimal | None = None  # hosted RFT: billable hours; own GPUs: GPU-hours of all `gpu_work`
    gpu_work: tuple[GpuWork, ...] = ()  # own GPUs: training, and GRPO's generation, each on its GPU
    explanation: str


def billing_of(prices: FineTuning, method: Method) -> Basis:
    """The unit a row bills `method` in: GPU-hours where it publishes throughput (the team's own GPUs),
    hours for hosted RFT, tokens otherwise."""
    if prices.throughput:
        return "gpu_hours"
    return "hours" if method == "rft" else "tokens"


def training_rate(
    prices: FineTuning,
    gpus: Mapping[str, Gpu],
    method: Method,
    *,
    training_type: str | None = None,
    tier: str | None = None,
    spot: bool = False,
) -> Rate:
    """The price of one billed unit of `method` on this row (ValueError when the row has none); `spot`: own
    GPUs on spot capacity, the table's `-spot` GPU row."""
    basis = billing_of(prices, method)
    if basis == "gpu_hours":
        kind = _training_type(prices, training_type)
        gpu = _spot(prices.gpu_for(kind), spot)
        found = _gpu(gpu, gpus)
        return Rate(basis=basis, price=found.per_hour, field=f"gpus.{gpu}", unit="a GPU-hour", as_of=found.as_of)
    multiplier, tier_name = training_tier(prices, tier)
    if basis == "hours":
        if prices.training_per_hour is None:
            raise ValueError("no hourly training price (`training_per_hour`) for rft")
        price, field, unit = prices.training_per_hour, "training_per_hour", "an hour"
    else:
        per_token = prices.token_price(method, training_type)
        if per_token is None:
            raise ValueError(f"no per-token training price for {method}")
        (price, field), unit = per_token, "per 1M training tokens"
    return Rate(
        basis=basis,
        price=price * multiplier,
        field=f"fine_tuning {field}",
        unit=unit,
        multiplier=multiplier,
        tier=tier_name,
    )


def price_training(work: TrainingWork, prices: FineTuning, gpus: Mapping[str, Gpu]) -> TrainingCost:
    """What `work` costs on this row, in the unit the row bills (ValueError for a training type, tier or
    GPU the row does not price; MissingFigure when the work lacks a figure the unit needs)."""
    spot = work.cluster is not None and work.cluster.spot
    rate = training_rate(prices, gpus, work.method, training_type=work.training_type, tier=work.tier, spot=spot)
    if rate.basis == "hours":
        if work.hours is None:
            raise MissingFigure("hours", "RFT is billed per training hour: the billable hours are needed", rate)
        return _by_hours(work, rate)
    if rate.basis == "gpu_hours" and work.measured:
        if work.hours is None:
            raise MissingFigure("hours", "the GPU-hours the run used are needed", rate)
        return _measured_gpu_hours(work, rate)
    if work.tokens_per_epoch is None or work.epochs is None:
        raise MissingFigure("tokens", f"a {work.method} cost needs the size of the training data", rate)
    if rate.basis == "gpu_hours":
        return _by_gpu_hours(work, prices, gpus)
    return _by_tokens(work, prices, rate)


def _by_tokens(work: TrainingWork, prices: FineTuning, rate: Rate) -> TrainingCost:
    """SFT and DPO: price per 1M training tokens x tokens in the file x epochs, at the training type's
    price (LoRA or full, where the table tells them apart), times the tier's multiplier, never under
    the provider's per-job minimum.

    Validation tokens are not billed. For DPO OpenAI has not published how tokens are counted:
    input + preferred + non-preferred per example is an estimate, and says so."""
    assert work.tokens_per_epoch is not None and work.epochs is not None
    billed = work.tokens_per_epoch * work.epochs
    usd = per_million(billed, rate.price)
    base = rate.price / rate.multiplier
    if work.measured:
        explanation = f"{billed:,} trained tokens x {format_price(base)} per 1M"  # as the provider reports
    else:
        explanation = (
            f"{work.tokens_per_epoch:,} tokens x {work.epochs} epochs = {billed:,} billed tokens "
            f"at {format_price(base)} per 1M"
        )
    if rate.field != "fine_tuning training":
        explanation += f" ({rate.field.removeprefix('fine_tuning ').removeprefix('training_prices.')})"
    if rate.multiplier != 1:
        explanation += f" x {rate.multiplier.normalize():f} ({rate.tier} tier)"
    if work.method == "dpo" and not work.measured:
        explanation += " (DPO token counting is not published: input + both outputs, an estimate)"
    if prices.minimum_usd is not None and usd < prices.minimum_usd:
        usd = prices.minimum_usd
        explanation += f"; raised to the per-job minimum of {format_price(prices.minimum_usd)}"
    return TrainingCost(
        usd=usd,
        basis="tokens",
        method=work.method,
        rate=rate,
        epochs=work.epochs,
        billed_tokens=billed,
        explanation=explanation,
    )


def _by_hours(work: TrainingWork, rate: Rate) -> TrainingCost:
    """Hosted RFT: wall-clock hours of the core training loop x the hourly rate (prorated per second)."""
    assert work.hours is not None
    return TrainingCost(
        usd=work.hours * rate.price,
        basis="hours",
        method=work.method,
        rate=rate,
        hours=work.hours,
        explanation=f"{work.hours.normalize():f} billable hours at {format_price(rate.price)} "
        "an hour (graders' model tokens are billed separately)",
    )


def _measured_gpu_hours(work: TrainingWork, rate: Rate) -> TrainingCost:
    """Own GPUs after a run: the GPU-hours the provider reports (wall-clock x GPUs) at the row's GPU price."""
    assert work.hours is not None
    return TrainingCost(
        usd=work.hours * rate.price,
        basis="gpu_hours",
        method=work.method,
        rate=rate,
        hours=work.hours,
        explanation=f"{work.hours:.2f} GPU-hours (wall-clock x GPUs) x {format_price(rate.price)} ({rate.field})"
        + (" (spot: pre-emptible)" if work.cluster is not None and work.cluster.spot else ""),
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


def _training_type(prices: FineTuning, training_type: str | None) -> str:
    kind = training_type or next(iter(prices.throughput))
    if kind not in prices.throughput:
        raise ValueError(f"no published throughput for {kind!r}: one of {', '.join(prices.throughput)}")
    return kind


def _by_gpu_hours(work: TrainingWork, prices: FineTuning, gpus: Mapping[str, Gpu]) -> TrainingCost:
    """Own GPUs: GPU-hours = tokens / (tokens a second per GPU x 3,600), at the hourly price of the GPU the
    speed was measured on.

    RFT runs as GRPO: it generates `generations` completions of each prompt at inference speed
    (`generation_throughput`, on `generation_gpu`), then trains on every completion with its prompt, so the
    training tokens are prompts x generations + completions. The two are priced apart: they run at
    different speeds, and in TRL's server mode on different GPUs."""
    assert work.tokens_per_epoch is not None and work.epochs is not None
    tokens_per_epoch, epochs, rollouts = work.tokens_per_epoch, work.epochs, work.rollouts
    kind = _training_type(prices, work.training_type)
    trained, what, generation = tokens_per_epoch * epochs, f"{tokens_per_epoch:,} x {epochs} epochs", None
    if rollouts is not None and work.method == "rft":
        if prices.generation_throughput is None:
            raise ValueError("no published generation throughput (`generation_throughput`) for GRPO's rollouts")
        generated = rollouts.generated(epochs)
        trained = int(tokens_per_epoch * epochs * rollouts.generations) + generated
        what = (
            f"{tokens_per_epoch:,} prompt tokens x {epochs} epochs x {rollouts.generations.normalize():f} "
            f"generations + {generated:,} completion tokens"
        )
        cluster = work.cluster or Cluster()
        gpu = _spot(prices.generation_gpu or prices.gpu, cluster.spot)
        generation = _work("generation", generated, prices.generation_throughput, gpu, gpus)
    cluster = work.cluster or Cluster()
    training = _work(
        "training", trained, prices.throughput[kind], _spot(prices.gpu_for(kind), cluster.spot), gpus, kind
    )
    work_done: tuple[GpuWork, ...] = (training,) if generation is None else (training, generation)
    held = None
    if generation is not None and cluster.generation_gpus:
        (training, generation), held = _taking_turns(training, generation, cluster)
        work_done = (training, generation)
    explanation = f"training: {training.text(f'{trained:,} tokens ({what}, {kind})')}"
    if generation is not None:
        explanation += f"; generation: {generation.text(f'{generation.tokens:,} completion tokens')}"
    if held is not None:
        explanation += f"; {held}"
    elif cluster.training_gpus > 1:
        wall = training.hours / cluster.training_gpus + (generation.hours / cluster.training_gpus if generation else 0)
        explanation += (
            f"; on {cluster.training_gpus} GPUs: {_clock(wall)} wall-clock (the speed per GPU taken to hold across "
            "GPUs and nodes)"
        )
    if cluster.spot:
        explanation += "; spot capacity: pre-emptible, at the -spot GPU prices"
    return TrainingCost(
        usd=sum((w.usd for w in work_done), Decimal(0)),
        basis="gpu_hours",
        method=work.method,
        rate=Rate(basis="gpu_hours", price=training.per_hour, field=f"gpus.{training.gpu}", unit="a GPU-hour"),
        epochs=epochs,
        billed_tokens=trained,
        hours=sum((w.billed_hours for w in work_done), Decimal(0)),
        gpu_work=work_done,
        explanation=explanation,
    )


def _taking_turns(training: GpuWork, generation: GpuWork, cluster: Cluster) -> tuple[tuple[GpuWork, GpuWork], str]:
    """TRL's server mode: the training GPUs wait while `trl vllm-serve` generates on GPUs of its own, and those
    wait while the training GPUs train; both groups are held the whole wall-clock time."""
    wall = training.hours / cluster.training_gpus + generation.hours / cluster.generation_gpus
    measured_on = generation.gpu
    held = (
        replace(training, held_hours=wall * cluster.training_gpus),
        # the generating node is one of the job's own: the same GPUs as the training nodes, at their price
        replace(generation, held_hours=wall * cluster.generation_gpus, gpu=training.gpu, per_hour=training.per_hour),
    )
    idle = sum((w.billed_hours - w.hours for w in held), Decimal(0))
    text = (
        f"generation on {cluster.generation_gpus} GPUs of its own (trl vllm-serve, a node of the job: {training.gpu} "
        f"at {format_price(training.per_hour)}, at the speed measured on {measured_on}) and training on "
        f"{cluster.training_gpus} take turns: {_clock(wall)} wall-clock, each group held throughout = "
        f"{sum((w.billed_hours for w in held), Decimal(0)).quantize(Decimal('0.01'))} GPU-hours billed, "
        f"{idle.quantize(Decimal('0.01'))} of them idle"
    )
    return held, text


def _clock(hours: Decimal) -> str:
    """Wall-clock time for reading: seconds under a minute, minutes under an hour."""
    if hours * 60 < 1:
        return f"{(hours * 3600).quantize(Decimal('1'))} seconds"
    if hours < 1:
        return f"{(hours * 60).quantize(Decimal('0.1'))} minutes"
    return f"{hours.quantize(Decimal('0.01'))} hours"


def _spot(gpu: str | None, spot: bool) -> str | None:
    """The [gpus] row of `gpu` on spot capacity (`H100-spot`), when `spot`."""
    return f"{gpu}{SPOT}" if spot and gpu else gpu


def _gpu(gpu: str | None, gpus: Mapping[str, Gpu]) -> Gpu:
    if gpu is not None and gpu.endswith(SPOT) and gpu not in gpus:
        raise ValueError(f"no spot price for gpu {gpu.removesuffix(SPOT)!r}: the table's [gpus] has no {gpu!r} row")
    if gpu is None or gpu not in gpus:
        raise ValueError(f"no price for gpu {gpu!r}: the table's [gpus] must list it")
    return gpus[gpu]


def _work(
    work: Literal["training", "generation"],
    tokens: int,
    per_second: Decimal,
    gpu: str | None,
    gpus: Mapping[str, Gpu],
    training_type: str | None = None,
) -> GpuWork:
    per_hour = _gpu(gpu, gpus).per_hour
    assert gpu is not None
    return GpuWork(
        work=work, tokens=tokens, per_second=per_second, gpu=gpu, per_hour=per_hour, training_type=training_type
    )
