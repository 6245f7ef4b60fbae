"""Locating a key's line in TOML text, for error messages."""

import tomllib

from hypothesis import given
from hypothesis import strategies as st

from advisor.parsing.toml_locate import locate, split_dotted

TEXT = """provider = "x"
[models."gpt-4.1"]
input = 1
[models."gpt-4.1".fine_tuning]
training = 2
[models.m2]
fine_tuning.training = 3
"""


def test_finds_keys_tables_and_dotted_keys() -> None:
    assert locate(TEXT, ("provider",)) == 1
    assert locate(TEXT, ("models", "gpt-4.1", "input")) == 3
    assert locate(TEXT, ("models", "gpt-4.1", "fine_tuning", "training")) == 5
    assert locate(TEXT, ("models", "m2", "fine_tuning", "training")) == 7


def test_missing_key_points_at_its_table() -> None:
    assert locate(TEXT, ("models", "gpt-4.1", "output")) == 2
    assert locate(TEXT, ("as_of",)) is None


def test_list_indexes_are_skipped() -> None:
    assert locate(TEXT, ("models", "gpt-4.1", "fine_tuning", "training", 0)) == 5


keys = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True) | st.from_regex(r'"[a-z0-9.\- ]{1,8}"', fullmatch=True)


@given(st.lists(keys, min_size=1, max_size=4))
def test_split_dotted_matches_toml(parts: list[str]) -> None:
    dotted = ".".join(parts)
    document = tomllib.loads(f"{dotted} = 1")
    expected = []
    while isinstance(document, dict):
        (key,) = document
        expected.append(key)
        document = document[key]
    assert list(split_dotted(dotted)) == expected


@given(st.text(max_size=200), st.lists(st.text(max_size=5) | st.integers(), max_size=4))
def test_never_crashes(text: str, path: list) -> None:
    line = locate(text, tuple(path))
    assert line is None or 1 <= line <= len(text.splitlines())
