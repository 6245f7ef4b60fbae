"""`advisor dataset check|split` from the command line: exit status, formats, messages."""

import json
from pathlib import Path

import pytest

from .conftest import EXAMPLES

TRAIN = str(EXAMPLES / "invoice-extraction" / "train.jsonl")


@pytest.mark.usefixtures("wide_output")
def test_clean_file_exits_0_with_statistics_and_cost(advisor) -> None:
    run = advisor("dataset", "check", TRAIN, "--model", "gpt-4.1-mini", "--today", "2026-11-22")
    assert run.code == 0, run.err
    assert "400 (400 valid)" in run.out and "no errors" in run.out
    assert "$2.19" in run.out and "openai:gpt-4.1-mini fine_tuning training (as_of 2026-06-30)" in run.out


def test_errors_exit_1_and_say_where(advisor, tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(Path(TRAIN).read_text() + '{"messages": [{"role": "bot", "content": "x"}]}\n')
    run = advisor("dataset", "check", str(path), "--model", "gpt-4.1-mini", "--format", "json")
    assert run.code == 1
    report = json.loads(run.out)
    problem = next(p for p in report["problems"] if p["code"] == "unknown-role")
    assert (problem["line"], problem["example"], problem["field"]) == (401, 401, "messages[0].role")
    assert report["errors"] == 1  # a message with errors is not analysed further


def test_table_lists_problems(advisor, tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"messages": [{"role": "user", "content": "hi"}]}\n[1]\n')
    run = advisor("dataset", "check", str(path), "--model", "gpt-4.1-mini", "--method", "sft")
    assert run.code == 1
    assert "Errors" in run.out and "not-object" in run.out and "no-assistant" in run.out


def test_missing_file_is_a_usage_error(advisor, tmp_path: Path) -> None:
    run = advisor("dataset", "check", str(tmp_path / "nope.jsonl"))
    assert run.code == 2 and "no such file" in run.err and "Traceback" not in run.err


def test_split(advisor, tmp_path: Path) -> None:
    source = tmp_path / "t.jsonl"
    source.write_text(Path(TRAIN).read_text())
    run = advisor("dataset", "split", str(source), "--validation", "0.25", "--seed", "3")
    assert run.code == 0
    assert "300 examples" in run.out and "100 examples" in run.out
    again = advisor("dataset", "split", str(source))
    assert again.code == 2 and "--force" in again.err


def test_estimate_refuses_a_training_file_with_errors(advisor, tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(Path(TRAIN).read_text() + "not json\n")
    run = advisor(
        "estimate",
        "--model",
        "gpt-4.1-mini",
        "--requests",
        "10k",
        "--prompt-tokens",
        "100",
        "--training-file",
        str(path),
    )
    assert run.code == 2
    assert f"{path}:401: the training file has 1 error(s)" in run.err and "advisor dataset check" in run.err


def test_progress_bar_on_a_terminal_only(tmp_path: Path) -> None:
    import os
    import pty
    import subprocess
    import sys

    big = tmp_path / "big.jsonl"
    big.write_text(Path(TRAIN).read_text() * 40)  # several ranges, so the bar has something to show
    advisor = str(Path(sys.executable).with_name("advisor"))
    command = [advisor, "dataset", "check", str(big), "--model", "gpt-4.1-mini", "--format", "json"]

    piped = subprocess.run(command, capture_output=True, text=True)
    assert "checking" not in piped.stderr and json.loads(piped.stdout)["valid_examples"] == 16_000

    leader, follower = pty.openpty()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=follower)
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closed: the command finished
            break
        if not chunk:
            break
        seen += chunk
    out, _ = process.communicate()
    os.close(leader)
    assert b"checking" in seen and b"examples/s" in seen
    assert json.loads(out)["valid_examples"] == 16_000
