"""The validated-table cache is keyed by the price-table schema's version (pricing/tables.py: SCHEMA_VERSION),
and this test ties the version to the code: the fingerprint of the schema (every dataclass a table or an
overlay is built of, reached through the annotations: each field's name, type, constraints, `before`
validator and default, and pydantic's configuration) is recorded beside each version, so a change of the
schema that comes without a new version fails here instead of serving tables the old code validated."""

from __future__ import annotations

import dataclasses
import hashlib
import inspect
import types
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal, Union, get_args, get_origin, get_type_hints

import pytest

from advisor.parsing.constraints import Check
from advisor.parsing.plain_data import FieldsOf
from advisor.pricing import table_cache
from advisor.pricing.overlay import Overlay
from advisor.pricing.reading import parse_table
from advisor.pricing.tables import SCHEMA_FINGERPRINTS, SCHEMA_VERSION, PriceTable

from .conftest import FLAT_15

ROOTS = (PriceTable, Overlay)  # what the cache keeps


def schema_text(roots: tuple[type, ...] = ROOTS) -> str:
    """Every dataclass reachable from `roots`, one block each, in a stable order and form."""
    blocks: dict[str, str] = {}
    waiting = list(roots)
    while waiting:
        kind = waiting.pop()
        name = f"{kind.__module__}.{kind.__qualname__}"
        if name in blocks:
            continue
        hints = get_type_hints(kind, include_extras=True)
        config = getattr(kind, "__pydantic_config__", None)
        lines = [f"{name} config={sorted(config.items()) if config else None}"]
        for item in dataclasses.fields(kind):
            lines.append(f"  {item.name}: {described(hints[item.name], waiting)} = {default_of(item)}")
        blocks[name] = "\n".join(lines)
    return "\n".join(blocks[name] for name in sorted(blocks))


def described(kind: Any, waiting: list[type]) -> str:
    """A type as text (dataclasses by name, queued to be described in turn)."""
    origin, args = get_origin(kind), get_args(kind)
    if origin is Annotated:
        return f"Annotated[{described(args[0], waiting)}, {', '.join(marker(item, waiting) for item in args[1:])}]"
    if origin in (Union, types.UnionType):
        return " | ".join(described(arg, waiting) for arg in args)
    if origin is Literal:
        return f"Literal[{', '.join(map(repr, args))}]"
    if origin is not None:
        return f"{origin.__qualname__}[{', '.join(described(arg, waiting) for arg in args)}]"
    if dataclasses.is_dataclass(kind):
        waiting.append(kind)  # type: ignore[arg-type]
    return "None" if kind is type(None) else f"{kind.__module__}.{kind.__qualname__}"


def marker(item: Any, waiting: list[type]) -> str:
    if isinstance(item, Check):
        before = validator(item.before) if item.before else None
        return f"Check(before={before}, shown={item.shown!r}, {sorted(item.rules.items())!r})"
    if isinstance(item, FieldsOf):
        return f"FieldsOf({described(item.kind, waiting)})"
    return repr(item)


def validator(function: Callable[..., Any]) -> str:
    """A `before` validator by name and source: it decides what a TOML value becomes, and plain data read
    back from the cache never passes through it again."""
    source = inspect.getsource(function)
    return f"{function.__module__}.{function.__qualname__} sha256:{hashlib.sha256(source.encode()).hexdigest()}"


def default_of(item: dataclasses.Field[Any]) -> str:
    if item.default is not dataclasses.MISSING:
        return repr(item.default)
    if item.default_factory is not dataclasses.MISSING:
        return f"{item.default_factory.__qualname__}()"
    return "(required)"


def fingerprint(roots: tuple[type, ...] = ROOTS) -> str:
    return hashlib.sha256(schema_text(roots).encode()).hexdigest()


class TestTheSchemaVersion:
    def test_the_schema_is_the_one_its_version_recorded(self) -> None:
        now = fingerprint()
        if now != SCHEMA_FINGERPRINTS[SCHEMA_VERSION]:
            pytest.fail(
                "the price-table schema changed: bump SCHEMA_VERSION and record the new fingerprint "
                f"(pricing/tables.py: SCHEMA_VERSION = {SCHEMA_VERSION + 1}, and "
                f"SCHEMA_FINGERPRINTS[{SCHEMA_VERSION + 1}] = {now!r})"
            )

    def test_the_version_is_the_newest_recorded_and_each_fingerprint_is_new(self) -> None:
        assert max(SCHEMA_FINGERPRINTS) == SCHEMA_VERSION
        assert len(set(SCHEMA_FINGERPRINTS.values())) == len(SCHEMA_FINGERPRINTS)

    def test_every_table_dataclass_is_in_the_fingerprint(self) -> None:
        text = schema_text()
        for name in ("PriceTable", "ModelRow", "FineTuning", "PriceChange", "DatedSource", "Gpu", "Notice",
                     "Deployment", "InferencePrices", "Overlay", "OverlayEntry"):  # fmt: skip
            assert f".{name} config=" in text, name
        assert "written_as_number sha256:" in text and "Literal['lora', 'qlora', 'full']" in text

    def test_the_cache_key_is_the_version_the_path_and_the_text(self) -> None:
        key = table_cache.built_from(FLAT_15, "acme.toml")
        assert key == table_cache.built_from(FLAT_15, "acme.toml")
        assert key != table_cache.built_from(FLAT_15, "other.toml")
        assert key != table_cache.built_from(FLAT_15 + "\n", "acme.toml")
        assert key != table_cache.built_from(FLAT_15, "acme.toml", version=SCHEMA_VERSION + 1)

    def test_an_entry_kept_under_another_version_is_not_read(self, monkeypatch: pytest.MonkeyPatch) -> None:
        table = parse_table(FLAT_15, "acme.toml")  # validated, and kept
        assert table_cache.load(FLAT_15, "acme.toml") == table
        monkeypatch.setattr(table_cache, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
        assert table_cache.load(FLAT_15, "acme.toml") is None  # the next schema validates again
        assert parse_table(FLAT_15, "acme.toml") == table
        assert table_cache.load(FLAT_15, "acme.toml") == table  # and keeps its own entry


def unchanged(value: Any) -> Any:
    return value


class TestTheFingerprintSeesEachKindOfChange:
    """A change to any part of a schema dataclass changes the fingerprint (shown on small schemas)."""

    @staticmethod
    def schema(**fields: Any) -> type:
        inner = dataclasses.make_dataclass("Inner", [("day", date)], frozen=True)
        return dataclasses.make_dataclass(
            "Row", [("inner", inner), *[(name, *spec) for name, spec in fields.items()]], frozen=True
        )

    def test_a_field_added_renamed_retyped_constrained_or_defaulted(self) -> None:
        price = Annotated[Decimal, Check(ge=0)]
        variants = [
            {"price": (price,)},
            {"price": (price,), "extra": (int,)},  # added
            {"cost": (price,)},  # renamed
            {"price": (Annotated[int, Check(ge=0)],)},  # retyped
            {"price": (Annotated[Decimal, Check(ge=0, le=10)],)},  # constrained
            {"price": (price, dataclasses.field(default=Decimal(0)))},  # defaulted
            {"price": (price | None,)},  # made optional
            {"price": (Annotated[Decimal, Check(before=unchanged, ge=0)],)},  # a validator before it
            {"price": (Literal["a", "b"],)},
        ]
        prints = [fingerprint((self.schema(**fields),)) for fields in variants]
        assert len(set(prints)) == len(variants)

    def test_a_change_deep_inside_a_nested_dataclass(self) -> None:
        def nested(kind: type) -> type:
            return dataclasses.make_dataclass("Outer", [("rows", dict[str, kind])], frozen=True)  # type: ignore[valid-type]

        one = dataclasses.make_dataclass("Deep", [("day", date)], frozen=True)
        two = dataclasses.make_dataclass("Deep", [("day", date | None)], frozen=True)
        assert fingerprint((nested(one),)) != fingerprint((nested(two),))
