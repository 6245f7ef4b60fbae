"""Together's data rules, owned by the advisor-together plugin: on together-python's own test cases (the
fixture set, tests/together_checks/fixtures, rebuilt by make_fixtures.py) and on probe files, advisor's
verdict for a Together model is Together's checker's (tests/together_checks/reference_check.py, run here),
except where advisor keeps a stricter rule, each listed in STRICTER with its reason."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

from advisor.datasets.check import check_dataset
from advisor.datasets.report import DatasetReport
from advisor.plugins import catalog_with_plugins, load_plugins

HERE = Path(__file__).parent / "together_checks"
sys.path.insert(0, str(HERE))
import reference_check  # noqa: E402  (the vendored checker, found beside its fixtures)

TODAY = date(2026, 12, 1)
FIXTURES = sorted((HERE / "fixtures").glob("*.jsonl"))

# fixture or probe -> why advisor refuses what Together's checker passes (never the other way round)
STRICTER = {
    "weight_true": "`weight: true` passes Together's isinstance(weight, int) only because a Python bool is "
    "an int; advisor asks for the 0 or 1 Together's docs and error message name",
}

IMAGE = "data:image/jpeg;base64,/9j/4AAQSkZJRg=="


def chat(*turns: tuple[str, Any], **message_extra: Any) -> dict[str, Any]:
    return {"messages": [{"role": role, "content": content, **message_extra} for role, content in turns]}


def user_images(count: int, url: str = IMAGE) -> list[dict[str, Any]]:
    return [{"type": "text", "text": "What is shown?"}] + [
        {"type": "image_url", "image_url": {"url": url}} for _ in range(count)
    ]


def dpo(messages: list[dict[str, Any]], preferred: str = "Hello!", rejected: str = "Go away.") -> dict[str, Any]:
    return {
        "input": {"messages": messages},
        "preferred_output": [{"role": "assistant", "content": preferred}],
        "non_preferred_output": [{"role": "assistant", "content": rejected}],
    }


QA = chat(("user", "What is 2 + 2?"), ("assistant", "4"))
PROBES: dict[str, list[dict[str, Any]]] = {
    "one_example": [QA],
    "five_examples": [chat(("user", f"What is {i} + {i}?"), ("assistant", str(2 * i))) for i in range(5)],
    "weight_on_user_and_system": [
        {
            "messages": [
                {"role": "system", "content": "Be brief.", "weight": 0},
                {"role": "user", "content": "Hi", "weight": 1},
                {"role": "assistant", "content": "Hello", "weight": 1},
            ]
        }
    ],
    "weight_two": [
        {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello", "weight": 2}]}
    ],
    "weight_true": [
        {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello", "weight": True}]}
    ],
    "two_users_in_a_row": [chat(("user", "Hi"), ("user", "Are you there?"), ("assistant", "Yes"))],
    "two_assistants_in_a_row": [chat(("user", "Hi"), ("assistant", "Hello"), ("assistant", "How can I help?"))],
    "instruction_then_messages": [{"prompt": "Say hi", "completion": "Hi"}, QA],
    "messages_then_text": [QA, {"text": "Plain text to learn."}],
    "instruction_only": [{"prompt": "Say hi", "completion": "Hi"}],
    "instruction_extra_key": [{"prompt": "Say hi", "completion": "Hi", "id": 3}],
    "text_only": [{"text": "Plain text to learn."}],
    "user_only_rft_shape": [chat(("user", "What is 2 + 2?")), chat(("user", "What is 3 + 3?"))],
    "system_user_only": [chat(("system", "Be brief."), ("user", "What is 2 + 2?"))],
    "remote_image_url": [chat(("user", user_images(1, "https://example.com/cat.png")), ("assistant", "A cat"))],
    "gif_image": [chat(("user", user_images(1, "data:image/gif;base64,R0lGOD==")), ("assistant", "A cat"))],
    "image_in_assistant_turn": [chat(("user", [{"type": "text", "text": "Draw"}]), ("assistant", user_images(1)))],
    "ten_images": [chat(("user", user_images(10)), ("assistant", [{"type": "text", "text": "Ten cats"}]))],
    "eleven_images": [chat(("user", user_images(11)), ("assistant", [{"type": "text", "text": "Eleven cats"}]))],
    "image_and_text_messages_mixed": [chat(("user", user_images(1)), ("assistant", "A cat"))],
    "image_with_weight": [
        {
            "messages": [
                {"role": "user", "content": user_images(1), "weight": 1},
                {"role": "assistant", "content": [{"type": "text", "text": "A cat"}]},
            ]
        }
    ],
    "tools_column": [{**QA, "tools": [{"type": "function", "function": {"name": "add", "parameters": {}}}]}],
    "tool_role": [chat(("user", "Add"), ("assistant", "Calling"), ("tool", "4"))],
    "unknown_message_key": [
        {"messages": [{"role": "user", "content": "Hi", "name": "ann"}, {"role": "assistant", "content": "Hello"}]}
    ],
    "no_content": [{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant"}]}],
    "null_content": [{"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": None}]}],
    "no_assistant_with_answer_elsewhere": [chat(("system", "s"), ("user", "u"))],
    "dpo_valid": [
        {
            "input": {"messages": [{"role": "user", "content": "Hi"}]},
            "preferred_output": [{"role": "assistant", "content": "Hello!"}],
            "non_preferred_output": [{"role": "assistant", "content": "Go away."}],
        }
    ],
    "dpo_two_users": [
        {
            "input": {"messages": [{"role": "user", "content": "Hi"}, {"role": "user", "content": "Hello?"}]},
            "preferred_output": [{"role": "assistant", "content": "Hello!"}],
            "non_preferred_output": [{"role": "assistant", "content": "Go away."}],
        }
    ],
    "dpo_ends_with_assistant": [
        {
            "input": {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Yes?"}]},
            "preferred_output": [{"role": "assistant", "content": "Hello!"}],
            "non_preferred_output": [{"role": "assistant", "content": "Go away."}],
        }
    ],
    "dpo_ends_with_system": [dpo([{"role": "user", "content": "Hi"}, {"role": "system", "content": "Be nice."}])],
    "dpo_empty_preferred": [dpo([{"role": "user", "content": "Hi"}], preferred="")],
    "dpo_same_outputs": [dpo([{"role": "user", "content": "Hi"}], preferred="Same", rejected="Same")],
    "every_weight_zero": [
        {"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Yo", "weight": 0}]}
    ],
    "empty_answer": [chat(("user", "Hi"), ("assistant", ""))],
    "empty_question": [chat(("user", ""), ("assistant", "Yo"))],
    "ends_with_user": [chat(("user", "Hi"), ("assistant", "Yo"), ("user", "Bye"))],
    "instruction_empty_prompt": [{"prompt": "", "completion": "x"}],
    "text_not_a_string": [{"text": 5}],
    "content_parts_text_only": [
        chat(("user", [{"type": "text", "text": "Hi"}]), ("assistant", [{"type": "text", "text": "Yo"}]))
    ],
    "not_an_object": [QA, ["a", "list"]],
    "blank_line_between": [QA, QA],  # written with a blank line between (see write_probe)
}


def write_probe(path: Path, name: str, rows: list[Any]) -> Path:
    joiner = "\n\n" if name == "blank_line_between" else "\n"
    path.write_text(joiner.join(json.dumps(row) for row in rows) + "\n", encoding="utf-8")
    return path


def advisor_report(path: Path) -> DatasetReport:
    plugins = load_plugins()
    catalog = catalog_with_plugins((), TODAY)
    return check_dataset(str(path), catalog, TODAY, provider="together", jobs=1, formats=plugins.dataset_formats)


def verdicts(path: Path) -> tuple[bool, bool, DatasetReport]:
    together = bool(reference_check.check_file(path)["is_check_passed"])
    report = advisor_report(path)
    return together, report.errors == 0, report


def agreement(cases: dict[str, Path]) -> dict[str, tuple[bool, bool]]:
    table = {}
    for name, path in cases.items():
        together, ours, _ = verdicts(path)
        table[name] = (together, ours)
    return table


def assert_agrees(table: dict[str, tuple[bool, bool]]) -> None:
    """Every verdict is Together's, but for the documented stricter rules: there advisor refuses what
    Together's checker passes (never the other way round), and each documented one still differs."""
    differ = {name: pair for name, pair in table.items() if pair[0] != pair[1]}
    shown = "\n".join(
        f"{name}: Together {'passes' if t else 'refuses'}, advisor {'passes' if a else 'refuses'}"
        for name, (t, a) in differ.items()
    )
    assert set(differ) == set(STRICTER) & set(table), shown
    assert all(pair == (True, False) for pair in differ.values()), shown


def test_the_fixture_set_is_together_pythons_own_cases() -> None:
    # make_fixtures.py keeps every .jsonl file the upstream tests check: 50, passing and failing
    assert len(FIXTURES) == 50
    passed = [path.stem for path in FIXTURES if reference_check.check_file(path)["is_check_passed"]]
    assert len(passed) == 9 and "check_jsonl_valid_weights_all_messages" in passed


def test_advisor_agrees_with_together_on_every_fixture() -> None:
    assert_agrees(agreement({path.stem: path for path in FIXTURES if path.stat().st_size}))


def test_advisor_agrees_with_together_on_every_probe(tmp_path: Path) -> None:
    table = agreement({name: write_probe(tmp_path / f"{name}.jsonl", name, rows) for name, rows in PROBES.items()})
    assert_agrees(table)
    # the cases the issue names: advisor passed or blocked them against Together's verdict
    assert table["one_example"] == table["five_examples"] == (True, True)
    assert table["weight_on_user_and_system"] == (True, True)
    for refused in ("two_users_in_a_row", "instruction_then_messages", "remote_image_url", "eleven_images",
                    "image_in_assistant_turn", "user_only_rft_shape"):  # fmt: skip
        assert table[refused] == (False, False), refused


def test_an_empty_file_is_refused_by_both(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.touch()
    together, ours, report = verdicts(empty)
    assert (together, ours) == (False, False)
    assert any(p.code == "too-few-examples" for p in report.problems)


def test_a_file_of_user_messages_is_no_rft_for_together(tmp_path: Path) -> None:
    report = advisor_report(write_probe(tmp_path / "p.jsonl", "p", PROBES["user_only_rft_shape"]))
    assert report.method == "rft"
    assert [p.code for p in report.problems if p.severity == "error"] == ["method-not-offered"]


def test_advisors_own_rules_are_warnings_for_together(tmp_path: Path) -> None:
    """What Together takes but trains badly (every answer weighted 0, an empty DPO answer) is a warning
    that says Together takes it; for OpenAI the same examples are errors."""
    report = advisor_report(write_probe(tmp_path / "p.jsonl", "p", PROBES["every_weight_zero"]))
    (zero,) = [p for p in report.problems if p.code == "all-weights-zero"]
    assert zero.severity == "warning" and "(together takes it)" in zero.message
    catalog = catalog_with_plugins((), TODAY)
    openai = check_dataset(str(tmp_path / "p.jsonl"), catalog, TODAY, models=["gpt-4.1-mini"], jobs=1, formats=())
    assert [p.severity for p in openai.problems if p.code == "all-weights-zero"] == ["error"]


def test_fewer_than_ten_is_a_warning_with_its_reason(tmp_path: Path) -> None:
    report = advisor_report(write_probe(tmp_path / "p.jsonl", "p", PROBES["five_examples"]))
    (few,) = [p for p in report.problems if p.code == "few-examples"]
    assert few.severity == "warning" and "together takes them" in few.message and "OpenAI's minimum" in few.message
    assert report.rules == "together"


def test_the_sdk_is_asked_for_a_second_opinion(tmp_path: Path) -> None:
    report = advisor_report(write_probe(tmp_path / "p.jsonl", "p", PROBES["two_users_in_a_row"]))
    opinion = report.second_opinion
    assert opinion is not None and opinion.checker.startswith("together 3.")
    # together 3.x checks JSON objects and the count only: it passes what Together's service refuses
    assert opinion.passed and not opinion.agrees
    (differs,) = [p for p in report.problems if p.code == "second-opinion-differs"]
    assert "Together checks the rest after upload" in differs.message
    agreeing = advisor_report(write_probe(tmp_path / "q.jsonl", "q", PROBES["one_example"])).second_opinion
    assert agreeing is not None and agreeing.passed and agreeing.agrees


def together_launch(training: Path, *extra: str) -> list[str]:
    return [
        "launch", "--provider", "together", "--method", "sft", "--model", "llama-3.1-8b-instruct",
        "--training-file", str(training), "--epochs", "3", "--today", "2026-12-01", "--yes", *extra,
    ]  # fmt: skip


class TestLaunchUsesTheSameRules:
    def test_five_examples_launch_on_together(self, advisor, together_api, tmp_path: Path) -> None:
        rows = [chat(("user", f"Total of invoice {n}?"), ("assistant", f"{n}.50")) for n in range(5)]
        result = advisor(*together_launch(write_probe(tmp_path / "five.jsonl", "five", rows), "--dry-run"))
        assert result.code == 0, result.err
        assert "Not launched" not in result.err and together_api.requests == []

    def test_two_user_turns_in_a_row_stop_a_together_launch(self, advisor, together_api, tmp_path: Path) -> None:
        training = write_probe(tmp_path / "turns.jsonl", "turns", [QA, *PROBES["two_users_in_a_row"]])
        result = advisor(*together_launch(training, "--dry-run"))
        assert result.code == 1 and f"{training}:2: two 'user' messages in a row" in result.err
        # the command it prints checks by the same rules
        assert f"advisor dataset check {training} --model together/llama-3.1-8b-instruct" in result.err
        assert together_api.requests == []

    def test_the_printed_check_gives_the_same_verdict(self, advisor, tmp_path: Path) -> None:
        training = write_probe(tmp_path / "turns.jsonl", "turns", PROBES["two_users_in_a_row"] * 3)
        result = advisor(
            "dataset", "check", str(training), "--model", "together/llama-3.1-8b-instruct", "--today", "2026-12-01"
        )
        assert result.code == 1 and "repeated-role" in result.out
        by_provider = advisor("dataset", "check", str(training), "--provider", "together", "--today", "2026-12-01")
        assert by_provider.code == 1 and "repeated-role" in by_provider.out

    def test_openai_keeps_its_own_rules(self, advisor, tmp_path: Path) -> None:
        """The same file for an OpenAI model: OpenAI's minimum of 10 is an error, repeated roles are not."""
        training = write_probe(tmp_path / "turns.jsonl", "turns", PROBES["two_users_in_a_row"] * 3)
        result = advisor("dataset", "check", str(training), "--model", "gpt-4.1-mini", "--today", "2026-12-01")
        assert result.code == 1 and "too-few-examples" in result.out and "repeated-role" not in result.out
