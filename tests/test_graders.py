"""RFT graders are checked against openai-python's own grader types (the OpenAI plugin's GraderCheck, through
the `advisor_register_grader_checks` hook) before anything is sent: `advisor dataset check --grader` and
`advisor launch --dry-run` refuse the same graders, each problem one line naming the grader file, the field
and what to do; graders the SDK's types accept pass. The service's shape where OpenAI's guides differ from
the SDK's types (a multi grader's `graders` is an object of named graders) is the one checked.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from advisor.datasets.grader import GraderCheck, GraderProblem, grader_problems, problem_line

from .helpers import write_jsonl

ROWS = [
    {"messages": [{"role": "user", "content": f"What is {i} + {i}? Answer with the number."}], "answer": str(2 * i)}
    for i in range(15)
]
EXACT = {
    "type": "string_check",
    "name": "exact",
    "operation": "eq",
    "input": "{{ sample.output_text }}",
    "reference": "{{ item.answer }}",
}
JUDGE_INPUT = [{"role": "user", "content": "Score {{sample.output_text}} against {{item.answer}} from 0 to 1."}]

# the seven graders of issue 24 that openai-python's types refuse: (grader, the field named, words in the line)
INVALID: dict[str, tuple[dict[str, Any], str, str]] = {
    "regex-operation": ({**EXACT, "operation": "regex"}, "operation", "'regex' is not a value"),
    "no-name": ({k: v for k, v in EXACT.items() if k != "name"}, "name", "is missing"),
    "levenshtein": (
        {
            "type": "text_similarity",
            "name": "close",
            "input": "{{sample.output_text}}",
            "reference": "{{item.answer}}",
            "evaluation_metric": "levenshtein",
        },
        "evaluation_metric",
        "'levenshtein' is not a value",
    ),
    "python-without-source": ({"type": "python", "name": "code"}, "source", "is missing"),
    "score-model-without-model": (
        {"type": "score_model", "name": "judge", "input": JUDGE_INPUT},
        "model",
        "is missing",
    ),
    "unknown-key": ({**EXACT, "case_sensitive": True}, "case_sensitive", "is not a field of"),
    "multi-without-calculate-output": (
        {"type": "multi", "name": "both", "graders": {"exact": EXACT}},
        "calculate_output",
        "is missing",
    ),
}

VALID: dict[str, dict[str, Any]] = {
    "string_check": EXACT,
    "text_similarity": {
        "type": "text_similarity",
        "name": "close",
        "input": "{{sample.output_text}}",
        "reference": "{{item.answer}}",
        "evaluation_metric": "fuzzy_match",
    },
    "python": {
        "type": "python",
        "name": "code",
        "source": "def grade(sample, item):\n    return float(sample['output_text'].strip() == item['answer'])\n",
        "image_tag": "2025-05-08",
    },
    "score_model": {
        "type": "score_model",
        "name": "judge",
        "model": "gpt-4.1-2025-04-14",
        "input": [
            *JUDGE_INPUT,
            {"role": "system", "type": "message", "content": [{"type": "input_text", "text": "Be strict."}]},
        ],
        "range": [0, 1],
        "sampling_params": {"temperature": 0, "seed": 7, "reasoning_effort": "low"},
    },
    # the guides' shape: graders by the names calculate_output uses; label_model only inside a multi grader
    "multi-with-label_model": {
        "type": "multi",
        "name": "both",
        "graders": {
            "exact": EXACT,
            "polite": {
                "type": "label_model",
                "name": "polite",
                "model": "gpt-4.1-mini-2025-04-14",
                "input": [{"role": "user", "content": "Is {{sample.output_text}} polite? Answer yes or no."}],
                "labels": ["yes", "no"],
                "passing_labels": ["yes"],
            },
        },
        "calculate_output": "0.8 * exact + 0.2 * polite",
    },
}


def rft_files(tmp_path: Path, grader: dict[str, Any]) -> tuple[Path, Path, Path]:
    path = tmp_path / "grader.json"
    path.write_text(json.dumps(grader))
    return write_jsonl(tmp_path / "train.jsonl", ROWS[:12]), write_jsonl(tmp_path / "valid.jsonl", ROWS[12:]), path


def check(advisor, tmp_path: Path, grader: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    train, _, path = rft_files(tmp_path, grader)
    result = advisor(
        "dataset", "check", str(train), "--method", "rft", "--grader", str(path), "--format", "json",
        "--today", "2026-09-01",
    )  # fmt: skip
    return result.code, json.loads(result.out)


def dry_run(advisor, tmp_path: Path, grader: dict[str, Any], provider: str = "openai") -> Any:
    train, valid, path = rft_files(tmp_path, grader)
    model = {"openai": ["o4-mini"], "local": ["llama-3.1-8b-instruct", "--set", "max_completion_length=64"]}[provider]
    return advisor(
        "launch", "--provider", provider, "--method", "rft", "--model", *model, "--training-file", str(train),
        "--validation-file", str(valid), "--grader", str(path), "--today", "2026-09-01", "--dry-run",
    )  # fmt: skip


def not_launched(err: str) -> list[str]:
    """The lines under "Not launched:"."""
    below = err.split("Not launched:\n", 1)[-1].splitlines()
    return [line.removeprefix("  - ") for line in below if line.startswith("  - ")]


@pytest.fixture
def local_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ADVISOR_LOCAL_RUNS", str(tmp_path / "runs"))
    monkeypatch.setenv("ADVISOR_LOCAL_TRAINER", f"{sys.executable} {Path(__file__).with_name('local_trainer.py')}")
    return tmp_path / "runs"


class TestTheSevenGradersTheSDKRefuses:
    @pytest.mark.parametrize("case", INVALID, ids=list(INVALID))
    def test_dataset_check_reports_one_error_naming_the_file_and_field(self, advisor, tmp_path, case) -> None:
        grader, field, words = INVALID[case]
        code, report = check(advisor, tmp_path, grader)
        assert code == 1
        found = [p for p in report["problems"] if p["code"] == "grader-invalid"]
        assert len(found) == 1 and report["errors"] == 1, found
        (problem,) = found
        assert problem["field"] == field and problem["message"].startswith(f"{tmp_path / 'grader.json'}: ")
        assert words in problem["message"] and "openai-python 3." in problem["message"] and problem["hint"]

    @pytest.mark.parametrize("case", INVALID, ids=list(INVALID))
    def test_a_dry_run_is_refused_with_one_line_and_nothing_is_printed_to_send(self, advisor, tmp_path, case) -> None:
        grader, field, words = INVALID[case]
        result = dry_run(advisor, tmp_path, grader)
        assert result.code == 1
        (line,) = not_launched(result.err)
        assert line.startswith(f"{tmp_path / 'grader.json'}: {field}: ") and words in line and "; " in line
        assert "Dry run" not in result.out

    @pytest.mark.parametrize("case", INVALID, ids=list(INVALID))
    def test_the_local_provider_refuses_them_with_the_same_one_line(self, advisor, tmp_path, local_runs, case) -> None:
        grader, field, words = INVALID[case]
        result = dry_run(advisor, tmp_path, grader, provider="local")
        assert result.code == 1
        (line,) = [line for line in not_launched(result.err) if "grader" in line]  # its own checks do not repeat it
        assert line.startswith(f"{tmp_path / 'grader.json'}: {field}: ") and words in line
        assert not (local_runs).exists()


class TestGradersTheSDKAccepts:
    @pytest.mark.parametrize("case", VALID, ids=list(VALID))
    def test_dataset_check_passes_them(self, advisor, tmp_path, case) -> None:
        code, report = check(advisor, tmp_path, VALID[case])
        assert (code, report["errors"]) == (0, 0), report["problems"]

    @pytest.mark.parametrize("case", VALID, ids=list(VALID))
    def test_a_dry_run_prints_them_as_they_would_be_sent(self, advisor, tmp_path, case) -> None:
        result = dry_run(advisor, tmp_path, VALID[case])
        assert result.code == 0, result.err
        body = json.loads(result.out[result.out.index("{\n") :])
        assert body["method"]["reinforcement"]["grader"] == VALID[case]


MULTI = {"type": "multi", "name": "m", "calculate_output": "e"}
POLITE = VALID["multi-with-label_model"]["graders"]["polite"]


class TestTheShapesChecked:
    """What the SDK's TypedDicts do not say by themselves, and how the service reads JSON."""

    @pytest.mark.parametrize(
        ("grader", "line"),
        [
            (  # openai-python types `graders` as one grader; the guides' jobs name each grader
                {**MULTI, "graders": EXACT},
                "graders: is one grader, not an object of named graders; give an object mapping each name",
            ),
            (
                {**MULTI, "graders": [EXACT]},
                "graders: is not an object of named graders",
            ),
            (
                {**MULTI, "graders": {"e": {**EXACT, "operation": "glob"}}},
                "graders.e.operation: 'glob' is not a value",
            ),
            (
                {**MULTI, "graders": {"e": VALID["multi-with-label_model"]}},
                "graders.e.type: 'multi' is not a grader type openai-python",
            ),
            (
                {**VALID["score_model"], "range": [0, "1"]},
                "range[1]: '1': Input should be a valid number",
            ),
            (
                {**VALID["score_model"], "input": [{"role": "critic", "content": "x"}]},
                "input[0].role: 'critic' is not a value",
            ),
            (
                {**VALID["score_model"], "input": [{"role": "user", "content": {"type": "input_text", "txt": "x"}}]},
                "input[0].content: {'type': 'input_text', 'txt': 'x'} is none of the forms",
            ),
            (
                {**VALID["score_model"], "sampling_params": {"temprature": 0}},
                "sampling_params.temprature: is not a field of",
            ),
            ({**VALID["score_model"], "range": [0, 0.5, 1]}, "range: [0, 0.5, 1] is not two numbers, lowest first"),
            (
                {**MULTI, "graders": {"e": {**POLITE, "passing_labels": ["yes", "sure"]}}},
                "graders.e.passing_labels: ['sure'] are not among the labels",
            ),
        ],
        ids=[
            "one",
            "list",
            "inner-operation",
            "multi-in-multi",
            "number-as-text",
            "role",
            "content",
            "nested-key",
            "range",
            "passing-labels",
        ],
    )
    def test_each_problem_is_one_line_with_its_path(self, tmp_path, grader, line) -> None:
        from advisor.plugins import load_plugins

        problems = grader_problems(grader, load_plugins().grader_checks)
        assert len(problems) == 1, problems
        assert problem_line("g.json", problems[0]).startswith(f"g.json: {line}")

    def test_every_problem_of_one_grader_is_its_own_line(self, tmp_path) -> None:
        from advisor.plugins import load_plugins

        grader = {"type": "string_check", "operation": "regex", "input": "x", "reference": "y", "flags": "i"}
        fields = [problem.field for problem in grader_problems(grader, load_plugins().grader_checks)]
        assert sorted(fields) == ["flags", "name", "operation"]


class TestTheHook:
    def test_a_check_that_fails_stops_the_grader_with_a_line_saying_so(self) -> None:
        def broken(grader: dict[str, Any]) -> list[GraderProblem]:
            raise KeyError("graders")

        (problem,) = grader_problems(EXACT, [GraderCheck("acme's grader rules", broken)])
        assert "could not be checked with acme's grader rules (KeyError: 'graders')" in problem_line("g.json", problem)

    def test_without_a_plugin_that_checks_graders_the_report_says_what_was_not_checked(
        self, advisor, tmp_path, monkeypatch
    ) -> None:
        from advisor.plugins import load_plugins

        monkeypatch.setenv("ADVISOR_LOAD_PLUGINS", "local")
        load_plugins.cache_clear()
        code, report = check(advisor, tmp_path, INVALID["unknown-key"][0])
        assert code == 0 and report["errors"] == 0  # nothing here knows OpenAI's fields
        assert any("no installed plugin checks graders" in note for note in report["notes"])

    def test_advisor_providers_lists_the_check_with_the_plugin_that_added_it(self, advisor) -> None:
        result = advisor("providers", "--format", "json")
        assert result.code == 0, result.err
        plugins = {plugin["plugin"]: plugin for plugin in json.loads(result.out)["plugins"]}
        assert plugins["openai"]["grader_checks"] == ["openai-python's grader types"]
        assert plugins["local"]["grader_checks"] == []
