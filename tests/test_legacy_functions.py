"""Legacy function calling (`functions` and an assistant's `function_call`) is counted on one path:
`advisor tokens`, a scenario's or an estimate's prompt file, and `dataset check` all give tiktoken's count
plus the cookbook's rules, so training on such files is not priced low."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path

from advisor.costs.inputs import prompt_tokens_from_file
from advisor.datasets.check import check_dataset
from advisor.pricing.catalog import load_catalog
from advisor.tokens.count import count_chat
from advisor.tokens.files import count_source

from .test_token_count import O200K, cookbook_tokens, tiktoken_length

WEATHER_FUNCTIONS = [
    {
        "name": "get_current_weather",
        "description": "Get the current weather",
        "parameters": {
            "type": "object",
            "properties": {
                "location": {"type": "string", "description": "The city and country, eg. San Francisco, USA"},
                "format": {"type": "string", "enum": ["celsius", "fahrenheit"]},
            },
            "required": ["location", "format"],
        },
    }
]


def legacy_example(city: str) -> dict:
    """OpenAI's legacy function-calling fine-tuning example: the answer is a function_call."""
    arguments = json.dumps({"location": f"{city}, USA", "format": "celsius"})
    return {
        "messages": [
            {"role": "system", "content": "You answer weather questions by calling the weather function."},
            {"role": "user", "content": f"What is the weather in {city}?"},
            {"role": "assistant", "function_call": {"name": "get_current_weather", "arguments": arguments}},
        ],
        "functions": WEATHER_FUNCTIONS,
    }


CITIES = ["San Francisco", "Boston", "Chicago", "Denver", "Austin", "Seattle", "Miami", "Phoenix", "Dallas", "Omaha"]


def test_the_call_and_the_definitions_are_counted() -> None:
    example = legacy_example("San Francisco")
    call = example["messages"][-1]["function_call"]
    without_legacy = {"messages": [*example["messages"][:-1], {"role": "assistant"}]}
    # the call's name and arguments, and the function definitions, are what the old path left out
    assert count_chat(O200K, example) == (
        count_chat(O200K, without_legacy)
        + tiktoken_length(call["name"])
        + tiktoken_length(call["arguments"])
        + count_chat(O200K, {"messages": [], "functions": WEATHER_FUNCTIONS})
        - count_chat(O200K, {"messages": []})
    )
    assert count_chat(O200K, example) == cookbook_tokens(example)


def test_tokens_prompt_files_and_dataset_check_agree(tmp_path: Path) -> None:
    examples = [legacy_example(city) for city in CITIES]
    expected = [cookbook_tokens(example) for example in examples]
    training = tmp_path / "legacy.jsonl"
    training.write_text("".join(json.dumps(example) + "\n" for example in examples), encoding="utf-8")
    prompt = tmp_path / "prompt.json"
    prompt.write_text(json.dumps(examples[0]), encoding="utf-8")
    catalog = load_catalog()

    # advisor tokens
    tally = count_source(str(training), O200K)
    assert (tally.tokens, tally.smallest, tally.largest) == (sum(expected), min(expected), max(expected))
    assert count_source(str(prompt), O200K).tokens == expected[0]
    # prompt files (scenario traffic.prompt_file, estimate --prompt-file)
    assert prompt_tokens_from_file(str(prompt), "gpt-4.1", catalog)[0] == expected[0]
    assert prompt_tokens_from_file(str(training), "gpt-4.1", catalog)[0] == Decimal(sum(expected)) / len(expected)
    # dataset check: the billed tokens are the same figures, so training is priced on them
    report = check_dataset(str(training), catalog, date(2026, 12, 1), models=["gpt-4.1-mini"], jobs=1, formats=())
    assert report.tokens is not None
    assert report.tokens.total == sum(expected)
    assert not [p for p in report.problems if p.severity == "error" and p.code != "too-few-examples"]
    assert not [p for p in report.problems if p.code in ("empty-answer", "near-empty-answer")]


def test_the_legacy_function_role_is_counted_as_the_cookbook_counts_it(tmp_path: Path) -> None:
    """The Cookbook's checks take the roles system, user, assistant and function, and a message's
    `function_call`: a `function` message (the function's result) is counted, never an error."""
    rows = []
    for city in CITIES:
        example = legacy_example(city)
        result = {"role": "function", "name": "get_current_weather", "content": '{"temperature": 21}'}
        answer = {"role": "assistant", "content": f"It is 21 degrees in {city}."}
        rows.append({**example, "messages": [*example["messages"], result, answer]})
    training = tmp_path / "legacy.jsonl"
    training.write_text("".join(json.dumps(row) + "\n" for row in rows))
    report = check_dataset(
        str(training), load_catalog(), date(2026, 12, 1), models=["gpt-4.1-mini"], jobs=1, formats=()
    )
    assert report.errors == 0 and report.valid_examples == len(CITIES)
    function_message = rows[0]["messages"][3]
    with_result = report.tokens
    assert with_result is not None
    expected = count_chat(O200K, rows[0])
    assert with_result.min <= expected <= with_result.max
    assert count_chat(O200K, rows[0]) > count_chat(O200K, {**rows[0], "messages": rows[0]["messages"][:3]})
    assert function_message["role"] == "function"


def test_an_empty_user_message_is_reported(tmp_path: Path) -> None:
    rows = [
        {
            "messages": [
                {"role": "user", "content": " " if n == 3 else f"Hi {n}"},
                {"role": "assistant", "content": "Hello"},
            ]
        }
        for n in range(10)
    ]
    training = tmp_path / "empty.jsonl"
    training.write_text("".join(json.dumps(row) + "\n" for row in rows))
    report = check_dataset(
        str(training), load_catalog(), date(2026, 12, 1), models=["gpt-4.1-mini"], jobs=1, formats=()
    )
    (empty,) = [p for p in report.problems if p.code == "empty-user-content"]
    assert (empty.severity, empty.line, empty.field) == ("warning", 4, "messages[0].content")
