"""Checking one training example (a parsed JSONL line) for SFT, DPO or RFT, and measuring it.

The checks start from the OpenAI Cookbook's data-preparation notebook (a dict with a non-empty
`messages` list, each message with a known `role` and string `content`, no unknown keys, at least one
assistant message) and add what current fine-tuning files carry: content parts, `name`, `weight`,
`tool_calls`, `tools`, `parallel_tool_calls`, legacy `function_call` and `functions`, the DPO and RFT
shapes. Token counts follow each tokenizer's chat format through advisor.tokens.count (the one counting
path `advisor tokens` and prompt files use too; the Cookbook's rules for OpenAI's tokenizers), counted in
the same walk.
"""

from __future__ import annotations

import hashlib
import re
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from hashlib import sha1
from typing import Any, NamedTuple, TypeGuard

from advisor.datasets.grader import GraderSpec, missing_fields
from advisor.datasets.problems import Problems, Where
from advisor.datasets.rules import OPENAI_RULES, DataRules
from advisor.methods import Method
from advisor.parsing import json_text
from advisor.tokens.count import (
    MemoEncoder,
    count_answers,
    count_message,
    count_tools,
    tool_definitions,
)

ROLES = ("system", "user", "assistant", "tool")  # the roles advisor counts in every chat format
# a tool message always needs its tool_call_id; a tuple, since a role can be any JSON value (a list is unhashable)
PLAIN_ROLES = ("system", "user", "assistant")
MESSAGE_KEYS = frozenset({"role", "content", "name", "weight", "tool_calls", "tool_call_id", "function_call"})
TOP_LEVEL_KEYS: dict[str, frozenset[str]] = {
    "sft": frozenset({"messages", "tools", "parallel_tool_calls", "functions"}),
    "dpo": frozenset({"input", "preferred_output", "non_preferred_output"}),
}
LABEL_MAX_CHARS = 40
_ALNUM = re.compile(r"[^\W_]")  # a character for which str.isalnum() is true


class ExampleFacts(NamedTuple):
    """What the file-wide checks and statistics need to know about one valid example."""

    tokens: tuple[int, ...]  # per encoding, in the order the scan was given
    assistant_tokens: int  # in the first encoding
    input: int  # digest of every message before the answer (all of them when there is none), white space removed
    answer: int  # digest of the answer, white space removed (0: no answer)
    system: int  # digest of the first system message (0: none)
    label: str | None  # the answer, when short enough to be a class label
    has_system: bool
    has_user: bool


FIRST_64_BITS = struct.Struct("<Q").unpack_from


def digest_bytes(data: bytes) -> int:
    """A stable 64-bit digest (Python's hash() differs between processes): the first 8 bytes of the
    SHA-1 of `data`, which OpenSSL computes about twice as fast as blake2b over a training line. It only
    tells equal texts apart; nothing depends on it for security."""
    first: int = FIRST_64_BITS(hashlib.sha1(data, usedforsecurity=False).digest())[0]  # struct's "<Q": an int
    return first


def digest(text: str) -> int:
    return digest_bytes(text.encode("utf-8", "surrogatepass"))


WHITESPACE = b" \t\r\n\x0b\x0c"
_ROLE_PREFIX = {role: f"\x00{role}\x01".encode() for role in (*ROLES, "function")}
_SYSTEM, _USER, _ASSISTANT, _TOOL = (_ROLE_PREFIX[role] for role in ROLES)
# legacy function calling: a `function` message holds a function's result (the Cookbook counts the role)
SYSTEMS_REMEMBERED = 256


def squeeze(text: str) -> bytes:
    """UTF-8 with every white-space character removed: two texts that differ only in white space
    squeeze to the same bytes."""
    return text.encode("utf-8", "surrogatepass").translate(None, WHITESPACE)


@dataclass
class _Walk:
    """What one pass over a conversation's messages found."""

    tokens: list[int]  # per encoder: the messages' tokens (without reply priming and tools)
    roles: list[Any] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)  # what each message says (content, tool calls)
    assistant_tokens: int = 0  # first encoder, assistant messages that are trained
    trained: int = 0  # assistant messages that are trained (weight not 0)
    answers: list[int] = field(default_factory=list)  # positions of trained answers given as text
    system: str | None = None  # the first system message
    last_assistant: int | None = None  # position of the last assistant message


def detect_method(example: Mapping[str, Any]) -> Method:
    """SFT, DPO or RFT, from the shape of one example."""
    if {"preferred_output", "non_preferred_output"} & example.keys() or isinstance(example.get("input"), dict):
        return "dpo"
    messages = example.get("messages")
    if not isinstance(messages, list) or not messages:
        return "sft"
    ends_with_user = isinstance(messages[-1], dict) and messages[-1].get("role") == "user"
    if ends_with_user and not any(isinstance(m, dict) and m.get("role") == "assistant" for m in messages):
        return "rft"
    return "sft"


class ExampleChecker:
    """Checks and measures examples of one method; problems go to the log it is given."""

    def __init__(
        self,
        method: Method,
        encoders: Sequence[MemoEncoder],
        grader: GraderSpec | None = None,
        rules: DataRules = OPENAI_RULES,
    ) -> None:
        self.method = method
        self.encoders = encoders
        self.grader = grader
        self.rules = rules
        self._sft_keys = TOP_LEVEL_KEYS["sft"] if rules.tools else frozenset({"messages"})
        self._tools_memo: dict[str, list[int]] = {}
        # the first encoder's tokens of tool definitions that passed the checks (_tool_sft_one)
        self._tools_checked: dict[str, int] = {}
        self._no_tools = [0] * len(encoders)
        # system prompt -> (squeezed, digest): a file has one or a few, on every line (bounded like any memo)
        self._systems: dict[str, tuple[bytes, int, int]] = {}

    def check(self, example: Mapping[str, Any], log: Problems, line: int, index: int) -> ExampleFacts | None:
        """Facts about a valid example, or None when it has errors (they are in the log)."""
        if self.method == "sft":
            facts = self._plain_sft(example)
            if facts is None and len(self.encoders) == 1 and self.rules.tools:
                facts = self._tool_sft_one(example)
            if facts is not None and (self.rules.repeated_roles or _alternates(example["messages"])):
                return facts
        where: Where = {"line": line, "example": index}
        errors_before = log.total("error")
        check = self._check_dpo if self.method == "dpo" else self._check_chat
        facts = check(example, log, where)
        return facts if facts is not None and log.total("error") == errors_before else None

    # SFT and RFT ---------------------------------------------------------------------------------

    def _plain_sft(self, example: Mapping[str, Any]) -> ExampleFacts | None:
        """Most lines of most SFT files, in one tight loop: `{"messages": [...]}` made only of
        {"role", "content"} messages with text, every answer with letters or digits, the last message
        an answer. Such an example has nothing to report. None for anything else: the full checks take
        it (they give the same facts for these; a test holds them to it)."""
        messages = example.get("messages")
        if len(example) != 1 or type(messages) is not list or not messages:
            return None
        if len(self.encoders) == 1:
            return self._plain_sft_one(messages)
        encoders = self.encoders
        tokens = [encoder.trained_framing for encoder in encoders]  # it ends with the answer (checked below)
        assistant_tokens = 0
        roles: list[str] = []
        texts: list[str] = []
        system = None
        for message in messages:
            if type(message) is not dict or len(message) != 2:
                return None
            role = message.get("role")
            content = message.get("content")
            if role not in PLAIN_ROLES or type(content) is not str:
                return None
            if role == "assistant" and not _ALNUM.search(content):
                return None  # an empty or near-empty answer: the full checks word the warning
            elif role == "user" and (not content or content.isspace()):
                return None  # an empty question: the full checks word the warning
            elif role == "system" and system is None:
                system = content
            for index, encoder in enumerate(encoders):
                # the message's format tokens and role, + the content; a system prompt recurs on every line
                count = encoder.role_tokens[role] + (
                    encoder.count_content_repeated(content) if role == "system" else encoder.count_content(content)
                )
                tokens[index] += count
                if index == 0 and role == "assistant":
                    assistant_tokens += count
            roles.append(role)
            texts.append(content)
        if roles[-1] != "assistant":
            return None
        return self._facts(roles, texts, system, len(texts) - 1, tuple(tokens), assistant_tokens)

    def _plain_sft_one(self, messages: list[Any]) -> ExampleFacts | None:
        """_plain_sft with one encoder (a file checked for one model, or models sharing a tokenizer):
        the same rules and facts, with the input digested as it is read."""
        encoder = self.encoders[0]
        count = encoder.count_content
        role_tokens = encoder.role_tokens
        user_tokens, assistant_base = role_tokens["user"], role_tokens["assistant"]
        system_tokens = role_tokens["system"]
        tokens = encoder.trained_framing  # it ends with the answer (checked below)
        assistant_tokens = 0
        system = None
        system_digest = 0
        has_user = False
        answer = ""
        parts: list[bytes] = []  # role marks and squeezed texts of every message before the answer
        for message in messages:
            if type(message) is not dict or len(message) != 2:
                return None
            role = message.get("role")
            content = message.get("content")
            if type(content) is not str:
                return None
            if role == "user":
                if not content or content.isspace():
                    return None  # an empty question: the full checks word the warning
                tokens += user_tokens + count(content)
                has_user = True
                parts += (_USER, content.encode("utf-8", "surrogatepass").translate(None, WHITESPACE))  # squeeze()
            elif role == "assistant":
                if not _ALNUM.search(content):
                    return None  # an empty or near-empty answer: the full checks word the warning
                answer = content
                answer_tokens = assistant_base + count(content)
                tokens += answer_tokens
                assistant_tokens += answer_tokens
                parts += (_ASSISTANT, content.encode("utf-8", "surrogatepass").translate(None, WHITESPACE))
            elif role == "system":
                squeezed, prompt_digest, prompt_tokens = self._system(content)  # recurs on every line
                tokens += system_tokens + prompt_tokens
                if system is None:
                    system, system_digest = content, prompt_digest
                parts += (_SYSTEM, squeezed)
            else:
                return None
        if role != "assistant":
            return None
        return _one_pass_facts(parts, answer, tokens, assistant_tokens, system_digest, system is not None, has_user)

    def _tool_sft_one(self, example: Mapping[str, Any]) -> ExampleFacts | None:
        """Function-calling SFT examples with one encoder, in one loop: `messages`, optional `tools` (a
        list of well-formed definitions) and `parallel_tool_calls` (true or false). Besides
        {"role", "content"} messages with text: assistant tool calls {"role", "tool_calls"} (and
        "content", text or null) whose calls are well formed with JSON arguments, and tool results
        {"role": "tool", "tool_call_id", "content"} answering an earlier call of the example. Every text
        answer has letters or digits and the last message is the assistant's. Such an example has
        nothing to report. None for anything else: the full checks take it (they give the same facts
        for these; a test holds them to it)."""
        messages = example.get("messages")
        if type(messages) is not list or not messages or self.encoders[0].header:
            return None  # Llama 3's format writes tool calls in its own way: the full checks count them
        tool_tokens = 0
        for key, value in example.items():
            if key == "tools":
                if type(value) is not list:
                    return None
                if value:
                    memo_key = repr(value)  # equal reprs mean equal definitions
                    known = self._tools_checked.get(memo_key)
                    if known is None:
                        if not all(_tool_ok(tool) for tool in value):
                            return None  # the full checks word the error
                        if len(self._tools_checked) >= 256:
                            self._tools_checked.clear()
                        known = self._tools_checked[memo_key] = count_tools(self.encoders[0], value)
                    tool_tokens = known
            elif key == "parallel_tool_calls":
                if type(value) is not bool:
                    return None
            elif key != "messages":
                return None  # legacy `functions` and unknown keys: the full checks
        encoder = self.encoders[0]
        count = encoder.count
        role_tokens = encoder.role_tokens
        tokens = encoder.trained_framing + tool_tokens  # it ends with the answer (checked below)
        assistant_tokens = 0
        system = None
        system_digest = 0
        has_user = False
        call_ids: set[str] = set()
        parts: list[bytes] = []  # role marks and squeezed texts of every message before the answer
        text = ""
        role = None
        for message in messages:
            if type(message) is not dict:
                return None
            role = message.get("role")
            size = len(message)
            content = message.get("content")
            if size == 2 and type(content) is str and role in PLAIN_ROLES:
                text = content
                if role == "system":
                    squeezed, prompt_digest, prompt_tokens = self._system(text)  # recurs on every line
                    tokens += role_tokens["system"] + prompt_tokens
                    if system is None:
                        system, system_digest = text, prompt_digest
                    parts += (_SYSTEM, squeezed)
                    continue
                if role == "user":
                    if not text or text.isspace():
                        return None  # an empty question: the full checks word the warning
                    tokens += role_tokens["user"] + count(text)
                    has_user = True
                    parts += (_USER, text.encode("utf-8", "surrogatepass").translate(None, WHITESPACE))  # squeeze()
                    continue
                if not _ALNUM.search(text):
                    return None  # an empty or near-empty answer: the full checks word the warning
                answer_tokens = role_tokens["assistant"] + count(text)
            elif role == "assistant":
                calls = message.get("tool_calls")
                if (
                    type(calls) is not list
                    or not calls
                    or size != ("content" in message) + 2
                    or (content is not None and type(content) is not str)
                ):
                    return None
                answer_tokens = role_tokens["assistant"]
                if content:
                    text = content
                    answer_tokens += count(text)
                else:
                    text = ""  # _signature_text(): the content, then each call
                for call in calls:
                    if type(call) is not dict or call.get("type", "function") != "function":
                        return None
                    call_id = call.get("id")
                    function = call.get("function")
                    if type(call_id) is not str or type(function) is not dict:
                        return None
                    name = function.get("name")
                    arguments = function.get("arguments")
                    if type(name) is not str or type(arguments) is not str or not _is_json(arguments):
                        return None  # arguments that are not JSON: the full checks word the warning
                    answer_tokens += count(name) + count(arguments)
                    call_ids.add(call_id)
                    text += f"\x1d{name}({arguments})"
            elif role == "tool" and size == 3:
                call_id = message.get("tool_call_id")
                if type(content) is not str or type(call_id) is not str or call_id not in call_ids:
                    return None
                tokens += role_tokens["tool"] + count(call_id) + count(content)
                parts += (_TOOL, content.encode("utf-8", "surrogatepass").translate(None, WHITESPACE))
                continue
            else:
                return None
            tokens += answer_tokens  # an assistant message, trained (no weight)
            assistant_tokens += answer_tokens
            parts += (_ASSISTANT, text.encode("utf-8", "surrogatepass").translate(None, WHITESPACE))
        if role != "assistant":
            return None
        return _one_pass_facts(parts, text, tokens, assistant_tokens, system_digest, system is not None, has_user)

    def _check_chat(self, example: Mapping[str, Any], log: Problems, where: Where) -> ExampleFacts | None:
        if self.method == "sft":
            self._unknown_keys(example, self._sft_keys, "", log, where)
        messages = example.get("messages")
        if not _messages_ok(messages, "messages", log, where):
            return None
        self._check_tools(example, log, where)
        walk = self._walk(messages, "messages", log, where)
        if walk is None:
            return None
        roles = walk.roles
        if self.method == "rft":
            if roles[-1] != "user":
                log.error(
                    "rft-last-not-user",
                    f"the last message is {roles[-1]!r}; an RFT prompt ends with a user message",
                    "end each example with the user turn the model answers; put the reference answer in a field "
                    "the grader reads",
                    field=f"messages[{len(messages) - 1}]",
                    **where,
                )
            if self.grader:
                for missing in missing_fields(example, self.grader):
                    log.error(
                        "grader-field-missing",
                        f"field `{missing}` read by the grader ({{{{item.{missing}}}}}) is missing",
                        f"add `{missing}` to every row, or change {self.grader.path}",
                        field=missing,
                        **where,
                    )
        else:
            self._check_answers(walk, log, where)
        tools = self._tool_tokens(tool_definitions(example))  # `tools`, or legacy `functions`
        last = roles[-1]
        totals = tuple(
            [
                tokens + encoder.framing(last) + extra
                for tokens, extra, encoder in zip(walk.tokens, tools, self.encoders, strict=True)
            ]
        )
        answer_index = walk.last_assistant if self.method == "sft" else None
        return self._facts(walk.roles, walk.texts, walk.system, answer_index, totals, walk.assistant_tokens)

    def _check_answers(self, walk: _Walk, log: Problems, where: Where) -> None:
        roles = walk.roles
        if not walk.trained:
            if "assistant" not in roles:
                log.error(
                    "no-assistant",
                    "no assistant message: there is nothing to learn from",
                    "add the ideal answer as an assistant message",
                    field="messages",
                    **where,
                )
            else:
                self._own_rule(
                    "all-weights-zero",
                    "every assistant message has weight 0: nothing is trained",
                    "set weight 1 on at least one assistant message",
                    log,
                    "messages",
                    where,
                )
        elif roles[-1] != "assistant":
            log.warning(
                "ends-without-answer",
                f"the last message is {roles[-1]!r}: it teaches nothing",
                "end the example with the assistant's answer, or drop the trailing messages",
                field=f"messages[{len(roles) - 1}]",
                **where,
            )
        for position in walk.answers:
            text = walk.texts[position]
            if not text or text.isspace():
                log.warning(
                    "empty-answer",
                    "the assistant answer is empty",
                    "write the ideal answer, or remove the example",
                    field=f"messages[{position}].content",
                    **where,
                )
            elif not _ALNUM.search(text):
                log.warning(
                    "near-empty-answer",
                    f"the assistant answer has no letters or digits ({len(text)} characters)",
                    "write the ideal answer, or remove the example",
                    field=f"messages[{position}].content",
                    **where,
                )

    # DPO -------------------------------------------------------------------------------------------

    def _check_dpo(self, example: Mapping[str, Any], log: Problems, where: Where) -> ExampleFacts | None:
        self._unknown_keys(example, TOP_LEVEL_KEYS["dpo"], "", log, where)
        source = example.get("input")
        if not isinstance(source, dict):
            log.error(
                "dpo-input",
                "`input` is missing or not an object",
                'give the prompt as "input": {"messages": [...]}',
                field="input",
                **where,
            )
            return None
        self._unknown_keys(source, self._sft_keys, "input.", log, where)
        messages = source.get("messages")
        if not _messages_ok(messages, "input.messages", log, where):
            return None
        walk = self._walk(messages, "input.messages", log, where)
        self._check_tools(source, log, where, prefix="input.")
        last = messages[-1]
        if isinstance(last, dict) and last.get("role") != "user":  # not an object: _walk said so
            last_field = f"input.messages[{len(messages) - 1}]"
            what = (
                f"the input's last message is {last.get('role')!r}; DPO compares two answers to the last user message"
            )
            if last.get("role") == "assistant":  # every provider refuses it
                log.error(
                    "dpo-input-last-not-user", what, "end input.messages with the user turn", field=last_field, **where
                )
            else:
                self._own_rule(
                    "dpo-input-last-not-user", what, "end input.messages with the user turn", log, last_field, where
                )
        answers = {
            key: self._dpo_output(example.get(key), key, log, where)
            for key in ("preferred_output", "non_preferred_output")
        }
        if walk is None or None in answers.values():
            return None
        preferred, rejected = answers["preferred_output"], answers["non_preferred_output"]
        assert preferred is not None and rejected is not None
        if squeeze(preferred[0]["content"]) == squeeze(rejected[0]["content"]):
            log.warning(
                "dpo-identical-outputs",
                "the preferred and non-preferred answers are the same",
                "give two different answers, or remove the example: identical pairs teach nothing",
                field="non_preferred_output",
                **where,
            )
        tools = self._tool_tokens(tool_definitions(source))
        outputs = [count_answers(encoder, preferred) + count_answers(encoder, rejected) for encoder in self.encoders]
        last = walk.roles[-1]
        totals = tuple(
            t + encoder.framing(last) + extra + out
            for t, extra, out, encoder in zip(walk.tokens, tools, outputs, self.encoders, strict=True)
        )
        walk.roles.append("assistant")
        walk.texts.append(preferred[0]["content"])
        return self._facts(walk.roles, walk.texts, walk.system, len(messages), totals, outputs[0])

    def _dpo_output(self, value: Any, key: str, log: Problems, where: Where) -> list[Mapping[str, Any]] | None:
        if (
            isinstance(value, list)
            and len(value) == 1
            and isinstance(value[0], dict)
            and value[0].get("role") == "assistant"
            and isinstance(value[0].get("content"), str)
        ):
            if value[0]["content"].strip():
                return value
            self._own_rule(
                "dpo-output",
                f"`{key}` is empty: there is no answer to prefer or reject",
                "write the answer, or remove the pair",
                log,
                key,
                where,
            )
            return value if self.rules.own_rules == "warning" else None
        log.error(
            "dpo-output",
            f"`{key}` must be a list with exactly one assistant message with text content",
            f'write "{key}": [{{"role": "assistant", "content": "..."}}] (DPO is single-turn)',
            field=key,
            **where,
        )
        return None

    # shared ----------------------------------------------------------------------------------------

    def _walk(self, messages: list[Any], path: str, log: Problems, where: Where) -> _Walk | None:
        """Check and count every message in one pass, by the general rules and the provider's; None when a
        message has errors. (The plain SFT examples of _plain_sft never get here.)"""
        encoders = self.encoders
        rules = self.rules
        walk = _Walk([0] * len(encoders))
        ok = True
        tool_call_ids: set[str] = set()
        previous: Any = None
        images = 0
        kinds: set[bool] = set()  # whether each message's content is a list of parts
        for position, message in enumerate(messages):
            field = f"{path}[{position}]"
            role = message.get("role") if isinstance(message, dict) else None
            if not rules.repeated_roles and role is not None and role == previous:
                log.error(
                    "repeated-role",
                    f"two {role!r} messages in a row: {rules.provider} takes alternating turns",
                    "merge the two messages, or put the other side's turn between them",
                    field=field,
                    **where,
                )
                ok = False
            previous = role
            if type(message) is dict and len(message) == 2:
                text = message.get("content")
                if type(text) is str and role in PLAIN_ROLES:
                    # {"role", "content"} with text: counted as _plain_sft counts it
                    # (the same figures as count_message; a system prompt recurs on every line)
                    if role == "user" and (not text or text.isspace()):
                        _empty_user(log, field, where)
                    kinds.add(False)
                    for index, encoder in enumerate(encoders):
                        tokens = encoder.role_tokens[role] + (
                            encoder.count_content_repeated(text) if role == "system" else encoder.count_content(text)
                        )
                        walk.tokens[index] += tokens
                        if index == 0 and role == "assistant":
                            walk.assistant_tokens += tokens
                    if role == "assistant":
                        walk.last_assistant = position
                        walk.trained += 1
                        walk.answers.append(position)
                    elif role == "system" and walk.system is None:
                        walk.system = text
                    walk.roles.append(role)
                    walk.texts.append(text)
                    continue
            if not isinstance(message, dict):
                log.error(
                    "message-not-object",
                    f"a message must be an object, not {_kind(message)}",
                    'write {"role": "...", "content": "..."}',
                    field=field,
                    **where,
                )
                ok = False
                continue
            if not self._check_message(message, field, tool_call_ids, log, where):
                ok = False
                continue
            content = message.get("content")
            if isinstance(content, (str, list)):
                kinds.add(isinstance(content, list))
            if role == "user" and (content == "" or (isinstance(content, str) and content.isspace())):
                _empty_user(log, field, where)
            images += _image_count(content)
            trained = role == "assistant" and message.get("weight", 1) != 0
            for index, encoder in enumerate(encoders):
                tokens = count_message(encoder, message)
                walk.tokens[index] += tokens
                if index == 0 and trained:
                    walk.assistant_tokens += tokens
            text = _signature_text(message)
            if role == "assistant":
                walk.last_assistant = position
            if trained:
                walk.trained += 1
                if not (message.get("tool_calls") or message.get("function_call")):  # a call is not a text answer
                    walk.answers.append(position)
            elif role == "system" and walk.system is None:
                walk.system = text
            walk.roles.append(role)
            walk.texts.append(text)
        if rules.max_images is not None and images > rules.max_images:
            log.error(
                "too-many-images",
                f"{images} images in one example: {rules.provider} takes at most {rules.max_images}",
                "split the example, or drop images",
                field=path,
                **where,
            )
            ok = False
        if not rules.mixed_content and len(kinds) > 1:
            log.error(
                "mixed-content",
                f"text-only and content-part messages in one conversation: {rules.provider} takes one or the other",
                'write every message\'s content as parts ([{"type": "text", "text": "..."}]) or every one as text',
                field=path,
                **where,
            )
            ok = False
        return walk if ok else None

    def _tool_tokens(self, tools: Any) -> list[int]:
        """Tokens of the tool definitions per encoder; identical definitions recur on every line."""
        if not isinstance(tools, list) or not tools:
            return self._no_tools
        key = repr(tools)  # equal reprs mean equal definitions; three times faster than json.dumps
        cached = self._tools_memo.get(key)
        if cached is None:
            if len(self._tools_memo) >= 256:
                self._tools_memo.clear()
            cached = self._tools_memo[key] = [count_tools(encoder, tools) for encoder in self.encoders]
        return cached

    def _check_message(
        self, message: Mapping[str, Any], field: str, tool_call_ids: set[str], log: Problems, where: Where
    ) -> bool:
        ok = True
        role = message.get("role")

        def error(code: str, message_text: str, hint: str, at: str = "") -> None:
            nonlocal ok
            ok = False
            log.error(code, message_text, hint, field=field + at, **where)

        rules = self.rules
        roles = ", ".join(rules.roles)
        if "role" not in message:
            error("missing-role", "the message has no `role`", f"add a role: {roles}")
        elif not isinstance(role, str) or role not in rules.roles:
            error("unknown-role", f"unknown role {role!r}", f"use one of {roles} ({rules.provider})", ".role")
        for key in message:
            if key not in MESSAGE_KEYS:
                if rules.unknown_message_keys:
                    log.warning(
                        "unknown-message-key",
                        f"unknown key {key!r} in a message: {rules.provider} ignores it",
                        "remove it",
                        field=f"{field}.{key}",
                        **where,
                    )
                else:
                    error("unknown-message-key", f"unknown key {key!r} in a message", "remove it", f".{key}")
        has_calls = rules.tools and bool(message.get("tool_calls") or message.get("function_call"))
        content = message.get("content")
        if "content" not in message and not (role == "assistant" and has_calls):
            error("missing-content", "the message has no `content`", "add the text as `content`")
        elif content is None and "content" in message and not (role == "assistant" and has_calls):
            error("content-type", "`content` is null", "give the text as a string", ".content")
        elif content is not None and not _content_ok(content):
            error(
                "content-type",
                f"`content` must be a string or a list of text or image parts, not {_kind(content)}",
                'write "content": "..." or [{"type": "text", "text": "..."}]',
                ".content",
            )
        elif isinstance(content, list) and any(part.get("type") == "image_url" for part in content):
            for problem in _image_problems(rules, role, content, message.get("weight")):
                error(problem[0], problem[1], problem[2], ".content")
            log.warning(
                "image-not-counted",
                "an image part: its tokens are not in the counts and costs",
                "images add tokens by size and detail; budget for them separately",
                field=field + ".content",
                **where,
            )
        if "name" in message and not isinstance(message["name"], str):
            error("name-type", "`name` must be a string", "write the speaker's name as text", ".name")
        if "weight" in message:
            if role not in rules.weight_roles:
                error(
                    "weight-not-assistant",
                    f"`weight` is only allowed on {' and '.join(rules.weight_roles)} messages ({rules.provider})",
                    "remove it",
                    ".weight",
                )
            elif type(message["weight"]) is not int or message["weight"] not in (0, 1):  # not 1.0, not true
                error("weight-invalid", f"`weight` must be 0 or 1, not {message['weight']!r}", "use 0 or 1", ".weight")
        if "tool_calls" in message:
            if role != "assistant":
                error(
                    "tool-calls-not-assistant",
                    "only assistant messages make tool calls",
                    "remove `tool_calls`",
                    ".tool_calls",
                )
            elif not _tool_calls_ok(message["tool_calls"]):
                error(
                    "tool-calls-invalid",
                    "`tool_calls` must be a list of {id, type: function, function: {name, arguments}}",
                    "fix the tool call (arguments are a JSON string)",
                    ".tool_calls",
                )
            else:
                for position, call in enumerate(message["tool_calls"]):
                    tool_call_ids.add(call["id"])
                    if not _is_json(call["function"]["arguments"]):
                        log.warning(
                            "arguments-not-json",
                            "tool call arguments are not valid JSON",
                            "write the arguments as a JSON object in a string",
                            field=f"{field}.tool_calls[{position}].function.arguments",
                            **where,
                        )
        if role == "tool":
            call_id = message.get("tool_call_id")
            if not isinstance(call_id, str):
                error(
                    "tool-call-id-missing", "a tool message needs `tool_call_id`", "give the id of the call it answers"
                )
            elif call_id not in tool_call_ids:
                log.warning(
                    "tool-call-id-unknown",
                    f"tool_call_id {call_id!r} answers no earlier tool call",
                    "use the id of an assistant tool call above it",
                    field=field + ".tool_call_id",
                    **where,
                )
        return ok

    def _own_rule(self, code: str, message: str, hint: str, log: Problems, field: str, where: Where) -> None:
        """A rule of advisor's own, beyond what the provider checks (an error for OpenAI, whose service
        refuses such examples; a warning with its reason where the provider takes them)."""
        if self.rules.own_rules == "error":
            log.error(code, message, hint, field=field, **where)
        else:
            log.warning(code, f"{message} ({self.rules.provider} takes it)", hint, field=field, **where)

    def _check_tools(self, container: Mapping[str, Any], log: Problems, where: Where, prefix: str = "") -> None:
        tools = container.get("tools")
        if "tools" in container and not (isinstance(tools, list) and all(_tool_ok(tool) for tool in tools)):
            log.error(
                "tools-invalid",
                "`tools` must be a list of {type: function, function: {name, description, parameters}}",
                "fix the tool definitions",
                field=prefix + "tools",
                **where,
            )
        if "parallel_tool_calls" in container and not isinstance(container["parallel_tool_calls"], bool):
            log.error(
                "parallel-tool-calls-invalid",
                "`parallel_tool_calls` must be true or false",
                "use a boolean",
                field=prefix + "parallel_tool_calls",
                **where,
            )

    def _unknown_keys(
        self, example: Mapping[str, Any], allowed: frozenset[str], prefix: str, log: Problems, where: Where
    ) -> None:
        if example.keys() <= allowed:
            return
        for key in example:
            if key not in allowed:
                log.error(
                    "unknown-key",
                    f"unknown key {key!r} for {self.method.upper()}",
                    f"remove it (allowed: {', '.join(sorted(allowed))})",
                    field=prefix + key,
                    **where,
                )

    def _facts(
        self,
        roles: list[Any],
        texts: list[str],
        system: str | None,
        answer_index: int | None,
        tokens: tuple[int, ...],
        assistant_tokens: int,
    ) -> ExampleFacts:
        """Digests for duplicate and conflict detection: of the input (every message before the answer;
        all of them when there is no answer) and of the answer, white space removed."""
        end = len(texts) if answer_index is None else answer_index
        parts: list[bytes] = []
        for role, text in zip(roles[:end], texts, strict=False):
            parts += (_ROLE_PREFIX[role], self._squeeze_system(text) if role == "system" else squeeze(text))
        input_digest = digest_bytes(b"".join(parts))  # roles here passed the checks
        answer_digest = 0
        label = None
        if answer_index is not None:
            answer = texts[answer_index]
            answer_digest = digest_bytes(squeeze(answer)) or 1
            stripped = answer.strip()
            label = stripped if len(stripped) <= LABEL_MAX_CHARS else None
        return ExampleFacts(
            tokens,
            assistant_tokens,
            input_digest,
            answer_digest,
            0 if system is None else self._system_digest(system),
            label,
            system is not None,
            "user" in roles,
        )

    def _system(self, text: str) -> tuple[bytes, int, int]:
        """squeeze(), digest() and the first encoder's token count of a system prompt, remembered:
        most lines repeat one of a few."""
        known = self._systems.get(text)
        if known is None:
            if len(self._systems) >= SYSTEMS_REMEMBERED:
                self._systems.clear()
            known = self._systems[text] = (squeeze(text), digest(text), self.encoders[0].count_content_repeated(text))
        return known

    def _squeeze_system(self, text: str) -> bytes:
        return self._system(text)[0]

    def _system_digest(self, text: str) -> int:
        return self._system(text)[1]


def _one_pass_facts(
    parts: list[bytes],
    answer_text: str,
    tokens: int,
    assistant_tokens: int,
    system_digest: int,
    has_system: bool,
    has_user: bool,
) -> ExampleFacts:
    """The facts of an example read in one pass (`parts`: each message's role mark and squeezed text,
    the answer last); the same digests as ExampleChecker._facts."""
    answer = parts.pop()  # the last message is the answer: not part of the input
    parts.pop()
    stripped = answer_text.strip()
    return ExampleFacts(
        (tokens,),
        assistant_tokens,
        FIRST_64_BITS(sha1(b"".join(parts), usedforsecurity=False).digest())[0],  # digest_bytes()
        FIRST_64_BITS(sha1(answer, usedforsecurity=False).digest())[0] or 1,
        system_digest,
        stripped if len(stripped) <= LABEL_MAX_CHARS else None,
        has_system,
        has_user,
    )


def _alternates(messages: list[dict[str, Any]]) -> bool:
    """No two messages in a row with the same role (messages the fast paths already read as objects)."""
    previous = None
    for message in messages:
        role = message.get("role")
        if role == previous:
            return False
        previous = role
    return True


def _empty_user(log: Problems, field: str, where: Where) -> None:
    log.warning(
        "empty-user-content",
        "the user message is empty: the answer is learned from no question (the Cookbook counts it a "
        "format error, 'missing_content')",
        "write the user's input, or remove the message",
        field=field + ".content",
        **where,
    )


def _image_count(content: Any) -> int:
    if not isinstance(content, list):
        return 0
    return sum(1 for part in content if isinstance(part, dict) and part.get("type") == "image_url")


def _image_problems(rules: DataRules, role: Any, content: list[Any], weight: Any) -> list[tuple[str, str, str]]:
    """A provider's rules for the images of one message: (code, message, hint) for each broken one."""
    found: list[tuple[str, str, str]] = []
    if rules.image_roles is not None and role not in rules.image_roles:
        found.append(
            (
                "image-role",
                f"an image in a {role!r} message: {rules.provider} takes images only in "
                f"{' and '.join(rules.image_roles)} messages",
                "move the image to the user's turn",
            )
        )
    if not rules.images_trained and weight not in (None, 0):
        found.append(
            (
                "image-weight",
                f"a message with images has weight {weight!r}: {rules.provider} trains on none",
                "set weight 0",
            )
        )
    for part in content:
        if not isinstance(part, dict) or part.get("type") != "image_url":
            continue
        url = part["image_url"].get("url")
        if not isinstance(url, str) or not url:
            found.append(("image-url", "an image part has no `image_url.url` string", "give the image as a data URL"))
        elif rules.image_url_prefixes and not url.startswith(rules.image_url_prefixes):
            shown = url[:40] + ("..." if len(url) > 40 else "")
            found.append(
                (
                    "image-url",
                    f"image URL {shown!r}: {rules.provider} takes only base64 data URLs "
                    f"({', '.join(p.rstrip(',') for p in rules.image_url_prefixes)})",
                    "embed the image as data:image/<jpeg|png|webp>;base64,...",
                )
            )
        elif rules.max_image_url_chars is not None and len(url) > rules.max_image_url_chars:
            found.append(
                (
                    "image-too-large",
                    f"an image of about {len(url) * 3 // 4:,} bytes: {rules.provider} takes images up to "
                    f"{rules.max_image_url_chars * 3 // 4:,} bytes",
                    "resize or compress the image",
                )
            )
    return found


def _messages_ok(messages: Any, path: str, log: Problems, where: Where) -> TypeGuard[list[Any]]:
    """Whether `messages` is a list with at least one item; else an error in the log."""
    if messages is None:
        log.error("missing-messages", f"no `{path}`", 'give the conversation as "messages": [...]', field=path, **where)
    elif not isinstance(messages, list):
        log.error(
            "messages-not-list",
            f"`{path}` must be a list, not {_kind(messages)}",
            "give a list of messages",
            field=path,
            **where,
        )
    elif not messages:
        log.error("empty-messages", f"`{path}` is empty", "add the conversation's messages", field=path, **where)
    else:
        return True
    return False


def _content_ok(content: Any) -> bool:
    """A string, or a list of text parts and image parts (vision fine-tuning)."""
    if isinstance(content, str):
        return True
    return isinstance(content, list) and all(
        isinstance(part, dict)
        and (
            (part.get("type") == "text" and isinstance(part.get("text"), str))
            or (part.get("type") == "image_url" and isinstance(part.get("image_url"), dict))
        )
        for part in content
    )


def _content_text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(part["text"] for part in content if isinstance(part, dict) and isinstance(part.get("text"), str))
    return ""


def _signature_text(message: Mapping[str, Any]) -> str:
    """The text a message says, tool calls included, for duplicate and conflict detection."""
    text = _content_text(message.get("content"))
    calls = message.get("tool_calls")
    legacy = message.get("function_call")
    if isinstance(legacy, dict):  # legacy function calling: a call like a tool call's
        calls = [*(calls if isinstance(calls, list) else []), {"function": legacy}]
    if isinstance(calls, list):
        text += "".join(
            f"\x1d{call['function'].get('name')}({call['function'].get('arguments')})"
            for call in calls
            if isinstance(call, dict) and isinstance(call.get("function"), dict)
        )
    return text


def _tool_calls_ok(calls: Any) -> bool:
    return isinstance(calls, list) and all(
        isinstance(call, dict)
        and isinstance(call.get("id"), str)
        and call.get("type", "function") == "function"
        and isinstance(call.get("function"), dict)
        and isinstance(call["function"].get("name"), str)
        and isinstance(call["function"].get("arguments"), str)
        for call in calls
    )


def _tool_ok(tool: Any) -> bool:
    if not isinstance(tool, dict) or tool.get("type", "function") != "function":
        return False
    function = tool.get("function")
    return (
        isinstance(function, dict)
        and isinstance(function.get("name"), str)
        and isinstance(function.get("description", ""), str)
        and isinstance(function.get("parameters", {}), dict)
    )


def _is_json(text: str) -> bool:
    try:
        json_text.loads(text)
    except ValueError:
        return False
    return True


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(value), "a number"
    )
