"""Token counts follow the OpenAI Cookbook and match its API-verified reference figures."""

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from advisor.errors import UserError
from advisor.tokens.count import MemoEncoder, count_chat, count_message, count_messages, count_text, count_tools
from advisor.tokens.files import count_source, example_tokens
from advisor.tokens.tokenizer import get_encoding

from .strategies import CHAT_KEYS, json_values

O200K = get_encoding("o200k_base")
CL100K = get_encoding("cl100k_base")
MEMO = MemoEncoder(O200K)  # shared across examples, so its memo is exercised too

# examples/How_to_count_tokens_with_tiktoken.ipynb, section 6
JARGON = [
    {
        "role": "system",
        "content": "You are a helpful, pattern-following assistant that translates corporate jargon "
        "into plain English.",
    },
    {"role": "system", "name": "example_user", "content": "New synergies will help drive top-line growth."},
    {"role": "system", "name": "example_assistant", "content": "Things working well together will increase revenue."},
    {
        "role": "system",
        "name": "example_user",
        "content": "Let's circle back when we have more bandwidth to touch base on opportunities "
        "for increased leverage.",
    },
    {
        "role": "system",
        "name": "example_assistant",
        "content": "Let's talk later when we're less busy about how to do better.",
    },
    {
        "role": "user",
        "content": "This late pivot means we don't have time to boil the ocean for the client deliverable.",
    },
]
# section 7
WEATHER_TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_current_weather",
            "description": "Get the current weather in a given location",
            "parameters": {
                "type": "object",
                "properties": {
                    "location": {"type": "string", "description": "The city and state, e.g. San Francisco, CA"},
                    "unit": {
                        "type": "string",
                        "description": "The unit of temperature to return",
                        "enum": ["celsius", "fahrenheit"],
                    },
                },
                "required": ["location"],
            },
        },
    }
]
WEATHER_MESSAGES = [
    {"role": "system", "content": "You are a helpful assistant that can answer to questions about the weather."},
    {"role": "user", "content": "What's the weather like in San Francisco?"},
]


def tiktoken_length(text: str) -> int:
    """tiktoken's own encode, with special-token strings read as plain text (as the API does)."""
    return len(O200K.encode(text, disallowed_special=()))


def cookbook_messages(messages: object, prime_reply: bool = True) -> int:
    """num_tokens_from_messages: 3 per message, the tokens of each string it holds (role, content, name,
    tool_call_id ...), 1 more for a name, 3 to prime the reply. Extended as advisor documents it: the text
    parts of a content list, and the function names and arguments of tool calls, are what the model
    reads; other values (weight, null content, numbers) are not."""
    total = REPLY if prime_reply else 0
    for message in messages if isinstance(messages, list) else []:
        if not isinstance(message, dict):
            continue
        total += PER_MESSAGE
        for key, value in message.items():
            if key == "tool_calls" or (key == "function_call" and not isinstance(value, str)):  # legacy: one call
                calls = value if key == "tool_calls" else [{"function": value}]
                for call in calls if isinstance(calls, list) else []:
                    function = call.get("function") if isinstance(call, dict) else None
                    if isinstance(function, dict):
                        total += sum(
                            tiktoken_length(function[k])
                            for k in ("name", "arguments")
                            if isinstance(function.get(k), str)
                        )
            elif isinstance(value, str):
                total += tiktoken_length(value) + (PER_NAME if key == "name" else 0)
            elif key == "content" and isinstance(value, list):
                for part in value:
                    text = part.get("text") if isinstance(part, dict) else part
                    total += tiktoken_length(text) if isinstance(text, str) else 0
    return total


def cookbook_tokens(example: dict) -> int:
    """A request (messages, then tools or legacy functions) or a DPO example (its input request and both
    answers, which are not primed). Tool definitions use count_tools, held to the cookbook's figures above."""

    def request(chat: object) -> int:
        if not isinstance(chat, dict):
            return 0
        tools = chat.get("tools") or chat.get("functions") or []
        return cookbook_messages(chat.get("messages")) + count_tools(O200K, tools if isinstance(tools, list) else [])

    if "preferred_output" in example or "non_preferred_output" in example:
        answers = (example.get(key) for key in ("preferred_output", "non_preferred_output"))
        return request(example.get("input")) + sum(cookbook_messages(answer, prime_reply=False) for answer in answers)
    return request(example)


PER_MESSAGE, PER_NAME, REPLY = 3, 1, 3  # the cookbook's constants, written out here rather than imported

TEXT = st.text(max_size=30) | st.sampled_from(["user", "assistant", "system", "<|endoftext|>", " hello", "x" * 40])
VALUE = TEXT | json_values(max_leaves=4)
PART = st.fixed_dictionaries({"type": st.just("text"), "text": VALUE}) | VALUE
CALL = (
    st.fixed_dictionaries(
        {"id": VALUE, "type": st.just("function")},
        optional={"function": st.fixed_dictionaries({}, optional={"name": VALUE, "arguments": VALUE}) | VALUE},
    )
    | VALUE
)
MESSAGE = st.fixed_dictionaries(
    {"role": VALUE},
    optional={
        "content": VALUE | st.lists(PART, max_size=3),
        "name": VALUE,
        "weight": VALUE,
        "tool_call_id": VALUE,
        "tool_calls": st.lists(CALL, max_size=2) | VALUE,
        "function_call": st.fixed_dictionaries({}, optional={"name": VALUE, "arguments": VALUE}) | VALUE,
    },
)
MESSAGES = st.lists(MESSAGE | VALUE, max_size=4) | VALUE
ANY_EXAMPLE = st.one_of(
    st.dictionaries(st.sampled_from(CHAT_KEYS), json_values()),  # any JSON object with a chat example's keys
    st.fixed_dictionaries({"messages": MESSAGES}, optional={"tools": VALUE, "functions": VALUE}),
    st.fixed_dictionaries({"messages": MESSAGES, "tools": st.just(WEATHER_TOOLS)}),
    st.fixed_dictionaries(
        {"input": st.fixed_dictionaries({"messages": MESSAGES}) | VALUE},
        optional={"preferred_output": MESSAGES, "non_preferred_output": MESSAGES},
    ),
)


class TestCookbookReferenceCounts:
    def test_jargon_example_o200k(self) -> None:
        assert count_messages(O200K, JARGON) == 124

    def test_jargon_example_cl100k(self) -> None:
        assert count_messages(CL100K, JARGON) == 129

    def test_tools_example_gpt4o_family(self) -> None:
        assert count_chat(O200K, {"messages": WEATHER_MESSAGES, "tools": WEATHER_TOOLS}) == 101

    def test_tools_example_gpt4_family(self) -> None:
        assert count_chat(CL100K, {"messages": WEATHER_MESSAGES, "tools": WEATHER_TOOLS}) == 105


class TestMessageRules:
    def test_three_per_message_plus_fields_plus_priming(self) -> None:
        message = {"role": "user", "content": "hello there"}
        expected = 3 + count_text(O200K, "user") + count_text(O200K, "hello there") + 3
        assert count_messages(O200K, [message]) == expected

    def test_a_name_costs_one_more_than_its_text(self) -> None:
        plain = {"role": "user", "content": "hi"}
        named = {**plain, "name": "bob"}
        assert count_message(O200K, named) - count_message(O200K, plain) == count_text(O200K, "bob") + 1

    def test_content_parts_count_their_text(self) -> None:
        parts = {"role": "user", "content": [{"type": "text", "text": "hello"}, {"type": "text", "text": " world"}]}
        assert count_message(O200K, parts) == 3 + count_text(O200K, "user") + count_text(O200K, "hello") + count_text(
            O200K, " world"
        )

    def test_tool_calls_count_function_names_and_arguments(self) -> None:
        call = {
            "role": "assistant",
            "content": None,
            "weight": 1,
            "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "lookup", "arguments": '{"q": "x"}'}}],
        }
        expected = 3 + count_text(O200K, "assistant") + count_text(O200K, "lookup") + count_text(O200K, '{"q": "x"}')
        assert count_message(O200K, call) == expected

    def test_no_tools_costs_nothing(self) -> None:
        assert count_tools(O200K, []) == 0


class TestExamples:
    def test_dpo_example_counts_input_and_both_outputs(self) -> None:
        example = {
            "input": {"messages": [{"role": "user", "content": "Say hi"}]},
            "preferred_output": [{"role": "assistant", "content": "Hi!"}],
            "non_preferred_output": [{"role": "assistant", "content": "Go away."}],
        }
        expected = (
            count_messages(O200K, example["input"]["messages"])
            + count_messages(O200K, example["preferred_output"], prime_reply=False)
            + count_messages(O200K, example["non_preferred_output"], prime_reply=False)
        )
        assert example_tokens(O200K, example) == expected

    @settings(max_examples=300, deadline=None)
    @given(ANY_EXAMPLE)
    def test_any_json_object_is_counted_by_the_cookbook_rule(self, example: dict) -> None:
        """Any object a JSONL line can hold (the reader refuses other values) is counted as the cookbook's
        rule written out plainly below says, with and without the memo the dataset check uses."""
        expected = cookbook_tokens(example)
        assert example_tokens(O200K, example) == expected
        assert example_tokens(MEMO, example) == expected


class TestFiles:
    def test_text_chat_and_jsonl_by_extension(self, tmp_path: Path) -> None:
        (tmp_path / "p.txt").write_text("hello world")
        (tmp_path / "c.json").write_text(json.dumps({"messages": JARGON}))
        (tmp_path / "d.jsonl").write_text("\n".join(json.dumps({"messages": JARGON}) for _ in range(3)) + "\n\n")
        assert count_source(str(tmp_path / "p.txt"), O200K).tokens == count_text(O200K, "hello world")
        assert count_source(str(tmp_path / "c.json"), O200K).tokens == 124
        jsonl = count_source(str(tmp_path / "d.jsonl"), O200K)
        assert (jsonl.kind, jsonl.items, jsonl.tokens) == ("jsonl", 3, 372)

    def test_utf8_bom_is_not_a_token(self, tmp_path: Path) -> None:
        (tmp_path / "bom.txt").write_bytes("\ufeffhello".encode())
        assert count_source(str(tmp_path / "bom.txt"), O200K).tokens == count_text(O200K, "hello")

    def test_bad_jsonl_line_is_named(self, tmp_path: Path) -> None:
        path = tmp_path / "bad.jsonl"
        path.write_text(json.dumps({"messages": JARGON}) + "\n{not json\n")
        with pytest.raises(UserError, match=r"bad\.jsonl:2: not valid JSON"):
            count_source(str(path), O200K)

    def test_non_utf8_is_named_with_its_line(self, tmp_path: Path) -> None:
        path = tmp_path / "latin1.txt"
        path.write_bytes(b"ok\nline two \xe9t\xe9\n")
        with pytest.raises(UserError, match=r"latin1\.txt:2: not UTF-8"):
            count_source(str(path), O200K)

    def test_nesting_too_deep(self, tmp_path: Path) -> None:
        path = tmp_path / "deep.json"
        path.write_text("[" * 100_000 + "]" * 100_000)
        with pytest.raises(UserError, match="nested too deeply"):
            count_source(str(path), O200K)

    def test_missing_file(self, tmp_path: Path) -> None:
        with pytest.raises(UserError, match="no such file"):
            count_source(str(tmp_path / "nope.txt"), O200K)

    @settings(max_examples=150, deadline=None)
    @given(st.binary(max_size=300), st.sampled_from(["x.txt", "x.json", "x.jsonl", "x"]))
    def test_any_bytes_count_or_give_a_user_error(self, tmp_path_factory, data: bytes, name: str) -> None:
        path = tmp_path_factory.mktemp("bytes") / name
        path.write_bytes(data)
        try:
            assert count_source(str(path), O200K).tokens >= 0
        except UserError as error:
            assert str(error).startswith(str(path))
