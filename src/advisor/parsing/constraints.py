"""Field constraints on the core's frozen dataclasses, declared without importing pydantic, and applied by
whichever reader meets the data: pydantic where a file is validated (`validate`, through
`__get_pydantic_core_schema__`), plain_data.py where a validated table comes back from the cache, and
`check_fields` where the core builds a value itself (an EstimateRequest from flags or from a scenario).

The price tables and the estimate are plain frozen dataclasses, so that a command that reads already
validated tables (see pricing/table_cache.py) never imports pydantic, which alone takes most of a
command's start-up. One declaration on the field, `Annotated[Decimal, Check(ge=0)]`, is the only
statement of a range: no table of bounds beside the dataclass.
"""

from __future__ import annotations

import dataclasses
import re
import sys
import types
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, TypeVar, Union, get_args, get_origin

if TYPE_CHECKING:
    from pydantic import GetCoreSchemaHandler, TypeAdapter
    from pydantic_core import CoreSchema

T = TypeVar("T")


class Check:
    """`Annotated[Decimal, Check(ge=0)]`: pydantic's `Field(ge=0)` (any Field keyword), optionally after a
    `before` validator, applied when the dataclass is validated by pydantic. `shown`: how the bound reads
    in check_fields' message, where its digits would not say it (a day as 0.033 months)."""

    __slots__ = ("before", "rules", "shown")

    def __init__(self, *, before: Callable[[Any], Any] | None = None, shown: str | None = None, **rules: Any) -> None:
        self.before = before
        self.shown = shown
        self.rules = rules

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        from pydantic import BeforeValidator, Field

        metadata: list[Any] = [Field(**self.rules)]
        if self.before is not None:
            metadata.insert(0, BeforeValidator(self.before))
        return handler(Annotated[(source, *metadata)])


_ADAPTERS: dict[type[Any], TypeAdapter[Any]] = {}  # built once per kind: building one compiles its schema


def validate(kind: type[T], data: Any) -> T:
    """`data` validated into `kind` (a dataclass); raises pydantic's ValidationError."""
    adapter: TypeAdapter[T] | None = _ADAPTERS.get(kind)
    if adapter is None:
        from pydantic import TypeAdapter

        adapter = _ADAPTERS[kind] = TypeAdapter(kind)
    return adapter.validate_python(data)


class OutOfRange(ValueError):
    """A field's value outside its Check; `field` names the field, `message` says what it must be."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def check_fields(value: Any) -> None:
    """Apply the Check of each field of a dataclass instance (called from its `__post_init__`), as pydantic
    would, without importing it: a number outside ge/gt/le/lt, a Decimal that is not finite (pydantic's
    default for decimals), a text outside min_length/max_length or not matching `pattern`. A field that
    is None is not checked (an optional one left out). Raises OutOfRange naming the field."""
    for name, check in _checks(type(value)):
        field = getattr(value, name)
        if field is not None and (problem := _broken(field, check)):
            raise OutOfRange(name, problem)


_RULES = frozenset({"ge", "gt", "le", "lt", "allow_inf_nan", "min_length", "max_length", "pattern"})
_NAME = re.compile(r"[A-Za-z_]\w*")


_CHECKS: dict[type, tuple[tuple[str, Check], ...]] = {}  # a dict, not functools.cache: python/mypy#11470


def _checks(kind: type) -> tuple[tuple[str, Check], ...]:
    """(field, its Check) for each field of `kind` that has one, read from the annotations as written
    (evaluated in the class's module, as typing.get_type_hints would, once per class)."""
    if kind in _CHECKS:
        return _CHECKS[kind]
    namespace = vars(sys.modules[kind.__module__])
    found = []
    for item in dataclasses.fields(kind):
        annotation = item.type
        if isinstance(annotation, str):
            names = _NAME.findall(annotation)  # only an annotation that may hold a Check is evaluated
            if "Check" not in names and not any(get_origin(namespace.get(name)) is Annotated for name in names):
                continue
            annotation = eval(annotation, namespace)
        if (check := _check_of(annotation)) is not None:
            if unknown := set(check.rules) - _RULES:
                raise TypeError(f"{kind.__name__}.{item.name}: check_fields has no rule {sorted(unknown)}")
            found.append((item.name, check))
    _CHECKS[kind] = tuple(found)
    return _CHECKS[kind]


def _check_of(annotation: Any) -> Check | None:
    """The Check of `Annotated[X, Check(...)]`, or of `Annotated[X, Check(...)] | None`."""
    if get_origin(annotation) in (Union, types.UnionType):
        options = [option for option in get_args(annotation) if option is not type(None)]
        return _check_of(options[0]) if len(options) == 1 else None
    if get_origin(annotation) is Annotated:
        return next((item for item in get_args(annotation)[1:] if isinstance(item, Check)), None)
    return None


def _broken(value: Any, check: Check) -> str | None:
    """What `value` must be when it breaks a rule of `check`, else None."""
    rules = check.rules
    if isinstance(value, Decimal) and not value.is_finite() and not rules.get("allow_inf_nan", False):
        return "must be a finite number"
    if "ge" in rules and not value >= rules["ge"]:
        return f"must be at least {check.shown or rules['ge']}"
    if "gt" in rules and not value > rules["gt"]:
        return f"must be greater than {check.shown or rules['gt']}"
    if "le" in rules and not value <= rules["le"]:
        return f"must be at most {rules['le']}"
    if "lt" in rules and not value < rules["lt"]:
        return f"must be less than {rules['lt']}"
    if "min_length" in rules and len(value) < rules["min_length"]:
        return f"must have at least {rules['min_length']} item(s)"
    if "max_length" in rules and len(value) > rules["max_length"]:
        return f"must have at most {rules['max_length']} item(s)"
    if "pattern" in rules and not re.search(rules["pattern"], value):
        return f"must match {rules['pattern']}"
    return None
