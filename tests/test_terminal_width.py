"""Output that is not a terminal (a pipe, a file): `$COLUMNS` wide when set, else 80 columns; long cells
fold onto the next line instead of being cut short with `…`; shell commands are printed whole."""

from __future__ import annotations

import re
import shlex

import pytest
from rich.cells import cell_len

from .conftest import EXAMPLES
from .fake_openai import FakeOpenAI
from .test_launch import sft

SCENARIO = str(EXAMPLES / "invoice-extraction" / "scenario.toml")
TRAIN = str(EXAMPLES / "invoice-extraction" / "train.jsonl")
ESTIMATE = shlex.split(
    "estimate --model gpt-4.1 --ft-model gpt-4.1-mini --provider all --requests 2M --prompt-tokens 1800 "
    "--ft-prompt-tokens 300 --training-tokens 150000 --examples 400 --today 2026-12-01"
)
TABLE_COMMANDS = {
    "recommend": ["recommend", SCENARIO, "--today", "2026-12-01"],
    "estimate": ESTIMATE,
    "estimate, one place": ESTIMATE[: ESTIMATE.index("--provider")] + ESTIMATE[ESTIMATE.index("--requests") :],
    "dataset check": ["dataset", "check", TRAIN, "--today", "2026-12-01"],
    "tokens": ["tokens", TRAIN, "--model", "gpt-4.1-mini"],
    "pricing list": ["pricing", "list", "--today", "2026-12-01"],
    "pricing show": ["pricing", "show", "gpt-4.1-mini", "--today", "2026-12-01"],
    "where to train": ["pricing", "list", "--method", "sft", "--today", "2026-12-01"],
    "providers": ["providers"],
}
COMMAND_LINE = re.compile(r"^\s*\$ advisor ")


def widest(text: str) -> int:
    return max((cell_len(line) for line in text.splitlines() if not COMMAND_LINE.match(line)), default=0)


@pytest.mark.parametrize("args", TABLE_COMMANDS.values(), ids=TABLE_COMMANDS.keys())
def test_piped_output_is_80_columns_and_nothing_is_cut_short(advisor, args: list[str]) -> None:
    run = advisor(*args)
    assert run.code == 0, run.err
    assert 60 < widest(run.out) <= 80
    assert "…" not in run.out


@pytest.mark.parametrize("args", TABLE_COMMANDS.values(), ids=TABLE_COMMANDS.keys())
def test_columns_sets_the_width_of_piped_output(advisor, monkeypatch: pytest.MonkeyPatch, args: list[str]) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    run = advisor(*args)
    assert run.code == 0, run.err
    assert widest(run.out) <= 100
    assert "…" not in run.out


def test_a_long_id_folds_onto_the_next_line_whole(advisor, openai_api: FakeOpenAI) -> None:
    assert advisor(*sft()).code == 0
    (job,) = openai_api.jobs
    run = advisor("jobs", "list", "--offline")
    assert run.code == 0, run.err
    assert widest(run.out) <= 80 and "…" not in run.out
    first_column = [line.split("│")[1].strip() for line in run.out.splitlines() if line.startswith("│")]
    assert "".join(first_column) == job, "the job id, folded over several lines of its cell"


def test_the_commands_of_a_recommendation_are_printed_whole(advisor) -> None:
    run = advisor("recommend", SCENARIO, "--today", "2026-12-01")
    assert run.code == 0, run.err
    commands = [line.strip() for line in run.out.splitlines() if COMMAND_LINE.match(line)]
    assert commands, "the example recommends a launch"
    json_run = advisor("recommend", SCENARIO, "--today", "2026-12-01", "--format", "json")
    for command in commands:
        assert command.removeprefix("$ ") in json_run.out.replace("\\\\", "\\")
