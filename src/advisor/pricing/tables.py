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

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from advisor.errors import UserError
from advisor.methods import Method
from advisor.parsing.constraints import Check
from advisor.parsing.file_text import decode_utf8
from advisor.parsing.quantities import MAX_AMOUNT, written_as_number

MAX_PRICE = Decimal(1_000_000)  # USD per 1M tokens, per hour or per job: a dollar a token


Price = Annotated[Decimal, Check(before=written_as_number, ge=0, le=MAX_PRICE, allow_inf_nan=False)]
Positive = Annotated[Decimal, Check(before=written_as_number, gt=0, le=MAX_AMOUNT, allow_inf_nan=False)]
PositiveInt = Annotated[int, Check(gt=0)]
TrainingType = Literal["lora", "qlora", "full"]
BUNDLED_PACKAGE_DIR = "pricing_tables"
# keys of `training_prices`: a method, or a method and a training type
TRAINING_PRICE_KEYS = frozenset(
    {"sft", "dpo", "sft.lora", "sft.full", "dpo.lora", "dpo.full", "sft.qlora", "dpo.qlora"}
)
# pydantic's configuration of every table dataclass: a key the schema does not know is an error
_STRICT: Any = {"extra": "forbid"}
# an encoding, optionally followed by the chat format it counts in (advisor.tokens.chat_format)
_COUNTING = r"^[A-Za-z0-9][A-Za-z0-9_.-]*(:[a-z0-9]+)?$"


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
    input: Price
    cached_input: Price | None = None
    output: Price | None = None
    batch_input: Price | None = None
    batch_cached_input: Price | None = None
    batch_output: Price | None = None

    def tier(self, *, batch: bool = False) -> InferencePrices | None:
        """Prices of the standard or batch tier, None when the table has no batch prices."""
        if not batch:
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
    rft_rollouts: Positive | None = None  # generations per prompt in RFT (GRPO) rollouts, for GPU-hour estimates
    minimum_usd: Price | None = None  # a job is billed at least this much
    output: Price
    data_sharing: InferencePrices | None = None
    max_example_tokens: PositiveInt | None = None
    hosting_per_hour: Price | None = None
    hosting_per_minute: Price | None = None
    deployments: dict[str, Deployment] = field(default_factory=dict)
    storage_per_month: Price | None = None  # USD a month to keep one fine-tune stored
    auto_pause_usd: Price | None = None
    new_jobs_until: date | None = None
    serving_until: date | None = None  # last day fine-tunes serve, if not the base's shutdown
    serving_note: str | None = None
    unverified: str | None = None
    notes: str | None = None

    def __post_init__(self) -> None:
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
        if self.hosting_per_hour is not None and self.hosting_per_minute is not None:
            raise ValueError("give `hosting_per_hour` or `hosting_per_minute`, not both")

    @property
    def hosting_hourly(self) -> Decimal | None:
        """The hourly fee of a deployed fine-tune, whether the table quotes it per hour or per minute."""
        if self.hosting_per_minute is not None:
            return self.hosting_per_minute * 60
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
    """One model in a table."""

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
    cache_write: Price | None = None  # USD per 1M tokens written to the prompt cache
    unverified: str | None = None
    shutdown: date | None = None
    shutdown_note: str | None = None
    notes: str | None = None
    fine_tuning: FineTuning | None = None

    def __post_init__(self) -> None:
        if self.kind == "chat" and self.output is None:
            raise ValueError("`output` is required for a chat model")
        if not self.encoding_exact and not self.encoding_note:
            raise ValueError("`encoding_note` is required when `encoding_exact = false` (state the measured error)")
        if self.encoding_fallback and not self.encoding_fallback_note:
            raise ValueError("`encoding_fallback_note` is required with `encoding_fallback` (state the measured error)")


@dataclass(frozen=True, slots=True, kw_only=True)
class Gpu:
    """One GPU's rental price (own-GPU tables): what a GPU-hour of training or serving costs."""

    __pydantic_config__ = _STRICT
    per_hour: Price
    source: str | None = None
    as_of: date | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Notice:
    """A dated announcement that applies to a table's fine-tuning (e.g. a wind-down step)."""

    __pydantic_config__ = _STRICT
    since: date
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PriceTable:
    """One provider's prices as read from one file."""

    __pydantic_config__ = _STRICT
    provider: Annotated[str, Check(min_length=1, pattern=r"^[a-z0-9][a-z0-9_.-]*$")]
    label: str | None = None  # the provider as it writes its own name, for reports
    currency: Literal["USD"]
    as_of: date
    source: Annotated[str, Check(min_length=1)]
    notes: str | None = None
    notices: list[Notice] = field(default_factory=list)
    unverified: str | None = None
    gpus: dict[str, Gpu] = field(default_factory=dict)
    models: Annotated[dict[str, ModelRow], Check(min_length=1)]
    path: str = ""  # file the table was read from

    def __post_init__(self) -> None:
        for name, row in self.models.items():
            gpu = row.fine_tuning.gpu if row.fine_tuning else None
            if gpu is not None and gpu not in self.gpus:
                raise ValueError(f"model {name!r} trains on gpu {gpu!r}, which the table's [gpus] does not price")
        seen: dict[str, str] = {}
        for name, row in self.models.items():
            for alias in [name, *row.aliases]:
                if alias in seen and seen[alias] != name:
                    raise ValueError(
                        f"name {alias!r} is used by both models.{quote(seen[alias])} and models.{quote(name)}"
                    )
                seen[alias] = name


def quote(part: object) -> str:
    """A TOML key as a dotted path writes it: quoted when it holds a dot, a dash or a space."""
    text = str(part)
    return f'"{text}"' if any(ch in text for ch in ".- ") else text


def parse_table(text: str, path: str) -> PriceTable:
    """Parse and validate one table; errors name the file, line and field. A table validated before
    comes from the cache."""
    from advisor.pricing import table_cache

    table = table_cache.load(text, path)
    if table is None:
        from advisor.pricing.table_validation import validated_table

        table = validated_table(text, path)
        table_cache.store(text, path, table)
    return table


def read_table(path: Path) -> PriceTable:
    """Read one table file from disk."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UserError(
            f"cannot read price table ({exc.strerror})", where=str(path), hint="check the path given to --pricing"
        ) from None
    text = decode_utf8(data, path)
    return parse_table(text, str(path))


def bundled_tables() -> list[PriceTable]:
    """The tables shipped inside the package, in file-name order."""
    from importlib.resources import files

    folder = files("advisor") / BUNDLED_PACKAGE_DIR
    if not folder.is_dir():
        raise UserError(
            f"the bundled price tables are missing from {folder}",
            hint="reinstall advisor with `pip install .` (not an editable install)",
        )
    entries = sorted((entry for entry in folder.iterdir() if entry.name.endswith(".toml")), key=lambda e: e.name)
    return [parse_table(entry.read_text(encoding="utf-8"), f"(bundled) {entry.name}") for entry in entries]


def user_tables_dir() -> Path:
    """Per-user folder of extra tables: $ADVISOR_CONFIG_DIR/pricing or the platform config dir."""
    import os

    root = os.environ.get("ADVISOR_CONFIG_DIR")
    if not root:
        from platformdirs import user_config_dir

        root = user_config_dir("advisor", appauthor=False)
    return Path(root) / "pricing"


def user_tables() -> list[PriceTable]:
    folder = user_tables_dir()
    if not folder.is_dir():
        return []
    return [read_table(path) for path in sorted(folder.glob("*.toml"))]
