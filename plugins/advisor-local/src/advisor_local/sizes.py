"""The size of an open model the price table does not list, and the size bracket it is priced as.

On own GPUs a model's cost depends on its size (the work per token is about 6N FLOPs for full fine-tuning,
4N for LoRA, N parameters), not on its name: any Hugging Face id is priced as the table's bracket at or above
its size (`open-8b`, `open-70b`). The size comes from `--set params_b=N`, else from the id (`Qwen/Qwen3-8B`,
`Qwen2.5-0.5B-Instruct`, `llama-3.3-70b`, `Mixtral-8x7B`: a mixture of experts counted as all its
experts' parameters, the larger figure). An id that says no size, or two, is refused with the setting that
gives it.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib.resources import files
from typing import Any

from advisor.plugin_api import UserError

# `-8B`, `_0.5b`, `-135M`, `-8x7B` in the id's last part, between separators (not `A3B` of `Qwen3-30B-A3B`)
_SIZE = re.compile(r"(?:^|[-_.])(?:(?P<experts>\d{1,3})x)?(?P<size>\d{1,5}(?:\.\d{1,3})?)(?P<unit>[bBmM])(?=$|[-_.])")
_BRACKET = re.compile(r"^open-(?P<size>\d+(?:\.\d+)?)b$")


@cache
def brackets() -> tuple[tuple[Decimal, str], ...]:
    """(parameters in billions, row) of each size bracket of the plugin's table (`open-8b` ...), smallest first."""
    table = tomllib.loads((files(__package__) / "local.toml").read_text(encoding="utf-8"))
    found = [
        (Decimal(str(row["parameters_b"])), name)
        for name, row in table.get("models", {}).items()
        if _BRACKET.match(name) and "parameters_b" in row
    ]
    return tuple(sorted(found))


def size_from_id(model: str) -> tuple[Decimal, str] | None:
    """(billions of parameters, how it was read) from the id's last part, or None when it says no size;
    UserError when it says two."""
    name = model.rstrip("/").rsplit("/", 1)[-1]
    sizes = {}
    for found in _SIZE.finditer(name):
        size = Decimal(found["size"]) / (1000 if found["unit"] in "mM" else 1)
        how = f"{found.group().lstrip('-_.')} read from the id"
        if found["experts"]:
            size *= int(found["experts"])
            how = (
                f"{found.group().lstrip('-_.')} read from the id as {_shown(size)}B, every expert's parameters "
                "(experts share some layers, so the true total is lower: the larger figure, priced on the safe side)"
            )
        sizes[size] = how
    if len(sizes) > 1:
        shown = ", ".join(f"{_shown(size)}B" for size in sizes)
        raise UserError(
            f"the model id {model!r} names several sizes ({shown})",
            hint="give the size with --set params_b=N (billions of parameters)",
        )
    return next(iter(sizes.items()), None)


def _shown(size: Decimal) -> str:
    return f"{size.normalize():f}"


def size_bracket(model: str, settings: Mapping[str, Any]) -> tuple[str, str]:
    """(the bracket row to price `model` as, why, for the estimate's note); UserError when its size is
    unknown or above every bracket."""
    given = settings.get("params_b")
    if given is not None:
        try:
            size = Decimal(str(given).strip())
        except InvalidOperation:
            size = Decimal("NaN")
        if not size.is_finite() or size <= 0 or not math.isfinite(float(size)):
            raise UserError(
                f"--set params_b={given}: must be a number of billions of parameters more than 0",
                hint="e.g. --set params_b=8 for an 8B model",
            )
        how = "size from --set params_b"
    else:
        read = size_from_id(model)
        if read is None:
            raise UserError(
                f"the own-GPU table does not list {model!r} and its size cannot be read from the id",
                hint="give its size with --set params_b=N (billions of parameters), or a row to price it as with "
                "--set price_as=ROW",
            )
        size, how = read
    for bracket, row in brackets():
        if size <= bracket:
            return row, f"the {_shown(bracket)}B bracket for {_shown(size)}B parameters: {how}"
    largest = brackets()[-1][1] if brackets() else "none"
    raise UserError(
        f"{model!r} has {_shown(size)}B parameters, more than the largest size bracket of the own-GPU table "
        f"({largest})",
        hint="price it as a row of its size of your own (--pricing FILE, docs/providers/local.md) with "
        "--set price_as=ROW",
    )
