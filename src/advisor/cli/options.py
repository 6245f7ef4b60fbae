"""Option types and options shared by several commands (click only: cheap to import)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import click

from advisor.parsing.quantities import parse_amount, parse_count, parse_epochs

if TYPE_CHECKING:
    from pathlib import Path

    from click.shell_completion import CompletionItem

F = TypeVar("F", bound=Callable[..., Any])


class CountType(click.ParamType[int]):
    """A whole positive count written like 2000, 10k or 1.5M."""

    name = "N"

    def __init__(self, allow_zero: bool = False) -> None:
        self.allow_zero = allow_zero

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        try:
            return parse_count(str(value), what="the value", allow_zero=self.allow_zero)
        except ValueError as error:
            self.fail(str(error), param, ctx)


class AmountType(click.ParamType[Decimal]):
    """A non-negative decimal (USD, hours, months), kept exact."""

    name = "X"

    def __init__(self, positive: bool = False) -> None:
        self.positive = positive

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Decimal:
        if isinstance(value, Decimal):
            return value
        try:
            return parse_amount(str(value), what="the value", positive=self.positive)
        except ValueError as error:
            self.fail(str(error), param, ctx)


class DateType(click.ParamType[date]):
    name = "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.fail(f"{value!r} is not a date like 2026-11-22", param, ctx)


class FileType(click.ParamType["Path"]):
    """A file name, as a Path. Nothing is checked here: a missing or unreadable file is the reader's error,
    which names the file and what to do. (click.Path would import pathlib for every `--help`.)"""

    name = "file"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Path:
        from pathlib import Path

        return value if isinstance(value, Path) else Path(value)

    def shell_complete(self, ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
        from click.shell_completion import CompletionItem

        return [CompletionItem(incomplete, type="file")]  # the shell completes file names


COUNT = CountType()
COUNT_OR_ZERO = CountType(allow_zero=True)
AMOUNT = AmountType()
POSITIVE_AMOUNT = AmountType(positive=True)
FILE = FileType()


class EpochsType(click.ParamType[int | Literal["auto"]]):
    """'auto' (the cookbook rule) or a whole number of epochs from 1 to 50."""

    name = "N|auto"

    def get_metavar(self, param: click.Parameter, ctx: click.Context) -> str:
        return self.name  # not upper-cased: "auto" is what the user types

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int | Literal["auto"]:
        if isinstance(value, int):
            return value
        try:
            return parse_epochs(str(value))
        except ValueError as error:
            self.fail(str(error), param, ctx)


EPOCHS = EpochsType()


class SecondsType(click.ParamType[float]):
    """A finite number of seconds from `least` to `most` (click.FloatRange lets NaN through: every
    comparison with NaN is false)."""

    name = "SECONDS"

    def __init__(self, least: float, most: float) -> None:
        self.least, self.most = least, most

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        import math

        try:
            seconds = float(value)
        except (TypeError, ValueError):
            seconds = math.nan
        if math.isfinite(seconds) and self.least <= seconds <= self.most:
            return seconds
        self.fail(
            f"must be a number of seconds from {self.least:g} to {self.most:g}, not {str(value)[:40]!r}", param, ctx
        )


def pricing_file_option(function: F) -> F:
    """`--pricing FILE` (repeatable)."""
    return click.option(
        "--pricing",
        "pricing_files",
        multiple=True,
        metavar="FILE",
        type=FILE,
        help="Extra price table (TOML) that adds or overrides rows; repeatable. See docs/pricing.md.",
    )(function)


def pricing_options(function: F) -> F:
    """`--pricing FILE` (repeatable) and `--today DATE`."""
    function = click.option(
        "--today",
        type=DateType(),
        default=None,
        help="Date to check shutdowns, job availability and table age against [default: today].",
    )(function)
    return pricing_file_option(function)


def format_option(*choices: str) -> Callable[[F], F]:
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(choices),
        default=choices[0],
        show_default=True,
        help="Output format.",
    )


def today_or(given: date | None) -> date:
    return given or date.today()
