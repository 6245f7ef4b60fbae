"""Price tables: the TOML schema, and loading files into validated models.

A table is one provider's prices in USD per 1M tokens, with the date they were read (`as_of`)
and where (`source`). Loading never guesses: a malformed or incomplete file is refused with its
path, line and field.
"""

from __future__ import annotations

import re
import tomllib
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from advisor.errors import UserError, file_location
from advisor.methods import Method
from advisor.parsing.file_text import decode_utf8
from advisor.parsing.toml_locate import locate

Price = Annotated[Decimal, Field(ge=0, allow_inf_nan=False)]
BUNDLED_PACKAGE_DIR = "pricing_tables"


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


class FineTuning(_TieredPrices):
    """What training a model costs, and what its fine-tunes cost to run."""

    methods: list[Method] = Field(min_length=1)
    training: Price | None = Field(None, description="USD per 1M billed training tokens")
    training_per_hour: Price | None = Field(None, description="USD per hour of training (RFT)")
    output: Price
    data_sharing: InferencePrices | None = None
    max_example_tokens: int | None = Field(None, gt=0)
    hosting_per_hour: Price | None = None
    auto_pause_usd: Price | None = None
    new_jobs_until: date | None = None
    notes: str | None = None

    @model_validator(mode="after")
    def _training_price_present(self) -> FineTuning:
        token_methods = {"sft", "dpo"} & set(self.methods)
        if token_methods and self.training is None:
            raise ValueError(f"`training` (USD per 1M tokens) is required for {', '.join(sorted(token_methods))}")
        if "rft" in self.methods and self.training_per_hour is None:
            raise ValueError("`training_per_hour` is required for rft")
        return self

    def serving(self, *, batch: bool = False, data_sharing: bool = False) -> InferencePrices | None:
        """Fine-tuned inference prices for the chosen tier, None when the table has none."""
        return self.data_sharing if data_sharing else self.tier(batch=batch)


class ModelRow(_TieredPrices):
    """One model in a table."""

    kind: Literal["chat", "embedding"] = "chat"
    aliases: list[str] = []
    # a built-in tiktoken encoding (o200k_base, cl100k_base) or one a plugin ships (advisor_register_tokenizers)
    encoding: str | None = Field(None, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    shutdown: date | None = None
    shutdown_note: str | None = None
    notes: str | None = None
    fine_tuning: FineTuning | None = None

    @model_validator(mode="after")
    def _chat_has_output(self) -> ModelRow:
        if self.kind == "chat" and self.output is None:
            raise ValueError("`output` is required for a chat model")
        return self


class Notice(_Strict):
    """A dated announcement that applies to a table's fine-tuning (e.g. a wind-down step)."""

    since: date
    text: str


class PriceTable(_Strict):
    """One provider's prices as read from one file."""

    provider: str = Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    currency: Literal["USD"]
    as_of: date
    source: str = Field(min_length=1)
    notes: str | None = None
    notices: list[Notice] = []
    models: dict[str, ModelRow] = Field(min_length=1)
    path: str = Field("", exclude=True, description="file the table was read from")

    @model_validator(mode="after")
    def _names_unique(self) -> PriceTable:
        seen: dict[str, str] = {}
        for name, row in self.models.items():
            for alias in [name, *row.aliases]:
                if alias in seen and seen[alias] != name:
                    raise ValueError(f"name {alias!r} is used by both {seen[alias]!r} and {name!r}")
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
