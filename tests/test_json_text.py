"""Reading user JSON: orjson's speed with the standard library's idea of what is valid and how errors read."""

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from advisor.parsing import json_text

INT64 = st.integers(min_value=-(2**63), max_value=2**64 - 1)
VALUES = st.recursive(
    st.none() | st.booleans() | INT64 | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=5),
    max_leaves=25,
)


@given(VALUES, st.booleans())
def test_reads_what_the_standard_library_reads(value: object, ascii_only: bool) -> None:
    text = json.dumps(value, ensure_ascii=ascii_only)
    assert json_text.loads(text) == json.loads(text)
    assert json_text.loads_utf8(text.encode()) == json.loads(text)


def test_an_integer_beyond_64_bits_is_read_as_a_float() -> None:
    """The one documented difference from the standard library (orjson's limit)."""
    assert json_text.loads(str(-(2**63) - 1)) == float(-(2**63) - 1)
    assert json_text.loads(str(2**64 - 1)) == 2**64 - 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("NaN", math.isnan),
        ("1e400", lambda value: value == math.inf),
        ('"\\ud800"', lambda value: value == "\ud800"),  # a lone surrogate, as json reads it
        ('{"a": 1, "a": 2}', lambda value: value == {"a": 2}),
    ],
)
def test_accepts_what_only_the_standard_library_accepts(text: str, expected) -> None:
    assert expected(json_text.loads(text))
    assert expected(json_text.loads_utf8(text.encode()))


@pytest.mark.parametrize("text", ['{"messages": [}', "[1,]", '{"a": 1} x', '"a\tb"', "\ufeff{}"])
def test_errors_read_as_the_standard_library_words_them(text: str) -> None:
    with pytest.raises(ValueError) as ours:
        json_text.loads(text)
    with pytest.raises(json.JSONDecodeError) as stdlib:
        json.loads(text)
    assert (ours.value.msg, ours.value.colno) == (stdlib.value.msg, stdlib.value.colno)  # type: ignore[attr-defined]


def test_deep_nesting_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="nested too deeply"):
        json_text.loads("[" * 100_000 + "]" * 100_000)


def test_invalid_utf8_names_the_first_bad_byte() -> None:
    with pytest.raises(UnicodeDecodeError) as error:
        json_text.loads_utf8(b'{"content": "caf\xe9"}')
    assert error.value.start == 16
