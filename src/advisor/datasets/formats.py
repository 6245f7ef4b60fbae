"""Training-data formats a provider plugin adds beyond OpenAI's chat format.

A format is checked by converting each of its examples into the chat shape that advisor already
checks and counts (`{"messages": [...]}` for SFT, the `input`/`preferred_output`/`non_preferred_output`
shape for DPO), so every format gets the same statistics, duplicate checks and token counts. What
differs from the chat format (its own required fields, value types) is reported by `to_chat`, and
the chat checks' own problems name the format's fields (`fields` maps the chat paths back to them).

A scan uses a format only when every model it checks is at that format's provider: a prompt/completion
line is fine for Together and an error for OpenAI, and the chat format stays the default.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from advisor.datasets.problems import Problem, ProblemLog, Problems, Severity, Where
from advisor.methods import Method


@dataclass(frozen=True)
class FormatProblem:
    """Something wrong with one example: the field (a dotted path), what is wrong, what to do."""

    field: str
    message: str
    hint: str


# example -> (the same example in the chat shape, or None when it cannot be converted; its problems).
# A module-level function, so that dataset-check workers can receive it by reference.
ToChat = Callable[[dict[str, Any]], tuple[dict[str, Any] | None, list[FormatProblem]]]


@dataclass(frozen=True)
class DatasetFormat:
    """One provider's format: which examples are in it (all of `keys` at the top level) and how to read them."""

    name: str  # e.g. "instruction"
    provider: str  # the price-table provider whose jobs accept it, e.g. "together"
    methods: tuple[Method, ...]
    keys: frozenset[str]
    to_chat: ToChat
    description: str = ""
    # chat path -> the format's own field, longest prefix first wins (e.g. "messages[1]" -> "completion"),
    # so a problem the chat checks find in the converted example names the field the user wrote
    fields: Mapping[str, str] = field(default_factory=dict)

    def matches(self, example: dict[str, Any]) -> bool:
        return self.keys <= example.keys()

    def source_field(self, chat_field: str | None) -> str | None:
        """The format's field for a path in the converted example."""
        if chat_field is None:
            return None
        for prefix in sorted(self.fields, key=len, reverse=True):
            if chat_field == prefix or chat_field.startswith((prefix + ".", prefix + "[")):
                return self.fields[prefix]
        return chat_field


def formats_for(
    formats: Iterable[DatasetFormat], method: Method, providers: Iterable[str]
) -> tuple[DatasetFormat, ...]:
    """The formats a scan applies: those of `method` whose provider is the only one being checked."""
    checked = set(providers)
    return tuple(f for f in formats if method in f.methods and checked and checked <= {f.provider})


def convert(
    formats: tuple[DatasetFormat, ...], example: dict[str, Any], log: ProblemLog, where: Where
) -> tuple[dict[str, Any] | None, DatasetFormat | None]:
    """The example in the chat shape, and the format it was in (None: it is already chat, or no format
    claims it). None and the format when the format's own checks failed (the problems are in the log)."""
    for fmt in formats:
        if fmt.matches(example):
            converted, problems = fmt.to_chat(example)
            for problem in problems:
                log.error(f"{fmt.name}-format", problem.message, problem.hint, field=problem.field, **where)
            return (converted if not problems else None), fmt
    return example, None


class RenamedLog(Problems):
    """A ProblemLog seen through a format: problems in the converted example name the format's fields."""

    def __init__(self, log: ProblemLog, fmt: DatasetFormat) -> None:
        self.log = log
        self.fmt = fmt

    def add(self, problem: Problem) -> None:
        self.log.add(replace(problem, field=self.fmt.source_field(problem.field)))

    def total(self, severity: Severity) -> int:
        return self.log.total(severity)
