"""Price tables: the TOML schema, and loading files into validated models.

A table is one provider's prices in USD per 1M tokens, with the date they were read (`as_of`)
and where (`source`). Loading never guesses: a malformed or incomplete file is refused with its
path, line and field. A price is a number written as a number (`"2.00"` in quotes is refused) and at
most MAX_PRICE; other figures at most MAX_AMOUNT, so that every cost computed from them stays exact.
"""

from __future__ import annotations

import re
import tomllib
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from advisor.errors import UserError, file_location
from advisor.methods import Method
from advisor.parsing.file_text import decode_utf8
from advisor.parsing.quantities import MAX_AMOUNT, written_as_number
from advisor.parsing.toml_locate import locate

MAX_PRICE = Decimal(1_000_000)  # USD per 1M tokens, per hour or per job: a dollar a token


Price = Annotated[Decimal, BeforeValidator(written_as_number), Field(ge=0, le=MAX_PRICE, allow_inf_nan=False)]
Positive = Annotated[Decimal, BeforeValidator(written_as_number), Field(gt=0, le=MAX_AMOUNT, allow_inf_nan=False)]
TrainingType = Literal["lora", "qlora", "full"]
BUNDLED_PACKAGE_DIR = "pricing_tables"
# keys of `training_prices`: a method, or a method and a training type
TRAINING_PRICE_KEYS = frozenset(
    {"sft", "dpo", "sft.lora", "sft.full", "dpo.lora", "dpo.full", "sft.qlora", "dpo.qlora"}
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class InferencePrices(_Strict):
    """Per-token prices of one way of serving a model."""

    input: Price
    cached_input: Price | None = None
    output: Price | None = None


class _TieredPrices(_Strict):
    """Standard and Batch API prices of one way of serving a model."""

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


class Deployment(_Strict):
    """A way of deploying a fine-tune other than the default (e.g. Azure's Developer tier)."""

    hosting_per_hour: Price
    lifetime_hours: int | None = Field(None, gt=0, description="the deployment is deleted after this long")
    notes: str | None = None


class FineTuning(_TieredPrices):
    """What training a model costs, and what its fine-tunes cost to run."""

    methods: list[Method] = Field(min_length=1)
    training: Price | None = Field(None, description="USD per 1M billed training tokens")
    training_prices: dict[str, Price] = Field(
        default_factory=dict, description="USD per 1M training tokens by method or method.training_type"
    )
    training_types: list[TrainingType] = Field(default_factory=list, description="LoRA, QLoRA, full; first = default")
    training_tiers: dict[str, Positive] = Field(
        default_factory=dict, description="multipliers of the training price by tier; the first is the default"
    )
    training_per_hour: Price | None = Field(None, description="USD per hour of training (RFT)")
    throughput: dict[str, Positive] = Field(
        default_factory=dict, description="training tokens per second per GPU by training type (own GPUs)"
    )
    gpu: str | None = Field(None, description="the table's `gpus` row whose hourly price the throughput uses")
    rft_rollouts: Positive | None = Field(
        None, description="generations per prompt in RFT (GRPO) rollouts, for GPU-hour estimates"
    )
    minimum_usd: Price | None = Field(None, description="a job is billed at least this much")
    output: Price
    data_sharing: InferencePrices | None = None
    max_example_tokens: int | None = Field(None, gt=0)
    hosting_per_hour: Price | None = None
    hosting_per_minute: Price | None = None
    deployments: dict[str, Deployment] = Field(default_factory=dict)
    storage_per_month: Price | None = Field(None, description="USD a month to keep one fine-tune stored")
    auto_pause_usd: Price | None = None
    new_jobs_until: date | None = None
    serving_until: date | None = Field(None, description="last day fine-tunes serve, if not the base's shutdown")
    serving_note: str | None = None
    unverified: str | None = None
    notes: str | None = None

    @model_validator(mode="after")
    def _training_price_present(self) -> FineTuning:
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
        return self

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


class ModelRow(_TieredPrices):
    """One model in a table."""

    kind: Literal["chat", "embedding"] = "chat"
    aliases: list[str] = []
    # a built-in tiktoken encoding (o200k_base, cl100k_base) or one a plugin ships (advisor_register_tokenizers)
    encoding: str | None = Field(None, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    encoding_exact: bool = True  # False: the encoding only approximates the model's own tokenizer
    encoding_note: str | None = None  # the measured error of an approximation, and how it was measured
    parameters_b: Positive | None = Field(None, description="model size in billions of parameters")
    open_weights: bool = False
    cache_write: Price | None = Field(None, description="USD per 1M tokens written to the prompt cache")
    unverified: str | None = None
    shutdown: date | None = None
    shutdown_note: str | None = None
    notes: str | None = None
    fine_tuning: FineTuning | None = None

    @model_validator(mode="after")
    def _chat_has_output(self) -> ModelRow:
        if self.kind == "chat" and self.output is None:
            raise ValueError("`output` is required for a chat model")
        if not self.encoding_exact and not self.encoding_note:
            raise ValueError("`encoding_note` is required when `encoding_exact = false` (state the measured error)")
        return self


class Gpu(_Strict):
    """One GPU's rental price (own-GPU tables): what a GPU-hour of training or serving costs."""

    per_hour: Price
    source: str | None = None
    as_of: date | None = None


class Notice(_Strict):
    """A dated announcement that applies to a table's fine-tuning (e.g. a wind-down step)."""

    since: date
    text: str


class PriceTable(_Strict):
    """One provider's prices as read from one file."""

    provider: str = Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    label: str | None = Field(None, description="the provider as it writes its own name, for reports")
    currency: Literal["USD"]
    as_of: date
    source: str = Field(min_length=1)
    notes: str | None = None
    notices: list[Notice] = []
    unverified: str | None = None
    gpus: dict[str, Gpu] = {}
    models: dict[str, ModelRow] = Field(min_length=1)
    path: str = Field("", exclude=True, description="file the table was read from")

    @model_validator(mode="after")
    def _gpus_known(self) -> PriceTable:
        for name, row in self.models.items():
            gpu = row.fine_tuning.gpu if row.fine_tuning else None
            if gpu is not None and gpu not in self.gpus:
                raise ValueError(f"model {name!r} trains on gpu {gpu!r}, which the table's [gpus] does not price")
        return self

    @model_validator(mode="after")
    def _names_unique(self) -> PriceTable:
        seen: dict[str, str] = {}
        for name, row in self.models.items():
            for alias in [name, *row.aliases]:
                if alias in seen and seen[alias] != name:
                    raise ValueError(
                        f"name {alias!r} is used by both models.{_quote(seen[alias])} and models.{_quote(name)}"
                    )
                seen[alias] = name
        return self


def parse_table(text: str, path: str) -> PriceTable:
    """Parse and validate one table; errors name the file, line and field."""
    try:
        raw = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        # Python 3.11's TOMLDecodeError has no lineno; its message ends "(at line L, column C)".
        position = re.search(r"\(at line (\d+), column (\d+)\)$", str(exc))
        message = str(exc)[: position.start()].strip() if position else str(exc)
        line = int(position.group(1)) if position else None
        column = f" (column {position.group(2)})" if position else ""
        raise UserError(
            f"not valid TOML: {message}{column}", where=file_location(path, line), hint="fix the syntax"
        ) from None
    except RecursionError:
        raise UserError("not valid TOML: nested too deeply to read", where=path, hint="fix the syntax") from None
    except ValueError:  # tomllib's int() of a number with more than 4,300 digits
        long = re.search(r"[0-9_]{4000,}", text)
        line = text.count("\n", 0, long.start()) + 1 if long else None
        raise UserError(
            "a number has thousands of digits, beyond any figure a price table holds",
            where=file_location(path, line),
            hint="fix the value (see docs/pricing.md)",
        ) from None
    try:
        table = PriceTable.model_validate({**raw, "path": path})
    except ValidationError as exc:
        raise _located_error(exc, text, path) from None
    return table


def _located_error(exc: ValidationError, text: str, path: str) -> UserError:
    error = exc.errors(include_url=False)[0]
    loc = tuple(error["loc"])
    field = ".".join(_quote(part) for part in loc if not isinstance(part, int)) or "(table)"
    if error["type"] == "missing":
        line = locate(text, loc[:-1])
        message = f"{field} is missing"
        hint = "add it (see docs/pricing.md)"
    elif error["type"] == "extra_forbidden":
        line = locate(text, loc)
        message = f"{field} is not a known field"
        hint = "check its spelling (see docs/pricing.md)"
    else:
        line = locate(text, loc)
        message = f"{field}: {error['msg'].removeprefix('Value error, ')}"
        hint = "fix the value (see docs/pricing.md)"
        if error["type"] in ("less_than_equal", "greater_than") and "le" in (error.get("ctx") or {}):
            bound = re.sub(r"Decimal\('([^']*)'\)", r"\1", str(error["ctx"]["le"]))
            message = f"{field}: must be at most {bound}"
        named = re.findall(r"models\.(\"[^\"]+\"|[\w-]+)", message) if not loc else []
        if named:  # a name used twice: the line of the second model that uses it
            line = locate(text, ("models", named[-1].strip('"')))
    if len(exc.errors()) > 1:
        hint += f"; {len(exc.errors()) - 1} more problem(s) after this one"
    return UserError(message, where=file_location(path, line), hint=hint)


def _quote(part: object) -> str:
    text = str(part)
    return f'"{text}"' if any(ch in text for ch in ".- ") else text


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
