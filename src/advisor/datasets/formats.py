"""Training-data formats a provider plugin adds beyond OpenAI's chat format.

A format is checked by converting each of its examples into the chat shape that advisor already
checks and counts (`{"messages": [...]}` for SFT, the `input`/`preferred_output`/`non_preferred_output`
shape for DPO), so every format gets the same statistics, duplicate checks and token counts. What
differs from the chat format (its own required fields, value types) is reported by `to_chat`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

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

    def matches(self, example: dict[str, Any]) -> bool:
        return self.keys <= example.keys()
