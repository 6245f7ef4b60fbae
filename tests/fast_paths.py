"""The fast paths of `dataset check` (ExampleChecker._plain_sft, _tool_sft_one) held to the full checks.

A fast path may decline any example (the full checks then take it), so "whenever it takes one, it agrees"
passes vacuously if it never takes one: an earlier version of these tests saw it take 0 of 300 and 0 of
776 generated examples. So the generators here build, most of the time, the examples each path is for
(`Drawn.plain`: the path must take it), the rest near misses and arbitrary JSON; and each test counts in
a `FastPathTally` (the `fast_path` fixture) how many examples the path took. tests/conftest.py fails the
test when the path took fewer than `FastPathTally.FLOOR` of them, and lists the counts at the end of the
run (`hypothesis.event` adds them to --hypothesis-show-statistics).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from hypothesis import event
from hypothesis import strategies as st

from .strategies import json_values


@dataclass
class FastPathTally:
    """How many of the examples a property test gave a fast path it took, over the whole run."""

    FLOOR: ClassVar[float] = 0.5  # "most of the time"; the generators reach about 0.7 (see the run's summary)

    taken: int = 0
    seen: int = 0

    def record(self, took: bool) -> None:
        self.seen += 1
        self.taken += took
        event("fast path: took it" if took else "fast path: left it to the full checks")

    def shortfall(self) -> str | None:
        """Why the run proves too little, or None when the path took enough of the examples."""
        if self.seen and self.taken / self.seen > self.FLOOR:
            return None
        return f"the fast path took {self.taken} of {self.seen} examples, not more than {self.FLOOR:.0%}"

    def __str__(self) -> str:
        return f"took {self.taken} of {self.seen} examples ({self.taken / max(self.seen, 1):.0%})"


@dataclass(frozen=True)
class Drawn:
    """A generated example, and whether it is one its fast path is for (then it must take it)."""

    example: Any
    plain: bool


def assert_fast_path_agrees(
    path: str, checker: Any, reference: Any, drawn: Drawn, tally: FastPathTally, where: dict[str, int] | None = None
) -> None:
    """`checker`'s fast path `path` takes every plain example, and whenever it takes one it gives what
    `reference`'s full checks give, with nothing to report. Two checkers, so that what the fast path
    remembers (system prompts, tool definitions) is exercised apart from the full checks'."""
    from advisor.datasets.problems import ProblemLog

    fast = getattr(checker, path)(drawn.example)
    log = ProblemLog()
    full = reference._check_chat(drawn.example, log, where or {"line": 1, "example": 1})
    tally.record(fast is not None)
    if drawn.plain:
        assert fast is not None, f"{path} left a plain example to the full checks: {drawn.example!r}"
    if fast is not None:
        assert fast == full, f"{path} gave {fast}\nthe full checks give {full}"
        assert not log.kept, f"{path} took an example that has something to report: {log.kept}"


# Texts ------------------------------------------------------------------------------------------------

TEXT = st.sampled_from(["", "  ", "...", "ok", "Oslo", " Paris\n", "<|endoftext|>", "a\tb"]) | st.text(max_size=30)
# an answer the full checks have nothing to say about: it has a letter or a digit
ANSWER = st.sampled_from(["In Norway.", "4", "Fine!", " Also  in Norway. ", "ß", "日本語", "It shipped on Monday."]) | (
    st.text(max_size=30).filter(lambda text: any(char.isalnum() for char in text))
)
# a question the full checks have nothing to say about: not empty (an empty user message is warned about)
QUESTION = TEXT.filter(lambda text: bool(text.strip()))
NO_ANSWER = st.sampled_from(["", "  ", "...", "\n", "!?", "_"])  # the full checks warn: empty or near-empty
# system prompts recur on every line of a file (the fast paths remember them), sometimes with other spacing
SYSTEM = st.sampled_from(["Be brief.", "Be  brief. ", "You are Acme's support assistant.", ""]) | st.text(max_size=20)


# Plain SFT: {"messages": [...]} of {"role", "content"} messages with text, ending with an answer ------------


@st.composite
def plain_messages(draw: st.DrawFn) -> list[dict[str, Any]]:
    """What _plain_sft is for: system, user and assistant messages in any order, each {"role", "content"}
    with text, every question not empty, every answer with a letter or digit, the last message an answer."""
    messages: list[dict[str, Any]] = []
    if draw(st.booleans()):
        messages.append({"role": "system", "content": draw(SYSTEM)})
    for _ in range(draw(st.integers(0, 3))):
        role = draw(st.sampled_from(["user", "user", "assistant", "system"]))
        content = draw(ANSWER if role == "assistant" else SYSTEM if role == "system" else QUESTION)
        messages.append({"role": role, "content": content})
    messages.append({"role": "assistant", "content": draw(ANSWER)})
    return messages


def _spoil_message(draw: st.DrawFn, message: dict[str, Any]) -> dict[str, Any]:
    """One change that takes a message off the plain path (the full checks may or may not object)."""
    change = draw(st.sampled_from(["role", "content", "key", "answer", "question", "shape"]))
    if change == "role":
        return {**message, "role": draw(st.sampled_from(["tool", "bot", "", "USER", None, 1]))}
    if change == "content":
        return {**message, "content": draw(st.sampled_from([None, 1, [{"type": "text", "text": "a"}], ["a"]]))}
    if change == "key":
        key, value = draw(st.sampled_from([("name", "bot"), ("weight", 0), ("weight", 1), ("extra", 1)]))
        return {**message, key: value}
    if change == "answer":
        return {"role": "assistant", "content": draw(NO_ANSWER)}
    if change == "question":
        return {"role": "user", "content": draw(st.sampled_from(["", " ", "\n\t"]))}
    return draw(st.sampled_from([[message], "message", {"role": message["role"]}]))


@st.composite
def near_plain_examples(draw: st.DrawFn) -> dict[str, Any]:
    """A plain example with one thing wrong or unusual: a message spoiled, the answer not last, another
    top-level key, or no messages."""
    messages = draw(plain_messages())
    change = draw(st.sampled_from(["message", "message", "last", "top", "messages"]))
    if change == "message":
        index = draw(st.integers(0, len(messages) - 1))
        messages[index] = _spoil_message(draw, messages[index])
    elif change == "last":
        messages.append({"role": draw(st.sampled_from(["user", "system"])), "content": draw(TEXT)})
    elif change == "top":
        key, value = draw(st.sampled_from([("tools", []), ("parallel_tool_calls", False), ("extra", 1)]))
        return {"messages": messages, key: value}
    else:
        return {"messages": draw(st.sampled_from([[], None, {}, "hi"]))}
    return {"messages": messages}


ARBITRARY_MESSAGE = st.one_of(
    st.fixed_dictionaries({"role": st.sampled_from(["system", "user", "assistant", "tool", "bot"]), "content": TEXT}),
    st.fixed_dictionaries({"role": st.just("assistant"), "content": TEXT, "weight": st.sampled_from([0, 1])}),
    json_values(max_leaves=4),
)
ARBITRARY_EXAMPLE = st.fixed_dictionaries({"messages": st.lists(ARBITRARY_MESSAGE, max_size=5)}) | st.dictionaries(
    st.sampled_from(["messages", "tools", "extra"]), st.lists(ARBITRARY_MESSAGE, max_size=3)
)


def mostly(plain: st.SearchStrategy[Any], other: st.SearchStrategy[Any]) -> st.SearchStrategy[Drawn]:
    """Two in three drawn from `plain` (the path must take them), the rest from `other`."""
    return st.sampled_from([True, True, False]).flatmap(
        lambda is_plain: (
            plain.map(lambda example: Drawn(example, plain=True))
            if is_plain
            else other.map(lambda example: Drawn(example, plain=False))
        )
    )


def plain_sft_examples() -> st.SearchStrategy[Drawn]:
    """Mostly plain SFT examples, the rest near misses and arbitrary JSON."""
    return mostly(
        plain_messages().map(lambda messages: {"messages": messages}), near_plain_examples() | ARBITRARY_EXAMPLE
    )


# Function-calling SFT: tool calls with JSON arguments, tool results answering them, optional `tools` ------

TOOL = {
    "type": "function",
    "function": {
        "name": "lookup_order",
        "description": "Find an order by its number.",
        "parameters": {
            "type": "object",
            "properties": {
                "order_id": {"type": "string", "description": "The order number."},
                "region": {"type": "string", "enum": ["eu", "us"]},
            },
        },
    },
}
TOOL_LISTS = st.sampled_from([[TOOL], [TOOL, {"type": "function", "function": {"name": "f"}}], [{"function": {}}]])
JSON_ARGUMENTS = st.sampled_from(['{"a": 1}', "{}", '{"order_id": "A-1"}', "[1, 2]", '"x"', "null"])
BAD_ARGUMENTS = st.sampled_from(["not json", "", '{"order_id": "A-1"', "{'a': 1}"])
CALL_IDS = st.sampled_from(["c1", "c2", "call_42"])


@st.composite
def tool_conversations(draw: st.DrawFn) -> dict[str, Any]:
    """What _tool_sft_one is for: turns of a user question, sometimes assistant tool calls (well formed,
    JSON arguments, `type` given or left out, content absent, null, empty or text) each answered by a tool
    result, then the answer; `tools` (valid definitions) and `parallel_tool_calls` sometimes given."""
    messages: list[dict[str, Any]] = []
    if draw(st.booleans()):
        messages.append({"role": "system", "content": draw(SYSTEM)})
    called: list[str] = []
    for _ in range(draw(st.integers(1, 3))):
        messages.append({"role": "user", "content": draw(QUESTION)})
        if draw(st.integers(0, 3)):
            calls = []
            for _ in range(draw(st.integers(1, 2))):
                call: dict[str, Any] = {"id": draw(CALL_IDS), "type": "function"}
                call["function"] = {
                    "name": draw(st.sampled_from(["lookup_order", "f"])),
                    "arguments": draw(JSON_ARGUMENTS),
                }
                if draw(st.integers(0, 4)) == 0:
                    del call["type"]  # "function" is the default
                calls.append(call)
            call_message: dict[str, Any] = {"role": "assistant", "tool_calls": calls}
            content = draw(st.sampled_from(["absent", None, "", "Let me look.", "..."]))
            if content != "absent":
                call_message["content"] = content
            messages.append(call_message)
            called += [call["id"] for call in calls]
            for _ in calls:
                answered = draw(st.sampled_from(called))  # any call made so far in the example
                messages.append({"role": "tool", "tool_call_id": answered, "content": draw(TEXT)})
        messages.append({"role": "assistant", "content": draw(ANSWER)})
    example: dict[str, Any] = {"messages": messages}
    if draw(st.integers(0, 3)):
        example["tools"] = draw(st.sampled_from([[TOOL], [TOOL, {"type": "function", "function": {"name": "f"}}], []]))
    if draw(st.booleans()):
        example["parallel_tool_calls"] = draw(st.booleans())
    return example


@st.composite
def near_tool_conversations(draw: st.DrawFn) -> dict[str, Any]:
    """A function-calling example with one thing wrong or unusual: arguments that are not JSON, a result
    for a call never made, a malformed call or definition, a legacy or unknown key, a message added."""
    example = draw(tool_conversations())
    messages = example["messages"]
    calls = [message for message in messages if "tool_calls" in message]
    results = [message for message in messages if message["role"] == "tool"]
    change = draw(st.sampled_from(["arguments", "result", "call", "tools", "key", "message", "end"]))
    if change == "arguments" and calls:
        draw(st.sampled_from(calls))["tool_calls"][0]["function"]["arguments"] = draw(BAD_ARGUMENTS)
    elif change == "result" and results:
        draw(st.sampled_from(results))["tool_call_id"] = draw(st.sampled_from(["c9", 7, None]))
    elif change == "call" and calls:
        message = draw(st.sampled_from(calls))
        spoiled = draw(
            st.sampled_from(
                [
                    {"id": "c1", "type": "other", "function": {"name": "f", "arguments": "{}"}},
                    {"id": 1, "function": {"name": "f", "arguments": "{}"}},
                    {"id": "c1", "function": None},
                    {"id": "c1", "function": {"name": 3, "arguments": "{}"}},
                    "call",
                ]
            )
        )
        message["tool_calls"] = draw(st.sampled_from([[spoiled], [], None, {"id": "c1"}]))
        message.update(draw(st.sampled_from([{}, {"weight": 0}, {"name": "bot"}, {"content": ["a"]}])))
    elif change == "tools":
        example["tools"] = draw(TOOL_LISTS | json_values(max_leaves=3))
    elif change == "key":
        key, value = draw(
            st.sampled_from([("functions", [TOOL["function"]]), ("extra", 1), ("parallel_tool_calls", 1)])
        )
        example[key] = value
    elif change == "message":
        messages.insert(draw(st.integers(0, len(messages))), draw(ARBITRARY_MESSAGE))
    else:
        messages[-1] = _spoil_message(draw, messages[-1])
    return example


def tool_sft_examples(other: st.SearchStrategy[Any] = ARBITRARY_EXAMPLE) -> st.SearchStrategy[Drawn]:
    """Mostly well-formed function-calling examples, the rest near misses and `other`."""
    return mostly(tool_conversations(), near_tool_conversations() | other)
