"""Personal data and secrets are spotted without being printed, and ordinary numbers stay quiet."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from advisor.datasets.personal_data import _number_kinds, find_in_block, find_personal_data, luhn_valid


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("write to ola.nordmann@example.no today", ["email"]),
        ("call +47 22 33 44 55", ["phone"]),
        ("call (555) 123-4567 now", ["phone"]),
        ("or 555-123-4567", ["phone"]),
        ("card 4111 1111 1111 1111", ["card"]),
        ("card 4111-1111-1111-1111", ["card"]),
        ("card 4111111111111111", ["card"]),
        ("amex 3782 822463 10005", ["card"]),
        ("key sk-proj-abcdefghijklmnopqrstuvwxyz0123456789", ["api-key"]),
        ("aws AKIAIOSFODNN7EXAMPLE", ["api-key"]),
        ("gh ghp_" + "a" * 36, ["api-key"]),
        ("mail a@b.co and call +1 212 555 0100", ["email", "phone"]),
    ],
)
def test_found(text: str, kinds: list[str]) -> None:
    assert find_personal_data(text.encode()) == kinds


@pytest.mark.parametrize(
    "text",
    [
        "dates 2026-06-30 and 2026-07-01",
        "invoice 2024001 totals 1234.56 NOK",
        "amounts 1200.00 300.00 1500.00",
        "order id 12345678901234",  # 14 digits, starts with 1: no card brand
        "4111 1111 1111 1112",  # fails the Luhn check
        "@ mention and user@localhost",
        "task-sk-12 and risk-assessment",
    ],
)
def test_ordinary_text_is_quiet(text: str) -> None:
    assert find_personal_data(text.encode()) == []


def test_block_offsets_point_at_the_finding() -> None:
    block = b"nothing here\nmail bob@example.com\n"
    ((offset, kind),) = find_in_block(block)
    assert kind == "email" and block[offset : offset + 1] == b"@"


def test_luhn() -> None:
    assert luhn_valid(b"79927398713") and not luhn_valid(b"79927398710")


NUMBER_SPEC = re.compile(rb"\d[\d ().-]{7,22}\d")  # what the number search means, before its speed trick


NUMBER_PIECES = [b"0", b"4", b"9", b"1", b" ", b"-", b"(", b")", b".", b"+", b"a", b"\n", b"\xc3\xa9"]


@given(st.lists(st.sampled_from(NUMBER_PIECES)))
def test_number_search_finds_what_the_plain_digit_pattern_finds(pieces: list[bytes]) -> None:
    block = b"".join(pieces)
    expected = sorted(
        (match.start(), kind) for match in NUMBER_SPEC.finditer(block) for kind in _number_kinds(block, *match.span())
    )
    found = sorted(hit for hit in find_in_block(block) if hit[1] in ("phone", "card"))
    assert found == expected
