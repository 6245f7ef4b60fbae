"""The faster paths of `dataset check` give exactly what the plain ones give: counting through
tiktoken's token buffer equals len(encode_ordinary), and the one-encoder plain SFT path equals the
full checks."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.datasets.examples import ExampleChecker
from advisor.datasets.problems import ProblemLog
from advisor.datasets.scan import _encoders
from advisor.tokens.count import MemoEncoder, count_text
from advisor.tokens.long_text import UNCUT_FACTOR, BoundedEncoder, hard_cuts, slices
from advisor.tokens.tokenizer import ENCODINGS, get_encoding

from .fast_paths import Drawn, FastPathTally, assert_fast_path_agrees, plain_sft_examples
from .strategies import json_values

SPECIAL = [
    "<|endoftext|>",
    "a<|endoftext|>b",
    "<|endofprompt|> then text",
    "<|fim_prefix|>x<|fim_middle|>y<|fim_suffix|>",
    "<|endoftext|",
    "<<|endoftext|>>",
    "\ud800 lone surrogate",
    "tail surrogate \udfff",
    "",
    " ",
    "héllo, wörld 🙂 日本語",
    "INVOICE 2024001\r\n\ttotal $1,234.50   \n\n",
]


@pytest.mark.parametrize("name", sorted(ENCODINGS))
@pytest.mark.parametrize("text", SPECIAL)
def test_buffer_counts_equal_encode_ordinary(name: str, text: str) -> None:
    encoding = get_encoding(name)
    bounded = BoundedEncoder(encoding)
    assert bounded.count(text) == len(encoding.encode_ordinary(text)) == len(bounded.encode_ordinary(text))
    assert MemoEncoder(bounded).count(text) == MemoEncoder(encoding).count(text) == len(encoding.encode_ordinary(text))
    assert count_text(bounded, text) == count_text(encoding, text)


@settings(max_examples=300, deadline=None)
@given(
    st.text(max_size=200)
    | st.lists(st.sampled_from(["<|endoftext|>", "<|", "|>", " ", "a", "\n", "\ud800"]), max_size=20).map("".join)
)
def test_buffer_counts_equal_encode_ordinary_for_any_text(text: str) -> None:
    for name in sorted(ENCODINGS):
        encoding = get_encoding(name)
        assert BoundedEncoder(encoding).count(text) == len(encoding.encode_ordinary(text))


def test_long_text_is_counted_in_slices_to_the_same_token() -> None:
    encoding = get_encoding("o200k_base")
    text = "The invoice <|endoftext|> is late.\nPlease pay 2024001 now. " * 40
    assert BoundedEncoder(encoding, long_text=100).count(text) == len(encoding.encode_ordinary(text))


LETTER_RUNS = st.lists(
    st.sampled_from(["x" * 700, "abc" * 150, " the", " invoice", "\nTotal", "2024", "!", "ß" * 200]), max_size=30
).map("".join)


@settings(max_examples=200, deadline=None)
@given(text=LETTER_RUNS, size=st.integers(20, 300))
def test_slices_keep_every_character_and_stay_bounded(text: str, size: int) -> None:
    parts = list(slices(text, size))
    assert "".join(parts) == text
    assert all(len(part) <= UNCUT_FACTOR * size for part in parts)


@settings(max_examples=100, deadline=None)
@given(text=LETTER_RUNS, size=st.integers(50, 300))
def test_a_text_cut_only_at_safe_points_counts_exactly_and_other_cuts_move_it_little(text: str, size: int) -> None:
    """Runs with nowhere safe to cut (a pasted blob) are cut anyway, so that memory stays bounded; the
    count then moves by at most a few tokens at each such cut."""
    for name in ("o200k_base", "cl100k_base"):
        encoding = get_encoding(name)
        exact = len(encoding.encode_ordinary(text))
        counted = BoundedEncoder(encoding, long_text=size).count(text)
        assert abs(counted - exact) <= 3 * hard_cuts(text, size)


def test_only_a_run_longer_than_the_window_is_cut_where_no_safe_point_is() -> None:
    size = 100
    assert hard_cuts("x" * (UNCUT_FACTOR * size), size) == 0
    assert hard_cuts("x" * (UNCUT_FACTOR * size + 1), size) == 1
    assert hard_cuts(("word " * 100 + "x" * 300 + " ") * 20, size) == 0  # safe points never 3.5 x size apart
    assert hard_cuts("x" * 10_000, size) == 10_000 // size - UNCUT_FACTOR  # until 4 x size are left


PLAIN_TEXT = st.sampled_from(["", "  ", "...", "ok", " Paris\n", "<|endoftext|>", "a\tb"]) | st.text(max_size=30)
CHAT_ROLE = st.sampled_from(["system", "user", "assistant", "tool", "bot"])
CHAT_MESSAGE = st.one_of(
    st.fixed_dictionaries({"role": CHAT_ROLE, "content": PLAIN_TEXT}),
    st.fixed_dictionaries({"role": st.just("assistant"), "content": PLAIN_TEXT, "weight": st.sampled_from([0, 1])}),
    st.fixed_dictionaries({"role": st.just("system"), "content": st.sampled_from(["Be brief.", "Be  brief. "])}),
    json_values(max_leaves=4),
)


@pytest.mark.parametrize("encoding", ["o200k_base", "cl100k_base"])
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(examples=st.lists(plain_sft_examples(), min_size=1, max_size=4))
def test_the_one_encoder_fast_path_agrees_with_the_full_checks(
    encoding: str, examples: list[Drawn], fast_path: FastPathTally
) -> None:
    """Several examples through one checker, so its remembered system prompt is exercised too."""
    checker = ExampleChecker("sft", _encoders((encoding,)))  # type: ignore[arg-type]
    reference = ExampleChecker("sft", _encoders((encoding,)))  # type: ignore[arg-type]
    for drawn in examples:
        assert_fast_path_agrees("_plain_sft", checker, reference, drawn, fast_path)


def test_the_one_encoder_fast_path_takes_plain_examples() -> None:
    checker = ExampleChecker("sft", _encoders(("o200k_base",)))  # type: ignore[arg-type]
    example = {
        "messages": [
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Where is Oslo?"},
            {"role": "assistant", "content": "In Norway."},
            {"role": "user", "content": "And Bergen?"},
            {"role": "assistant", "content": " Also  in Norway. "},
        ]
    }
    fast = checker._plain_sft(example)
    full = checker._check_chat(example, ProblemLog(), {"line": 1, "example": 1})
    assert fast is not None and fast == full
    assert fast.label == "Also  in Norway." and fast.has_system and fast.has_user


class _Message(dict):
    """A message the fast branch of _walk does not take (it takes exact dicts only)."""


def _general(example: dict) -> dict:
    """The example with every message routed through the general checks."""

    def convert(messages: object) -> object:
        if not isinstance(messages, list):
            return messages
        return [_Message(message) if type(message) is dict else message for message in messages]

    converted = dict(example)
    if "messages" in converted:
        converted["messages"] = convert(converted["messages"])
    if isinstance(converted.get("input"), dict):
        converted["input"] = {**converted["input"], "messages": convert(converted["input"].get("messages"))}
    return converted


TOOL_CALL = {"id": "c1", "type": "function", "function": {"name": "f", "arguments": '{"a": 1}'}}
OTHER_MESSAGE = st.one_of(
    st.just({"role": "assistant", "content": None, "tool_calls": [TOOL_CALL]}),
    st.just({"role": "tool", "tool_call_id": "c1", "content": "42"}),
    st.just({"role": "user", "content": "hi", "name": "jo"}),
    st.just({"role": "assistant", "content": "ok", "weight": 0}),
    st.just({"role": "user", "content": [{"type": "text", "text": "a  b"}]}),
)


@pytest.mark.parametrize("method", ["sft", "rft", "dpo"])
@settings(max_examples=300, deadline=None)
@given(
    messages=st.lists(CHAT_MESSAGE | OTHER_MESSAGE, min_size=1, max_size=6),
    tools=st.booleans(),
    answers=st.sampled_from(["fine", "", "Fine!"]),
)
def test_plain_messages_in_the_full_checks_give_what_the_general_rules_give(
    method: str, messages: list, tools: bool, answers: str
) -> None:
    if method == "dpo":
        example: dict = {
            "input": {"messages": messages},
            "preferred_output": [{"role": "assistant", "content": "good"}],
            "non_preferred_output": [{"role": "assistant", "content": answers or "bad"}],
        }
    else:
        example = {"messages": messages}
        if tools:
            example["tools"] = [{"type": "function", "function": {"name": "f", "parameters": {}}}]
    results = []
    for variant in (example, _general(example)):
        checker = ExampleChecker(method, _encoders(("o200k_base", "cl100k_base")))  # type: ignore[arg-type]
        log = ProblemLog()
        facts = checker.check(variant, log, 1, 1)
        results.append((facts, log.kept, log.total("error"), log.total("warning")))
    assert results[0] == results[1]


def _keys_by_five_searches(block: bytes) -> list[int]:
    """Where API keys start, found as before: one search per prefix, each hit matched by the pattern."""
    from advisor.datasets.personal_data import _API_KEY, _KEY_PREFIXES

    found = []
    for prefix in _KEY_PREFIXES:
        at = block.find(prefix)
        while at >= 0:
            if _API_KEY.match(block, at):
                found.append(at)
            at = block.find(prefix, at + 1)
    return sorted(found)


KEY_PIECES = st.sampled_from(
    [
        *("sk-", "sk-proj-", "AKIA", "AIza", "ghp_", "xoxb-", "xox", "sos", "Azza", "ahpa", "-o-", "_KIa", "pizza"),
        *("AAKIA", "KIA", "pos", "AKIAKIA", "sAKIA", "ghp_AKIA", "xAIza", "sk-AIza", "-hp", "zIg"),
    ]
)
KEY_TAILS = st.sampled_from(["A" * 40, "ABCDEFGHIJKLMNOP", "0123456789" * 4, "abc", "-_-_-_-_-_-_", ""])


@settings(max_examples=500, deadline=None)
@given(st.lists(st.tuples(st.text(max_size=8), KEY_PIECES, KEY_TAILS), max_size=12))
def test_one_search_finds_the_keys_five_searches_find(pieces: list[tuple[str, str, str]]) -> None:
    from advisor.datasets.personal_data import find_in_block

    block = "".join(before + piece + tail for before, piece, tail in pieces).encode("utf-8", "surrogatepass")
    ours = sorted(offset for offset, kind in find_in_block(block) if kind == "api-key")
    assert ours == _keys_by_five_searches(block)


def test_one_search_finds_every_kind_of_key() -> None:
    from advisor.datasets.personal_data import find_in_block

    keys = [
        "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789",
        "AKIAIOSFODNN7EXAMPLE",
        "ghp_" + "a" * 36,
        "xoxb-1234567890-abcdef",
        "AIza" + "B" * 35,
    ]
    for separator in (" ", "\n", "AK"):
        block = separator.join(f"key {key} here" for key in keys).encode()
        ours = sorted(offset for offset, kind in find_in_block(block) if kind == "api-key")
        assert ours == _keys_by_five_searches(block) and len(ours) == 5
    assert [offset for offset, _ in find_in_block(b"AKIAIOSFODNN7EXAMPLE")] == [0]
