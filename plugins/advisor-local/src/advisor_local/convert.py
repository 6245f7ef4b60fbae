"""advisor's checked training data (OpenAI's JSONL formats) in the dataset shapes TRL's trainers take.

- SFT: `{"messages": [...]}` stays conversational `{"messages": [...], "tools": [...]}`.
- DPO: `{"input": {"messages"}, "preferred_output", "non_preferred_output"}` becomes TRL's conversational
  preference shape `{"prompt": [...], "chosen": [...], "rejected": [...]}`.
- RFT: `{"messages": [...], <reference fields>}` becomes a GRPO prompt `{"prompt": [...]}` plus the whole
  row as `advisor_item` (JSON text, so rows with different reference fields fit one Arrow schema); the
  generated reward module reads it as the grader's `item`.

Messages keep role, text content, tool calls (arguments parsed to objects, as chat templates expect)
and tool_call_id. `advisor dataset check` has already refused malformed lines, so a line that still
cannot be converted (an image part: these trainers are text-only) is reported with its line number.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from advisor.plugin_api import Method


class ConversionError(ValueError):
    """A line the trainers cannot take: `where` is FILE:LINE and the field."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")
        self.where = where


def _text(content: Any, where: str) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = []
        for index, part in enumerate(content):
            if isinstance(part, dict) and part.get("type") == "text":
                texts.append(str(part.get("text", "")))
            else:
                kind = part.get("type") if isinstance(part, dict) else type(part).__name__
                raise ConversionError(
                    f"{where}.content[{index}]",
                    f"a {kind} part: TRL's text trainers take text only; drop the part or the example",
                )
        return "".join(texts)
    raise ConversionError(f"{where}.content", "content must be text or a list of text parts")


def _message(message: dict[str, Any], where: str) -> dict[str, Any]:
    converted: dict[str, Any] = {"role": message.get("role"), "content": _text(message.get("content"), where)}
    calls = message.get("tool_calls")
    if calls:
        converted["tool_calls"] = [_tool_call(call) for call in calls if isinstance(call, dict)]
    if message.get("tool_call_id"):
        converted["tool_call_id"] = message["tool_call_id"]
    return converted


def _tool_call(call: dict[str, Any]) -> dict[str, Any]:
    function = call.get("function") or {}
    arguments = function.get("arguments")
    if isinstance(arguments, str):  # OpenAI sends JSON text; chat templates iterate over an object
        with contextlib.suppress(ValueError):
            arguments = json.loads(arguments)
    return {"type": "function", "function": {"name": function.get("name"), "arguments": arguments}}


def _messages(messages: Any, where: str) -> list[dict[str, Any]]:
    if not isinstance(messages, list):
        raise ConversionError(where, "must be a list of messages")
    return [_message(message, f"{where}[{i}]") for i, message in enumerate(messages) if isinstance(message, dict)]


def convert_row(row: dict[str, Any], method: Method, where: str) -> dict[str, Any]:
    """One training example in TRL's conversational shape for `method` (rft: GRPO)."""
    if method == "sft":
        converted: dict[str, Any] = {"messages": _messages(row.get("messages"), f"{where}: messages")}
        tools = row.get("tools")
    elif method == "dpo":
        given = row.get("input") or {}
        converted = {
            "prompt": _messages(given.get("messages"), f"{where}: input.messages"),
            "chosen": _messages(row.get("preferred_output"), f"{where}: preferred_output"),
            "rejected": _messages(row.get("non_preferred_output"), f"{where}: non_preferred_output"),
        }
        tools = given.get("tools")
    else:
        converted = {
            "prompt": _messages(row.get("messages"), f"{where}: messages"),
            "advisor_item": json.dumps(row, ensure_ascii=False, sort_keys=True),
        }
        tools = row.get("tools")
    if tools:
        converted["tools"] = tools
    return converted


def rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for each non-blank line; the dataset check has refused anything else."""
    with path.open(encoding="utf-8-sig") as handle:
        for number, line in enumerate(handle, 1):
            if line.strip():
                value = json.loads(line)
                if isinstance(value, dict):
                    yield number, value


def convert_file(source: Path, target: Path | None, method: Method, label: str) -> int:
    """Convert every example of `source` (write them to `target` unless None: a check only); returns the
    number of examples. `label` names the file in errors (the user's path, not the run folder's copy)."""
    count = 0
    handle = None
    try:
        if target is not None:
            target.parent.mkdir(parents=True, exist_ok=True)
            handle = target.with_suffix(".part").open("w", encoding="utf-8")
        for number, row in rows(source):
            converted = convert_row(row, method, f"{label}:{number}")
            count += 1
            if handle is not None:
                handle.write(json.dumps(converted, ensure_ascii=False) + "\n")
    finally:
        if handle is not None:
            handle.close()
    if target is not None:
        target.with_suffix(".part").replace(target)  # whole or not at all
    return count
