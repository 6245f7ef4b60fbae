"""RFT graders: which types a reinforcement fine-tuning job accepts, which fields of each training row a
grader reads (`{{item.field}}` templates, `item["field"]` in python graders), and the plugins' checks of
the grader itself (`GraderCheck`: the OpenAI plugin's checks it against openai-python's own types), each
problem one line naming the grader file, the field and what to do."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from advisor.errors import UserError
from advisor.parsing import json_text
from advisor.parsing.file_text import read_utf8

TOP_LEVEL_TYPES = ("string_check", "text_similarity", "score_model", "python", "multi")
INSIDE_MULTI_ONLY = ("label_model",)
SAMPLE_FIELDS = ("output_text", "output_json", "output_tools")
_TEMPLATE = re.compile(r"\{\{\s*([A-Za-z_][\w]*)((?:\.[\w-]+)*)\s*\}\}")
# advisor's cap on a grader file, read whole: a grader is a JSON object of a few KiB (a python grader's
# source, a score_model's prompt); a MiB leaves room for any of them and refuses the wrong file at once
MAX_GRADER_BYTES = 2**20
_PYTHON_ITEM = re.compile(r"""\bitem\s*(?:\[\s*["']([^"']+)["']\s*\]|\.get\(\s*["']([^"']+)["'])""")


@dataclass(frozen=True)
class GraderProblem:
    """One thing wrong with a grader: the field (a dotted path such as `graders.exact.operation`, empty
    for the grader as a whole), what is wrong, what to do."""

    field: str
    message: str
    hint: str


# the grader as written -> what is wrong with it (empty when it passes)
CheckGrader = Callable[[dict[str, Any]], list[GraderProblem]]


@dataclass(frozen=True)
class GraderCheck:
    """A plugin's check of RFT graders (its provider's rules, its SDK's types), registered through
    `advisor_register_grader_checks`; `dataset check --grader` and `launch` apply every one installed."""

    name: str  # whose rules, as messages name them: "openai-python 3.63.0's grader types"
    check: CheckGrader


def grader_problems(grader: dict[str, Any], checks: Iterable[GraderCheck]) -> list[GraderProblem]:
    """Every check's problems with the grader, each once. A check that fails is a problem too: a grader
    nobody could check is not sent."""
    problems: list[GraderProblem] = []
    for check in checks:
        try:
            found = check.check(grader)
        except Exception as exc:  # a plugin's bug must not become a traceback, nor let the grader through
            what = f"could not be checked with {check.name} ({type(exc).__name__}: {exc})"
            found = [GraderProblem("", what, "report it to the plugin's authors; the grader is not sent unchecked")]
        problems += [problem for problem in found if problem not in problems]
    return problems


def problem_line(path: str, problem: GraderProblem) -> str:
    """One line: the grader file, the field, what is wrong and what to do."""
    field = f"{problem.field}: " if problem.field else ""
    return f"{path}: {field}{problem.message}; {problem.hint}"


def unchecked_note(checks: Iterable[GraderCheck]) -> str | None:
    """What a report says when no installed plugin checks graders (only its type and templates were)."""
    if any(True for _ in checks):
        return None
    return (
        "the grader's type and templates were checked, not its fields: no installed plugin checks graders "
        "(advisor-openai checks them against openai-python's own types)"
    )


@dataclass(frozen=True)
class GraderSpec:
    """What a grader file asks of the training rows."""

    path: str
    type: str
    item_fields: tuple[tuple[str, ...], ...]
    definition: dict[str, Any] = field(default_factory=dict, compare=False)  # the grader as written


def load_grader(path: str) -> GraderSpec:
    text = read_utf8(path, "a grader (JSON file)", limit=MAX_GRADER_BYTES)
    grader = json_text.loads_file_text(text, path, "fix the grader file")
    if not isinstance(grader, dict):
        raise UserError("a grader is a JSON object with a `type`", where=path, hint="see docs/datasets.md")
    grader_type = grader.get("type")
    if grader_type not in TOP_LEVEL_TYPES:
        extra = " (label_model only inside a multi grader)" if grader_type in INSIDE_MULTI_ONLY else ""
        raise UserError(
            f"grader type {grader_type!r} is not one an RFT job accepts{extra}",
            where=path,
            hint=f"use one of {', '.join(TOP_LEVEL_TYPES)}",
        )
    for inner_path, inner in _nested_graders(grader):
        if inner.get("type") not in TOP_LEVEL_TYPES + INSIDE_MULTI_ONLY:
            raise UserError(
                f"grader {inner_path} has type {inner.get('type')!r}",
                where=path,
                hint=f"use one of {', '.join(TOP_LEVEL_TYPES + INSIDE_MULTI_ONLY)}",
            )
    for inner_path, multi in [("", grader), *_nested_graders(grader)]:
        if multi.get("type") == "multi":
            _check_formula(multi, inner_path, path)
    fields: dict[tuple[str, ...], None] = {}
    for text_value in _strings(grader):
        for namespace, dotted in _TEMPLATE.findall(text_value):
            parts = tuple(part for part in dotted.split(".") if part)
            if namespace == "item" and parts:
                fields[parts] = None
            elif namespace == "sample":
                if not parts or parts[0] not in SAMPLE_FIELDS:
                    raise UserError(
                        f"template {{{{sample{dotted}}}}} reads nothing a sample has",
                        where=path,
                        hint=f"use sample.{', sample.'.join(SAMPLE_FIELDS)}",
                    )
            else:
                raise UserError(
                    f"template {{{{{namespace}{dotted}}}}} is neither item.* nor sample.*",
                    where=path,
                    hint="graders read {{item.field}} and {{sample.output_text}}",
                )
    for source in _python_sources(grader):
        for bracket, getter in _PYTHON_ITEM.findall(source):
            fields[(bracket or getter,)] = None
    return GraderSpec(path, str(grader_type), tuple(fields), grader)


def _check_formula(multi: Mapping[str, Any], inner_path: str, path: str) -> None:
    """A multi grader's `calculate_output` reads its graders by name: a name it has no grader for, or a
    formula that is not an expression, fails the job at the provider after upload; here it is one line."""
    formula = multi.get("calculate_output")
    where = f"{inner_path}.calculate_output" if inner_path else "calculate_output"
    if not isinstance(formula, str) or not formula.strip():
        return  # its absence is the plugins' to report, with their SDK's words
    try:
        tree = ast.parse(formula.strip(), mode="eval")
    except SyntaxError:
        raise UserError(
            f"{where} {formula!r} is not a formula",
            where=path,
            hint="use numbers, the graders' names, + - * / and functions such as min, max",
        ) from None
    called = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    used = [node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and id(node) not in called]
    graders = multi.get("graders")
    names = list(graders) if isinstance(graders, Mapping) else []
    unknown = [name for name in dict.fromkeys(used) if name not in names]
    if unknown and names:
        raise UserError(
            f"{where} reads {', '.join(unknown)}, which this multi grader has no grader named",
            where=path,
            hint=f"use the names of its graders: {', '.join(names)}",
        )


def _nested_graders(grader: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Mapping[str, Any]]]:
    inner = grader.get("graders")
    if isinstance(inner, Mapping):
        for name, sub in inner.items():
            if isinstance(sub, Mapping):
                yield f"{prefix}{name}", sub
                yield from _nested_graders(sub, f"{prefix}{name}.")


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _python_sources(value: Any) -> Iterator[str]:
    if isinstance(value, Mapping):
        if value.get("type") == "python" and isinstance(value.get("source"), str):
            yield value["source"]
        for item in value.values():
            yield from _python_sources(item)
    elif isinstance(value, list):
        for item in value:
            yield from _python_sources(item)


def missing_fields(row: Mapping[str, Any], spec: GraderSpec) -> list[str]:
    """Dotted paths the grader reads that this row lacks."""
    missing = []
    for parts in spec.item_fields:
        value: Any = row
        for part in parts:
            if isinstance(value, Mapping) and part in value:
                value = value[part]
            else:
                missing.append(".".join(parts))
                break
    return missing
