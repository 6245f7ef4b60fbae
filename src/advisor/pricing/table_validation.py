"""A price table's TOML validated against the schema (pricing/tables.py) by pydantic, and its first
problem said as one line that names the file, line and field. Only a table not validated before comes
here (pricing/table_cache.py keeps the rest), so only then are tomllib and pydantic imported."""

from __future__ import annotations

import re
import tomllib
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from advisor.errors import UserError, file_location
from advisor.parsing.constraints import validate
from advisor.parsing.toml_locate import locate
from advisor.pricing.tables import PriceTable, toml_key


def validated_table(text: str, path: str) -> PriceTable:
    """Parse and validate one table; errors name the file, line and field."""
    raw = load_toml(text, path)
    try:
        return validate(PriceTable, {**raw, "path": path})
    except ValidationError as exc:
        raise located_error(exc, text, path) from None


def load_toml(text: str, path: str) -> dict[str, Any]:
    """A price file's TOML, numbers read as exact decimals; a syntax error names the file and line."""
    try:
        return tomllib.loads(text, parse_float=Decimal)
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


def located_error(exc: ValidationError, text: str, path: str, within: tuple[str, ...] = ()) -> UserError:
    """pydantic's first problem as one line naming the file, line and field (`within`: the path of the
    value validated, when it is part of the file)."""
    error = exc.errors(include_url=False)[0]
    loc = (*within, *error["loc"])
    field = ".".join(toml_key(part) for part in loc if not isinstance(part, int)) or "(table)"
    if error["type"] == "missing":
        line = locate(text, loc[:-1])
        message = f"{field} is missing"
        hint = "add it (see docs/pricing.md)"
    elif error["type"] in ("unexpected_keyword_argument", "extra_forbidden"):  # a key the schema does not have
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
