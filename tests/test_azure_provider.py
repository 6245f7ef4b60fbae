"""The Azure OpenAI plugin through the CLI (`advisor launch --provider azure-openai`, `advisor jobs ...`), with the
real `openai` SDK against a loopback fake Azure OpenAI resource (tests/fake_azure.py): both API shapes, the
`api-key` header, training tiers, the ledger after every fault, the key in no output or file, deployment.
"""

from __future__ import annotations

import importlib.util
import json
import os
import time
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from advisor.costs.money import format_usd
from advisor.providers import launch as launching
from advisor.providers.base import JobRequest
from advisor_azure_openai.provider import STATUSES, TRAINING_TYPES, AzureOpenAIProvider

from .conftest import EXAMPLES
from .fake_azure import FakeAzure
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
TODAY = "2026-09-15"  # before the earlier of the conflicting Azure retirement dates (2026-10-14)
CREATE = "/fine_tuning/jobs"
DATED = "2025-04-01-preview"


@pytest.fixture(autouse=True)
def quick_lookups(monkeypatch: pytest.MonkeyPatch) -> None:
    """Look for a job whose create answer was lost after 50 ms, not seconds."""
    monkeypatch.setattr(launching, "LOOKUP_DELAYS", (0.05, 0.05))


def sft(*extra: str, training: Path = TRAIN, model: str = "gpt-4.1-mini") -> list[str]:
    return [
        "launch", "--provider", "azure-openai", "--method", "sft", "--model", model,
        "--training-file", str(training), "--today", TODAY, "--yes", *extra,
    ]  # fmt: skip


def installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:  # its parent package is missing
        return False


def error_lines(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("advisor: error:") or "Traceback" in line]


def launched(advisor, api: FakeAzure, *extra: str) -> str:
    result = advisor(*sft(*extra))
    assert result.code == 0, result.err
    return list(api.jobs)[-1]


class TestDryRun:
    def test_the_v1_shape_by_default_with_the_tier_in_the_body_and_no_key(self, advisor, azure_api, monkeypatch):
        monkeypatch.delenv("AZURE_OPENAI_API_KEY")
        result = advisor(*sft("--dry-run", "--tier", "developer", "--suffix", "invoices"))
        assert result.code == 0, result.err
        assert azure_api.seen == []
        base = f"{azure_api.endpoint}/openai/v1"
        assert f"POST {base}/files  multipart: purpose=fine-tune, file=<run id>-training.jsonl" in result.out
        assert f"POST {base}/fine_tuning/jobs  header api-key: <AZURE_OPENAI_API_KEY>" in result.out
        body = json.loads(result.out[result.out.index("{") :])
        assert body == {
            "model": "gpt-4.1-mini-2025-04-14",
            "training_file": "<id of <run id>-training.jsonl>",
            "method": {"type": "supervised", "supervised": {"hyperparameters": {"n_epochs": "auto"}}},
            "metadata": {"advisor_run_id": "<run id>"},
            "suffix": "invoices",
            "trainingType": "developerTier",
        }
        # the Developer tier halves the Global price in the estimate: 438,390 billed tokens x $5.00 x 0.5
        assert "$1.10: 146,130 tokens x 3 epochs = 438,390 billed tokens at $5.00 per 1M x 0.5 (developer tier)" in (
            result.out
        )

    def test_a_dated_api_version_gives_the_versioned_paths(self, advisor, azure_api, monkeypatch) -> None:
        monkeypatch.setenv("OPENAI_API_VERSION", DATED)
        result = advisor(*sft("--dry-run"))
        assert result.code == 0, result.err
        assert f"POST {azure_api.endpoint}/openai/fine_tuning/jobs?api-version={DATED}" in result.out
        assert '"trainingType": "globalstandard"' in result.out  # the table's first tier, priced at x 1
        assert (
            "146,130 tokens x 3 epochs = 438,390 billed tokens at $5.00 per 1M (azure-openai:gpt-4.1-mini" in result.out
        )

    def test_an_unknown_tier_stops_the_launch(self, advisor, azure_api) -> None:
        result = advisor(*sft("--tier", "premium"))
        assert result.code == 1 and "--tier premium is not an Azure training tier; use global, standard" in result.err
        assert azure_api.seen == []

    def test_a_setting_azure_does_not_take_stops_the_launch(self, advisor, azure_api) -> None:
        result = advisor(*sft("--set", "lora_r=16"))
        assert result.code == 2 and "azure-openai does not take the setting(s) lora_r; it takes: tier" in result.err
        assert azure_api.seen == []


class TestLaunching:
    @pytest.mark.parametrize("version", [None, DATED], ids=["v1 paths", "versioned paths"])
    def test_one_tagged_job_per_launch_on_either_shape(self, advisor, azure_api, monkeypatch, version) -> None:
        if version:
            monkeypatch.setenv("OPENAI_API_VERSION", version)
        result = advisor(*sft("--tier", "standard"))
        assert result.code == 0, result.err
        ((job_id, job),) = azure_api.jobs.items()
        ((file_id, file),) = azure_api.files.items()
        (run,) = ledger_runs()
        assert file["filename"] == f"{run.run_id}-training.jsonl" and file["status"] == "processed"
        assert (run.job_id, run.training_file_id, run.state) == (job_id, file_id, "created")
        assert job["trainingType"] == "standard" and job["training_file"] == file_id
        assert f"Launched job {job_id} (pending), run {run.run_id}." in result.out
        assert run.estimate_usd == str(Decimal("2.19195") * Decimal("1.25"))  # Standard is 1.25x Global
        shape = "versioned" if version else "v1"
        assert {seen.shape for seen in azure_api.seen} == {shape}
        for seen in azure_api.seen:  # the key in `api-key`, never as a bearer token; api-version only when dated
            assert seen.headers["api-key"] == os.environ["AZURE_OPENAI_API_KEY"]
            assert "authorization" not in seen.headers
            assert seen.query.get("api-version") == ([version] if version else None)
        assert ("GET", f"/files/{file_id}") in azure_api.requests  # waited for Azure to process the file
        assert_ledger_matches_server(azure_api)

    def test_the_same_launch_twice_is_refused_and_again_makes_a_second(self, advisor, azure_api) -> None:
        assert advisor(*sft()).code == 0
        second = advisor(*sft())
        assert second.code == 2 and "this launch was already made" in second.err
        assert len(azure_api.jobs) == 1
        assert advisor(*sft("--again")).code == 0
        assert len(azure_api.jobs) == 2
        assert_ledger_matches_server(azure_api)

    def test_a_dpo_launch_sends_the_dpo_method(self, advisor, azure_api, tmp_path: Path) -> None:
        rows = DPO_ROWS
        args = sft(training=write_jsonl(tmp_path / "pairs.jsonl", rows), model="gpt-4.1")
        args[args.index("sft")] = "dpo"
        assert advisor(*args).code == 0
        (body,) = azure_api.create_bodies
        assert body["model"] == "gpt-4.1-2025-04-14"
        assert body["method"] == {"type": "dpo", "dpo": {"hyperparameters": {"n_epochs": "auto", "beta": "auto"}}}
        assert_ledger_matches_server(azure_api)

    def test_an_rft_launch_warns_of_the_auto_pause_before_it_is_confirmed(self, azure_api, tmp_path: Path) -> None:
        from advisor.cli import cli

        rows, grader = RFT_ROWS, EXACT_GRADER
        (tmp_path / "grader.json").write_text(json.dumps(grader))
        args = [
            "launch", "--provider", "azure-openai", "--method", "rft", "--model", "o4-mini",
            "--training-file", str(write_jsonl(tmp_path / "train.jsonl", rows[:50])),
            "--validation-file", str(write_jsonl(tmp_path / "valid.jsonl", rows[50:])),
            "--grader", str(tmp_path / "grader.json"), "--today", "2026-09-01",
        ]  # fmt: skip
        result = CliRunner().invoke(cli, args, input="y\n")
        assert result.exit_code == 0, result.output
        notice = (
            "note: azure-openai pauses this job automatically once its training cost reaches $5,000.00 "
            "(azure-openai:o4-mini auto_pause_usd)"
        )
        assert notice in result.output
        assert result.output.index(notice) < result.output.index("Launch this RFT job")
        (body,) = azure_api.create_bodies
        assert body["method"] == {
            "type": "reinforcement",
            "reinforcement": {"hyperparameters": {"n_epochs": "auto"}, "grader": grader},
        }
        assert body["validation_file"] == ledger_runs()[0].validation_file_id
        assert_ledger_matches_server(azure_api)

    def test_rft_on_a_retired_model_is_refused_before_anything_is_sent(self, advisor, azure_api) -> None:
        args = sft(model="o4-mini")
        args[args.index("sft")] = "rft"
        args[args.index("--today") + 1] = "2026-11-22"  # o4-mini retired on Azure on 2026-11-19
        result = advisor(*args)
        assert result.code == 1 and "2026-11-19" in result.err
        assert azure_api.seen == []


class TestFaults:
    def test_a_dropped_create_answer_finds_the_job_instead_of_making_another(self, advisor, azure_api) -> None:
        azure_api.fail("POST", CREATE, drop=True)
        result = advisor(*sft())
        assert result.code == 0, result.err
        assert "looking for the job by its run id" in result.err
        assert azure_api.creates() == 1 and len(azure_api.jobs) == 1
        assert_ledger_matches_server(azure_api)

    def test_a_malformed_create_answer_finds_the_job(self, advisor, azure_api) -> None:
        azure_api.fail("POST", CREATE, malformed=True)
        assert advisor(*sft()).code == 0
        assert azure_api.creates() == 1 and len(azure_api.jobs) == 1
        assert_ledger_matches_server(azure_api)

    def test_a_rate_limited_create_is_sent_again_after_retry_after(self, advisor, azure_api) -> None:
        azure_api.fail("POST", CREATE, status=429, retry_after="0.2", times=2)
        started = time.monotonic()
        result = advisor(*sft())
        assert result.code == 0, result.err
        assert time.monotonic() - started >= 0.4
        assert azure_api.creates() == 3 and len(azure_api.jobs) == 1
        assert_ledger_matches_server(azure_api)

    def test_a_server_error_on_create_is_never_retried_blindly(self, advisor, azure_api) -> None:
        azure_api.fail("POST", CREATE, status=500)
        first = advisor(*sft())
        assert first.code == 1 and "may or may not have been created" in first.err
        assert azure_api.creates() == 1 and azure_api.jobs == {}
        (run,) = ledger_runs()
        assert run.state == "create-unknown"
        second = advisor(*sft())
        assert second.code == 0, second.err
        assert f"resuming run {run.run_id}" in second.err
        assert azure_api.creates() == 2 and len(azure_api.jobs) == 1 and len(azure_api.files) == 1
        assert_ledger_matches_server(azure_api)

    def test_a_final_4xx_is_one_line_and_recorded(self, advisor, azure_api) -> None:
        message = "The specified base model does not support fine-tuning in this region."
        azure_api.fail("POST", CREATE, status=400, code="invalidPayload", message=message)
        result = advisor(*sft())
        assert result.code == 1
        assert error_lines(result.err) == [
            f"advisor: error: Azure OpenAI rejected the request to create the fine-tuning job: {message}"
        ]
        assert azure_api.creates() == 1
        (run,) = ledger_runs()
        assert run.state == "failed" and run.job_id is None
        assert_ledger_matches_server(azure_api)

    def test_a_wrong_key_is_a_key_problem_never_printed_or_retried(self, advisor, azure_api, monkeypatch) -> None:
        wrong = "0123456789abcdef" * 4
        monkeypatch.setenv("AZURE_OPENAI_API_KEY", wrong)
        result = advisor(*sft())
        assert result.code == 1
        assert "Azure OpenAI refused the credentials while trying to upload" in result.err
        assert "(the key is not shown)" in result.err
        assert wrong not in result.out + result.err and wrong[:12] not in result.out + result.err
        assert azure_api.requests == [("POST", "/files")]
        assert [seen.headers["api-key"] for seen in azure_api.seen] == [wrong]

    def test_without_an_endpoint_or_credentials_the_launch_says_so(self, advisor, azure_api, monkeypatch) -> None:
        monkeypatch.delenv("AZURE_OPENAI_ENDPOINT")
        result = advisor(*sft())
        assert result.code == 1 and "no Azure OpenAI endpoint: set AZURE_OPENAI_ENDPOINT" in result.err
        monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", azure_api.endpoint)
        monkeypatch.delenv("AZURE_OPENAI_API_KEY")
        result = advisor(*sft("--again"))
        (line,) = error_lines(result.err)
        assert result.code == 1 and "AZURE_OPENAI_API_KEY" in line
        if not installed("azure.identity"):
            assert "install advisor-azure-openai[entra] to sign in with Microsoft Entra ID" in result.err
        assert azure_api.jobs == {}


@pytest.fixture
def job_id(advisor, azure_api: FakeAzure) -> str:
    return launched(advisor, azure_api)


class TestJobs:
    def test_reads_are_retried_on_429_and_5xx(self, advisor, azure_api, job_id) -> None:
        azure_api.fail("GET", f"{CREATE}/{job_id}", status=429, retry_after="0.05", times=2)
        azure_api.fail("GET", f"{CREATE}/{job_id}", status=503, retry_after="0.05", times=1)
        result = advisor("jobs", "show", job_id)
        assert result.code == 0, result.err
        assert azure_api.requests.count(("GET", f"{CREATE}/{job_id}")) == 4

    def test_a_read_that_keeps_failing_is_one_line(self, advisor, azure_api, job_id) -> None:
        azure_api.fail("GET", f"{CREATE}/{job_id}", status=500, retry_after="0.01", times=5)
        result = advisor("jobs", "show", job_id)
        (line,) = error_lines(result.err)
        assert result.code == 1 and f"Azure OpenAI answered 500 while trying to read job {job_id}" in line

    def test_watch_ends_with_the_model_and_the_cost_beside_the_estimate(self, advisor, azure_api, job_id) -> None:
        result = advisor("jobs", "watch", job_id, "--every", "0.01")
        assert result.code == 0, result.err
        job = azure_api.jobs[job_id]
        tokens = job["trained_tokens"]
        assert result.out.splitlines()[:2] == [f"{job_id}: running", f"{job_id}: succeeded ({tokens:,} tokens)"]
        assert job["fine_tuned_model"].startswith("gpt-4.1-mini-2025-04-14.ft-")
        assert f"fine-tuned model  {job['fine_tuned_model']}" in result.out
        cost = format_usd(Decimal(tokens) * Decimal("5.00") / 1_000_000)
        assert f"training cost     {tokens:,} trained tokens x $5.00 per 1M = {cost} (estimated $2.19)" in result.out
        (run,) = ledger_runs()
        assert (run.status, run.fine_tuned_model, run.trained_tokens) == ("succeeded", job["fine_tuned_model"], tokens)

    def test_the_actual_cost_of_a_developer_tier_job_is_at_the_tier_price(self, advisor, azure_api) -> None:
        job_id = launched(advisor, azure_api, "--tier", "developer")
        result = advisor("jobs", "watch", job_id, "--every", "0.01")
        assert result.code == 0, result.err
        tokens = azure_api.jobs[job_id]["trained_tokens"]
        cost = format_usd(Decimal(tokens) * Decimal("2.50") / 1_000_000)  # half of global's $5.00
        assert (
            f"{tokens:,} trained tokens x $5.00 per 1M x 0.5 (developer tier) = {cost} (estimated $1.10)" in result.out
        )

    def test_a_failed_job_shows_its_error(self, advisor, azure_api, job_id) -> None:
        azure_api.jobs[job_id].update(status="failed", error={"code": "invalidData", "message": "3 lines invalid"})
        result = advisor("jobs", "watch", job_id, "--every", "0.01")
        assert result.code == 0 and "error             3 lines invalid" in result.out
        assert ledger_runs()[0].status == "failed"

    def test_events_and_cancel(self, advisor, azure_api, job_id) -> None:
        lines = advisor("jobs", "events", job_id).out.splitlines()
        assert lines[0].endswith("info  Job enqueued. Waiting for jobs ahead to complete.")
        result = advisor("jobs", "cancel", job_id, "--yes")
        assert (result.code, result.out) == (0, f"{job_id}: cancelled\n")
        assert azure_api.jobs[job_id]["status"] == "cancelled" and ledger_runs()[0].status == "cancelled"

    @pytest.mark.usefixtures("wide_output")
    def test_a_lost_launch_is_found_by_jobs_list(self, advisor, azure_api, monkeypatch) -> None:
        monkeypatch.setattr(launching, "LOOKUP_DELAYS", ())  # give up looking at once: the run stays unresolved
        azure_api.fail("POST", CREATE, drop=True)
        assert advisor(*sft()).code == 1
        assert ledger_runs()[0].job_id is None
        result = advisor("jobs", "list")
        assert result.code == 0, result.err
        (job,) = azure_api.jobs
        assert job in result.out
        assert_ledger_matches_server(azure_api)


class TestSecrets:
    def test_the_key_appears_in_no_output_and_no_file(self, advisor, azure_api, isolated_jobs: Path) -> None:
        key = os.environ["AZURE_OPENAI_API_KEY"]
        outputs = [advisor(*sft())]
        (job_id,) = azure_api.jobs
        azure_api.fail("POST", CREATE, status=400, message=f"echoing the caller's key {key}")
        outputs.append(advisor(*sft("--again")))
        azure_api.fail("GET", f"{CREATE}/{job_id}", status=500, retry_after="0.01", times=5)
        outputs.append(advisor("jobs", "show", job_id))
        for command in (["jobs", "watch", job_id, "--every", "0.01"], ["jobs", "events", job_id], ["jobs", "list"]):
            outputs.append(advisor(*command))
        outputs.append(advisor("jobs", "deploy", job_id))
        outputs.append(advisor("providers", "--format", "json"))
        assert [o.code for o in outputs] == [0, 1, 1, 0, 0, 0, 0, 0]
        assert "[API key]" in outputs[1].err  # the echoed key was redacted, not dropped silently
        assert_key_nowhere(key, outputs, isolated_jobs)


def finished(advisor, azure_api: FakeAzure, *extra: str) -> tuple[str, str]:
    job_id = launched(advisor, azure_api, *extra)
    assert advisor("jobs", "watch", job_id, "--every", "0.01").code == 0
    return job_id, azure_api.jobs[job_id]["fine_tuned_model"]


def no_deploy_sdk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Deployment not configured (whether or not the [deploy] extra is installed): the `az` command is the answer."""
    for name in ("AZURE_SUBSCRIPTION_ID", "AZURE_RESOURCE_GROUP", "AZURE_OPENAI_RESOURCE"):
        monkeypatch.delenv(name, raising=False)


class TestDeploy:
    def test_the_az_command_states_the_hourly_and_monthly_cost(self, advisor, azure_api, monkeypatch) -> None:
        job_id, model = finished(advisor, azure_api)
        no_deploy_sdk(monkeypatch)
        monkeypatch.setenv("AZURE_RESOURCE_GROUP", "rg-ml")
        monkeypatch.setenv("AZURE_OPENAI_RESOURCE", "contoso-ft")
        result = advisor("jobs", "deploy", job_id, "--name", "invoices-v1")
        assert result.code == 0, result.err
        assert f"Deploy {model} (job {job_id}) at azure-openai" in result.out
        assert "  tier            standard (SKU Standard, capacity 1)" in result.out
        assert "  hosting         $1.70 an hour, $1,241.00 a month (730 hours), billed while deployed" in result.out
        assert "azure-openai:gpt-4.1-mini fine_tuning hosting_per_hour (as_of 2026-06-30)" in result.out
        assert result.out.rstrip().endswith(
            "  az cognitiveservices account deployment create --resource-group rg-ml --name contoso-ft "
            f"--deployment-name invoices-v1 --model-name {model} --model-version 1 --model-format OpenAI "
            "--sku-name Standard --sku-capacity 1"
        )
        assert "AZURE_SUBSCRIPTION_ID is not set" in result.out or "the [deploy] extra is not installed" in result.out

    def test_the_developer_tier_has_no_fee_and_a_lifetime(self, advisor, azure_api, monkeypatch) -> None:
        job_id, model = finished(advisor, azure_api)
        no_deploy_sdk(monkeypatch)
        result = advisor("jobs", "deploy", job_id, "--tier", "developer", "--provider", "azure-openai")
        assert result.code == 0, result.err
        assert "  tier            developer (SKU DeveloperTier, capacity 1)" in result.out
        assert (
            "  hosting         no hosting fee ($0.00 a month); deleted by azure-openai 24 hours after it is made"
            in result.out
        )
        assert "note: Developer deployment tier: no hosting fee, no SLA, deleted after 24 hours" in result.out
        assert (
            '--resource-group "$AZURE_RESOURCE_GROUP" --name "$AZURE_OPENAI_RESOURCE" '
            f"--deployment-name {model} --model-name {model}"
        ) in result.out
        assert "--sku-name DeveloperTier --sku-capacity 1" in result.out

    def test_an_unfinished_job_has_nothing_to_deploy(self, advisor, azure_api) -> None:
        job_id = launched(advisor, azure_api)
        result = advisor("jobs", "deploy", job_id)
        assert result.code == 2
        assert f"job {job_id} has no fine-tuned model to deploy yet (running)" in result.err
        assert f"advisor jobs watch {job_id}" in result.err

    def test_a_wrong_tier_or_name_is_one_line(self, advisor, azure_api) -> None:
        job_id, _ = finished(advisor, azure_api)
        result = advisor("jobs", "deploy", job_id, "--tier", "provisioned")
        assert result.code == 2 and "--tier provisioned is not a azure-openai deployment type" in result.err
        result = advisor("jobs", "deploy", job_id, "--name", "no spaces allowed")
        assert result.code == 1 and "is not a valid Azure deployment name" in result.err

    def test_a_provider_without_a_deploy_step_says_so(self, advisor, openai_api) -> None:
        from .test_launch import sft as openai_sft

        assert advisor(*openai_sft()).code == 0
        (job_id,) = openai_api.jobs
        result = advisor("jobs", "deploy", job_id)
        assert result.code == 2 and "provider openai has no deploy step" in result.err

    @pytest.mark.skipif(
        not (installed("azure.mgmt.cognitiveservices") and installed("azure.identity")),
        reason="the [deploy] extra (azure-mgmt-cognitiveservices, azure-identity) is not installed",
    )
    def test_with_the_sdk_configured_it_asks_before_deploying(self, azure_api, monkeypatch, advisor) -> None:
        from advisor.cli import cli

        job_id, model = finished(advisor, azure_api)
        monkeypatch.setenv("AZURE_SUBSCRIPTION_ID", "00000000-0000-0000-0000-000000000000")
        monkeypatch.setenv("AZURE_RESOURCE_GROUP", "rg-ml")
        monkeypatch.setenv("AZURE_OPENAI_RESOURCE", "contoso-ft")
        result = CliRunner().invoke(cli, ["jobs", "deploy", job_id, "--tier", "global-standard"], input="n\n")
        assert result.exit_code == 1, result.output
        assert "  hosting         $1.70 an hour, $1,241.00 a month" in result.output
        assert f"Deploy {model} as {model} (global-standard)? Hosting is billed from then on [y/N]" in result.output
        assert "not deployed" in result.output and "az cognitiveservices" not in result.output


class TestPieces:
    @pytest.mark.parametrize(
        ("endpoint", "name"),
        [
            ("https://contoso-ft.openai.azure.com/", "contoso-ft"),
            ("https://contoso-ft.cognitiveservices.azure.com", "contoso-ft"),
            ("http://127.0.0.1:8080", None),
            ("", None),
        ],
    )
    def test_the_resource_is_named_by_its_endpoint(self, monkeypatch, endpoint: str, name: str | None) -> None:
        from advisor_azure_openai.deploy import resource_name

        monkeypatch.setenv("AZURE_OPENAI_ENDPOINT", endpoint)
        assert resource_name() == name
        monkeypatch.setenv("AZURE_OPENAI_RESOURCE", "named")
        assert resource_name() == "named"

    def test_every_tier_the_table_prices_is_a_training_type(self, catalog) -> None:
        for name in ("gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano", "gpt-4o", "gpt-4o-mini"):
            assert set(catalog.find(name, "azure-openai").row.fine_tuning.training_tiers) == set(TRAINING_TYPES)

    def test_statuses_map_onto_advisors(self) -> None:
        provider = AzureOpenAIProvider()
        assert {provider.map_status(s) for s in ("succeeded", "failed", "cancelled", "canceled")} == {
            "succeeded",
            "failed",
            "cancelled",
        }
        assert provider.map_status("pending") == "queued" and provider.map_status("paused") == "paused"
        assert provider.map_status("something new") == "unknown" and "something new" not in STATUSES

    def test_the_tier_is_sent_as_azure_names_it(self) -> None:
        provider = AzureOpenAIProvider()
        request = JobRequest("adv-1", "sft", "gpt-4.1-mini-2025-04-14", "file-1", settings={"tier": "developer"})
        assert provider.extra_body(request) == {"trainingType": "developerTier"}
        assert provider.extra_body(JobRequest("adv-1", "sft", "m", "f")) == {"trainingType": "globalstandard"}
        assert "trainingType" not in provider.job_body(request)  # sent through the SDK's extra_body
