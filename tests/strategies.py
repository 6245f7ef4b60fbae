"""Hypothesis strategies shared by the parser tests."""

from hypothesis import strategies as st

CHAT_KEYS = [
    "messages",
    "role",
    "content",
    "name",
    "weight",
    "tool_calls",
    "tools",
    "input",
    "preferred_output",
    "non_preferred_output",
    "function",
    "type",
    "text",
    "id",
    "parameters",
    "properties",
    "enum",
]


def json_values(keys: list[str] = CHAT_KEYS, max_leaves: int = 25) -> st.SearchStrategy[object]:
    """Arbitrary JSON values whose objects use the keys a chat example has, so parsers go deep."""
    return st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(keys), inner, max_size=5),
        max_leaves=max_leaves,
    )
