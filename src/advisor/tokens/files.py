"""Counting tokens in the user's files: plain text, a chat request (JSON) or chat JSONL.

`-` means standard input. Errors name the file and line. A JSONL line is one chat example:
SFT (`messages`, optional `tools`), DPO (`input.messages` + `preferred_output` +
`non_preferred_output`, all counted) or RFT (`messages`; grader fields are not sent to the model).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from advisor.errors import UserError, file_location
from advisor.parsing import json_text
from advisor.parsing.file_text import decode_utf8, read_bytes
from advisor.tokens.count import Encoder, count_chat, count_messages, count_text

Kind = Literal["text", "chat", "jsonl"]
KINDS: tuple[str, ...] = ("auto", "text", "chat", "jsonl")


@dataclass(frozen=True)
class TokenTally:
    """Tokens in one source: `items` is 1 for text and chat, the example count for JSONL."""

    source: str
    kind: Kind
    encoding: str
    items: int
    tokens: int
    smallest: int
    largest: int

    @property
    def mean(self) -> Decimal:
        return Decimal(self.tokens) / self.items if self.items else Decimal(0)


def read_source(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    return read_bytes(path)


def detect_kind(source: str, text: str) -> Kind:
    suffix = Path(source).suffix.lower() if source != "-" else ""
    if suffix == ".jsonl":
        return "jsonl"
    if suffix == ".json":
        return "chat"
    if suffix:
        return "text"
    stripped = text.strip()
    if stripped.startswith("{"):
        try:
            value = json_text.loads(stripped)
        except ValueError:
            return (
                "jsonl"
                if all(line.strip().startswith("{") for line in stripped.splitlines() if line.strip())
                else "text"
            )
        return "chat" if isinstance(value, dict) else "text"
    return "text"


def example_tokens(encoder: Encoder, example: Mapping[str, Any]) -> int:
    """Tokens of one training or prompt example (SFT, DPO or RFT shape)."""
    if "preferred_output" in example or "non_preferred_output" in example:
        source = example.get("input")
        tokens = count_chat(encoder, source) if isinstance(source, Mapping) else 0
        for key in ("preferred_output", "non_preferred_output"):
            answer = example.get(key)
            if isinstance(answer, list):
                tokens += count_messages(encoder, answer, prime_reply=False)
        return tokens
    return count_chat(encoder, example)


def iter_jsonl(text: str, source: str) -> Iterator[tuple[int, Mapping[str, Any]]]:
    """(line number, object) for each non-blank line; a bad line is an error naming it."""
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json_text.loads(line)
        except ValueError as exc:
            raise UserError(
                f"not valid JSON ({exc.msg if hasattr(exc, 'msg') else exc})",
                where=file_location(source, number),
                hint="fix or remove the line (`advisor dataset check` lists every problem)",
            ) from None
        if not isinstance(value, dict) or not ({"messages", "input"} & value.keys()):
            raise UserError(
                "expected a JSON object with `messages` (or `input` for DPO)",
                where=file_location(source, number),
                hint="fix or remove the line",
            ) from None
        yield number, value


def count_source(source: str, encoder: Encoder, kind: str = "auto") -> TokenTally:
    """Count the tokens in one file (or `-` for stdin)."""
    text = decode_utf8(read_source(source), source)
    resolved: Kind = detect_kind(source, text) if kind == "auto" else kind  # type: ignore[assignment]
    if resolved == "text":
        tokens = count_text(encoder, text)
        return TokenTally(source, "text", encoder.name, 1, tokens, tokens, tokens)
    if resolved == "chat":
        chat = json_text.loads_file_text(text, source, 'give a chat request such as {"messages": [...]}, or --as text')
        if not isinstance(chat, dict) or not isinstance(chat.get("messages"), list):
            raise UserError(
                "expected a JSON object with a `messages` list",
                where=source,
                hint='give a chat request such as {"messages": [...]}, or --as text',
            )
        tokens = count_chat(encoder, chat)
        return TokenTally(source, "chat", encoder.name, 1, tokens, tokens, tokens)
    counts = [example_tokens(encoder, example) for _, example in iter_jsonl(text, source)]
    if not counts:
        raise UserError("has no examples (every line is blank)", where=source, hint="check the file")
    return TokenTally(source, "jsonl", encoder.name, len(counts), sum(counts), min(counts), max(counts))
