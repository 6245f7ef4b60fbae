"""A range is stated once, on the dataclass field (`Annotated[Decimal, Check(ge=0)]`, parsing/constraints.py),
and every reader of the value applies that one statement: pydantic where a file is validated, and
`check_fields` where the core builds the value itself (an EstimateRequest from flags, or from a scenario),
without importing pydantic."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from advisor.costs.estimate import MIN_RETRAIN_MONTHS, EstimateRequest
from advisor.parsing.constraints import Check, OutOfRange, _checks, check_fields, validate

Small = Annotated[int, Check(gt=0, le=10)]


@dataclass(frozen=True, kw_only=True)
class Sample:
    count: Small
    rate: Annotated[Decimal, Check(ge=0, lt=1)] = Decimal(0)
    spare: Small | None = None
    anything: Annotated[Decimal, Check(ge=0, allow_inf_nan=True)] = Decimal(0)
    name: Annotated[str, Check(min_length=2, max_length=5, pattern=r"^[a-z]+$")] = "ab"
    floor: Annotated[Decimal, Check(ge=Decimal("0.5"), shown="half a unit")] = Decimal(1)
    plain: int = -1  # no Check: anything its type allows

    def __post_init__(self) -> None:
        check_fields(self)


class TestCheckFields:
    @pytest.mark.parametrize(
        ("field", "value", "says"),
        [
            ("count", 0, "must be greater than 0"),
            ("count", 11, "must be at most 10"),
            ("rate", Decimal(1), "must be less than 1"),
            ("rate", Decimal("-0.1"), "must be at least 0"),
            ("rate", Decimal("NaN"), "must be a finite number"),
            ("rate", Decimal("Infinity"), "must be a finite number"),
            ("spare", 0, "must be greater than 0"),
            ("name", "a", "must have at least 2 item(s)"),
            ("name", "abcdef", "must have at most 5 item(s)"),
            ("name", "AB", r"must match ^[a-z]+$"),
            ("floor", Decimal("0.4"), "must be at least half a unit"),
        ],
    )
    def test_a_value_outside_its_field_s_check_is_refused_by_name(self, field: str, value: Any, says: str) -> None:
        with pytest.raises(OutOfRange) as refused:
            Sample(**{"count": 1, field: value})
        assert (refused.value.field, refused.value.message) == (field, says)
        assert str(refused.value) == f"{field}: {says}"

    def test_the_edges_none_and_fields_without_a_check_are_accepted(self) -> None:
        edge = Sample(count=10, rate=Decimal("0.999"), spare=None, name="abcde", floor=Decimal("0.5"), plain=-9)
        assert (edge.count, edge.spare, edge.plain) == (10, None, -9)
        assert Sample(count=1, anything=Decimal("Infinity")).anything.is_infinite()  # allow_inf_nan=True

    def test_only_the_fields_with_a_check_are_checked(self) -> None:
        assert [name for name, _ in _checks(Sample)] == ["count", "rate", "spare", "anything", "name", "floor"]

    def test_a_rule_it_cannot_apply_is_an_error_not_a_silent_pass(self) -> None:
        @dataclass(frozen=True)
        class Even:
            value: Annotated[int, Check(multiple_of=2)]

            def __post_init__(self) -> None:
                check_fields(self)

        with pytest.raises(TypeError, match=r"Even.value: check_fields has no rule \['multiple_of'\]"):
            Even(3)

    @pytest.mark.parametrize("value", [0, 11])
    def test_pydantic_reads_the_same_check(self, value: int) -> None:
        with pytest.raises(ValidationError) as refused:
            validate(Sample, {"count": value})
        assert refused.value.errors()[0]["type"] in ("greater_than", "less_than_equal")


CHECKED = [name for name, _ in _checks(EstimateRequest)]
BASE: dict[str, Any] = {
    "model": "gpt-4.1",
    "requests_per_month": 1000,
    "prompt_tokens": Decimal(2000),
    "ft_prompt_tokens": Decimal(500),
    "today": date(2026, 12, 7),
}
INTS = {item.name for item in dataclasses.fields(EstimateRequest) if "int" in str(item.type)} & set(CHECKED)
EDGES = [Decimal(0), Decimal(1), Decimal(120), Decimal(744), MIN_RETRAIN_MONTHS, MIN_RETRAIN_MONTHS.next_minus()]
DECIMALS = st.one_of(
    st.sampled_from(EDGES),
    st.sampled_from(EDGES).map(lambda edge: edge.next_plus()),
    st.sampled_from(EDGES).map(lambda edge: -edge),
    st.decimals(allow_nan=True, allow_infinity=True, places=None),
    st.decimals(min_value=-2, max_value=800, places=3),
)


class TestTheEstimateRequestRanges:
    """EstimateRequest has no table of bounds beside it: construction (check_fields) and pydantic both read
    the fields' Check, and refuse exactly the same values."""

    def test_every_figure_of_a_request_carries_its_range(self) -> None:
        assert set(CHECKED) == {
            "requests_per_month", "prompt_tokens", "cached_tokens", "output_tokens", "reasoning_tokens",
            "ft_prompt_tokens", "ft_cached_tokens", "ft_output_tokens", "training_tokens", "examples", "rft_hours",
            "quoted_training_usd", "setup_usd", "cache_hit_rate", "horizon_months", "retrain_every_months",
            "hosting_hours_per_month",
        }  # fmt: skip

    @settings(max_examples=400, deadline=None)
    @given(st.sampled_from(CHECKED), st.data())
    def test_construction_and_pydantic_refuse_the_same_values(self, field: str, data: st.DataObject) -> None:
        value = data.draw(st.integers(-3, 200) if field in INTS else DECIMALS, label="value")
        try:
            EstimateRequest(**{**BASE, field: value})
            built = None
        except OutOfRange as error:
            built = error
        try:
            validate(EstimateRequest, {**BASE, field: value})
            validated = None
        except ValidationError as error:
            validated = error
        assert (built is None) == (validated is None), (built, validated)
        if built is not None and validated is not None:
            (problem,) = validated.errors()
            assert problem["loc"] == (field,) and built.field == field
            assert problem["type"] != "value_error", "refused by __post_init__, not by the field's own Check"
