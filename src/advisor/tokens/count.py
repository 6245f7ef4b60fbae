"""Token counts of text, chat messages and tool definitions, by the OpenAI Cookbook's rules.

`How_to_count_tokens_with_tiktoken.ipynb`: every message costs 3 tokens plus the encoded length of
each string field (role included), a `name` costs 1 more, and every reply is primed with 3.
Tool definitions follow the notebook's per-function overheads. These match the API for the
notebook's examples (124 tokens with o200k_base, 129 with cl100k_base; 101 / 105 with tools);
for anything else they are a close estimate, which the reports say.

Legacy function calling counts the same way as tools: an assistant's `function_call` is its name and
argument strings (as a `tool_calls` entry is), and top-level `functions` are tool definitions. Every
path that counts (`advisor tokens`, prompt files, `dataset check`) goes through this module, so all
three give the same figure for the same example.

Special-token strings in user text (`<|endoftext|>`) are counted as plain text, as the API does.
Chats come from parsed JSON or TOML, so objects are tested with isinstance(x, dict): several times
faster than the Mapping ABC, on the hot path of files with millions of messages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from advisor.tokens.long_text import NO_SPECIAL, BoundedEncoder

TOKENS_PER_MESSAGE = 3
TOKENS_PER_NAME = 1
REPLY_PRIMING = 3


class Encoder(Protocol):
    name: str

    def encode_ordinary(self, text: str) -> list[int]: ...


@dataclass(frozen=True)
class ToolOverheads:
    """Per-function token overheads from the cookbook's `num_tokens_for_tools`."""

    func_init: int
    prop_init: int = 3
    prop_key: int = 3
    enum_init: int = -3
    enum_item: int = 3
    func_end: int = 12


# gpt-4o family (o200k_base) and gpt-4 / gpt-3.5 (cl100k_base).
TOOL_OVERHEADS = {"o200k_base": ToolOverheads(func_init=7), "cl100k_base": ToolOverheads(func_init=10)}


def count_text(encoder: Encoder, text: str) -> int:
    kind = type(encoder)
    if kind is MemoEncoder or kind is BoundedEncoder:  # roles and names recur on every line of a training file
        return encoder.count(text)  # type: ignore[attr-defined]
    return len(encoder.encode_ordinary(text))


def _content_text(content: Any) -> Iterable[str]:
    """Strings the model reads in a message's content: a string, or the text of text parts."""
    if isinstance(content, str):
        yield content
    elif isinstance(content, list):
        for part in content:
            if isinstance(part, dict) and isinstance(part.get("text"), str):
                yield part["text"]
            elif isinstance(part, str):
                yield part


def _tool_call_text(tool_calls: Any) -> Iterable[str]:
    """Function names and argument strings of an assistant's tool calls."""
    if not isinstance(tool_calls, list):
        return
    for call in tool_calls:
        function = call.get("function") if isinstance(call, dict) else None
        yield from _function_call_text(function)


def _function_call_text(function: Any) -> Iterable[str]:
    """The name and argument strings of one call: a tool call's `function`, or a legacy `function_call`."""
    if isinstance(function, dict):
        for key in ("name", "arguments"):
            if isinstance(function.get(key), str):
                yield function[key]


def count_message(encoder: Encoder, message: Mapping[str, Any]) -> int:
    """Tokens of one message, without the reply priming."""
    tokens = TOKENS_PER_MESSAGE
    for key, value in message.items():
        if isinstance(value, str) and key != "tool_calls":  # most fields: one string
            tokens += count_text(encoder, value) + (TOKENS_PER_NAME if key == "name" else 0)
        elif key == "content":  # a list of parts
            tokens += sum(count_text(encoder, text) for text in _content_text(value))
        elif key == "tool_calls":
            tokens += sum(count_text(encoder, text) for text in _tool_call_text(value))
        elif key == "function_call":  # legacy function calling: the call is read as a tool call is
            tokens += sum(count_text(encoder, text) for text in _function_call_text(value))
        # weight, null content, numbers: nothing the model reads
    return tokens


def count_messages(encoder: Encoder, messages: Iterable[Mapping[str, Any]], *, prime_reply: bool = True) -> int:
    """Tokens of a conversation as the API bills its prompt (the cookbook's num_tokens_from_messages)."""
    total = sum(count_message(encoder, message) for message in messages if isinstance(message, dict))
    return total + (REPLY_PRIMING if prime_reply else 0)


def count_tools(encoder: Encoder, tools: Iterable[Any]) -> int:
    """Tokens added by tool (function) definitions, per the cookbook's num_tokens_for_tools."""
    overheads = TOOL_OVERHEADS.get(encoder.name, TOOL_OVERHEADS["o200k_base"])
    total = 0
    functions = [tool.get("function", tool) for tool in tools if isinstance(tool, dict)]
    for function in functions:
        if not isinstance(function, dict):
            continue
        total += overheads.func_init
        name = _text(function.get("name"))
        description = _text(function.get("description")).removesuffix(".")
        total += count_text(encoder, f"{name}:{description}")
        parameters = function.get("parameters")
        properties = parameters.get("properties") if isinstance(parameters, dict) else None
        if isinstance(properties, dict) and properties:
            total += overheads.prop_init
            for key, spec in properties.items():
                spec = spec if isinstance(spec, dict) else {}
                total += overheads.prop_key
                enum = spec.get("enum")
                if isinstance(enum, list):
                    total += overheads.enum_init
                    for item in enum:
                        total += overheads.enum_item + count_text(encoder, _text(item))
                p_type = _text(spec.get("type"))
                p_description = _text(spec.get("description")).removesuffix(".")
                total += count_text(encoder, f"{key}:{p_type}:{p_description}")
    if functions:
        total += overheads.func_end
    return total


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return "" if value is None else str(value)


def tool_definitions(chat: Mapping[str, Any]) -> list[Any]:
    """The function definitions a request or training example carries: `tools`, or legacy `functions`."""
    tools = chat.get("tools") or chat.get("functions") or []
    return tools if isinstance(tools, list) else []


def count_chat(encoder: Encoder, chat: Mapping[str, Any]) -> int:
    """A request body: `messages` plus optional `tools` (or legacy `functions`)."""
    messages = chat.get("messages")
    total = count_messages(encoder, messages if isinstance(messages, list) else [])
    return total + count_tools(encoder, tool_definitions(chat))


class MemoEncoder:
    """An Encoder that remembers token counts of strings that recur in a training file: short ones
    (roles, names, class labels) always, long ones (system prompts, tool definitions) when asked."""

    SHORT = 32
    LIMIT = 4_096  # distinct short strings remembered (about 100 bytes each); then it starts again
    REPEATED_LIMIT = 256

    def __init__(self, encoding: Encoder) -> None:
        self.name = encoding.name
        self._encode = encoding.encode_ordinary
        counter = getattr(encoding, "count", None)  # a BoundedEncoder counts without a list of tokens
        self._count: Callable[[str], int] = counter if callable(counter) else self._length
        # and its tokenizer's own buffer, called here directly: one Python call less per text
        self._to_buffer = getattr(encoding, "to_buffer", None)
        self._buffered: int = getattr(encoding, "buffered", -1) if self._to_buffer is not None else -1
        self._short: dict[str, int] = {}
        self._repeated: dict[str, int] = {}
        # a {"role": ..., "content": ...} message costs this much besides its content
        self.role_tokens = {
            role: TOKENS_PER_MESSAGE + len(self._encode(role)) for role in ("system", "user", "assistant", "tool")
        }

    def encode_ordinary(self, text: str) -> list[int]:
        return self._encode(text)

    def _length(self, text: str) -> int:
        return len(self._encode(text))

    def count(self, text: str) -> int:
        size = len(text)
        if size > self.SHORT:
            if size <= self._buffered:  # what BoundedEncoder.count does
                try:
                    return memoryview(self._to_buffer(text, NO_SPECIAL)).nbytes >> 2  # type: ignore[misc]
                except UnicodeEncodeError:
                    pass
            return self._count(text)
        return self._remember(self._short, self.LIMIT, text)

    def count_repeated(self, text: str) -> int:
        """For strings likely to recur verbatim on many lines; a bounded memo of any length."""
        return self._remember(self._repeated, self.REPEATED_LIMIT, text)

    def _remember(self, memo: dict[str, int], limit: int, text: str) -> int:
        tokens = memo.get(text)
        if tokens is None:
            if len(memo) >= limit:
                memo.clear()
            tokens = memo[text] = self._count(text)
        return tokens
