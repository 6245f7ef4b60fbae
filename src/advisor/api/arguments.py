"""The Python API's keyword arguments, checked as the CLI checks its flags: the same parsers
(advisor.parsing.quantities), the same click types for ranges and choices, so the same values pass and the
same words refuse the rest. A refusal names the keyword as the caller wrote it:
`Invalid value for 'requests': the value must be greater than zero` (the CLI says '--requests')."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypeVar

import click

from advisor.errors import UserError
from advisor.parsing.quantities import parse_amount, parse_count, parse_epochs

if TYPE_CHECKING:
    from advisor.methods import Method

T = TypeVar("T")
Number = int | str | Decimal | float
"""A count or an amount as a caller may write it: 2000, "10k", "1.5M", Decimal("0.8"), 0.8 (read as written,
`str(0.8)`, never as the binary fraction)."""
Files = str | Path | Sequence[str | Path]


def refused(keyword: str, why: str) -> UserError:
    return UserError(f"Invalid value for {keyword!r}: {why}")


def _checked(keyword: str, value: object, parse: Callable[[str], T]) -> T:
    if isinstance(value, bool):  # True is an int to Python, never a count to a reader
        raise refused(keyword, f"expected a number, not {value}")
    try:
        return parse(str(value))
    except ValueError as error:
        raise refused(keyword, str(error)) from None


def count(keyword: str, value: Number, *, allow_zero: bool = False) -> int:
    """`--requests`, `--prompt-tokens`...: 2000, 10k, 1.5M; whole, positive (or zero)."""
    return _checked(keyword, value, lambda text: parse_count(text, what="the value", allow_zero=allow_zero))


def optional_count(keyword: str, value: Number | None, *, allow_zero: bool = False) -> int | None:
    return None if value is None else count(keyword, value, allow_zero=allow_zero)


def amount(keyword: str, value: Number, *, positive: bool = False) -> Decimal:
    """USD, hours, months, a rate: exact decimals, never negative (`positive`: never zero either)."""
    return _checked(keyword, value, lambda text: parse_amount(text, what="the value", positive=positive))


def optional_amount(keyword: str, value: Number | None, *, positive: bool = False) -> Decimal | None:
    return None if value is None else amount(keyword, value, positive=positive)


def epochs(keyword: str, value: int | str) -> int | Literal["auto"]:
    return _checked(keyword, value, parse_epochs)


def _clicked(keyword: str, value: object, kind: click.ParamType[T]) -> T:
    """A value through click's own type, so its message is the flag's, word for word."""
    try:
        return kind.convert(value, None, None)
    except click.BadParameter as error:
        raise refused(keyword, error.message) from None


def whole_in(keyword: str, value: int, least: int, most: int) -> int:
    """`--horizon`, `--jobs`: click.IntRange's check and words."""
    if isinstance(value, bool):
        raise refused(keyword, f"expected a whole number, not {value}")
    return _clicked(keyword, value, click.IntRange(least, most))


def choice(keyword: str, value: str, choices: Sequence[str]) -> str:
    """`--method`, `--as`: click.Choice's check and words."""
    return _clicked(keyword, value, click.Choice(choices))


def method(keyword: str, value: str) -> Method:
    """`--method`: sft, dpo or rft."""
    checked = choice(keyword, value, ("sft", "dpo", "rft"))
    return "sft" if checked == "sft" else "dpo" if checked == "dpo" else "rft"


def day(keyword: str, value: date | str | None) -> date:
    """`--today`: a date or `YYYY-MM-DD`; None is today, as the CLI's default."""
    if value is None:
        return date.today()
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise refused(keyword, f"{value!r} is not a date like 2026-11-22") from None


def names(value: str | Sequence[str]) -> tuple[str, ...]:
    """A repeatable flag (`--provider`, `--model`): one name or several."""
    return (value,) if isinstance(value, str) else tuple(value)


def files(value: Files) -> tuple[Path, ...]:
    """`--pricing FILE` (repeatable): one file or several; a str is one file, not its characters."""
    return (Path(value),) if isinstance(value, str | Path) else tuple(Path(item) for item in value)
