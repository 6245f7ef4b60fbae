"""Field constraints that pydantic applies when it validates a dataclass, declared without importing
pydantic.

The price tables and the estimate are plain frozen dataclasses, so that a command that reads already
validated tables (see pricing/table_cache.py) never imports pydantic, which alone takes most of a
command's start-up. The constraints stay declared on the fields; pydantic reads them through
`__get_pydantic_core_schema__` whenever a file is validated (`validate`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

if TYPE_CHECKING:
    from pydantic import GetCoreSchemaHandler, TypeAdapter
    from pydantic_core import CoreSchema

T = TypeVar("T")


class Check:
    """`Annotated[Decimal, Check(ge=0)]`: pydantic's `Field(ge=0)` (any Field keyword), optionally after a
    `before` validator, applied when the dataclass is validated by pydantic."""

    __slots__ = ("before", "rules")

    def __init__(self, *, before: Callable[[Any], Any] | None = None, **rules: Any) -> None:
        self.before = before
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
