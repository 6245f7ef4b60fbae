"""Property tests for the parsers issue 15 hardened: whatever a user writes, the answer is a value or a
UserError / ValueError with a message, never another exception (and never a hang on a huge number)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import click
import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from advisor.cli.options import AMOUNT, COUNT, COUNT_OR_ZERO, POSITIVE_AMOUNT, DateType
from advisor.datasets.grader import load_grader, missing_fields
from advisor.datasets.split import validation_size
from advisor.errors import UserError
from advisor.parsing.quantities import MAX_AMOUNT, MAX_COUNT
from advisor.providers.ledger import Ledger
from advisor.recommend.interview import QUESTIONS, from_raw, put, to_raw
from advisor.recommend.scenario import Scenario, parse_scenario

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


GRADER_TEXT = st.sampled_from(
    ["{{item.answer}}", "{{ item.ref.text }}", "{{sample.output_text}}", "{{sample.nothing}}", "{{row.x}}", "plain"]
) | st.text(max_size=8)
GRADER_TYPES = st.sampled_from(
    ["string_check", "text_similarity", "score_model", "python", "multi", "label_model", "?"]
)
ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | GRADER_TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=10,
)
PYTHON_SOURCE = st.sampled_from(["def grade(sample, item): return item['answer'] == 1", "item.get('label')", "x"])
GRADERS = (
    st.fixed_dictionaries(
        {"type": GRADER_TYPES},
        optional={
            "input": GRADER_TEXT | st.lists(st.fixed_dictionaries({"role": st.just("user"), "content": GRADER_TEXT})),
            "reference": GRADER_TEXT,
            "source": PYTHON_SOURCE,
            "graders": st.dictionaries(
                st.sampled_from(["a", "b"]),
                st.fixed_dictionaries({"type": GRADER_TYPES}, optional={"input": GRADER_TEXT, "source": PYTHON_SOURCE}),
                max_size=2,
            ),
            "extra": ANY_JSON,
        },
    )
    | ANY_JSON
)  # mostly grader-shaped, so that both outcomes are checked


@SETTINGS
@given(document=GRADERS)
@example(document={"type": "string_check"})
@example(document={"type": "score_model", "input": []})
@example(document={"type": "python", "source": "def grade(sample, item): return item['answer'] == 1"})
def test_the_grader_loader_returns_a_grader_or_a_user_error(document: object, tmp_path_factory) -> None:
    path = tmp_path_factory.mktemp("grader") / "g.json"
    path.write_text(json.dumps(document))
    try:
        spec = load_grader(str(path))
    except UserError as error:
        assert str(error).startswith(str(path))
        return
    event("loaded")
    assert isinstance(document, dict) and spec.type == document["type"] and spec.definition == document
    # the fields it reads are what a row must have: a row with all of them misses none, an empty row all
    row: dict = {}
    for parts in spec.item_fields:
        assert parts and all(parts)
        branch = row
        for part in parts[:-1]:
            branch = branch.setdefault(part, {})
        branch[parts[-1]] = "x"
    assert missing_fields(row, spec) == []
    assert missing_fields({}, spec) == [".".join(parts) for parts in spec.item_fields]


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
        event("estimated")
        report = json.loads(result.out, parse_float=Decimal)
        today = report.get("baseline") or report["today"]  # one provider, or every one (--provider all)
        assert today["uncached_prompt_tokens"] + today["cached_prompt_tokens"] == int(prompt)
        assert today["output_tokens"] == output
        assert Decimal(today["inference_monthly_usd"]) == Decimal(today["per_request_usd"]) * int(requests)
    else:
        assert len([line for line in result.err.splitlines() if line.startswith("advisor")]) == 1


@pytest.mark.parametrize(
    ("text", "count"),
    [("2000", 2000), ("2,000", 2000), ("10k", 10_000), ("10K", 10_000), (" 1.5M ", 1_500_000), ("2b", 2 * 10**9)],
)
def test_a_count_flag_reads_the_number_written(text: str, count: int) -> None:
    assert COUNT.convert(text, None, None) == count
    assert COUNT_OR_ZERO.convert(text, None, None) == count


@pytest.mark.parametrize(
    ("text", "amount"), [("1250.50", "1250.50"), ("$1,250.50", "1250.50"), ("0", "0"), ("0.000001", "0.000001")]
)
def test_an_amount_flag_keeps_the_exact_decimal_written(text: str, amount: str) -> None:
    value = AMOUNT.convert(text, None, None)
    assert value == Decimal(amount) and str(value) == amount  # the digits as written: 1250.50, not 1250.5


@pytest.mark.parametrize(
    ("kind", "text", "message"),
    [
        (COUNT, "0", "greater than zero"),
        (COUNT, "1.2345k", "whole number"),
        (COUNT, "2e3", "a number such as 2000"),
        (COUNT, "1001b", "at most 1,000,000,000,000"),
        (AMOUNT, "-1", "cannot be negative"),
        (AMOUNT, "NaN", "finite"),
        (POSITIVE_AMOUNT, "0", "greater than zero"),
    ],
)
def test_a_flag_value_out_of_range_is_a_usage_error(kind: click.ParamType, text: str, message: str) -> None:
    with pytest.raises(click.BadParameter, match=message):
        kind.convert(text, None, None)


SUFFIXES = {"": 1, "k": 10**3, "M": 10**6, "b": 10**9}


@settings(max_examples=200, deadline=None)
@given(number=st.integers(min_value=1, max_value=MAX_COUNT), suffix=st.sampled_from(sorted(SUFFIXES)))
def test_any_count_written_with_or_without_a_suffix_reads_back_exactly(number: int, suffix: str) -> None:
    """The written count and the value agree exactly (so a larger count written is a larger count read):
    2,000,000 and 2M, 1,500,000 and 1.5M."""
    assert COUNT.convert(f"{number:,}", None, None) == number
    unit = SUFFIXES[suffix]
    if number >= unit:
        assert COUNT.convert(f"{Decimal(number) / unit:f}{suffix}", None, None) == number


@settings(max_examples=200, deadline=None)
@given(amount=st.decimals(min_value=0, max_value=MAX_AMOUNT, places=4, allow_nan=False, allow_infinity=False))
def test_any_amount_reads_back_as_the_same_decimal(amount: Decimal) -> None:
    assert str(AMOUNT.convert(str(amount), None, None)) == str(amount)
    assert AMOUNT.convert(f"${amount:,}", None, None) == amount


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
    # what the interview accepts, and what it assumes when not told, a scenario file holds as it is
    for answer in (value, question.default(from_raw({}))):
        if answer is None or (question.key == "traffic.prompt_tokens" and isinstance(answer, str)):
            continue  # a blank optional answer is not stored; a prompt file's name is checked when recorded
        answers = from_raw({})
        put(answers, question.key, answer)
        section, _, key = question.key.rpartition(".")
        scenario = Scenario.model_validate(to_raw(answers))
        assert getattr(getattr(scenario, section) if section else scenario, key) == answer


def test_interview_money_is_decimal() -> None:
    (setup,) = [q for q in QUESTIONS if q.key == "costs.setup_usd"]
    assert setup.parse("1250.50") == Decimal("1250.50") and isinstance(setup.parse("1250.50"), Decimal)
