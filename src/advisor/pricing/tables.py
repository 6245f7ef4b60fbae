"""Price tables: the TOML schema, and loading files into validated tables.

A table is one provider's prices in USD per 1M tokens, with the date they were read (`as_of`)
and where (`source`). Loading never guesses: a malformed or incomplete file is refused with its
path, line and field. A price is a number written as a number (`"2.00"` in quotes is refused) and at
most MAX_PRICE; other figures at most MAX_AMOUNT, so that every cost computed from them stays exact.

The tables are frozen dataclasses whose fields carry their constraints (`Check`); pydantic validates a
file against them (pricing/table_validation.py) the first time advisor reads it, and the validated
table is kept in the user's cache (pricing/table_cache.py), so a later command neither parses TOML nor
imports pydantic.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from advisor.methods import Method
from advisor.parsing.constraints import Check
from advisor.parsing.quantities import MAX_AMOUNT, written_as_number

MAX_PRICE = Decimal(1_000_000)  # USD per 1M tokens, per hour or per job: a dollar a token


def written_as_date(value: Any) -> Any:
    """A validator for dates read from TOML: a date is written as one (`as_of = 2026-06-30`); the text
    `"2026-06-30"` and a date with a time are refused, not converted."""
    if isinstance(value, str):
        raise ValueError(f"expected a date, not the text {value!r} (write it without quotes, as 2026-06-30)")
    if isinstance(value, datetime):
        raise ValueError(f"expected a date, not a date and time ({value.isoformat()}): write the day only")
    return value


def not_reserved(value: Any) -> Any:
    """A provider may not be called `all`: `--provider all` means every provider."""
    if value == "all":
        raise ValueError("'all' is reserved (`--provider all` compares every provider): name the provider")
    return value


Day = Annotated[date, Check(before=written_as_date)]
Price = Annotated[Decimal, Check(before=written_as_number, ge=0, le=MAX_PRICE, allow_inf_nan=False)]
Positive = Annotated[Decimal, Check(before=written_as_number, gt=0, le=MAX_AMOUNT, allow_inf_nan=False)]
PositiveInt = Annotated[int, Check(gt=0)]
Text = Annotated[str, Check(min_length=1)]
ProviderName = Annotated[str, Check(before=not_reserved, min_length=1, pattern=r"^[a-z0-9][a-z0-9_.-]*$")]
TrainingType = Literal["lora", "qlora", "full"]
SizeClass = Literal["full", "mini", "nano"]
# how a deployed fine-tune is billed: per token only (serverless), by the hour only with tokens free
# (dedicated GPUs), or both (a deployment with an hourly fee whose tokens are billed too: Azure)
Hosting = Literal["serverless", "dedicated", "deployment"]
INFERENCE_FIELDS = (
    "input", "cached_input", "output", "batch_input", "batch_cached_input", "batch_output", "cache_write"
)  # fmt: skip
CHANGED_PRICES = (*INFERENCE_FIELDS, "training", "hosting_per_hour")  # the prices a PriceChange can set
BUNDLED_PACKAGE_DIR = "pricing_tables"
# keys of `training_prices`: a method, or a method and a training type
TRAINING_PRICE_KEYS = frozenset(
    {"sft", "dpo", "sft.lora", "sft.full", "dpo.lora", "dpo.full", "sft.qlora", "dpo.qlora"}
)
# fine-tuning figures besides `throughput.TYPE` that `sources` can name
SOURCED_FIGURES = (
    "generation_throughput",
    "rft_rollouts",
    "hosting_per_hour",
    "hosting_per_minute",
    "training",
    "training_per_hour",
)
# pydantic's configuration of every table dataclass: a key the schema does not know is an error
_STRICT: Any = {"extra": "forbid"}
# The validated-table cache (pricing/table_cache.py) is keyed by this version, so an entry kept by code with
# another schema is never read. Beside it, the schema's fingerprint at each version: every dataclass of a
# table or an overlay, reached through the annotations (fields, types, Checks, `before` validators,
# defaults, pydantic's configuration). tests/test_price_schema_version.py computes it from the code and
# fails when it changes without a new version here: add one, with the fingerprint the test prints.
SCHEMA_VERSION = 2  # 2: the header's provider and texts typed as the table's own (ProviderName, Text)
SCHEMA_FINGERPRINTS = {
    1: "ae17617b0065c5716c25c9cb9305475253cd29354b23dde11adf9f1362a0fa45",
    2: "1e6107b415d895c3f07959fb88fb328c0c82b790288a35cc2d654fd204f2be12",
}
# an encoding, optionally followed by the chat format it counts in (advisor.tokens.chat_format)
_COUNTING = r"^[A-Za-z0-9][A-Za-z0-9_.-]*(:[a-z0-9]+)?$"


@dataclass(frozen=True, slots=True, kw_only=True)
class DatedSource:
    """Another source's date for a row's date (shutdown, end of new jobs, end of serving). A date with
    two sources shows both, and advisor decides on the earlier."""

    __pydantic_config__ = _STRICT
    on: Day
    source: Text  # the document, short: "Azure model retirements table, ms.date 2025-12-16"
    url: str | None = None  # where it can be read
    as_of: Day | None = None  # when it was read
    note: str | None = None  # how the date follows from the document, when it is not stated there


@dataclass(frozen=True, slots=True, kw_only=True)
class PriceChange:
    """Prices in force from `since` until the day before `until`; the fields given replace the row's. A row
    carries its price history this way, so `--today` prices a proposal with the prices of its day."""

    __pydantic_config__ = _STRICT
    since: Day | None = None
    until: Day | None = None
    source: Text
    as_of: Day | None = None
    input: Price | None = None
    cached_input: Price | None = None
    output: Price | None = None
    batch_input: Price | None = None
    batch_cached_input: Price | None = None
    batch_output: Price | None = None
    cache_write: Price | None = None  # base models only
    training: Price | None = None  # fine-tuning only
    hosting_per_hour: Price | None = None  # fine-tuning only

    def __post_init__(self) -> None:
        if self.since is not None and self.until is not None and self.until <= self.since:
            raise ValueError(f"`until` ({self.until}) must come after `since` ({self.since})")

    def in_force(self, today: date) -> bool:
        return (self.since is None or self.since <= today) and (self.until is None or today < self.until)

    def given(self) -> dict[str, Decimal]:
        """The prices this change sets, by field."""
        return {name: value for name in CHANGED_PRICES if (value := getattr(self, name)) is not None}


def price_keywords(prices: Mapping[str, Decimal | None]) -> dict[str, Any]:
    """`prices` (price field -> USD per unit) as keyword arguments of a PriceChange, a ModelRow or a
    FineTuning, each name checked to be a price: the names are known only at run time, where no type
    checker can follow them."""
    if unknown := set(prices).difference(CHANGED_PRICES):
        raise ValueError(f"not prices: {', '.join(sorted(unknown))}")
    return dict(prices)


def changes_in_force(changes: list[PriceChange], today: date) -> list[PriceChange]:
    """The changes in force on `today`, oldest first (a later one wins where two set the same field)."""
    return sorted((change for change in changes if change.in_force(today)), key=lambda c: c.since or date.min)


def earliest(first: date | None, sources: list[DatedSource]) -> date | None:
    """The earlier of a date and its other sources' dates (None when there is no date at all)."""
    dates = [d for d in (first, *(s.on for s in sources)) if d is not None]
    return min(dates) if dates else None


@dataclass(frozen=True, slots=True, kw_only=True)
class InferencePrices:
    """Per-token prices of one way of serving a model."""

    __pydantic_config__ = _STRICT
    input: Price
    cached_input: Price | None = None
    output: Price | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class _TieredPrices:
    """Standard and Batch API prices of one way of serving a model."""

    __pydantic_config__ = _STRICT
    input: Price | None = None  # optional in a table: genai-prices may supply it (pricing/genai.py)
    cached_input: Price | None = None
    output: Price | None = None
    batch_input: Price | None = None
    batch_cached_input: Price | None = None
    batch_output: Price | None = None

    def tier(self, *, batch: bool = False) -> InferencePrices | None:
        """Prices of the standard or batch tier, None when the row has none for it."""
        if not batch:
            if self.input is None:
                return None
            return InferencePrices(input=self.input, cached_input=self.cached_input, output=self.output)
        if self.batch_input is None:
            return None
        return InferencePrices(input=self.batch_input, cached_input=self.batch_cached_input, output=self.batch_output)


@dataclass(frozen=True, slots=True, kw_only=True)
class Deployment:
    """A way of deploying a fine-tune other than the default (e.g. Azure's Developer tier)."""

    __pydantic_config__ = _STRICT
    hosting_per_hour: Price
    lifetime_hours: PositiveInt | None = None  # the deployment is deleted after this long
    notes: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class FineTuning(_TieredPrices):
    """What training a model costs, and what its fine-tunes cost to run."""

    methods: Annotated[list[Method], Check(min_length=1)]
    training: Price | None = None  # USD per 1M billed training tokens
    # USD per 1M training tokens by method or method.training_type
    training_prices: dict[str, Price] = field(default_factory=dict)
    training_types: list[TrainingType] = field(default_factory=list)  # LoRA, QLoRA, full; first = default
    # multipliers of the training price by tier; the first is the default
    training_tiers: dict[str, Positive] = field(default_factory=dict)
    training_per_hour: Price | None = None  # USD per hour of training (RFT)
    # training tokens per second per GPU by training type (own GPUs)
    throughput: dict[str, Positive] = field(default_factory=dict)
    gpu: str | None = None  # the table's `gpus` row whose hourly price the throughput uses
    # a training type measured on another GPU than `gpu`: its [gpus] row (e.g. { qlora = "RTX-4090" })
    throughput_gpus: dict[str, str] = field(default_factory=dict)
    rft_rollouts: Positive | None = None  # generations per prompt in RFT (GRPO) rollouts, for GPU-hour estimates
    # RFT (GRPO) generation: completion tokens a second per GPU (vLLM), on the `generation_gpu` row (else `gpu`)
    generation_throughput: Positive | None = None
    generation_gpu: str | None = None
    # where each figure comes from, by field: { "throughput.lora" = "URL, what was read, when", ... }
    sources: dict[str, str] = field(default_factory=dict)
    minimum_usd: Price | None = None  # a job is billed at least this much
    # "base": fine-tuned tokens are billed at the base model's prices in force (Azure: "Same as base model")
    token_prices: Literal["own", "base"] = "own"
    token_prices_note: str | None = None  # the source of `token_prices = "base"`
    data_sharing: InferencePrices | None = None
    max_example_tokens: PositiveInt | None = None
    hosting: Hosting | None = None  # how a deployed fine-tune is billed (see Hosting)
    hosting_per_hour: Price | None = None
    hosting_per_minute: Price | None = None
    hosting_gpu: str | None = None  # dedicated hosting on this many of the table's `gpus` rows ...
    hosting_gpus: PositiveInt | None = None  # ... billed at their hourly price
    hosting_note: str | None = None  # the source of the hosting terms (and the size the GPUs were chosen for)
    deployments: dict[str, Deployment] = field(default_factory=dict)
    storage_per_month: Price | None = None  # USD a month to keep one fine-tune stored
    auto_pause_usd: Price | None = None
    new_jobs_until: Day | None = None  # the day job creation ends: no new job starts on or after it
    new_jobs_sources: list[DatedSource] = field(default_factory=list)  # other sources' dates for it
    serving_until: Day | None = None  # the day fine-tunes stop serving, if not the base's shutdown
    serving_note: str | None = None
    serving_sources: list[DatedSource] = field(default_factory=list)
    prices: list[PriceChange] = field(default_factory=list)  # dated changes of these prices
    unverified: str | None = None
    notes: str | None = None

    def __post_init__(self) -> None:
        if self.token_prices == "own" and (self.input is None or self.output is None):
            missing = "input" if self.input is None else "output"
            raise ValueError(f'`{missing}` (the fine-tuned model\'s price) is required, unless token_prices = "base"')
        if self.token_prices == "base" and not self.token_prices_note:
            raise ValueError('`token_prices_note` is required with token_prices = "base" (say where it is stated)')
        if (self.hosting_gpu is None) != (self.hosting_gpus is None):
            raise ValueError("give `hosting_gpu` and `hosting_gpus` together (which GPU, and how many)")
        fees = [
            name
            for name in ("hosting_per_hour", "hosting_per_minute", "hosting_gpu")
            if getattr(self, name) is not None
        ]
        if len(fees) > 1:
            raise ValueError(f"give one hosting fee, not {' and '.join(f'`{name}`' for name in fees)}")
        if self.hosting in ("dedicated", "deployment") and not fees:
            raise ValueError(
                f"hosting = {self.hosting!r} needs its hourly fee: `hosting_per_hour`, `hosting_per_minute`, "
                "or `hosting_gpu` with `hosting_gpus`"
            )
        if self.hosting == "serverless" and fees:
            raise ValueError("hosting = 'serverless' bills no hosting fee: drop it, or say 'deployment'")
        if self.hosting is not None and fees and not self.hosting_note:
            raise ValueError("`hosting_note` is required with a hosting fee (its source, and the size it is for)")
        for change in self.prices:
            if change.cache_write is not None:
                raise ValueError("prices: `cache_write` is a base model's price, not a fine-tune's")
        unknown = sorted(set(self.training_prices) - TRAINING_PRICE_KEYS)
        if unknown:
            raise ValueError(f"training_prices: unknown key(s) {', '.join(unknown)}; use method or method.type")
        for method in sorted({"sft", "dpo"} & set(self.methods)):
            priced = (
                self.training is not None
                or self.throughput
                or any(key.split(".")[0] == method for key in self.training_prices)
            )
            if not priced:
                raise ValueError(
                    f"`training` (USD per 1M tokens), `training_prices` or `throughput` is required for {method}"
                )
        if "rft" in self.methods and self.training_per_hour is None and not self.throughput:
            raise ValueError("`training_per_hour` (or `throughput` on own GPUs) is required for rft")
        if self.throughput and self.gpu is None:
            raise ValueError("`gpu` is required with `throughput` (which GPU's hourly price applies)")
        self._check_own_gpu_fields()

    def _check_own_gpu_fields(self) -> None:
        """Own-GPU fields name what they qualify: a measured training type, a figure of the row."""
        if unknown := sorted(set(self.throughput_gpus) - set(self.throughput)):
            raise ValueError(f"throughput_gpus: {', '.join(unknown)} has no `throughput` (a training type it prices)")
        if self.generation_throughput is not None and not self.throughput:
            raise ValueError("`generation_throughput` prices GRPO generation on own GPUs: give `throughput` too")
        if self.generation_gpu is not None and self.generation_throughput is None:
            raise ValueError("`generation_gpu` needs `generation_throughput` (tokens a second per GPU on it)")
        if "rft" in self.methods and self.throughput and self.generation_throughput is None:
            raise ValueError(
                "`generation_throughput` is required for rft on own GPUs: GRPO generates its rollouts at inference "
                "speed, not training speed (completion tokens a second per GPU, e.g. vLLM's)"
            )
        figures = {f"throughput.{kind}" for kind in self.throughput}
        figures |= {name for name in SOURCED_FIGURES if getattr(self, name) is not None}
        if unknown := sorted(set(self.sources) - figures):
            known = ", ".join(sorted(figures)) or "none"
            raise ValueError(f"sources: {', '.join(unknown)} is not a figure of this row (its figures: {known})")

    def gpu_for(self, training_type: str) -> str | None:
        """The [gpus] row a training type's throughput was measured on (own GPUs)."""
        return self.throughput_gpus.get(training_type, self.gpu)

    def gpus_used(self) -> list[str]:
        """Every [gpus] row this row prices with: training, each measured training type, generation."""
        names = [self.gpu, *self.throughput_gpus.values(), self.generation_gpu]
        return list(dict.fromkeys(name for name in names if name))

    def hosting_hourly(self, gpus: dict[str, Gpu]) -> Decimal | None:
        """The hourly fee of a deployed fine-tune, whether the table quotes it per hour, per minute, or as a
        number of its `gpus` rows."""
        if self.hosting_per_minute is not None:
            return self.hosting_per_minute * 60
        if self.hosting_gpu is not None and self.hosting_gpus is not None:
            return gpus[self.hosting_gpu].per_hour * self.hosting_gpus
        return self.hosting_per_hour

    def token_price(self, method: Method, training_type: str | None = None) -> tuple[Decimal, str] | None:
        """USD per 1M training tokens for `method` (and a training type), with the field it came from."""
        kind = training_type or (self.training_types[0] if self.training_types else None)
        for key in ([f"{method}.{kind}"] if kind else []) + [method]:
            if key in self.training_prices:
                return self.training_prices[key], f"training_prices.{key}"
        return (self.training, "training") if self.training is not None else None

    def serving(self, *, batch: bool = False, data_sharing: bool = False) -> InferencePrices | None:
        """Fine-tuned inference prices for the chosen tier, None when the table has none."""
        return self.data_sharing if data_sharing else self.tier(batch=batch)


@dataclass(frozen=True, slots=True, kw_only=True)
class ModelRow(_TieredPrices):
    """One model in a table. Its inference prices may be left to genai-prices (pricing/genai.py), which
    advisor reads for the models it knows; `override` keeps the table's own, with the reason."""

    kind: Literal["chat", "embedding"] = "chat"
    aliases: list[str] = field(default_factory=list)
    # a built-in tiktoken encoding (o200k_base, cl100k_base) or one a plugin ships (advisor_register_tokenizers),
    # optionally in another chat format (cl100k_base:llama3; advisor.tokens.chat_format)
    encoding: Annotated[str, Check(pattern=_COUNTING)] | None = None
    encoding_exact: bool = True  # False: the encoding only approximates the model's own tokenizer
    encoding_note: str | None = None  # the measured error of an approximation, and how it was measured
    # counts with this when `encoding` is not installed (a plugin's tokenizer), always approximate
    encoding_fallback: Annotated[str, Check(pattern=_COUNTING)] | None = None
    encoding_fallback_note: str | None = None  # the fallback's measured error, and how it was measured
    parameters_b: Positive | None = None  # model size in billions of parameters
    open_weights: bool = False
    size_class: SizeClass | None = None  # full, mini or nano: models of one class replace each other
    reasoning: bool = False  # reasons by default: its reasoning tokens are billed as output
    reasoning_note: str | None = None
    cache_write: Price | None = None  # USD per 1M tokens written to the prompt cache
    prices: list[PriceChange] = field(default_factory=list)  # dated changes of the inference prices
    override: str | None = None  # why this table's inference prices win over genai-prices'
    genai_model: str | None = None  # the genai-prices model whose prices apply, when its name differs
    unverified: str | None = None
    shutdown: Day | None = None  # the day the model (and its fine-tunes) stop serving
    shutdown_note: str | None = None
    shutdown_sources: list[DatedSource] = field(default_factory=list)  # other sources' dates for it
    successor: str | None = None  # the model the provider names to move to (a row of the same table)
    successor_note: str | None = None  # the notice that names it
    notes: str | None = None
    fine_tuning: FineTuning | None = None

    def __post_init__(self) -> None:
        if not self.encoding_exact and not self.encoding_note:
            raise ValueError("`encoding_note` is required when `encoding_exact = false` (state the measured error)")
        if self.encoding_fallback and not self.encoding_fallback_note:
            raise ValueError("`encoding_fallback_note` is required with `encoding_fallback` (state the measured error)")
        if self.reasoning and not self.reasoning_note:
            raise ValueError("`reasoning_note` is required with `reasoning = true` (its source)")
        if self.successor is not None and not self.successor_note:
            raise ValueError("`successor_note` is required with `successor` (the notice that names it)")
        for change in self.prices:
            wrong = sorted({"training", "hosting_per_hour"} & set(change.given()))
            if wrong:
                raise ValueError(f"prices: `{wrong[0]}` is a fine-tuning price: give it under fine_tuning.prices")


@dataclass(frozen=True, slots=True, kw_only=True)
class Gpu:
    """One GPU's rental price (own-GPU tables): what a GPU-hour of training or serving costs."""

    __pydantic_config__ = _STRICT
    per_hour: Price
    source: str | None = None
    as_of: Day | None = None
    unverified: str | None = None  # why the price could not be checked at its source (e.g. read second-hand)


@dataclass(frozen=True, slots=True, kw_only=True)
class Notice:
    """A dated announcement that applies to a table's fine-tuning (e.g. a wind-down step)."""

    __pydantic_config__ = _STRICT
    since: Day
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PriceTable:
    """One provider's prices as read from one file."""

    __pydantic_config__ = _STRICT
    provider: ProviderName
    label: str | None = None  # the provider as it writes its own name, for reports
    currency: Literal["USD"]
    as_of: Day
    source: Text
    notes: str | None = None
    notices: list[Notice] = field(default_factory=list)
    unverified: str | None = None
    gpus: dict[str, Gpu] = field(default_factory=dict)
    models: Annotated[dict[str, ModelRow], Check(min_length=1)]
    path: str = ""  # file the table was read from

    def __post_init__(self) -> None:
        for name, row in self.models.items():
            for gpu in row.fine_tuning.gpus_used() if row.fine_tuning else []:
                if gpu not in self.gpus:
                    raise ValueError(f"model {name!r} trains on gpu {gpu!r}, which the table's [gpus] does not price")
            hosted = row.fine_tuning.hosting_gpu if row.fine_tuning else None
            if hosted is not None and hosted not in self.gpus:
                raise ValueError(f"model {name!r} is hosted on gpu {hosted!r}, which the table's [gpus] does not price")
        seen: dict[str, str] = {}
        for name, row in self.models.items():
            for alias in [name, *row.aliases]:
                if alias in seen and seen[alias] != name:
                    raise ValueError(
                        f"name {alias!r} is used by both models.{toml_key(seen[alias])} and models.{toml_key(name)}"
                    )
                seen[alias] = name


def toml_key(part: object) -> str:
    """A TOML key as a dotted path writes it: quoted when it holds a dot, a dash or a space."""
    text = str(part)
    return f'"{text}"' if any(ch in text for ch in ".- ") else text
