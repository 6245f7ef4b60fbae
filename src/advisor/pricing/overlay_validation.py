"""An overlay's TOML validated by pydantic: its header as a table's, and each entry field by field against
the schema's own field types (pricing/tables.py), so an overlay accepts exactly the fields and values a
table does. Only an overlay not validated before comes here (pricing/table_cache.py keeps the rest)."""

from __future__ import annotations

import dataclasses
import types
from functools import cache
from typing import Any, Literal, NotRequired, get_type_hints

from pydantic import ValidationError, with_config
from typing_extensions import TypedDict  # pydantic needs it before Python 3.12

from advisor.parsing.constraints import validate
from advisor.parsing.toml_locate import locate
from advisor.pricing.overlay import Overlay, OverlayEntry
from advisor.pricing.table_validation import load_toml, located_error
from advisor.pricing.tables import Day, FineTuning, ModelRow, ProviderName, Text


@with_config({"extra": "forbid"})
class _Header(TypedDict):
    overlay: Literal[True]
    provider: ProviderName
    currency: Literal["USD"]
    as_of: Day
    source: Text
    notes: NotRequired[str]
    models: NotRequired[dict[str, dict[str, Any]]]


@cache
def _patch(kind: type) -> type:
    """A TypedDict of every field of `kind` (a ModelRow or a FineTuning), each optional: one entry of an
    overlay, validated against the same types a table's row is."""
    hints = get_type_hints(kind, include_extras=True)
    fields = {field.name: hints[field.name] for field in dataclasses.fields(kind)}
    if kind is ModelRow:
        fields["fine_tuning"] = _patch(FineTuning)
    namespace = {"__annotations__": fields, "__pydantic_config__": {"extra": "forbid"}}
    # `class ModelRowPatch(TypedDict, total=False)` with fields known only at run time (mypy types
    # TypedDict's functional form only with a literal name and fields)
    return types.new_class(f"{kind.__name__}Patch", (TypedDict,), {"total": False}, lambda ns: ns.update(namespace))


def validated_overlay(text: str, path: str) -> Overlay:
    """Parse and validate one overlay; errors name the file, line and field."""
    raw = load_toml(text, path)
    try:
        header = validate(_Header, raw)
    except ValidationError as exc:
        raise located_error(exc, text, path) from None
    models = {name: _entry(name, entry, text, path) for name, entry in header.get("models", {}).items()}
    return Overlay(
        provider=header["provider"],
        currency=header["currency"],
        as_of=header["as_of"],
        source=header["source"],
        notes=header.get("notes"),
        models=models,
        path=path,
    )


def _entry(name: str, raw: dict[str, Any], text: str, path: str) -> OverlayEntry:
    try:
        fields: dict[str, Any] = dict(validate(_patch(ModelRow), raw))
    except ValidationError as exc:
        raise located_error(exc, text, path, ("models", name)) from None
    fine_tuning = fields.pop("fine_tuning", None)
    whole_row = _whole(ModelRow, raw)
    if whole_row is not None and (whole_row.input is None or (whole_row.kind == "chat" and whole_row.output is None)):
        whole_row = None  # a new row must bring its own prices: genai-prices is not asked for an overlay's
    return OverlayEntry(
        fields=fields,
        fine_tuning=dict(fine_tuning) if fine_tuning is not None else None,
        whole_fine_tuning=_whole(FineTuning, raw["fine_tuning"]) if "fine_tuning" in raw else None,
        whole_row=whole_row,
        line=locate(text, ("models", name)),
    )


def _whole(kind: type[Any], raw: Any) -> Any:
    """`raw` as a complete `kind`, or None when it is not one (an overlay entry need not be)."""
    try:
        return validate(kind, raw)
    except ValidationError:
        return None
