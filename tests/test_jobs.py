"""`advisor jobs`: list, show, watch, events and cancel, from the ledger and the loopback fake OpenAI server."""

from __future__ import annotations

import json
import os
import re
import signal
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from click.testing import CliRunner

from advisor.costs.money import format_usd

from .fake_openai import FakeOpenAI
from .helpers import assert_ledger_matches_server, ledger_runs
from .test_launch import CREATE, sft, start_launch, wait_for


@pytest.fixture
def job_id(advisor, openai_api: FakeOpenAI) -> str:
    """A job launched with `advisor launch`, so it is in the ledger."""
    assert advisor(*sft()).code == 0
    (job,) = openai_api.jobs
    return job


class TestList:
    @pytest.mark.usefixtures("wide_output")
    def test_jobs_are_listed_with_fresh_statuses(self, advisor, openai_api, job_id) -> None:
        result = advisor("jobs", "list")
        assert result.code == 0, result.err
        assert job_id in result.out and "queued" in result.out  # read once since the launch
        assert_ledger_matches_server(openai_api)

    def test_an_empty_ledger_says_how_jobs_get_there(self, advisor) -> None:
        assert "No jobs in the ledger yet" in advisor("jobs", "list").out

    @pytest.mark.usefixtures("wide_output")
    def test_the_ledger_is_listed_when_the_network_is_down(self, advisor, openai_api, job_id) -> None:
        from advisor.providers.ledger import Ledger

        openai_api.stop()
        result = advisor("jobs", "list")
        assert result.code == 0
        assert job_id in result.out and "validating_files" in result.out
        assert "could not reach openai" in result.err and "last known" in result.err
        assert Ledger().get(job_id).status == "validating"

    @pytest.mark.usefixtures("wide_output")
    def test_jobs_of_a_provider_that_is_not_loaded_are_still_listed(
        self, advisor, openai_api, job_id, monkeypatch
    ) -> None:
        from advisor.plugins import load_plugins

        monkeypatch.setenv("ADVISOR_LOAD_PLUGINS", "")
        load_plugins.cache_clear()  # loaded by the launch above; a new process would read the setting afresh
        result = advisor("jobs", "list")
        assert result.code == 0 and job_id in result.out
        assert "no openai provider plugin is loaded" in result.err

    @pytest.mark.usefixtures("wide_output")
    def test_offline_asks_no_provider(self, advisor, openai_api, job_id) -> None:
        before = list(openai_api.requests)
        result = advisor("jobs", "list", "--offline")
        assert result.code == 0 and job_id in result.out
        assert openai_api.requests == before


class TestShow:
    def test_show_gives_details_history_and_cost(self, advisor, openai_api, job_id) -> None:
        result = advisor("jobs", "show", job_id)
        assert result.code == 0, result.err
        assert f"job {job_id}  queued (queued)" in result.out
        assert "model           gpt-4.1-mini-2025-04-14" in result.out
        assert "intent recorded" in result.out and f"job created: {job_id} (validating_files)" in result.out
        assert "the provider reports no trained tokens" in result.out  # not finished yet

    def test_reads_are_retried_on_429_with_retry_after(self, advisor, openai_api, job_id) -> None:
        openai_api.fail("GET", f"{CREATE}/{job_id}", status=429, retry_after="0.1", times=2)
        result = advisor("jobs", "show", job_id)
        assert result.code == 0, result.err
        assert openai_api.requests.count(("GET", f"{CREATE}/{job_id}")) == 3

    def test_reads_are_retried_on_server_errors(self, advisor, openai_api, job_id) -> None:
        openai_api.fail("GET", f"{CREATE}/{job_id}", status=503, retry_after="0.05", times=3)
        assert advisor("jobs", "show", job_id).code == 0
        assert openai_api.requests.count(("GET", f"{CREATE}/{job_id}")) == 4

    def test_a_read_that_keeps_failing_is_reported(self, advisor, openai_api, job_id) -> None:
        openai_api.fail("GET", f"{CREATE}/{job_id}", status=500, retry_after="0.01", times=5)
        result = advisor("jobs", "show", job_id)
        assert result.code == 1 and f"could not read job {job_id}" in result.err

    def test_an_unknown_job_is_a_clear_error(self, advisor) -> None:
        result = advisor("jobs", "show", "ftjob-nope")
        assert result.code == 2 and "'ftjob-nope' is not in the job ledger" in result.err and "--provider" in result.err

    def test_a_job_outside_the_ledger_is_read_with_provider(self, advisor, openai_api, job_id) -> None:
        _, job = openai_api.create({"model": "gpt-4o-mini-2024-07-18", "training_file": next(iter(openai_api.files))})
        result = advisor("jobs", "show", job["id"], "--provider", "openai")
        assert result.code == 0 and "gpt-4o-mini-2024-07-18" in result.out and "ledger history" not in result.out

    def test_a_run_whose_job_is_not_visible_says_so(self, advisor, openai_api, monkeypatch) -> None:
        from advisor.providers import launch

        monkeypatch.setattr(launch, "LOOKUP_DELAYS", (0.01,))
        openai_api.fail("POST", CREATE, status=500)
        assert advisor(*sft()).code == 1
        (run,) = ledger_runs()
        result = advisor("jobs", "show", run.run_id)
        assert result.code == 2 and f"run {run.run_id} has no job yet (create-unknown)" in result.err


class TestWatch:
    def test_watch_follows_the_job_to_the_end_and_prices_it(self, advisor, openai_api, job_id) -> None:
        result = advisor("jobs", "watch", job_id, "--every", "0.01")
        assert result.code == 0, result.err
        job = openai_api.jobs[job_id]
        tokens = job["trained_tokens"]
        cost = format_usd(Decimal(tokens) * Decimal("5.00") / 1_000_000)
        assert result.out.splitlines()[:3] == [
            f"{job_id}: queued",
            f"{job_id}: running",
            f"{job_id}: succeeded ({tokens:,} tokens)",
        ]
        assert f"fine-tuned model  {job['fine_tuned_model']}" in result.out
        assert f"trained tokens    {tokens:,}" in result.out
        assert f"training cost     {tokens:,} trained tokens x $5.00 per 1M = {cost} (estimated $2.19)" in result.out
        (run,) = ledger_runs()
        assert (run.status, run.fine_tuned_model, run.trained_tokens) == ("succeeded", job["fine_tuned_model"], tokens)

    def test_quiet_watch_prints_only_the_end(self, advisor, openai_api, job_id) -> None:
        result = advisor("--quiet", "jobs", "watch", job_id, "--every", "0.01")
        assert result.code == 0, result.err
        assert f"{job_id}: running" not in result.out and f"{job_id}: queued" not in result.out
        assert f"fine-tuned model  {openai_api.jobs[job_id]['fine_tuned_model']}" in result.out

    def test_watch_rides_out_rate_limits(self, advisor, openai_api, job_id) -> None:
        openai_api.fail("GET", f"{CREATE}/{job_id}", status=429, retry_after="0.05", times=3)
        result = advisor("jobs", "watch", job_id, "--every", "0.01")
        assert result.code == 0 and "succeeded" in result.out

    def test_a_failed_job_shows_its_error(self, advisor, openai_api, job_id) -> None:
        openai_api.jobs[job_id].update(status="failed", error={"message": "training file has 3 invalid lines"})
        result = advisor("jobs", "watch", job_id, "--every", "0.01")
        assert result.code == 0 and "error             training file has 3 invalid lines" in result.out

    def test_ctrl_c_stops_watching_and_leaves_the_job_running(self, advisor, openai_api, job_id) -> None:
        openai_api.progression = ("validating_files", "queued", "running")  # never finishes
        watcher = start_launch("jobs", "watch", job_id, "--every", "0.05")
        wait_for(lambda: openai_api.reads.get(job_id, 0) >= 3, "the watcher to see the job running")
        watcher.send_signal(signal.SIGINT)
        _out, err = watcher.communicate(timeout=30)
        assert watcher.returncode == 130, err
        assert f"stopped watching {job_id}; the job keeps running ({job_id}: running)" in err
        assert "Traceback" not in err
        assert openai_api.jobs[job_id]["status"] == "running"
        assert ("POST", f"{CREATE}/{job_id}/cancel") not in openai_api.requests
        (run,) = ledger_runs()
        assert (run.job_id, run.status) == (job_id, "running")

    def test_on_a_terminal_watch_keeps_one_live_status_line(self, openai_api, job_id) -> None:
        import os
        import pty
        import subprocess
        import sys

        leader, follower = pty.openpty()
        watcher = subprocess.Popen(
            [sys.executable, "-m", "advisor", "jobs", "watch", job_id, "--every", "0.01"],
            stdout=follower,
            stderr=subprocess.PIPE,
        )
        os.close(follower)
        shown = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the watcher has exited and closed the terminal
                break
            if not chunk:
                break
            shown += chunk
        os.close(leader)
        assert watcher.wait(30) == 0, watcher.stderr.read()
        text = shown.decode()
        for status in ("queued", "running"):  # each rewrites the line in place, with the time spent watching
            assert re.search(rf"\r{job_id}: {status}  \[watching \d+ s\]\x1b\[K", text), text
        assert f"{job_id} succeeded\r\n" in text  # then the summary on lines of its own


class TestEventsAndCancel:
    def test_events_are_listed_oldest_first(self, advisor, openai_api, job_id) -> None:
        lines = advisor("jobs", "events", job_id).out.splitlines()
        assert lines[0].endswith("info  Created fine-tuning job") and "Status:" in lines[1]

    def test_cancel_asks_first(self, openai_api, job_id) -> None:
        from advisor.cli import cli

        result = CliRunner().invoke(cli, ["jobs", "cancel", job_id], input="n\n")
        assert result.exit_code == 1 and "not cancelled" in result.output
        assert openai_api.jobs[job_id]["status"] != "cancelled"

    def test_cancel_cancels_and_records_it(self, advisor, openai_api, job_id) -> None:
        result = advisor("jobs", "cancel", job_id, "--yes")
        assert (result.code, result.out) == (0, f"{job_id}: cancelled\n")
        assert openai_api.jobs[job_id]["status"] == "cancelled"
        (run,) = ledger_runs()
        assert run.status == "cancelled"
        assert openai_api.requests.count(("POST", f"{CREATE}/{job_id}/cancel")) == 1


def as_json(result) -> dict:
    """The command's JSON, checked to carry no credential: not the API key, not any `sk-` string."""
    assert result.code == 0, result.err
    assert "sk-" not in result.out  # the fixture's key is sk-test-...
    assert os.environ.get("OPENAI_API_KEY", "sk-") not in result.out
    return json.loads(result.out)


def iso(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds")


def assert_iso_utc(text: str) -> None:
    assert datetime.fromisoformat(text).utcoffset() is not None and text.endswith("+00:00"), text


class TestJson:
    def test_list_gives_every_ledger_field(self, advisor, openai_api, job_id) -> None:
        data = as_json(advisor("jobs", "list", "--format", "json"))
        (run,) = ledger_runs()
        (listed,) = data["jobs"]
        server = openai_api.jobs[job_id]
        assert listed == {
            "run_id": server["metadata"]["advisor_run_id"],
            "job_id": job_id,
            "provider": "openai",
            "method": "sft",
            "model": "gpt-4.1-mini-2025-04-14",
            "state": "created",
            "status": "queued",  # read once since the launch, as the table shows
            "provider_status": "queued",
            "fine_tuned_model": None,
            "trained_tokens": None,
            "estimate_usd": float(round(Decimal(run.estimate_usd), 6)),
            "training_file_id": server["training_file"],
            "validation_file_id": None,
            "error": None,
            "request": run.request,
            "details": {},  # OpenAI reports nothing beyond the job
            "created_at": run.created_at,
            "updated_at": run.updated_at,
        }
        assert format_usd(Decimal(str(listed["estimate_usd"]))) == "$2.19"  # the estimate the launch showed
        assert listed["request"]["training_file"] == server["training_file"]
        for key in ("created_at", "updated_at"):
            assert_iso_utc(listed[key])
        assert data["notes"] == [] and data["ledger"].endswith("ledger.sqlite3")

    def test_an_empty_ledger_is_an_empty_list(self, advisor, openai_api) -> None:
        assert as_json(advisor("jobs", "list", "--format", "json"))["jobs"] == []

    def test_providers_not_reached_are_notes_in_the_json_and_on_stderr(self, advisor, openai_api, job_id) -> None:
        openai_api.stop()
        result = advisor("jobs", "list", "--format", "json")
        data = as_json(result)
        assert [run["job_id"] for run in data["jobs"]] == [job_id]
        (note,) = data["notes"]
        assert note.startswith("could not reach openai") and f"note: {note}" in result.err

    def test_show_gives_the_job_its_run_history_and_cost(self, advisor, openai_api, job_id) -> None:
        assert advisor("jobs", "watch", job_id, "--every", "0.01").code == 0
        data = as_json(advisor("jobs", "show", job_id, "--format", "json"))
        server = openai_api.jobs[job_id]
        tokens = server["trained_tokens"]
        assert data["job"] == {
            "id": job_id,
            "run_id": server["metadata"]["advisor_run_id"],
            "status": "succeeded",
            "provider_status": "succeeded",
            "model": "gpt-4.1-mini-2025-04-14",
            "fine_tuned_model": server["fine_tuned_model"],
            "trained_tokens": tokens,
            "created_at": iso(server["created_at"]),
            "finished_at": iso(server["finished_at"]),
            "error": None,
        }
        run = data["run"]
        assert (run["job_id"], run["status"], run["fine_tuned_model"], run["trained_tokens"]) == (
            job_id,
            "succeeded",
            server["fine_tuned_model"],
            tokens,
        )
        assert data["history"][0]["what"] == "intent recorded"
        assert data["history"][-1]["what"] == "status succeeded"
        for entry in data["history"]:
            assert_iso_utc(entry["at"])
        cost = data["cost"]
        actual = Decimal(tokens) * Decimal("5.00") / 1_000_000
        assert cost == {
            "estimate_usd": run["estimate_usd"],
            "trained_tokens": tokens,
            "price_row": "openai:gpt-4.1-mini fine_tuning training",
            "as_of": "2026-06-30",
            "training_usd_per_million": 5,
            "actual_usd": float(round(actual, 6)),
            "gpu_hours": None,  # billed by the token, not by the GPU-hour
            "gpu_usd_per_hour": None,
            "text": f"{tokens:,} trained tokens x $5.00 per 1M = {format_usd(actual)} (estimated $2.19)",
        }

    def test_show_of_an_unfinished_job_has_no_actual_cost(self, advisor, openai_api, job_id) -> None:
        data = as_json(advisor("jobs", "show", job_id, "--format", "json"))
        assert (data["job"]["status"], data["job"]["finished_at"], data["job"]["fine_tuned_model"]) == (
            "queued",
            None,
            None,
        )
        assert data["cost"]["trained_tokens"] is None and data["cost"]["actual_usd"] is None
        assert data["cost"]["estimate_usd"] == data["run"]["estimate_usd"]

    def test_show_of_a_job_outside_the_ledger_has_no_run(self, advisor, openai_api, job_id) -> None:
        _, job = openai_api.create({"model": "gpt-4o-mini-2024-07-18", "training_file": next(iter(openai_api.files))})
        data = as_json(advisor("jobs", "show", job["id"], "--provider", "openai", "--format", "json"))
        assert data["job"]["id"] == job["id"] and data["job"]["model"] == "gpt-4o-mini-2024-07-18"
        assert (data["run"], data["history"], data["cost"]) == (None, [], None)

    def test_events_give_iso_timestamps_oldest_first(self, advisor, openai_api, job_id) -> None:
        data = as_json(advisor("jobs", "events", job_id, "--format", "json"))
        created = openai_api.jobs[job_id]["created_at"]
        assert data["job_id"] == job_id
        assert [event["created_at"] for event in data["events"]] == [iso(created), iso(created + 1)]
        assert [(event["level"], event["message"]) for event in data["events"]] == [
            ("info", "Created fine-tuning job"),
            ("info", f"Status: {openai_api.jobs[job_id]['status']}"),
        ]

    def test_events_by_run_id_name_the_job(self, advisor, openai_api, job_id) -> None:
        (run,) = ledger_runs()
        assert as_json(advisor("jobs", "events", run.run_id, "--format", "json"))["job_id"] == job_id
