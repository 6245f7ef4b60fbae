"""The Fireworks AI plugin through the CLI, with the real `fireworks-ai` SDK over real HTTP against a loopback
fake Fireworks control plane (tests/fake_fireworks.py): the dry run's requests, launch (dataset, upload, one
job per run), the ledger after every fault, following to the actual cost, cancelling, deploying to an
on-demand deployment at the price row's hourly cost, and `advisor providers`.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from advisor.providers import launch as launching
from advisor_fireworks.provider import RESOURCE_ID, STATUSES, FireworksProvider, api_model, resource_id

from .conftest import EXAMPLES
from .fake_fireworks import FakeFireworks, serve
from .helpers import assert_key_nowhere, assert_ledger_matches, ledger_runs, write_jsonl

TRAIN = EXAMPLES / "invoice-extraction" / "train.jsonl"
TODAY = "2026-12-07"
MODEL = "llama-3.1-8b-instruct"
API_MODEL = "accounts/fireworks/models/llama-v3p1-8b-instruct"
SFT = "supervisedFineTuningJobs"
pytestmark = pytest.mark.usefixtures("wide_output")  # whole request lines, unfolded


@pytest.fixture
def fireworks_api(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeFireworks]:
    """A loopback fake Fireworks server; the real SDK reaches it through FIREWORKS_BASE_URL."""
    key = f"fw_test_{uuid.uuid4().hex}"
    api = serve(key)
    monkeypatch.setenv("FIREWORKS_API_KEY", key)
    monkeypatch.setenv("FIREWORKS_ACCOUNT_ID", api.account)
    monkeypatch.setenv("FIREWORKS_BASE_URL", api.base_url)
    yield api
    api.stop()


@pytest.fixture(autouse=True)
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    """Look for a job whose create answer was lost after 20 ms."""
    monkeypatch.setattr(launching, "LOOKUP_DELAYS", (0.02, 0.02))


def launch(*extra: str, training: Path = TRAIN, method: str = "sft", model: str = MODEL) -> list[str]:
    return [
        "launch", "--provider", "fireworks", "--method", method, "--model", model,
        "--training-file", str(training), "--epochs", "3", "--today", TODAY, "--yes", *extra,
    ]  # fmt: skip


def assert_ledger_matches_server(api: FakeFireworks) -> None:
    """Each server job is in the ledger under the run id its display name carries, and no run has two jobs."""
    assert_ledger_matches({name: job["displayName"] for name, job in api.jobs.items()})


def dpo_file(tmp_path: Path) -> Path:
    rows = [
        {
            "input": {"messages": [{"role": "user", "content": f"Total of invoice {n}?"}]},
            "preferred_output": [{"role": "assistant", "content": '{"total": 12.5}'}],
            "non_preferred_output": [{"role": "assistant", "content": "It is 12.5 dollars."}],
        }
        for n in range(20)
    ]
    return write_jsonl(tmp_path / "dpo.jsonl", rows)


class TestDryRun:
    def test_prints_the_requests_without_a_key_and_sends_nothing(self, advisor, fireworks_api, monkeypatch) -> None:
        monkeypatch.delenv("FIREWORKS_API_KEY")
        result = advisor(*launch("--dry-run", "--set", "lora_rank=16", "--set", "learning_rate=0.0002"))
        assert result.code == 0, result.err
        base = f"{fireworks_api.base_url}/v1/accounts/{fireworks_api.account}"
        assert f"POST {base}/datasets  (the dataset record" in result.out
        assert f"POST {base}/datasets/<run id>-training:upload" in result.out
        assert f"POST {base}/{SFT}?supervisedFineTuningJobId=<run id>  (sent once)" in result.out
        assert f'"baseModel": "{API_MODEL}"' in result.out and '"displayName": "<run id>"' in result.out
        assert '"epochs": 3' in result.out and '"loraRank": 16' in result.out and '"learningRate": 0.0002' in result.out
        assert fireworks_api.requests == []

    def test_without_an_account_the_dry_run_shows_where_it_goes(self, advisor, monkeypatch) -> None:
        monkeypatch.delenv("FIREWORKS_ACCOUNT_ID", raising=False)
        result = advisor(*launch("--dry-run"))
        assert result.code == 0, result.err
        assert "https://api.fireworks.ai/v1/accounts/<FIREWORKS_ACCOUNT_ID>/supervisedFineTuningJobs" in result.out

    def test_dpo_and_rft_go_to_their_own_collections_with_a_training_config(
        self, advisor, fireworks_api, tmp_path
    ) -> None:
        dpo = advisor(*launch("--dry-run", training=dpo_file(tmp_path), method="dpo"))
        assert dpo.code == 0, dpo.err
        assert "/dpoJobs?dpoJobId=<run id>" in dpo.out and '"trainingConfig": {' in dpo.out
        assert fireworks_api.requests == []


class TestLaunch:
    def test_the_job_sent_is_the_one_the_dry_run_showed(self, advisor, fireworks_api) -> None:
        settings = ("--set", "lora_rank=16", "--set", "max_context_length=4096")
        shown = advisor(*launch("--dry-run", *settings)).out
        body = json.loads(shown[shown.index("{", shown.index("supervisedFineTuningJobId=")) :])
        assert advisor(*launch(*settings)).code == 0
        (run,) = ledger_runs()
        (sent,) = [body for method, path, body in fireworks_api.bodies if path == fireworks_api.path(SFT)]
        dataset = f"accounts/{fireworks_api.account}/datasets/{run.run_id}-training"
        assert sent == {**body, "dataset": dataset, "displayName": run.run_id}

    def test_a_launch_uploads_a_dataset_and_creates_one_job_carrying_the_run_id(self, advisor, fireworks_api) -> None:
        result = advisor(*launch("--set", "lora_rank=8"))
        assert result.code == 0, result.err
        (run,) = ledger_runs()
        (dataset_id,) = fireworks_api.datasets
        assert dataset_id == f"{run.run_id}-training"
        assert fireworks_api.contents[dataset_id] == TRAIN.read_bytes()
        (name,) = fireworks_api.jobs
        assert name == f"accounts/{fireworks_api.account}/{SFT}/{run.run_id}" and run.job_id == name
        job = fireworks_api.jobs[name]
        assert (job["displayName"], job["baseModel"], job["epochs"], job["loraRank"]) == (run.run_id, API_MODEL, 3, 8)
        assert job["dataset"] == f"accounts/{fireworks_api.account}/datasets/{dataset_id}"
        assert fireworks_api.creates() == 1
        assert_ledger_matches_server(fireworks_api)

    def test_a_dpo_launch_sends_a_training_config(self, advisor, fireworks_api, tmp_path) -> None:
        result = advisor(*launch(training=dpo_file(tmp_path), method="dpo"))
        assert result.code == 0, result.err
        (job,) = fireworks_api.jobs.values()
        assert "/dpoJobs/" in job["name"]
        assert job["trainingConfig"] == {"baseModel": API_MODEL, "epochs": 3}
        assert_ledger_matches_server(fireworks_api)

    def test_epochs_must_be_given(self, advisor, fireworks_api) -> None:
        args = launch()
        del args[args.index("--epochs") : args.index("--epochs") + 2]
        result = advisor(*args)
        assert result.code == 1 and "give --epochs N" in result.err and fireworks_api.requests == []

    def test_rft_needs_an_evaluator_resource(self, advisor, fireworks_api, tmp_path) -> None:
        rows = [{"messages": [{"role": "user", "content": f"Total of invoice {n}?"}], "total": n} for n in range(20)]
        grader = tmp_path / "grader.json"
        grader.write_text('{"type": "string_check", "name": "total", "input": "{{sample.output_text}}", '
                          '"reference": "{{item.total}}", "operation": "eq"}')  # fmt: skip
        args = launch(
            "--validation-file", str(write_jsonl(tmp_path / "valid.jsonl", rows)), "--grader", str(grader),
            training=write_jsonl(tmp_path / "rft.jsonl", rows), method="rft",
        )  # fmt: skip
        refused = advisor(*args)
        assert refused.code == 1 and "--set evaluator=accounts/<account>/evaluators/<id>" in refused.err
        assert fireworks_api.requests == []
        evaluator = f"accounts/{fireworks_api.account}/evaluators/invoice-total"
        result = advisor(*args, "--set", f"evaluator={evaluator}")
        assert result.code == 0, result.err
        (job,) = fireworks_api.jobs.values()
        assert "/reinforcementFineTuningJobs/" in job["name"] and job["evaluator"] == evaluator
        assert job["evaluationDataset"].endswith("-validation")
        assert_ledger_matches_server(fireworks_api)

    def test_rft_is_scored_by_the_evaluator_so_no_grader_file_is_asked_for(
        self, advisor, fireworks_api, tmp_path
    ) -> None:
        rows = [{"messages": [{"role": "user", "content": f"Total of invoice {n}?"}], "total": n} for n in range(20)]
        evaluator = f"accounts/{fireworks_api.account}/evaluators/invoice-total"
        args = launch(
            "--validation-file", str(write_jsonl(tmp_path / "valid.jsonl", rows)), "--set", f"evaluator={evaluator}",
            training=write_jsonl(tmp_path / "rft.jsonl", rows), method="rft",
        )  # fmt: skip
        result = advisor(*args)
        assert result.code == 0, result.err
        assert "needs a grader" not in result.err + result.out  # the ScoresRftItself capability
        (job,) = fireworks_api.jobs.values()
        assert job["evaluator"] == evaluator


class TestFaults:
    def test_a_dropped_create_answer_finds_the_job_by_its_run_id(self, advisor, fireworks_api) -> None:
        fireworks_api.fail("POST", fireworks_api.path(SFT), drop=True)
        result = advisor(*launch())
        assert result.code == 0, result.err
        assert "looking for the job by its run id" in result.err
        assert fireworks_api.creates() == 1 and len(fireworks_api.jobs) == 1
        assert_ledger_matches_server(fireworks_api)

    def test_a_server_error_on_create_is_never_retried_blindly(self, advisor, fireworks_api) -> None:
        fireworks_api.fail("POST", fireworks_api.path(SFT), status=500)
        first = advisor(*launch())
        assert first.code == 1 and "may or may not have been created" in first.err
        assert fireworks_api.creates() == 1 and fireworks_api.jobs == {}  # sent once; the server made nothing
        again = advisor(*launch())  # resumes the run: looks first, then creates once
        assert again.code == 0, again.err
        assert fireworks_api.creates() == 2 and len(fireworks_api.jobs) == 1 and len(fireworks_api.datasets) == 1
        assert_ledger_matches_server(fireworks_api)

    def test_a_rate_limited_create_is_sent_again_after_the_wait(self, advisor, fireworks_api) -> None:
        fireworks_api.fail("POST", fireworks_api.path(SFT), status=429)
        assert advisor(*launch()).code == 0
        assert fireworks_api.creates() == 2 and len(fireworks_api.jobs) == 1
        assert_ledger_matches_server(fireworks_api)

    def test_a_dropped_upload_answer_reuses_the_dataset(self, advisor, fireworks_api) -> None:
        fireworks_api.fail("POST", fireworks_api.path("datasets"), drop=True)
        result = advisor(*launch())
        assert result.code == 0, result.err
        assert len(fireworks_api.datasets) == 1 and len(fireworks_api.jobs) == 1
        assert_ledger_matches_server(fireworks_api)

    def test_reads_ride_out_429_and_5xx(self, advisor, fireworks_api) -> None:
        assert advisor(*launch()).code == 0
        (name,) = fireworks_api.jobs
        fireworks_api.fail("GET", f"/v1/{name}", status=429)
        fireworks_api.fail("GET", f"/v1/{name}", status=502)
        result = advisor("jobs", "show", name)
        assert result.code == 0 and name in result.out

    def test_a_refused_key_is_one_line_without_the_key(self, advisor, fireworks_api, monkeypatch) -> None:
        monkeypatch.setenv("FIREWORKS_API_KEY", "fw_wrong_key_0123456789")
        result = advisor(*launch())
        assert result.code == 1 and "Fireworks AI refused the API key" in result.err
        (error,) = [line for line in result.err.splitlines() if line.startswith("advisor: error")]
        assert error == result.err.splitlines()[-1]
        assert "fw_wrong_key_0123456789" not in result.out + result.err and fireworks_api.jobs == {}

    def test_the_api_key_appears_in_no_output_and_no_file(self, advisor, fireworks_api, isolated_jobs) -> None:
        key = os.environ["FIREWORKS_API_KEY"]
        outputs = [advisor(*launch())]
        (name,) = fireworks_api.jobs
        fireworks_api.fail("GET", f"/v1/{name}", status=500, times=5)  # the read and its 4 retries
        outputs.append(advisor("jobs", "show", name))
        for command in (["jobs", "watch", name, "--every", "0.01"], ["jobs", "events", name], ["jobs", "list"]):
            outputs.append(advisor(*command))
        assert [o.code for o in outputs] == [0, 1, 0, 0, 0]
        assert any(key in headers for headers in fireworks_api.headers_seen)  # sent, to Fireworks only
        assert_key_nowhere(key, outputs, isolated_jobs)


class TestFollowing:
    def test_watch_ends_with_the_model_and_the_actual_cost(self, advisor, fireworks_api) -> None:
        assert advisor(*launch()).code == 0
        (name,) = fireworks_api.jobs
        result = advisor("jobs", "watch", name, "--every", "0.01")
        assert result.code == 0, result.err
        (dataset_id,) = fireworks_api.datasets
        tokens = len(fireworks_api.contents[dataset_id]) // 4 * 3  # Fireworks' dataset count x 3 epochs
        cost = Decimal(tokens) * Decimal("0.50") / 1_000_000
        assert f"{tokens:,} trained tokens x $0.50 per 1M (sft.lora) = ${cost:.2f} (estimated $0.22)" in result.out
        model = f"accounts/{fireworks_api.account}/models/{name.rsplit('/', 1)[-1]}"
        assert model in result.out
        (run,) = ledger_runs()
        assert (run.status, run.provider_status, run.trained_tokens) == ("succeeded", "JOB_STATE_COMPLETED", tokens)

    def test_a_failed_job_shows_its_error(self, advisor, fireworks_api) -> None:
        fireworks_api.fail_jobs = "trainer out of memory at step 12"
        assert advisor(*launch()).code == 0
        (name,) = fireworks_api.jobs
        result = advisor("jobs", "watch", name, "--every", "0.01")
        assert "trainer out of memory at step 12" in result.out and ledger_runs()[0].status == "failed"

    def test_cancel_cancels_and_records_it(self, advisor, fireworks_api) -> None:
        assert advisor(*launch()).code == 0
        (name,) = fireworks_api.jobs
        result = advisor("jobs", "cancel", name, "--yes")
        assert result.code == 0, result.err
        assert fireworks_api.jobs[name]["state"] == "JOB_STATE_CANCELLED" and ledger_runs()[0].status == "cancelled"

    def test_jobs_list_pages_through_every_job_and_the_ledger_never_holds_one_twice(
        self, advisor, fireworks_api
    ) -> None:
        for _ in range(3):
            assert advisor(*launch("--again")).code == 0
        fireworks_api.fail("POST", fireworks_api.path(SFT), drop=True)
        assert advisor(*launch("--again")).code == 0  # found on the second page of the list
        assert len(fireworks_api.jobs) == 4 and advisor("jobs", "list").code == 0
        assert_ledger_matches_server(fireworks_api)

    def test_every_state_is_mapped_and_unknown_ones_are_not_guessed(self) -> None:
        provider = FireworksProvider()
        assert provider.map_status("JOB_STATE_COMPLETED") == "succeeded" and len(STATUSES) == 15
        assert [provider.map_status(s) for s in ("JOB_STATE_FAILED", "JOB_STATE_CANCELLED", "JOB_STATE_NEW")] == [
            "failed",
            "cancelled",
            "unknown",
        ]

    @given(st.text(max_size=200).filter(lambda text: "<" not in text))
    def test_any_name_becomes_a_valid_fireworks_id_or_nothing(self, text: str) -> None:
        made = resource_id(text)
        assert made == "" or RESOURCE_ID.fullmatch(made)

    def test_a_run_ids_files_keep_the_run_id(self) -> None:
        assert resource_id("adv-0123456789abcdef-training.jsonl") == "adv-0123456789abcdef-training"

    def test_the_tables_names_are_sent_as_fireworks_ids(self) -> None:
        assert api_model("llama-3.1-8b-instruct") == API_MODEL == api_model("llama-v3p1-8b-instruct")
        assert api_model("qwen3-8b") == "accounts/fireworks/models/qwen3-8b"


class TestDeploy:
    def test_the_hourly_cost_is_stated_before_one_replica_is_deployed(self, advisor, fireworks_api) -> None:
        assert advisor(*launch()).code == 0
        (name,) = fireworks_api.jobs
        assert advisor("jobs", "watch", name, "--every", "0.01").code == 0
        result = advisor("jobs", "deploy", name, "--yes")
        assert result.code == 0, result.err
        assert "$8.00 an hour" in result.out  # one H100 on-demand, the price row's
        assert result.out.index("$8.00 an hour") < result.out.index("deployment accounts/")
        (deployment,) = fireworks_api.deployments.values()
        model = f"accounts/{fireworks_api.account}/models/{name.rsplit('/', 1)[-1]}"
        assert deployment["baseModel"] == model
        assert (deployment["acceleratorType"], deployment["acceleratorCount"]) == ("NVIDIA_H100_80GB", 1)
        assert (deployment["minReplicaCount"], deployment["maxReplicaCount"]) == (1, 1)

    def test_answering_no_deploys_nothing(self, advisor, fireworks_api, monkeypatch) -> None:
        assert advisor(*launch()).code == 0
        (name,) = fireworks_api.jobs
        assert advisor("jobs", "watch", name, "--every", "0.01").code == 0
        monkeypatch.setattr("click.confirm", lambda *args, **kwargs: False)
        result = advisor("jobs", "deploy", name)
        assert result.code == 1 and "$8.00 an hour" in result.out and "not deployed" in result.err
        assert fireworks_api.deployments == {}

    def test_a_capacity_the_stated_cost_does_not_price_is_refused(self, advisor, fireworks_api) -> None:
        assert advisor(*launch()).code == 0
        (name,) = fireworks_api.jobs
        assert advisor("jobs", "watch", name, "--every", "0.01").code == 0
        result = advisor("jobs", "deploy", name, "--capacity", "4", "--yes")
        assert result.code == 2 and "the price row's 1 x H100" in result.err and fireworks_api.deployments == {}


class TestProviders:
    def test_fireworks_is_listed_with_its_credentials(self, advisor, monkeypatch) -> None:
        monkeypatch.setenv("COLUMNS", "200")
        result = advisor("providers")
        assert result.code == 0 and "fireworks" in result.out
        assert "FIREWORKS_API_KEY" in result.out and "FIREWORKS_ACCOUNT_ID" in result.out
