"""Frozen dataclasses as plain JSON values and back, checked strictly against their own annotations, so
that a cache keeps validated tables as data (never as pickles, which run code when read) and a value
read back is one the schema allows, without pydantic.

`to_plain` writes a dataclass as a JSON object of the fields that differ from their defaults (a Decimal
as its exact string, a date in ISO form). `from_plain(kind, data)` builds `kind` again and refuses
(NotPlain) anything the annotations do not allow: an unknown field, a value of another JSON type (a
number where a price's string belongs, `true` where a count belongs), a string that is not an exact
finite decimal or an ISO date, a value outside its `Check` (ge, gt, le, min_length, pattern), a literal
not listed; and the dataclass's own `__post_init__` rules run, as they do after validation. A field
typed `Annotated[dict[str, Any], FieldsOf(Kind)]` holds some of Kind's fields, each checked as Kind's.
"""

from __future__ import annotations

import builtins
import dataclasses
import re
import sys
import types
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal, TypeVar, Union, get_args, get_origin

from advisor.parsing.constraints import Check

T = TypeVar("T")
Decoder = Callable[[Any], Any]


class NotPlain(ValueError):
    """Data that is not a value of the type asked for."""


class FieldsOf:
    """`Annotated[dict[str, Any], FieldsOf(Kind)]`: a dict of some of Kind's fields, by name."""

    __slots__ = ("kind",)

    def __init__(self, kind: type) -> None:
        self.kind = kind


def to_plain(value: Any) -> Any:
    """`value` as JSON values: dataclasses as objects of their non-default fields, Decimals as exact
    strings, dates in ISO form. Raises TypeError for anything else (it cannot be kept as data)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        plain = {}
        for item in dataclasses.fields(value):
            field_value = getattr(value, item.name)
            if not _is_default(item, field_value):
                plain[item.name] = to_plain(field_value)
        return plain
    if value is None or type(value) in (str, int, bool):
        return value
    if type(value) is Decimal:
        if not value.is_finite():
            raise TypeError(f"{value} is not a finite decimal")
        return str(value)
    if type(value) is date:
        return value.isoformat()
    if type(value) in (list, tuple):
        return [to_plain(item) for item in value]
    if type(value) is dict:
        if not all(type(key) is str for key in value):
            raise TypeError("a dict with keys that are not strings")
        return {key: to_plain(item) for key, item in value.items()}
    raise TypeError(f"a {type(value).__name__} cannot be kept as plain data")


def _is_default(item: dataclasses.Field[Any], value: Any) -> bool:
    if item.default is not dataclasses.MISSING:
        default = item.default
    elif item.default_factory is not dataclasses.MISSING:
        default = item.default_factory()
    else:
        return False
    return type(value) is type(default) and value == default


def from_plain(kind: type[T], data: Any) -> T:
    """`data` (JSON values, as `to_plain` writes them) built into `kind`; NotPlain for anything the
    annotations or the dataclass's own rules refuse."""
    try:
        built: T = decoder(kind)(data)
    except NotPlain:
        raise
    except (ValueError, TypeError, KeyError, ArithmeticError, RecursionError) as exc:
        raise NotPlain(f"{type(exc).__name__}: {exc}") from None
    return built


_BUILT: dict[Any, Decoder] = {}  # a type (or a typing form such as `X | None`) -> its decoder


def decoder(kind: Any) -> Decoder:
    """The checking builder of type `kind` (made once per type, from its annotations)."""
    found = _BUILT.get(kind)
    if found is None:
        found = _BUILT[kind] = _decoder(kind)
    return found


def _decoder(kind: Any) -> Decoder:
    origin = get_origin(kind)
    if origin is Annotated:
        base, *metadata = get_args(kind)
        for item in metadata:
            if isinstance(item, FieldsOf):
                return _fields_of(item.kind)
        checks = [item for item in metadata if isinstance(item, Check)]
        inner = decoder(base)
        return _checked(inner, checks[0].rules) if checks else inner
    if origin in (Union, types.UnionType):
        options = [option for option in get_args(kind) if option is not type(None)]
        if len(options) != 1 or len(get_args(kind)) != 2:
            raise TypeError(f"no plain form for {kind}")
        return _optional(decoder(options[0]))
    if origin is Literal:
        return _literal(get_args(kind))
    if origin is list:
        (item,) = get_args(kind)
        return _list_of(decoder(item))
    if origin is dict:
        key, item = get_args(kind)
        if key is not str:
            raise TypeError(f"no plain form for {kind}")
        return _dict_of(decoder(item))
    if kind in _SCALARS:
        return _SCALARS[kind]
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):  # the class, not an instance
        return _dataclass(kind)
    raise TypeError(f"no plain form for {kind}")


def _literal(options: tuple[Any, ...]) -> Decoder:
    allowed = frozenset((type(option), option) for option in options)  # "x" and True, 1 and True apart

    def literal(value: Any) -> Any:
        if type(value) not in (str, bool, int) or (type(value), value) not in allowed:
            raise NotPlain(f"{value!r} is not one of {options}")
        return value

    return literal


def _of_type(value: Any, kind: type) -> Any:
    if type(value) is not kind:
        raise NotPlain(f"{value!r} is not a {kind.__name__}")
    return value


def _scalar(kind: type) -> Decoder:
    def scalar(value: Any) -> Any:
        if type(value) is not kind:  # exactly: `true` is no count, 1 is no flag
            raise NotPlain(f"{value!r} is not a {kind.__name__}")
        return value

    return scalar


def _optional(inner: Decoder) -> Decoder:
    if (kind := _SCALAR_OF.get(inner)) is not None:  # the common `str | None`, checked in one call

        def optional_scalar(value: Any) -> Any:
            if value is not None and type(value) is not kind:
                raise NotPlain(f"{value!r} is not a {kind.__name__}")
            return value

        return optional_scalar
    if (fused := _OPTIONAL_OF.get(inner)) is not None:  # a price or amount that may be left out
        return fused
    return lambda value: None if value is None else inner(value)


def _decimal(value: Any) -> Decimal:
    if type(value) is not str:
        raise NotPlain(f"{value!r} is not a decimal written as a string")
    number = Decimal(value)
    if not number.is_finite() or str(number) != value:
        raise NotPlain(f"{value!r} is not an exact finite decimal as written by to_plain")
    return number


def _date(value: Any) -> date:
    if type(value) is not str:
        raise NotPlain(f"{value!r} is not a date written as a string")
    day = date.fromisoformat(value)
    if day.isoformat() != value:
        raise NotPlain(f"{value!r} is not an ISO date")
    return day


_SCALARS: dict[Any, Decoder] = {kind: _scalar(kind) for kind in (str, int, bool)} | {Decimal: _decimal, date: _date}
_SCALAR_OF = {_SCALARS[kind]: kind for kind in (str, int, bool)}


def _checked(inner: Decoder, rules: dict[str, Any]) -> Decoder:
    """`inner`, then the rules of a Check (pydantic's Field keywords advisor uses); a number's range is
    checked in one comparison."""
    known = {"ge", "gt", "le", "min_length", "pattern", "allow_inf_nan"}
    if unknown := set(rules) - known:
        raise TypeError(f"no plain check for {sorted(unknown)}")
    if inner is _decimal and set(rules) - {"allow_inf_nan"} in ({"ge", "le"}, {"gt", "le"}):  # a price, an amount
        inclusive = "ge" in rules
        low, high = rules["ge" if inclusive else "gt"], rules["le"]
        required = _decimal_in(low, inclusive, high, optional=False)
        _OPTIONAL_OF[required] = _decimal_in(low, inclusive, high, optional=True)
        return required
    ge, gt, le, min_length = rules.get("ge"), rules.get("gt"), rules.get("le"), rules.get("min_length")
    pattern = re.compile(rules["pattern"]) if "pattern" in rules else None

    def check(value: Any) -> Any:
        value = inner(value)
        if (ge is not None and not value >= ge) or (gt is not None and not value > gt):
            raise NotPlain(f"{value} is below its range")
        if le is not None and not value <= le:
            raise NotPlain(f"{value} is above its range")
        if min_length is not None and len(value) < min_length:
            raise NotPlain(f"{value!r} is shorter than {min_length}")
        if pattern is not None and not pattern.fullmatch(value):
            raise NotPlain(f"{value!r} does not match {pattern.pattern}")
        return value

    return check


_OPTIONAL_OF: dict[Decoder, Decoder] = {}  # a range-checked decimal -> the same that also takes None


def _decimal_in(low: Decimal | int, inclusive: bool, high: Decimal | int, optional: bool) -> Decoder:
    """A decimal string within [low or (low, high], checked in one call (prices are most of a table)."""

    def decimal_in(value: Any) -> Any:
        if value is None and optional:
            return None
        if type(value) is not str:
            raise NotPlain(f"{value!r} is not a decimal written as a string")
        number = Decimal(value)
        if not number.is_finite() or str(number) != value:
            raise NotPlain(f"{value!r} is not an exact finite decimal as written by to_plain")
        if not ((low <= number) if inclusive else (low < number)) or not number <= high:
            raise NotPlain(f"{value} is out of its range")
        return number

    return decimal_in


class _FieldDecoders(dict[str, Decoder]):
    """A decoder for each field of a dataclass, made when the field is first met (a table's rows use
    few of their many optional fields), from its annotation evaluated where it is written: typing's
    get_type_hints does the same at several times the cost, which every command's start-up would pay."""

    def __init__(self, kind: type) -> None:
        super().__init__()
        self.kind = kind
        self.names = {item.name for item in dataclasses.fields(kind)}

    def __missing__(self, name: str) -> Decoder:
        if name not in self.names:
            raise NotPlain(f"{self.kind.__name__} has no field {name!r}")
        for owner in self.kind.__mro__:
            annotation = vars(owner).get("__annotations__", {}).get(name)
            if annotation is not None:
                break
        found = _written(annotation, owner.__module__) if isinstance(annotation, str) else decoder(annotation)
        self[name] = found
        return found


_DECODERS: dict[tuple[str, str], Decoder] = {}  # (module, annotation as written) -> its decoder


def _written(annotation: str, module: str) -> Decoder:
    """The decoder of an annotation as written in `module` (postponed: a string). `X | None`, `list[X]`,
    `dict[str, X]` and names are read directly; anything else is evaluated there, as typing would."""
    key = (module, annotation)
    if key in _DECODERS:
        return _DECODERS[key]
    if annotation.endswith(" | None"):
        found: Decoder = _optional(_written(annotation[: -len(" | None")], module))
    elif (item := _inside(annotation, "list[")) is not None:
        found = _list_of(_written(item, module))
    elif (item := _inside(annotation, "dict[str, ")) is not None:
        found = _dict_of(_written(item, module))
    elif (options := _simple_literal(annotation)) is not None:
        found = _literal(options)
    elif (checked := _simple_check(annotation, module)) is not None:
        base, rules = checked
        found = _checked(_written(base, module), rules)
    elif annotation.isidentifier():
        namespace = vars(sys.modules[module])
        found = decoder(namespace[annotation] if annotation in namespace else getattr(builtins, annotation))
    else:
        found = decoder(eval(annotation, vars(sys.modules[module])))
    _DECODERS[key] = found
    return found


def _simple_literal(annotation: str) -> tuple[str, ...] | None:
    """The options of `Literal['a', 'b']` written with plain quoted strings, else None (evaluated)."""
    inside = _inside(annotation, "Literal[")
    options = [] if inside is None else [_quoted(part) for part in inside.split(", ")]
    plain = tuple(option for option in options if option is not None)
    return plain if plain and len(plain) == len(options) else None


def _simple_check(annotation: str, module: str) -> tuple[str, dict[str, Any]] | None:
    """(X, rules) of `Annotated[X, Check(k=v, ...)]` whose values are plain quoted strings, whole numbers
    or names, else None (evaluated). The compiler writes postponed annotations in this one form."""
    inside = _inside(annotation, "Annotated[")
    base, marker, call = (inside or "").rpartition(", Check(")
    if not marker or not call.endswith(")"):
        return None
    namespace = vars(sys.modules[module])
    rules: dict[str, Any] = {}
    for part in call[:-1].split(", "):
        key, equals, value = part.partition("=")
        if not (equals and key.isidentifier()):
            return None
        if (text := _quoted(value)) is not None:
            rules[key] = text
        elif value.isdigit():
            rules[key] = int(value)
        elif value.isidentifier() and value in namespace:
            rules[key] = namespace[value]
        else:
            return None
    # a `before` validator converts what a TOML file gives; plain data is checked by its type, as a Check
    # object's rules (which never hold `before`, nor `shown`: words for a message) are
    rules.pop("before", None)
    rules.pop("shown", None)
    return base, rules


def _quoted(text: str) -> str | None:
    """The text of a plain single-quoted string literal (no escapes, no quotes inside), else None."""
    if len(text) >= 2 and text[0] == text[-1] == "'" and "'" not in text[1:-1] and "\\" not in text:
        return text[1:-1]
    return None


def _inside(annotation: str, prefix: str) -> str | None:
    """`X` of an annotation that is exactly `prefix` + X + `]` (the bracket closing at the end)."""
    if not (annotation.startswith(prefix) and annotation.endswith("]")):
        return None
    depth = 1
    for position in range(len(prefix), len(annotation)):
        depth += {"[": 1, "]": -1}.get(annotation[position], 0)
        if depth == 0:
            return annotation[len(prefix) : position] if position == len(annotation) - 1 else None
    return None


def _list_of(inner: Decoder) -> Decoder:
    def list_of(value: Any) -> list[Any]:
        if type(value) is not list:
            raise NotPlain(f"{value!r} is not a list")
        return [inner(item) for item in value]

    return list_of


def _dict_of(inner: Decoder) -> Decoder:
    def dict_of(value: Any) -> dict[str, Any]:
        if type(value) is not dict:  # JSON's keys are strings: json.loads makes no other
            raise NotPlain(f"{value!r} is not an object")
        return {_of_type(key, str): inner(item) for key, item in value.items()}

    return dict_of


def _dataclass(kind: type) -> Decoder:
    fields = _FieldDecoders(kind)

    def build(value: Any) -> Any:
        return kind(**{name: fields[name](item) for name, item in _of_type(value, dict).items()})

    return build


def _fields_of(kind: type) -> Decoder:
    fields = _FieldDecoders(kind)

    def build(value: Any) -> dict[str, Any]:
        return {name: fields[name](item) for name, item in _of_type(value, dict).items()}

    return build
