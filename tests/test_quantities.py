"""Parsing what users type for volumes and amounts."""

from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from advisor.parsing.quantities import parse_amount, parse_count


class TestCounts:
    @pytest.mark.parametrize(
        ("text", "value"),
        [
            ("2000", 2000),
            ("2,000", 2000),
            ("10k", 10_000),
            ("10K", 10_000),
            ("1.5M", 1_500_000),
            ("2b", 2_000_000_000),
            (" 250 ", 250),
            ("1_000", 1000),
            (".5k", 500),
        ],
    )
    def test_accepts_plain_and_suffixed_numbers(self, text: str, value: int) -> None:
        assert parse_count(text) == value

    @pytest.mark.parametrize("text", ["0", "-5", "abc", "", "1.2345k", "10x", "1e6", "nan"])
    def test_refuses_zero_negative_fractional_and_garbage(self, text: str) -> None:
        with pytest.raises(ValueError):
            parse_count(text)

    def test_zero_allowed_where_asked(self) -> None:
        assert parse_count("0", allow_zero=True) == 0

    @given(st.integers(min_value=1, max_value=10**12))
    def test_round_trips_any_positive_integer(self, number: int) -> None:
        assert parse_count(str(number)) == number
        assert parse_count(f"{number:,}") == number

    @given(st.text(max_size=20))
    def test_any_text_is_a_count_or_a_value_error(self, text: str) -> None:
        try:
            assert parse_count(text) > 0
        except ValueError as error:
            assert str(error)


class TestAmounts:
    @pytest.mark.parametrize(("text", "value"), [("100", "100"), ("$1,250.50", "1250.50"), ("0", "0"), ("2.5", "2.5")])
    def test_exact_decimals(self, text: str, value: str) -> None:
        assert parse_amount(text) == Decimal(value)

    @pytest.mark.parametrize("text", ["-1", "abc", "inf", "NaN", ""])
    def test_refuses_negative_and_non_finite(self, text: str) -> None:
        with pytest.raises(ValueError):
            parse_amount(text)

    @given(st.text(max_size=20))
    def test_any_text_is_an_amount_or_a_value_error(self, text: str) -> None:
        try:
            amount = parse_amount(text)
        except ValueError as error:
            assert str(error)
        else:
            assert amount >= 0 and amount.is_finite()


class TestEpochs:
    """--epochs, shared by estimate, dataset check and launch."""

    @given(st.text(max_size=6))
    @example("٣")  # a digit, but not an ASCII one
    def test_epochs_are_auto_or_a_whole_number_from_1_to_50(self, text: str) -> None:
        import click

        from advisor.cli.options import EPOCHS

        try:
            value = EPOCHS.convert(text, None, None)
        except click.BadParameter as error:
            assert repr(text) in error.message
        else:
            assert value == "auto" or (1 <= value <= 50 and str(value) == text.lstrip("0"))
