"""Token counts of text, chat messages and tool definitions, in the chat format of the tokenizer.

Each encoder counts in a chat format (advisor.tokens.chat_format): OpenAI's for o200k_base and
cl100k_base, Llama 3's template for `llama3`, or the one its counting name gives.

OpenAI's format follows the OpenAI Cookbook (`How_to_count_tokens_with_tiktoken.ipynb`): every
message costs 3 tokens plus the encoded length of each string field (role included), a `name` costs
1 more, and every reply is primed with 3. Tool definitions follow the notebook's per-function
overheads. These match the API for the notebook's examples (124 tokens with o200k_base, 129 with
cl100k_base; 101 / 105 with tools); for anything else they are a close estimate, which the reports say.
Legacy function calling counts the same way as tools: an assistant's `function_call` is its name and
argument strings (as a `tool_calls` entry is), and top-level `functions` are tool definitions.

Llama 3's format counts what its template writes: `<|begin_of_text|>`, per message 3 special tokens,
the role and `\\n\\n` + the content as one run of text, and the assistant's header when a reply is
asked for (the conversation does not end with the assistant's answer). A training example that ends
with its answer has no header after it.

Every path that counts (`advisor tokens`, prompt files, `dataset check`, `estimate`, `recommend`)
goes through this module, so all give the same figure for the same example and tokenizer.

Special-token strings in user text (`<|endoftext|>`) are counted as plain text, as the API does.
Chats come from parsed JSON or TOML, so objects are tested with isinstance(x, dict): several times
faster than the Mapping ABC, on the hot path of files with millions of messages.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from advisor.tokens.chat_format import (
    HEADER_END,
    HEADER_ROLES,
    TOOLS_ENVIRONMENT,
    TOOLS_PREAMBLE,
    ChatFormat,
    format_of,
)
from advisor.tokens.long_text import NO_SPECIAL, BoundedEncoder, unbuffered

if TYPE_CHECKING:
    from advisor.tokens.long_text import ToBuffer

TOKENS_PER_MESSAGE = 3
TOKENS_PER_NAME = 1
REPLY_PRIMING = 3
HEADER_SPECIALS = 3  # Llama 3: <|start_header_id|>, <|end_header_id|>, <|eot_id|> around each message
REPLY_SPECIALS = 2  # Llama 3: <|start_header_id|>, <|end_header_id|> of the header a reply follows
BEGIN_TOKENS = 1  # Llama 3: <|begin_of_text|>


class Encoder(Protocol):
    name: str

    def encode_ordinary(self, text: str) -> Sequence[int]: ...  # a list, or an array for a long text


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
    if type(encoder) is MemoEncoder or type(encoder) is BoundedEncoder:  # roles and names recur on every line
        return encoder.count(text)
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


def chat_format_of(encoder: Encoder) -> ChatFormat:
    """The chat format an encoder counts in: its own attribute, else its counting name's."""
    fmt = getattr(encoder, "chat_format", None)
    return fmt if fmt is not None else format_of(encoder.name)


def count_message(encoder: Encoder, message: Mapping[str, Any], fmt: ChatFormat | None = None) -> int:
    """Tokens of one message, without what the conversation adds (reply priming, <|begin_of_text|>)."""
    if (fmt or chat_format_of(encoder)).template == "header":
        return _header_message(encoder, message)
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


def count_after_header(encoder: Encoder, text: str) -> int:
    """Tokens of `\\n\\n` + `text`, written as one run after a Llama 3 header: white space at the start
    of the text can join the newlines in one piece, so such a text is counted with them."""
    if text[:1].isspace():
        return count_text(encoder, HEADER_END + text)
    return count_text(encoder, HEADER_END) + count_text(encoder, text)


def header_body(message: Mapping[str, Any]) -> str:
    """What Llama 3's template writes after a message's header: its text, then its tool calls as
    Llama 3.1's template writes them (`{"name": ..., "parameters": ...}`)."""
    body = "".join(_content_text(message.get("content")))
    calls = message.get("tool_calls")
    functions = [call.get("function") for call in calls if isinstance(call, dict)] if isinstance(calls, list) else []
    functions.append(message.get("function_call"))
    for function in functions:
        if isinstance(function, dict):
            name, arguments = function.get("name"), function.get("arguments")
            body += '{"name": ' + json.dumps(name if isinstance(name, str) else "") + ', "parameters": '
            body += (arguments if isinstance(arguments, str) else "{}") + "}"
    return body


def header_role(role: Any) -> str:
    """The role as Llama 3's template writes it in a header."""
    return HEADER_ROLES.get(role, role) if isinstance(role, str) else ""


def _header_message(encoder: Encoder, message: Mapping[str, Any]) -> int:
    return (
        HEADER_SPECIALS
        + count_text(encoder, header_role(message.get("role")))
        + count_after_header(encoder, header_body(message))
    )


def reply_header_tokens(encoder: Encoder) -> int:
    """Llama 3: <|start_header_id|>assistant<|end_header_id|>\\n\\n, which a reply follows."""
    return REPLY_SPECIALS + count_text(encoder, "assistant") + count_text(encoder, HEADER_END)


def framing_tokens(encoder: Encoder, last_role: Any, fmt: ChatFormat | None = None) -> int:
    """What a conversation adds to its messages: OpenAI's reply priming (always, as the cookbook
    counts); Llama 3's <|begin_of_text|>, and the assistant's header unless it ends with the answer."""
    if (fmt or chat_format_of(encoder)).template == "header":
        return BEGIN_TOKENS + (0 if last_role == "assistant" else reply_header_tokens(encoder))
    return REPLY_PRIMING


def count_messages(encoder: Encoder, messages: Iterable[Mapping[str, Any]], *, prime_reply: bool = True) -> int:
    """Tokens of a conversation as the API bills its prompt (the cookbook's num_tokens_from_messages),
    or, in Llama 3's format, as its template writes it. `prime_reply=False`: the messages alone."""
    fmt = chat_format_of(encoder)
    listed = [message for message in messages if isinstance(message, dict)]
    total = sum(count_message(encoder, message, fmt) for message in listed)
    if not prime_reply:
        return total
    return total + framing_tokens(encoder, listed[-1].get("role") if listed else None, fmt)


def count_answers(encoder: Encoder, answers: Iterable[Mapping[str, Any]]) -> int:
    """Tokens of answers that follow a prompt (DPO's outputs): each a message of its own in OpenAI's
    format; in Llama 3's, the text and <|eot_id|> after the assistant's header the prompt ends with."""
    fmt = chat_format_of(encoder)
    listed = [answer for answer in answers if isinstance(answer, dict)]
    total = sum(count_message(encoder, answer, fmt) for answer in listed)
    if fmt.template == "header":
        total -= len(listed) * reply_header_tokens(encoder)
    return total


def count_tools(encoder: Encoder, tools: Iterable[Any]) -> int:
    """Tokens added by tool (function) definitions, per the cookbook's num_tokens_for_tools; in Llama
    3's format, as Llama 3.1's template writes them (an approximation: advisor.tokens.chat_format)."""
    if chat_format_of(encoder).template == "header":
        return _header_tools(encoder, [tool for tool in tools if isinstance(tool, dict)])
    overheads = TOOL_OVERHEADS.get(encoder.name.partition(":")[0], TOOL_OVERHEADS["o200k_base"])
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


def _header_tools(encoder: Encoder, tools: list[Any]) -> int:
    """Llama 3.1's template: its instruction and each definition as indented JSON in the first user
    turn, and `Environment: ipython` in the system turn."""
    if not tools:
        return 0
    text = TOOLS_PREAMBLE + "".join(json.dumps(tool, indent=4, ensure_ascii=False) + "\n\n" for tool in tools)
    return count_text(encoder, text) + count_text(encoder, TOOLS_ENVIRONMENT)


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
        found = getattr(encoding, "to_buffer", None)
        self._to_buffer: ToBuffer = found if found is not None else unbuffered
        self._buffered: int = getattr(encoding, "buffered", -1) if found is not None else -1
        self._short: dict[str, int] = {}
        self._repeated: dict[str, int] = {}
        fmt = self.chat_format = chat_format_of(encoding)
        roles = ("system", "user", "assistant", "tool")
        self.header = fmt.template == "header"
        if self.header:
            self._newlines = len(self._encode(HEADER_END))
            # a {"role": ..., "content": ...} message costs this much besides its content (counted by
            # count_content, which joins white space at its start to the header's newlines)
            self.role_tokens = {
                role: HEADER_SPECIALS + len(self._encode(header_role(role))) + self._newlines for role in roles
            }
            self.reply_header = REPLY_SPECIALS + len(self._encode("assistant")) + self._newlines
            self.trained_framing = BEGIN_TOKENS  # a conversation that ends with its answer
            self.count_content: Callable[[str], int] = self._header_content
            self.count_content_repeated: Callable[[str], int] = self._header_content_repeated
        else:
            self.role_tokens = {role: TOKENS_PER_MESSAGE + len(self._encode(role)) for role in roles}
            self.reply_header = 0
            self.trained_framing = REPLY_PRIMING
            self.count_content = self.count
            self.count_content_repeated = self.count_repeated

    def framing(self, last_role: Any) -> int:
        """framing_tokens(self, last_role), from the figures worked out once."""
        if self.header:
            return BEGIN_TOKENS + (0 if last_role == "assistant" else self.reply_header)
        return REPLY_PRIMING

    def _header_content(self, text: str) -> int:
        if text[:1].isspace():
            return self.count(HEADER_END + text) - self._newlines
        return self.count(text)

    def _header_content_repeated(self, text: str) -> int:
        if text[:1].isspace():
            return self.count_repeated(HEADER_END + text) - self._newlines
        return self.count_repeated(text)

    def encode_ordinary(self, text: str) -> Sequence[int]:
        return self._encode(text)

    def _length(self, text: str) -> int:
        return len(self._encode(text))

    def count(self, text: str) -> int:
        size = len(text)
        if size > self.SHORT:
            if size <= self._buffered:  # what BoundedEncoder.count does
                try:
                    return memoryview(self._to_buffer(text, NO_SPECIAL)).nbytes >> 2
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
