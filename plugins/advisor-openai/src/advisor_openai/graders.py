"""RFT graders checked against openai-python's own grader types, before anything is sent.

The types are the SDK's request shapes: the grader a reinforcement job takes is
`openai.types.fine_tuning.reinforcement_method_param.Grader` (string_check, text_similarity, python,
score_model, multi) and a multi grader's graders are `openai.types.graders.multi_grader_param.Graders`
(the same without multi, with label_model). Each is validated with pydantic on the SDK's TypedDict, as the
service reads JSON: strictly (no "1" for a number), its lists whole (the SDK's `Iterable` fields are
validated item by item, not lazily) and no key the type does not name (extra='forbid': the SDK itself
passes unknown keys on, and the service refuses them).

Where OpenAI's documentation shows another shape than the SDK's types, the service's shape is checked,
the more conservative reading kept, and the difference said here:
- a multi grader's `graders`: openai-python 3.x types it as one grader object; the graders guide and the
  RFT guides (developers.openai.com/api/docs/guides/graders, read 2026-12-07) show an object mapping each
  name that `calculate_output` uses to a grader, which is what jobs are created with. The map is required.
- a multi grader's own `name`: required by the SDK's MultiGraderParam and the API reference; the guides'
  multi examples leave it out. Required (a grader with a name is accepted either way).
What the SDK's field docs say the service requires beyond the types is checked too: a score_model's
`range` of two numbers, a label_model's `passing_labels` among its `labels`.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from functools import cache
from importlib.metadata import version
from typing import Any, Literal, get_args, get_origin, get_type_hints

from advisor.plugin_api import GraderProblem

SDK = f"openai-python {version('openai')}"


def check(grader: dict[str, Any]) -> list[GraderProblem]:
    """What openai-python's types (and the service's documented shapes) refuse in this RFT grader."""
    return _check(grader, "", _kinds("top"))


def _check(grader: Any, prefix: str, kinds: Mapping[str, type]) -> list[GraderProblem]:
    if not isinstance(grader, Mapping):
        return [GraderProblem(prefix.rstrip("."), "is not a grader object", "give a JSON object with a `type`")]
    kind = grader.get("type")
    if not isinstance(kind, str) or kind not in kinds:
        allowed = ", ".join(kinds)
        where = "inside a multi grader" if prefix else "as an RFT job's grader"
        return [GraderProblem(f"{prefix}type", f"{kind!r} is not a grader type {SDK} allows {where}", f"use {allowed}")]
    cls = kinds[kind]
    problems = [_problem(prefix, error, cls) for error in _errors(cls, grader)]
    if kind == "multi":
        problems += _check_graders(grader, prefix)
    if not problems:
        problems += _service_rules(grader, prefix, cls)
    return problems


def _service_rules(grader: Mapping[str, Any], prefix: str, cls: type) -> list[GraderProblem]:
    """What the SDK's field docs say the service requires, beyond the types: a score range of two numbers
    (ScoreModelGraderParam.range), passing labels among the labels (LabelModelGraderParam.passing_labels)."""
    score_range = grader.get("range")
    two_numbers = score_range is None or (len(score_range) == 2 and score_range[0] < score_range[1])
    if grader["type"] == "score_model" and not two_numbers:
        return [
            GraderProblem(
                f"{prefix}range",
                f"{_shown(score_range)} is not two numbers, lowest first ({SDK}'s {cls.__name__}: \"The "
                'service requires two numbers for the score range")',
                "give [low, high], e.g. [0, 1] (the default)",
            )
        ]
    if grader["type"] == "label_model":
        strays = [label for label in grader["passing_labels"] if label not in grader["labels"]]
        if strays:
            return [
                GraderProblem(
                    f"{prefix}passing_labels",
                    f"{_shown(strays)} are not among the labels ({SDK}'s {cls.__name__}: \"Must be a subset of "
                    'labels")',
                    f"use labels from {_shown(grader['labels'])}",
                )
            ]
    return []


def _check_graders(multi: Mapping[str, Any], prefix: str) -> list[GraderProblem]:
    """A multi grader's `graders`: an object of name -> grader, as OpenAI's guides show."""
    graders = multi.get("graders")
    if graders is None:
        return []  # `graders` missing: the SDK's type says so already
    shape = "give an object mapping each name calculate_output uses to a grader, as OpenAI's graders guide shows"
    if not isinstance(graders, Mapping) or not graders:
        return [GraderProblem(f"{prefix}graders", "is not an object of named graders", shape)]
    if isinstance(graders.get("type"), str):
        return [GraderProblem(f"{prefix}graders", "is one grader, not an object of named graders", shape)]
    problems = []
    for name, inner in graders.items():
        problems += _check(inner, f"{prefix}graders.{name}.", _kinds("multi"))
    return problems


def _errors(cls: type, grader: Mapping[str, Any]) -> list[dict[str, Any]]:
    from pydantic import ValidationError

    try:
        _validator(cls).validate_python(grader, strict=True)
    except ValidationError as exc:
        return [dict(error) for error in exc.errors(include_url=False)]
    return []


def _problem(prefix: str, error: dict[str, Any], cls: type) -> GraderProblem:
    """A pydantic error as one problem: the field's path, what is wrong in words, what to do."""
    loc = tuple(error["loc"])
    path = prefix + _path(loc)
    kind, name = error["type"], cls.__name__
    last = str(loc[-1]) if loc else ""
    value = error.get("input")
    if kind == "missing":
        return GraderProblem(path, f"is missing ({SDK}'s {name} requires `{last}`)", f"add `{last}`")
    if kind == "extra_forbidden":
        known = ", ".join(_keys(cls)) if len(loc) == 1 else ""
        return GraderProblem(
            path,
            f"is not a field of {SDK}'s {name}",
            "remove it, or correct its spelling" + (f" (its fields: {known})" if known else ""),
        )
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return GraderProblem(path, f"{_shown(value)} is not a value {SDK}'s {name} allows here", f"use {expected}")
    if kind == "advisor_union":
        return GraderProblem(path, f"{_shown(value)} is none of the forms {SDK}'s {name} allows here", error["msg"])
    return GraderProblem(path, f"{_shown(value)}: {error['msg']} ({SDK}'s {name})", "correct its value")


def _path(loc: tuple[Any, ...]) -> str:
    """('input', 0, 'content') -> input[0].content"""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text.lstrip(".")


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _keys(cls: type) -> list[str]:
    return sorted(getattr(cls, "__required_keys__", set()) | getattr(cls, "__optional_keys__", set()))


@cache
def _kinds(where: Literal["top", "multi"]) -> dict[str, type]:
    """Each grader type the SDK allows as a job's grader ("top") or inside a multi grader, by its `type`."""
    from openai.types.fine_tuning import reinforcement_method_param
    from openai.types.graders import multi_grader_param

    union = reinforcement_method_param.Grader if where == "top" else multi_grader_param.Graders
    return {_type_of(cls): cls for cls in get_args(union)}


def _type_of(cls: type) -> str:
    """The literal of a grader TypedDict's `type` field (Required[Literal["string_check"]] -> string_check)."""
    hint = get_type_hints(cls, include_extras=True)["type"]
    while get_origin(hint) is not Literal:
        hint = get_args(hint)[0]
    return str(get_args(hint)[0])


@cache
def _validator(cls: type) -> Any:
    """pydantic's validator of the SDK's TypedDict, made as strict as the service (see the module's text). A
    multi grader's `graders` is left to _check_graders."""
    from pydantic import TypeAdapter
    from pydantic_core import SchemaValidator

    schema = copy.deepcopy(TypeAdapter(cls).core_schema)
    if _type_of(cls) == "multi":
        root = schema["schema"] if schema.get("type") == "definitions" else schema
        root["fields"]["graders"]["schema"] = {"type": "any"}
    return SchemaValidator(_as_served(schema))


def _as_served(schema: Any) -> Any:
    """The core schema with every TypedDict closed to unknown keys, every `Iterable` read as the list JSON
    gives, and each union failing as one error that names its forms (not one error per form)."""
    if isinstance(schema, dict):
        for value in schema.values():
            _as_served(value)
        kind = schema.get("type")
        if kind == "typed-dict":
            schema["extra_behavior"] = "forbid"
        elif kind == "generator":
            schema["type"] = "list"
        elif kind == "union":
            forms = ", ".join(_form(choice) for choice in schema["choices"])
            schema["custom_error_type"] = "advisor_union"
            schema["custom_error_message"] = f"give one of: {forms}"
    elif isinstance(schema, list):
        for value in schema:
            _as_served(value)
    return schema


def _form(choice: Any) -> str:
    """A union's choice in words: text, a list, or the SDK type's name."""
    if isinstance(choice, tuple):  # (schema, label)
        choice = choice[0]
    kind = choice.get("type")
    if kind == "str":
        return "text"
    if kind == "list":
        return "a list of content parts"
    if kind == "typed-dict":
        return str(getattr(choice.get("cls"), "__name__", "an object"))
    if kind == "definition-ref":
        return str(choice["schema_ref"]).split(":")[0].rsplit(".", 1)[-1]
    return str(kind)
