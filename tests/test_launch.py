"""`advisor launch` with the OpenAI plugin, against a loopback fake OpenAI server and the real SDK.

Every test ends with the same check: the ledger and the server agree, job for job.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from advisor.providers import launch as launching

from .conftest import EXAMPLES
from .fake_openai import FakeOpenAI
from .helpers import (
    DPO_ROWS,
    EXACT_GRADER,
    RFT_ROWS,
    assert_key_nowhere,
    assert_ledger_matches_server,
    ledger_runs,
    write_jsonl,
)

TRAIN = EXAMPLES / "invoice-extraction" / "train.jsonl"
TODAY = "2026-11-22"
CREATE = "/v1/fine_tuning/jobs"


@pytest.fixture(autouse=True)
def quick_lookups(monkeypatch: pytest.MonkeyPatch) -> None:
    """Look for a job whose create answer was lost after 50 ms, not seconds."""
    monkeypatch.setattr(launching, "LOOKUP_DELAYS", (0.05, 0.05))


def sft(*extra: str, training: Path = TRAIN) -> list[str]:
    return [
        "launch", "--provider", "openai", "--method", "sft", "--model", "gpt-4.1-mini",
        "--training-file", str(training), "--today", TODAY, "--yes", *extra,
    ]  # fmt: skip


class TestBeforeAnythingIsSent:
    def test_a_dry_run_prints_the_requests_and_sends_nothing(self, advisor, openai_api, monkeypatch) -> None:
        monkeypatch.delenv("OPENAI_API_KEY")
        result = advisor(*sft("--dry-run", "--suffix", "invoices", "--epochs", "2", "--seed", "7"))
        assert result.code == 0, result.err
        assert openai_api.requests == []
        assert not (Path(os.environ["ADVISOR_DATA_DIR"]) / "ledger.sqlite3").exists()
        assert (
            f"POST {openai_api.base_url}/files  multipart: purpose=fine-tune, file=<run id>-training.jsonl"
            in result.out
        )
        body = json.loads(result.out[result.out.index("{") :])
        assert body == {
            "model": "gpt-4.1-mini-2025-04-14",
            "training_file": "<id of <run id>-training.jsonl>",
            "method": {"type": "supervised", "supervised": {"hyperparameters": {"n_epochs": 2}}},
            "metadata": {"advisor_run_id": "<run id>"},
            "suffix": "invoices",
            "seed": 7,
        }

    def test_the_summary_shows_the_dataset_check_and_the_estimate(self, advisor, openai_api) -> None:
        result = advisor(*sft("--dry-run"))
        assert "SFT on openai:gpt-4.1-mini-2025-04-14" in result.out
        assert "(400 valid examples, 0 errors, 0 warnings)" in result.out
        assert (
            "x 3 epochs = 438,390 billed tokens at $5.00 per 1M (openai:gpt-4.1-mini fine_tuning training, as_of"
            in result.out
        )
        # the wind-down notices in force are shown before anyone confirms
        assert "note: OpenAI: organisations with no inference on a fine-tuned model in the past 60 days" in result.out

    def test_dataset_errors_stop_the_launch(self, advisor, openai_api, tmp_path: Path) -> None:
        lines = TRAIN.read_text().splitlines()
        lines[6] = '{"messages": [{"role": "user", "content": "no answer"}]}'
        broken = tmp_path / "broken.jsonl"
        broken.write_text("\n".join(lines) + "\n")
        result = advisor(*sft(training=broken))
        assert result.code == 1
        assert "Not launched:" in result.err and f"{broken}:7:" in result.err
        assert f"advisor dataset check {broken}" in result.err
        assert openai_api.requests == [] and ledger_runs() == []

    @pytest.mark.parametrize(
        ("model", "method", "why"),
        [
            ("gpt-4.1-nano", "sft", "shut down on 2026-10-23"),
            ("gpt-4o", "dpo", "does not offer dpo"),
        ],
    )
    def test_the_price_tables_stop_what_cannot_train_today(self, advisor, openai_api, model, method, why) -> None:
        args = sft()
        args[args.index("gpt-4.1-mini")] = model
        args[args.index("sft")] = method
        result = advisor(*args)
        assert result.code == 1 and why in result.err
        assert openai_api.requests == []

    def test_a_model_without_fine_tuning_is_refused(self, advisor, openai_api) -> None:
        args = sft()
        args[args.index("gpt-4.1-mini")] = "gpt-5"
        result = advisor(*args)
        assert result.code == 1 and "gpt-5" in result.err
        assert openai_api.requests == []

    def test_provider_rules_are_checked_too(self, advisor, openai_api) -> None:
        result = advisor(*sft("--suffix", "x" * 65))
        assert result.code == 1 and "--suffix is 65 characters; OpenAI allows 64" in result.err
        assert openai_api.requests == []

    def test_a_setting_the_provider_does_not_take_stops_the_launch(self, advisor, openai_api) -> None:
        result = advisor(*sft("--tier", "developer", "--set", "lora_r=16"))
        assert result.code == 2  # bad input, refused before the data is read
        assert "openai does not take the setting(s) lora_r, tier; it takes: none" in result.err
        assert openai_api.requests == []

    def test_a_malformed_set_is_a_usage_error(self, advisor, openai_api) -> None:
        result = advisor(*sft("--set", "no-equals-sign"))
        assert result.code == 2 and "'no-equals-sign' is not NAME=VALUE" in result.err

    def test_answering_no_sends_nothing(self, openai_api) -> None:
        from advisor.cli import cli

        result = CliRunner().invoke(cli, sft()[:-1], input="n\n")
        assert result.exit_code == 1
        assert "Launch this SFT job on gpt-4.1-mini-2025-04-14 at openai? [y/N]" in result.output
        assert openai_api.requests == []

    def test_without_a_key_the_launch_says_so(self, advisor, openai_api, monkeypatch) -> None:
        monkeypatch.delenv("OPENAI_API_KEY")
        result = advisor(*sft())
        assert result.code == 1 and "no OpenAI API key: set OPENAI_API_KEY" in result.err
        assert openai_api.requests == []


class TestLaunching:
    def test_a_launch_uploads_once_and_creates_one_tagged_job(self, advisor, openai_api) -> None:
        result = advisor(*sft())
        assert result.code == 0, result.err
        ((job_id, job),) = openai_api.jobs.items()
        ((file_id, file),) = openai_api.files.items()
        (run,) = ledger_runs()
        assert file["filename"] == f"{run.run_id}-training.jsonl" and file["bytes"] == TRAIN.stat().st_size
        assert (run.job_id, run.training_file_id, run.state) == (job_id, file_id, "created")
        assert job["training_file"] == file_id and job["model"] == "gpt-4.1-mini-2025-04-14"
        assert f"Launched job {job_id} (validating_files), run {run.run_id}." in result.out
        assert run.estimate_usd == "2.19195"
        assert_ledger_matches_server(openai_api)

    def test_the_same_launch_twice_is_refused_and_again_makes_a_second(self, advisor, openai_api) -> None:
        assert advisor(*sft()).code == 0
        second = advisor(*sft())
        assert second.code == 2 and "this launch was already made" in second.err and "--again" in second.err
        assert len(openai_api.jobs) == 1
        assert advisor(*sft("--again")).code == 0
        assert len(openai_api.jobs) == 2
        assert_ledger_matches_server(openai_api)

    def test_different_settings_are_a_different_launch(self, advisor, openai_api) -> None:
        assert advisor(*sft()).code == 0
        assert advisor(*sft("--epochs", "2")).code == 0
        assert [body["method"]["supervised"]["hyperparameters"]["n_epochs"] for body in openai_api.create_bodies] == [
            "auto",
            2,
        ]

    def test_a_dpo_launch_sends_the_dpo_method(self, advisor, openai_api, tmp_path: Path) -> None:
        rows = DPO_ROWS
        args = sft(training=write_jsonl(tmp_path / "pairs.jsonl", rows))
        args[args.index("sft")] = "dpo"
        assert advisor(*args).code == 0
        (body,) = openai_api.create_bodies
        assert body["method"] == {"type": "dpo", "dpo": {"hyperparameters": {"n_epochs": "auto", "beta": "auto"}}}
        assert_ledger_matches_server(openai_api)

    def test_an_rft_launch_sends_the_grader_and_both_files(self, advisor, openai_api, tmp_path: Path) -> None:
        rows, grader = RFT_ROWS, EXACT_GRADER
        (tmp_path / "grader.json").write_text(json.dumps(grader))
        args = [
            "launch", "--provider", "openai", "--method", "rft", "--model", "o4-mini",
            "--training-file", str(write_jsonl(tmp_path / "train.jsonl", rows[:50])),
            "--validation-file", str(write_jsonl(tmp_path / "valid.jsonl", rows[50:])),
            "--grader", str(tmp_path / "grader.json"), "--today", "2026-09-01", "--yes",
        ]  # fmt: skip
        result = advisor(*args)
        assert result.code == 0, result.err
        (body,) = openai_api.create_bodies
        assert body["model"] == "o4-mini-2025-04-16"
        assert body["method"] == {
            "type": "reinforcement",
            "reinforcement": {"hyperparameters": {"n_epochs": "auto"}, "grader": grader},
        }
        names = sorted(file["filename"] for file in openai_api.files.values())
        (run,) = ledger_runs()
        assert names == [f"{run.run_id}-training.jsonl", f"{run.run_id}-validation.jsonl"]
        assert body["validation_file"] == run.validation_file_id
        assert "RFT is billed per training hour: $100.00 an hour" in result.out

    def test_rft_needs_a_grader_and_a_validation_file(self, advisor, openai_api) -> None:
        args = sft()
        args[args.index("sft")] = "rft"
        args[args.index("gpt-4.1-mini")] = "o4-mini"
        args[args.index(TODAY)] = "2026-09-01"
        result = advisor(*args)
        assert result.code == 1
        assert "RFT needs a grader" in result.err and "RFT needs a validation file" in result.err
        assert openai_api.requests == []

    def test_the_same_launch_from_two_processes_at_once_makes_one_job(self, advisor, openai_api) -> None:
        openai_api.fail("POST", CREATE, delay=2)
        other = start_launch(*sft())
        wait_for(lambda: openai_api.jobs, "the other process to create its job")
        result = advisor(*sft())
        assert result.code == 2 and "being made by another advisor process right now" in result.err
        assert other.wait(30) == 0
        assert openai_api.creates() == 1 and len(openai_api.jobs) == 1
        assert_ledger_matches_server(openai_api)


class TestRefusals:
    def test_training_not_available_is_final_and_explained(self, advisor, openai_api) -> None:
        openai_api.fail("POST", CREATE, status=403, code="training_not_available")
        result = advisor(*sft())
        assert result.code == 1
        assert "can no longer create fine-tuning jobs (403 training_not_available)" in result.err
        assert "This is final: advisor does not retry it." in result.err
        assert "no inference on a fine-tuned model in the past 60 days" in result.err  # the notice in force
        assert "all job creation ends on 2027-01-06" in result.err
        # Azure, the other table that trains gpt-4.1-mini, retired it on 2026-10-14 by the earlier of its sources
        assert "No other provider in the price tables trains SFT on gpt-4.1-mini today." in result.err
        assert openai_api.creates() == 1 and openai_api.jobs == {}
        (run,) = ledger_runs()
        assert run.state == "failed" and run.job_id is None

    def test_a_refused_key_is_a_key_problem_and_never_printed(self, advisor, openai_api, monkeypatch) -> None:
        wrong = "sk-wrong-0123456789abcdef0123456789abcdef"
        monkeypatch.setenv("OPENAI_API_KEY", wrong)
        result = advisor(*sft())
        assert result.code == 1
        assert "OpenAI refused the API key while trying to upload" in result.err
        assert "(the key is not shown)" in result.err
        assert wrong not in result.out + result.err and wrong[8:20] not in result.out + result.err
        assert openai_api.requests == [("POST", "/v1/files")]  # not retried

    def test_a_permission_error_that_is_not_the_wind_down_is_a_key_problem(self, advisor, openai_api) -> None:
        openai_api.fail("POST", CREATE, status=403, code="model_access_denied")
        result = advisor(*sft())
        assert result.code == 1 and "refused the API key while trying to create the fine-tuning job (403)" in result.err
        assert openai_api.creates() == 1

    def test_a_used_up_quota_is_final(self, advisor, openai_api) -> None:
        openai_api.fail("POST", CREATE, status=429, code="insufficient_quota")
        result = advisor(*sft())
        assert result.code == 1 and "quota is used up (429 insufficient_quota)" in result.err
        assert openai_api.creates() == 1


class TestRetries:
    def test_a_rate_limited_create_is_sent_again_after_retry_after(self, advisor, openai_api) -> None:
        openai_api.fail("POST", CREATE, status=429, retry_after="0.2", times=2)
        started = time.monotonic()
        result = advisor(*sft())
        assert result.code == 0, result.err
        assert time.monotonic() - started >= 0.4  # waited as asked, twice
        assert openai_api.creates() == 3 and len(openai_api.jobs) == 1
        assert_ledger_matches_server(openai_api)

    def test_a_server_error_on_create_is_never_retried_blindly(self, advisor, openai_api) -> None:
        openai_api.fail("POST", CREATE, status=500)
        first = advisor(*sft())
        assert first.code == 1
        assert "may or may not have been created" in first.err and "nothing was launched twice" in first.err
        assert openai_api.creates() == 1 and openai_api.jobs == {}
        (run,) = ledger_runs()
        assert run.state == "create-unknown"
        # the same launch looks for the run's job first, finds none, and only then creates it, once
        second = advisor(*sft())
        assert second.code == 0, second.err
        assert f"resuming run {run.run_id}" in second.err
        assert openai_api.creates() == 2 and len(openai_api.jobs) == 1
        assert len(openai_api.files) == 1  # the file uploaded the first time is used again
        assert [r.run_id for r in ledger_runs()] == [run.run_id]
        assert_ledger_matches_server(openai_api)


class TestLostAnswers:
    """The server made the job but the answer never arrived: advisor finds it by its run id."""

    @pytest.mark.parametrize(
        "fault",
        [{"drop": True}, {"malformed": True}, {"delay": 1.0}],
        ids=["dropped connection", "malformed JSON", "slow answer"],
    )
    def test_the_job_is_found_by_its_run_id_not_created_again(self, advisor, openai_api, monkeypatch, fault) -> None:
        monkeypatch.setenv("ADVISOR_OPENAI_TIMEOUT", "0.3")
        openai_api.fail("POST", CREATE, **fault)
        result = advisor(*sft())
        assert result.code == 0, result.err
        assert "looking for the job by its run id" in result.err
        assert openai_api.creates() == 1 and len(openai_api.jobs) == 1
        (run,) = ledger_runs()
        assert run.job_id == next(iter(openai_api.jobs)) and run.state == "created"
        assert_ledger_matches_server(openai_api)

    def test_a_lost_upload_answer_does_not_upload_twice(self, advisor, openai_api) -> None:
        openai_api.fail("POST", "/v1/files", drop=True)
        result = advisor(*sft())
        assert result.code == 0, result.err
        assert len(openai_api.files) == 1 and len(openai_api.jobs) == 1
        assert_ledger_matches_server(openai_api)


def start_launch(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "advisor", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def wait_for(condition, what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


class TestKilledProcess:
    """The process dies after the server made the job, before the answer arrived."""

    def kill_during_create(self, openai_api: FakeOpenAI) -> str:
        openai_api.fail("POST", CREATE, delay=60)
        process = start_launch(*sft())
        wait_for(lambda: openai_api.jobs, "the job to be created")
        process.send_signal(signal.SIGKILL)
        process.wait(10)
        (run,) = ledger_runs()
        assert run.state == "creating" and run.job_id is None  # the intent was recorded, the answer never came
        return run.run_id

    def test_the_next_launch_finds_the_job_instead_of_making_another(self, advisor, openai_api) -> None:
        run_id = self.kill_during_create(openai_api)
        result = advisor(*sft())
        assert result.code == 0, result.err
        assert f"resuming run {run_id}" in result.err
        assert openai_api.creates() == 1 and len(openai_api.jobs) == 1
        assert_ledger_matches_server(openai_api)

    @pytest.mark.usefixtures("wide_output")
    def test_jobs_list_finds_the_job(self, advisor, openai_api) -> None:
        self.kill_during_create(openai_api)
        result = advisor("jobs", "list")
        assert result.code == 0, result.err
        (job_id,) = openai_api.jobs
        assert job_id in result.out
        assert_ledger_matches_server(openai_api)
        assert advisor(*sft()).code == 2  # and the same launch now knows it was made
        assert openai_api.creates() == 1


class TestSecrets:
    def test_the_api_key_appears_in_no_output_and_no_file(self, advisor, openai_api, isolated_jobs: Path) -> None:
        key = os.environ["OPENAI_API_KEY"]
        outputs = [advisor(*sft())]
        (job_id,) = openai_api.jobs
        openai_api.fail("POST", CREATE, status=403, code="training_not_available")
        outputs.append(advisor(*sft("--again")))
        openai_api.fail("GET", f"{CREATE}/{job_id}", status=500, retry_after="0.01", times=5)  # every read retry
        outputs.append(advisor("jobs", "show", job_id))
        for command in (["jobs", "watch", job_id, "--every", "0.01"], ["jobs", "events", job_id], ["jobs", "list"]):
            outputs.append(advisor(*command))
        assert [o.code for o in outputs] == [0, 1, 1, 0, 0, 0]
        assert_key_nowhere(key, outputs, isolated_jobs)


def test_the_recommendation_names_a_launch_that_works(advisor) -> None:
    """From recommendation to launch in one step: the command in its next steps runs as given."""
    import shlex

    report = json.loads(
        advisor(
            "recommend", str(EXAMPLES / "invoice-extraction" / "scenario.toml"), "--format", "json", "--today", TODAY
        ).out
    )
    (step,) = [c for c in report["commands"] if c.startswith("advisor launch")]
    command = shlex.split(step)
    # the files `advisor dataset split` writes beside the example's train.jsonl, stood in for by the example
    for flag, written in (("--training-file", "train.train.jsonl"), ("--validation-file", "train.validation.jsonl")):
        assert command[command.index(flag) + 1].endswith(written)
        command[command.index(flag) + 1] = str(TRAIN)
    result = advisor(*command[1:], "--today", TODAY)
    assert result.code == 0, result.err
    assert "Dry run: these requests would be sent" in result.out
