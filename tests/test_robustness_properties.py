"""Property tests for the parsers issue 15 hardened: whatever a user writes, the answer is a value or a
UserError / ValueError with a message, never another exception (and never a hang on a huge number)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import click
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from advisor.cli.options import AMOUNT, COUNT, DateType
from advisor.datasets.grader import load_grader
from advisor.datasets.split import validation_size
from advisor.errors import UserError
from advisor.parsing.quantities import MAX_AMOUNT, MAX_COUNT
from advisor.providers.ledger import Ledger
from advisor.recommend.interview import QUESTIONS, from_raw
from advisor.recommend.scenario import parse_scenario

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
NUMBERS = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["NaN", "sNaN", "-sNaN", "Infinity", "-Infinity", "1e400", "1e999999999", "9" * 5000, "0x10", ""]),
    st.text(max_size=12),
)


@SETTINGS
@given(spec=NUMBERS, examples=st.integers(min_value=0, max_value=10**6))
def test_split_validation_is_a_size_or_a_user_error(spec: str, examples: int) -> None:
    try:
        size = validation_size(spec, examples)
    except UserError as error:
        assert str(error) and "\n" not in str(error)
        return
    assert 1 <= size < examples


@SETTINGS
@given(
    document=st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=8),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
        max_leaves=10,
    )
)
@example(document={"type": "string_check"})
@example(document={"type": "score_model", "input": []})
def test_the_grader_loader_returns_a_grader_or_a_user_error(document: object, tmp_path_factory) -> None:
    path = tmp_path_factory.mktemp("grader") / "g.json"
    path.write_text(json.dumps(document))
    try:
        load_grader(str(path))
    except UserError as error:
        assert str(error).startswith(str(path))


VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.sampled_from([1e30, -1.0, 0.5, 1e400]),
    st.text(max_size=10),
    st.lists(st.text(max_size=6), max_size=3),
)
KEYS = [
    (section, key)
    for section, keys in {
        "task": ["kind", "failures", "has_eval_set", "baseline_score", "target_score"],
        "traffic": ["requests_per_month", "prompt_tokens", "cached_prompt_tokens", "output_tokens"],
        "costs": ["setup_usd", "rft_hours", "horizon_months"],
        "data": ["demonstrations", "grader", "experts_agree"],
        "models": ["current", "provider", "providers"],
    }.items()
    for key in keys
]


@SETTINGS
@given(entries=st.lists(st.tuples(st.sampled_from(KEYS), VALUES), max_size=5))
def test_any_json_scenario_parses_or_names_the_file(entries) -> None:
    raw: dict[str, dict[str, object]] = {}
    for (section, key), value in entries:
        raw.setdefault(section, {})[key] = value
    text = json.dumps(raw, indent=1).replace("Infinity", "1e400")
    try:
        loaded = parse_scenario(text, "s.json")
    except UserError as error:
        assert str(error).startswith("s.json")
        return
    traffic = loaded.scenario.traffic
    assert 0 < traffic.requests_per_month <= MAX_COUNT and loaded.scenario.costs.setup_usd <= MAX_AMOUNT


@SETTINGS
@given(text=st.one_of(st.dates().map(str), st.text(max_size=12), st.sampled_from(["2026-02-30", "0000-01-01"])))
def test_today_is_a_date_or_a_usage_error(text: str) -> None:
    try:
        assert isinstance(DateType().convert(text, None, None), date)
    except click.BadParameter as error:
        assert "is not a date" in str(error)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    requests=st.one_of(st.integers(min_value=1, max_value=MAX_COUNT), st.sampled_from(["1e30", "9" * 40])),
    prompt=st.one_of(st.integers(min_value=0, max_value=MAX_COUNT), st.sampled_from(["1e40", "10000000000001"])),
    setup=st.one_of(st.decimals(min_value=0, max_value=MAX_AMOUNT, places=2), st.sampled_from(["1e26", "1e400"])),
    output=st.integers(min_value=0, max_value=MAX_COUNT),
    provider=st.sampled_from(["openai", "azure-openai", "all"]),
)
def test_estimate_flag_combinations_never_crash(advisor, requests, prompt, setup, output, provider) -> None:
    result = advisor(
        "estimate", "--model", "gpt-4.1", "--ft-model", "gpt-4.1-mini", "--provider", provider,
        "--requests", str(requests), "--prompt-tokens", str(prompt), "--output-tokens", str(output),
        "--setup-cost", str(setup), "--training-tokens", "146130", "--examples", "400",
        "--today", "2026-12-01", "--format", "json",
    )  # fmt: skip
    assert result.code in (0, 2), result.err
    if result.code == 0:
        json.loads(result.out)
    else:
        assert len([line for line in result.err.splitlines() if line.startswith("advisor")]) == 1


@pytest.mark.parametrize("text", ["2000", "10k", "1.5M"])
def test_flag_types_keep_what_they_accept(text: str) -> None:
    assert COUNT.convert(text, None, None) > 0 and AMOUNT.convert(text.rstrip("kM"), None, None) >= 0


@settings(max_examples=60, deadline=None)
@given(request=st.text(max_size=30), details=st.one_of(st.none(), st.text(max_size=30)))
def test_any_stored_ledger_row_reads_back(request: str, details: str | None, tmp_path_factory) -> None:
    import sqlite3

    path = tmp_path_factory.mktemp("ledger") / "ledger.sqlite3"
    ledger = Ledger(path)
    ledger.record_intent("adv-1", "openai", "sft", "m", "fp", {"a": 1}, None)
    ledger.close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE runs SET request = ?, details = ?", (request, details))
    (run,) = Ledger(path, read_only=True).runs()
    assert isinstance(run.request, dict) and isinstance(run.details, dict)
    readable = request == "" or _is_object(request)  # an empty column holds nothing: read as {}
    assert (run.damaged is None) == (readable and (details is None or details == "" or _is_object(details)))


def _is_object(text: str) -> bool:
    try:
        return isinstance(json.loads(text), dict)
    except ValueError:
        return False


@SETTINGS
@given(question=st.sampled_from(QUESTIONS), text=st.one_of(st.text(max_size=20), NUMBERS))
def test_every_interview_answer_parses_or_says_why(question, text: str) -> None:
    try:
        value = question.parse(text)
    except ValueError as error:
        assert str(error)
        return
    if isinstance(value, Decimal):
        assert value.is_finite() and 0 <= value <= MAX_AMOUNT
    if isinstance(value, int) and not isinstance(value, bool):
        assert 0 <= value <= MAX_COUNT
    question.default(from_raw({}))


def test_interview_money_is_decimal() -> None:
    (setup,) = [q for q in QUESTIONS if q.key == "costs.setup_usd"]
    assert setup.parse("1250.50") == Decimal("1250.50") and isinstance(setup.parse("1250.50"), Decimal)
