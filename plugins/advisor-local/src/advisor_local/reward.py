"""The GRPO reward: advisor's RFT grader (OpenAI's grader JSON, as `advisor dataset check` validates it)
scored on each completion. Standard library only.

advisor copies this file into the run folder as `advisor_reward.py`, beside the grader as
`grader.json`; TRL's `trl grpo` imports `advisor_reward.reward` (its `reward_funcs`) from the working
directory. It must run where the training runs, with nothing of advisor installed there.

Graders run here:
- `string_check`: `eq` (exact), `ne`, `like` (contains), `ilike` (contains, ignoring case): 1 or 0;
- `text_similarity` with `fuzzy_match`: difflib's similarity ratio, 0 to 1 (close to, not the same as,
  OpenAI's fuzzy match);
- `python`: the grader's `source` defines `grade(sample, item) -> float` (a regular expression check is
  written this way);
- `multi`: its graders, combined by `calculate_output` (arithmetic on their names, min, max, abs).

`sample` is `{"output_text": <the completion>, "output_json": <it parsed as JSON, or None>}` and `item` is
the training row. Anything else (`score_model`, `label_model`, other similarity metrics) needs a judge
model or a library this file does not have: `unsupported` names it before launch.
"""

from __future__ import annotations

import ast
import difflib
import json
import math
import operator
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

SUPPORTED_OPERATIONS = ("eq", "ne", "like", "ilike")
_TEMPLATE = re.compile(r"\{\{\s*(sample|item)((?:\.[\w-]+)*)\s*\}\}")
_BINARY: dict[type[ast.operator], Callable[[float, float], float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}
_CALLS: dict[str, Callable[..., float]] = {
    "min": min,
    "max": max,
    "abs": abs,
    "sqrt": math.sqrt,
    "floor": math.floor,
    "ceil": math.ceil,
}


def unsupported(grader: Any, path: str = "grader") -> list[str]:
    """Why this grader cannot run in a local GRPO job (empty when it can)."""
    if not isinstance(grader, dict):
        return [f"{path} is not a grader object"]
    kind = grader.get("type")
    if kind == "string_check":
        if grader.get("operation") not in SUPPORTED_OPERATIONS:
            return [f"{path}: string_check operation {grader.get('operation')!r}: use one of eq, ne, like, ilike"]
        return []
    if kind == "text_similarity":
        if grader.get("evaluation_metric") != "fuzzy_match":
            return [
                f"{path}: text_similarity {grader.get('evaluation_metric')!r} needs a library the reward does "
                "not have: use fuzzy_match, or write it as a python grader"
            ]
        return []
    if kind == "python":
        source = grader.get("source")
        if not isinstance(source, str) or "def grade" not in source:
            return [f"{path}: a python grader's source must define grade(sample, item)"]
        try:
            compile(source, f"<{path}>", "exec")
        except SyntaxError as exc:
            return [f"{path}: the python source does not compile (line {exc.lineno}: {exc.msg})"]
        return []
    if kind == "multi":
        graders = grader.get("graders")
        if not isinstance(graders, dict) or not graders:
            return [f"{path}: a multi grader needs `graders`"]
        problems = [problem for name, sub in graders.items() for problem in unsupported(sub, f"{path}.{name}")]
        try:
            _formula(str(grader.get("calculate_output", "")), dict.fromkeys(graders, 1.0))
        except (ValueError, SyntaxError, ArithmeticError) as exc:
            problems.append(f"{path}: calculate_output {grader.get('calculate_output')!r}: {exc}")
        return problems
    return [
        f"{path}: a {kind} grader needs a judge model, which a local GRPO run does not have: write it as a "
        "python grader (or string_check, text_similarity fuzzy_match)"
    ]


def _lookup(namespace: dict[str, Any], name: str, dotted: str) -> Any:
    value: Any = namespace[name]
    for part in filter(None, dotted.split(".")):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _render(template: Any, namespace: dict[str, Any]) -> str:
    """A grader's `{{sample.output_text}}` / `{{item.answer}}` text with the values put in."""
    if not isinstance(template, str):
        return "" if template is None else str(template)

    def value(match: re.Match[str]) -> str:
        found = _lookup(namespace, match.group(1), match.group(2))
        if found is None:
            return ""
        return found if isinstance(found, str) else json.dumps(found)

    return _TEMPLATE.sub(value, template)


def _formula(text: str, scores: dict[str, float]) -> float:
    """A multi grader's calculate_output: numbers, the graders' names, + - * /, min max abs sqrt floor ceil."""

    def evaluate(node: ast.AST) -> float:
        if isinstance(node, ast.Expression):
            return evaluate(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
            return float(node.value)
        if isinstance(node, ast.Name) and node.id in scores:
            return scores[node.id]
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            return _BINARY[type(node.op)](evaluate(node.left), evaluate(node.right))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -evaluate(node.operand)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _CALLS:
            return float(_CALLS[node.func.id](*(evaluate(arg) for arg in node.args)))
        raise ValueError(f"{ast.dump(node)[:40]} is not allowed (numbers, grader names, + - * /, min, max, abs)")

    return evaluate(ast.parse(text, mode="eval"))


_PYTHON_GRADERS: dict[str, Any] = {}


def grade(grader: dict[str, Any], sample: dict[str, Any], item: dict[str, Any]) -> float:
    """The grader's score for one completion."""
    kind = grader["type"]
    namespace = {"sample": sample, "item": item}
    if kind == "string_check":
        given, reference = _render(grader.get("input"), namespace), _render(grader.get("reference"), namespace)
        operation = grader.get("operation")
        if operation == "eq":
            return float(given == reference)
        if operation == "ne":
            return float(given != reference)
        if operation == "like":
            return float(reference in given)
        return float(reference.lower() in given.lower())
    if kind == "text_similarity":
        given, reference = _render(grader.get("input"), namespace), _render(grader.get("reference"), namespace)
        return difflib.SequenceMatcher(None, given, reference).ratio()
    if kind == "python":
        source = grader["source"]
        if source not in _PYTHON_GRADERS:
            scope: dict[str, Any] = {}
            exec(compile(source, "<python grader>", "exec"), scope)  # the team's own grader, as written
            _PYTHON_GRADERS[source] = scope["grade"]
        return float(_PYTHON_GRADERS[source](sample, item))
    if kind == "multi":
        scores = {name: grade(sub, sample, item) for name, sub in grader["graders"].items()}
        return _formula(str(grader["calculate_output"]), scores)
    raise ValueError(f"grader type {kind!r} cannot run here")


def completion_text(completion: Any) -> str:
    """TRL passes a conversational completion as a list of messages, a plain one as text."""
    if isinstance(completion, list):
        return "".join(str(m.get("content") or "") for m in completion if isinstance(m, dict))
    return str(completion)


def sample_of(text: str) -> dict[str, Any]:
    try:
        parsed = json.loads(text)
    except ValueError:
        parsed = None
    return {"output_text": text, "output_json": parsed}


_GRADER: dict[str, Any] | None = None


def reward(completions: list[Any], advisor_item: list[str], **_: Any) -> list[float]:
    """TRL's reward-function interface: one score per completion. `advisor_item` is the column advisor
    wrote with each training row; TRL passes every dataset column by name."""
    global _GRADER
    if _GRADER is None:
        _GRADER = json.loads(Path(__file__).with_name("grader.json").read_text(encoding="utf-8"))
    return [
        grade(_GRADER, sample_of(completion_text(completion)), json.loads(item))
        for completion, item in zip(completions, advisor_item, strict=True)
    ]
