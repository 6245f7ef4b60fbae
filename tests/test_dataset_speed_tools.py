"""The one-encoder path for function-calling SFT examples (ExampleChecker._tool_sft_one) gives exactly
what the full checks give: the same facts, and it takes no example the full checks have anything to
say about."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.datasets.examples import ExampleChecker
from advisor.datasets.problems import ProblemLog
from advisor.datasets.scan import _encoders

from .fast_paths import TOOL, Drawn, FastPathTally, assert_fast_path_agrees, tool_sft_examples
from .strategies import json_values

TEXT = st.sampled_from(["", "  ", "...", "ok", " Paris\n", "<|endoftext|>", "a\tb", "Order A-113 is late."]) | st.text(
    max_size=20
)
IDS = st.sampled_from(["c1", "c2", "call_42"])
ARGUMENTS = st.sampled_from(['{"a": 1}', "{}", "[1, 2]", '"x"', "not json", "", '{"order_id": "A-1"'])
FUNCTION = st.fixed_dictionaries(
    {"name": st.sampled_from(["f", "lookup_order"]) | st.integers(), "arguments": ARGUMENTS | st.none()},
    optional={"extra": st.integers()},
)
CALL = st.fixed_dictionaries(
    {"id": IDS | st.integers(), "function": FUNCTION | st.none()},
    optional={"type": st.sampled_from(["function", "other"])},
) | json_values(max_leaves=3)
CALLS = st.lists(CALL, max_size=3) | json_values(max_leaves=3)
CALL_MESSAGE = st.fixed_dictionaries(
    {"role": st.sampled_from(["assistant", "assistant", "user", "tool"]), "tool_calls": CALLS},
    optional={
        "content": st.none() | TEXT | st.just([{"type": "text", "text": "a"}]),
        "weight": st.sampled_from([0, 1]),
        "name": st.just("bot"),
        "function_call": st.just({"name": "f", "arguments": "{}"}),
    },
)
TOOL_MESSAGE = st.fixed_dictionaries(
    {"role": st.sampled_from(["tool", "tool", "user"]), "content": TEXT | st.none() | st.integers()},
    optional={"tool_call_id": IDS | st.integers(), "name": st.just("f")},
)
PLAIN_MESSAGE = st.fixed_dictionaries(
    {"role": st.sampled_from(["system", "user", "assistant", "assistant", "bot"]), "content": TEXT}
) | st.fixed_dictionaries({"role": st.just("system"), "content": st.sampled_from(["Be brief.", "Be  brief. "])})
MESSAGE = PLAIN_MESSAGE | CALL_MESSAGE | TOOL_MESSAGE | json_values(max_leaves=3)

TOOLS = (
    st.just([TOOL])
    | st.just([TOOL, {"type": "function", "function": {"name": "f"}}])
    | st.just([])
    | st.just([{"type": "function"}])
    | st.just([{"function": {"name": "f", "description": 3}}])
    | json_values(max_leaves=3)
)
EXAMPLE = st.fixed_dictionaries(
    {"messages": st.lists(MESSAGE, max_size=6) | json_values(max_leaves=3)},
    optional={
        "tools": TOOLS,
        "parallel_tool_calls": st.sampled_from([True, False, 1, None]),
        "functions": st.just([TOOL["function"]]),
        "extra": st.just(1),
    },
)


@pytest.mark.parametrize("encoding", ["o200k_base", "cl100k_base"])
@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(examples=st.lists(tool_sft_examples(other=EXAMPLE), min_size=1, max_size=4))
def test_the_tool_call_path_agrees_with_the_full_checks(
    encoding: str, examples: list[Drawn], fast_path: FastPathTally
) -> None:
    """Several examples through one checker, so its remembered tools and system prompts are exercised."""
    checker = ExampleChecker("sft", _encoders((encoding,)))  # type: ignore[arg-type]
    reference = ExampleChecker("sft", _encoders((encoding,)))  # type: ignore[arg-type]
    for drawn in examples:
        assert_fast_path_agrees("_tool_sft_one", checker, reference, drawn, fast_path)


def _tool_example(arguments: str = '{"order_id": "A-113"}', content: object = None) -> dict:
    call = {"id": "call_7", "type": "function", "function": {"name": "lookup_order", "arguments": arguments}}
    assistant: dict = {"role": "assistant", "tool_calls": [call]}
    if content != "absent":
        assistant["content"] = content
    return {
        "messages": [
            {"role": "system", "content": "You are Acme's support assistant."},
            {"role": "user", "content": "Where is my order A-113?"},
            assistant,
            {"role": "tool", "tool_call_id": "call_7", "content": "Shipped on Monday."},
            {"role": "assistant", "content": "It shipped on Monday."},
        ],
        "tools": [TOOL],
        "parallel_tool_calls": False,
    }


@pytest.mark.parametrize("content", [None, "absent", "", "Let me look."])
def test_the_tool_call_path_takes_well_formed_tool_examples(content: object) -> None:
    checker = ExampleChecker("sft", _encoders(("o200k_base",)))  # type: ignore[arg-type]
    example = _tool_example(content=content)
    fast = checker._tool_sft_one(example)
    log = ProblemLog()
    full = ExampleChecker("sft", _encoders(("o200k_base",)))._check_chat(example, log, {"line": 1, "example": 1})  # type: ignore[arg-type]
    assert fast is not None and fast == full and not log.kept
    assert fast.label == "It shipped on Monday." and fast.has_system and fast.has_user
    # check() takes it too, and a line that ends with the call is answered by the call
    assert checker.check(example, ProblemLog(), 1, 1) == full
    ending_with_call = {**example, "messages": example["messages"][:3]}
    assert checker._tool_sft_one(ending_with_call) == checker._check_chat(
        ending_with_call, ProblemLog(), {"line": 1, "example": 1}
    )


def test_the_tool_call_path_leaves_what_the_full_checks_report_to_them() -> None:
    checker = ExampleChecker("sft", _encoders(("o200k_base",)))  # type: ignore[arg-type]
    assert checker._tool_sft_one(_tool_example(arguments="order A-113")) is None  # arguments-not-json
    unknown_id = _tool_example()
    unknown_id["messages"][3] = {**unknown_id["messages"][3], "tool_call_id": "call_8"}
    assert checker._tool_sft_one(unknown_id) is None  # tool-call-id-unknown
    assert checker._tool_sft_one({**_tool_example(), "tools": [{"type": "function"}]}) is None  # tools-invalid
    assert checker._tool_sft_one({**_tool_example(), "functions": [TOOL["function"]]}) is None
