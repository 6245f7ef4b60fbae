"""The Together AI plugin through the CLI, with the real `together` SDK over real HTTP against a loopback
fake Together server (tests/fake_together.py): launch, the server's file check and price estimate, the
ledger after every fault, following, cancelling and downloading jobs, Together's data formats, Llama 3's
tokenizer and the plugin's price table.
"""

from __future__ import annotations

import json
import os
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest
import tiktoken

from advisor.providers import launch as launching
from advisor_together import LLAMA3_PATTERN, LLAMA3_SHA256, LLAMA3_SPECIAL_TOKENS, llama3_vocabulary
from advisor_together.provider import STATUSES, TogetherProvider

from .conftest import EXAMPLES
from .fake_together import CREATE, FakeTogether
from .helpers import assert_key_nowhere, assert_ledger_matches, ledger_runs, write_jsonl

TRAIN = EXAMPLES / "invoice-extraction" / "train.jsonl"
TODAY = "2026-12-01"
MODEL = "llama-3.1-8b-instruct"
API_MODEL = "meta-llama/Meta-Llama-3.1-8B-Instruct-Reference"


@pytest.fixture(autouse=True)
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    """Look for a job whose create answer was lost after 20 ms, and resume cut downloads at once."""
    from advisor.providers import download

    monkeypatch.setattr(launching, "LOOKUP_DELAYS", (0.02, 0.02))
    monkeypatch.setattr(download, "RETRY_DELAYS", (0.0,))


def launch(*extra: str, training: Path = TRAIN, method: str = "sft", model: str = MODEL) -> list[str]:
    return [
        "launch", "--provider", "together", "--method", method, "--model", model,
        "--training-file", str(training), "--epochs", "3", "--today", TODAY, "--yes", *extra,
    ]  # fmt: skip


def assert_ledger_matches_server(api: FakeTogether) -> None:
    """Each server job is in the ledger under the run id its suffix carries, and no run has two jobs."""
    assert_ledger_matches({job_id: job["suffix"][-20:] for job_id, job in api.jobs.items()})


def finished_job(advisor, api: FakeTogether) -> str:
    assert advisor(*launch()).code == 0
    (job_id,) = api.jobs
    assert advisor("jobs", "watch", job_id, "--every", "0.01").code == 0
    return job_id


class TestLaunch:
    def test_a_dry_run_prints_the_requests_and_sends_nothing(self, advisor, together_api, monkeypatch) -> None:
        monkeypatch.delenv("TOGETHER_API_KEY")
        result = advisor(*launch("--dry-run", "--training-type", "full", "--suffix", "invoices"))
        assert result.code == 0, result.err
        assert "/v1/fine-tunes/estimate-price" in result.out and f'"model": "{API_MODEL}"' in result.out
        assert '"lora": false' in result.out and '"suffix": "invoices-<run id>"' in result.out
        assert together_api.requests == []

    def test_a_launch_checks_quotes_and_creates_one_job_tagged_by_its_suffix(self, advisor, together_api) -> None:
        result = advisor(*launch("--suffix", "invoices"))
        assert result.code == 0, result.err
        assert together_api.creates() == 1 and len(together_api.files) == 1
        (file,) = together_api.files.values()
        assert file["filename"].endswith("-training.jsonl") and file["processing_status"] == "COMPLETED"
        (body,) = together_api.create_bodies
        (run,) = ledger_runs()
        assert body["suffix"] == f"invoices-{run.run_id}" and body["model"] == API_MODEL and body["n_epochs"] == 3
        assert body["training_type"]["type"] == "Lora" and body["training_type"]["lora_r"] == 16  # the model's rank
        assert body["training_method"] == {"method": "sft", "train_on_inputs": "auto"}
        # Together's own estimate beside advisor's, before the job was created
        (estimate,) = together_api.estimate_bodies
        tokens = file["bytes"] // 4 * 3
        server = Decimal(tokens) * Decimal("0.48") / 1_000_000
        assert (
            "advisor's estimate   $0.21: 148,869 tokens x 3 epochs = 446,607 billed tokens" in result.out
        )  # 148,869 x 3 (Llama 3 template)
        assert f"together's estimate  ${server:.2f} ({tokens:,} training tokens)" in result.out
        assert estimate["n_epochs"] == 3 and "training_type" not in estimate  # LoRA: Together's default
        order = [path for _, path in together_api.requests]
        assert order.index("/v1/fine-tunes/estimate-price") < order.index(CREATE)
        assert_ledger_matches_server(together_api)

    def test_full_training_reaches_the_estimate_and_the_request(self, advisor, together_api) -> None:
        result = advisor(*launch("--training-type", "full"))
        assert result.code == 0, result.err
        assert "at $0.54 per 1M (sft.full)" in result.out  # advisor's estimate at the full price
        assert together_api.estimate_bodies[0]["training_type"] == {"type": "Full"}
        assert together_api.create_bodies[0]["training_type"] == {"type": "Full"}
        assert_ledger_matches_server(together_api)

    def test_full_training_a_model_does_not_offer_is_refused_before_sending(self, advisor, together_api) -> None:
        result = advisor(*launch("--training-type", "full", model="llama-3.3-70b-instruct"))
        assert result.code == 1 and together_api.requests == []

    def test_a_dpo_launch_sends_the_dpo_method(self, advisor, together_api, tmp_path: Path) -> None:
        pair = {
            "input": {"messages": [{"role": "user", "content": "Total of invoice 7?"}]},
            "preferred_output": [{"role": "assistant", "content": '{"total": 12.5}'}],
            "non_preferred_output": [{"role": "assistant", "content": "It is 12.5 dollars."}],
        }
        rows = [
            {**pair, "input": {"messages": [{"role": "user", "content": f"Total of invoice {n}?"}]}} for n in range(20)
        ]
        result = advisor(*launch(training=write_jsonl(tmp_path / "dpo.jsonl", rows), method="dpo"))
        assert result.code == 0, result.err
        assert together_api.create_bodies[0]["training_method"]["method"] == "dpo"
        assert together_api.estimate_bodies[0]["training_method"] == {"method": "dpo"}
        assert_ledger_matches_server(together_api)

    def test_epochs_must_be_given(self, advisor, together_api) -> None:
        args = launch()
        del args[args.index("--epochs") : args.index("--epochs") + 2]
        result = advisor(*args)
        assert result.code == 1 and "Together has no automatic epoch count" in result.err
        assert together_api.requests == []

    def test_a_suffix_too_long_for_the_run_id_is_refused(self, advisor, together_api) -> None:
        result = advisor(*launch("--suffix", "x" * 20))
        assert result.code == 1 and "Together's 40 leave 19" in result.err and together_api.requests == []

    def test_answering_no_after_the_quote_creates_nothing(self, advisor, together_api, monkeypatch) -> None:
        monkeypatch.setattr("click.confirm", lambda *args, **kwargs: False)
        args = launch()
        args.remove("--yes")
        result = advisor(*args)
        assert result.code == 1 and "together's estimate" in result.out and "not launched" in result.err
        assert together_api.creates() == 0 and len(together_api.files) == 1
        assert [(run.state, run.job_id) for run in ledger_runs()] == [("failed", None)]


class TestFaults:
    def test_not_enough_credit_is_refused_with_nothing_created(self, advisor, together_api) -> None:
        together_api.credit = Decimal("0.01")
        result = advisor(*launch())
        (error,) = [line for line in result.err.splitlines() if line.startswith("advisor: error")]
        assert result.code == 1 and error == result.err.splitlines()[-1]
        assert "together will not run this job: its estimate $" in error
        assert "credit limit $0.01" in result.err and "nothing was created" in result.err
        assert together_api.creates() == 0 and together_api.jobs == {}
        assert [(run.state, run.job_id) for run in ledger_runs()] == [("failed", None)]

    def test_a_file_the_servers_check_rejects_stops_the_launch(self, advisor, together_api) -> None:
        together_api.reject_files = "Line 12: the example matches no supported format"
        result = advisor(*launch())
        assert result.code == 1 and result.err.count("\n") == 1 + 1  # the upload line, then the error
        assert "Together's file check refused" in result.err and "Line 12" in result.err
        assert together_api.creates() == 0 and [(run.state, run.job_id) for run in ledger_runs()] == [("failed", None)]

    def test_a_dropped_create_answer_finds_the_job_by_its_suffix(self, advisor, together_api) -> None:
        together_api.fail("POST", CREATE, drop=True)
        result = advisor(*launch())
        assert result.code == 0, result.err
        assert "looking for the job by its run id" in result.err
        assert together_api.creates() == 1 and len(together_api.jobs) == 1
        assert_ledger_matches_server(together_api)

    def test_a_server_error_on_create_is_never_retried_blindly(self, advisor, together_api) -> None:
        together_api.fail("POST", CREATE, status=500)
        first = advisor(*launch())
        assert first.code == 1 and "may or may not have been created" in first.err
        assert together_api.creates() == 1 and together_api.jobs == {}  # sent once; the server made nothing
        again = advisor(*launch())  # resumes the run: looks first, then creates once
        assert again.code == 0, again.err
        assert together_api.creates() == 2 and len(together_api.jobs) == 1 and len(together_api.files) == 1
        assert_ledger_matches_server(together_api)

    def test_a_rate_limited_create_is_sent_again_after_the_wait(self, advisor, together_api) -> None:
        together_api.fail("POST", CREATE, status=429)
        assert advisor(*launch()).code == 0
        assert together_api.creates() == 2 and len(together_api.jobs) == 1
        assert_ledger_matches_server(together_api)

    def test_reads_ride_out_429_and_5xx(self, advisor, together_api) -> None:
        together_api.fail("POST", "/v1/fine-tunes/estimate-price", status=503)
        together_api.fail("GET", "/v1/fine-tunes/models/limits", status=429)
        assert advisor(*launch()).code == 0
        (job_id,) = together_api.jobs
        together_api.fail("GET", f"{CREATE}/{job_id}", status=502, times=2)
        result = advisor("jobs", "show", job_id)
        assert result.code == 0 and job_id in result.out

    def test_a_read_that_keeps_failing_is_one_line(self, advisor, together_api) -> None:
        assert advisor(*launch()).code == 0
        (job_id,) = together_api.jobs
        together_api.fail("GET", f"{CREATE}/{job_id}", status=500, times=10)
        result = advisor("jobs", "show", job_id)
        assert result.code == 1 and result.err.count("\n") == 1 and "Traceback" not in result.err

    def test_a_refused_key_is_final_and_never_printed(self, advisor, together_api, monkeypatch) -> None:
        monkeypatch.setenv("TOGETHER_API_KEY", "tgp_wrong_key_0123456789")
        result = advisor(*launch())
        assert result.code == 1 and "Together refused the API key" in result.err
        assert "tgp_wrong_key_0123456789" not in result.out + result.err and together_api.jobs == {}

    def test_the_api_key_appears_in_no_output_and_no_file(self, advisor, together_api, isolated_jobs, tmp_path) -> None:
        key = os.environ["TOGETHER_API_KEY"]
        outputs = [advisor(*launch())]
        (job_id,) = together_api.jobs
        together_api.fail("GET", f"{CREATE}/{job_id}", status=500, times=5)  # the read and its 4 retries
        outputs.append(advisor("jobs", "show", job_id))
        for command in (
            ["jobs", "watch", job_id, "--every", "0.01"],
            ["jobs", "events", job_id],
            ["jobs", "list"],
            ["jobs", "download", job_id, "--output", str(tmp_path)],
        ):
            outputs.append(advisor(*command))
        together_api.credit = Decimal(0)
        outputs.append(advisor(*launch("--again")))
        assert [o.code for o in outputs] == [0, 1, 0, 0, 0, 0, 1]
        assert any(key in headers for headers in together_api.headers_seen)  # it was sent, to Together only
        assert_key_nowhere(key, outputs, isolated_jobs)


class TestFollowing:
    def test_watch_ends_with_the_model_and_the_actual_cost_beside_the_estimate(self, advisor, together_api) -> None:
        assert advisor(*launch()).code == 0
        (job_id,) = together_api.jobs
        result = advisor("jobs", "watch", job_id, "--every", "0.01")
        assert result.code == 0, result.err
        job = together_api.jobs[job_id]
        cost = Decimal(job["token_count"]) * Decimal("0.48") / 1_000_000
        assert (
            f"{job['token_count']:,} trained tokens x $0.48 per 1M (sft.lora) = ${cost:.2f} (estimated $0.21)"
            in result.out
        )
        assert job["model_output_name"] in result.out
        (run,) = ledger_runs()
        assert (run.status, run.provider_status, run.trained_tokens) == ("succeeded", "completed", job["token_count"])

    def test_a_failed_job_shows_its_error(self, advisor, together_api) -> None:
        together_api.fail_jobs = "CUDA out of memory at step 12"
        assert advisor(*launch()).code == 0
        (job_id,) = together_api.jobs
        result = advisor("jobs", "watch", job_id, "--every", "0.01")
        assert "error" in result.out and "CUDA out of memory at step 12" in result.out
        assert ledger_runs()[0].status == "failed"

    def test_events_are_listed_oldest_first(self, advisor, together_api) -> None:
        job_id = finished_job(advisor, together_api)
        result = advisor("jobs", "events", job_id)
        lines = result.out.splitlines()
        assert "Fine tune request created" in lines[0] and "completed" in lines[-1]

    def test_cancel_cancels_and_records_it(self, advisor, together_api) -> None:
        assert advisor(*launch()).code == 0
        (job_id,) = together_api.jobs
        result = advisor("jobs", "cancel", job_id, "--yes")
        assert result.code == 0 and "cancelled" in result.out
        assert together_api.jobs[job_id]["status"] == "cancelled" and ledger_runs()[0].status == "cancelled"

    def test_every_status_is_mapped_and_unknown_ones_are_not_guessed(self) -> None:
        documented = {"pending", "queued", "running", "compressing", "uploading", "cancel_requested"}
        assert documented | {"cancelled", "error", "completed"} == set(STATUSES)
        provider = TogetherProvider()
        assert [provider.map_status(s) for s in ("completed", "error", "cancelled", "paused-ish")] == [
            "succeeded",
            "failed",
            "cancelled",
            "unknown",
        ]


class TestDownload:
    def downloaded(self, folder: Path) -> list[Path]:
        return sorted(folder.iterdir())

    def test_the_size_comes_first_and_the_file_is_whole(self, advisor, together_api, tmp_path) -> None:
        job_id = finished_job(advisor, together_api)
        result = advisor("jobs", "download", job_id, "--output", str(tmp_path))
        assert result.code == 0, result.err
        first = result.out.splitlines()[0]
        assert "300.0 kB (300,000 bytes)" in first and "-merged.tar.gz" in first
        (path,) = self.downloaded(tmp_path)
        assert path.read_bytes() == together_api.weights(job_id) and "size and sha256 checked" in result.out

    def test_a_cut_halfway_is_resumed_with_a_range_request(self, advisor, together_api, tmp_path) -> None:
        job_id = finished_job(advisor, together_api)
        together_api.fail("GET", "/v1/finetune/download", cut=True)
        result = advisor("jobs", "download", job_id, "--output", str(tmp_path), "--checkpoint", "adapter")
        assert result.code == 0, result.err
        assert together_api.ranges == [None, "bytes=150000-"] and "resumed 1 time(s)" in result.out
        (path,) = self.downloaded(tmp_path)
        assert path.name.endswith("-adapter.tar.gz") and path.read_bytes() == together_api.weights(job_id)

    def test_a_server_that_ignores_the_range_starts_over_cleanly(self, advisor, together_api, tmp_path) -> None:
        job_id = finished_job(advisor, together_api)
        together_api.fail("GET", "/v1/finetune/download", cut=True)
        together_api.fail("GET", "/v1/finetune/download", ignore_range=True)
        result = advisor("jobs", "download", job_id, "--output", str(tmp_path))
        assert result.code == 0, result.err
        (path,) = self.downloaded(tmp_path)
        assert path.read_bytes() == together_api.weights(job_id)

    def test_a_download_cut_every_time_leaves_nothing_behind(self, advisor, together_api, tmp_path) -> None:
        job_id = finished_job(advisor, together_api)
        together_api.fail("GET", "/v1/finetune/download", cut=True, times=20)
        result = advisor("jobs", "download", job_id, "--output", str(tmp_path))
        assert result.code == 1 and "kept being cut" in result.err and result.err.count("\n") == 1
        assert self.downloaded(tmp_path) == []

    def test_a_wrong_checksum_leaves_nothing_behind(self, advisor, together_api, tmp_path) -> None:
        job_id = finished_job(advisor, together_api)
        together_api.fail("GET", "/v1/finetune/download", corrupt=True)  # right size, one byte changed
        result = advisor("jobs", "download", job_id, "--output", str(tmp_path))
        assert result.code == 1 and "sha256" in result.err and "nothing was kept" in result.err
        assert self.downloaded(tmp_path) == []

    def test_an_unfinished_job_has_nothing_to_download(self, advisor, together_api, tmp_path) -> None:
        assert advisor(*launch()).code == 0
        (job_id,) = together_api.jobs
        result = advisor("jobs", "download", job_id, "--output", str(tmp_path))
        assert result.code == 1 and "completed jobs only" in result.err and self.downloaded(tmp_path) == []

    def test_a_provider_without_downloads_says_so(self, advisor, openai_api, tmp_path) -> None:
        assert advisor(
            "launch", "--provider", "openai", "--method", "sft", "--model", "gpt-4.1-mini",
            "--training-file", str(TRAIN), "--today", "2026-11-22", "--yes",
        ).code == 0  # fmt: skip
        (job_id,) = openai_api.jobs
        result = advisor("jobs", "download", job_id, "--output", str(tmp_path))
        assert result.code == 2 and "cannot download weights" in result.err


def llama3() -> tiktoken.Encoding:
    """Llama 3's tokenizer built by tiktoken straight from llama-models' file, independently of advisor."""
    from tiktoken.load import load_tiktoken_bpe

    vocabulary = llama3_vocabulary()
    assert vocabulary is not None
    ranks = load_tiktoken_bpe(vocabulary, expected_hash=LLAMA3_SHA256)
    return tiktoken.Encoding(
        "llama3-check", pat_str=LLAMA3_PATTERN, mergeable_ranks=ranks, special_tokens=LLAMA3_SPECIAL_TOKENS
    )


def chat_tokens(encoding: tiktoken.Encoding, messages: list[dict[str, str]]) -> int:
    """Llama 3's template written out as text (a training example: no header after its answer), encoded
    with special tokens allowed."""
    text = "<|begin_of_text|>" + "".join(
        f"<|start_header_id|>{m['role']}<|end_header_id|>\n\n{m['content']}<|eot_id|>" for m in messages
    )
    return len(encoding.encode(text, allowed_special="all"))


def check_json(advisor, path: Path, *models: str, method: str | None = None):
    args = ["dataset", "check", str(path), "--format", "json", "--today", TODAY]
    for model in models:
        args += ["--model", model]
    if method:
        args += ["--method", method]
    result = advisor(*args)
    return result, json.loads(result.out) if result.out.strip().startswith("{") else None


class TestDataFormats:
    ROWS = [
        {"prompt": "Total of invoice 7: 3 x 2.50 and 1 x 5.00", "completion": '{"total": 12.50}'},
        {"prompt": "Naïve café receipt — 2 croissants à 1,80 €", "completion": '{"total": 3.60, "currency": "EUR"}'},
    ] * 10

    def test_instruction_examples_are_counted_exactly_with_llama3(self, advisor, together_api, tmp_path) -> None:
        path = write_jsonl(tmp_path / "instruction.jsonl", self.ROWS)
        result, report = check_json(advisor, path, f"together/{MODEL}")
        assert result.code == 0, result.out + result.err
        encoding = llama3()
        expected = sum(
            chat_tokens(
                encoding, [{"role": "user", "content": r["prompt"]}, {"role": "assistant", "content": r["completion"]}]
            )
            for r in self.ROWS
        )
        assert report["errors"] == 0 and report["valid_examples"] == 20
        assert report["tokens"]["total"] == expected, report["tokens"]
        (cost,) = report["costs"]
        assert cost["billed_tokens"] == expected * cost["epochs"]

    def test_openai_does_not_take_the_instruction_format(self, advisor, tmp_path) -> None:
        path = write_jsonl(tmp_path / "instruction.jsonl", self.ROWS)
        result, report = check_json(advisor, path, "openai/gpt-4.1-mini")
        assert result.code == 1 and report["valid_examples"] == 0
        assert {p["field"] for p in report["problems"] if p["line"] == 1} == {"prompt", "completion", "messages"}

    @pytest.mark.usefixtures("wide_output")
    def test_instruction_problems_name_the_line_and_the_field(self, advisor, tmp_path) -> None:
        rows = [*self.ROWS[:2], {"prompt": 42, "completion": "x"}, {"prompt": "Hi", "completion": "   "}]
        rows.append({"prompt": "Hi", "completion": "ok", "source": "crm"})
        result, report = check_json(advisor, write_jsonl(tmp_path / "bad.jsonl", rows), f"together/{MODEL}")
        assert result.code == 1
        found = {(p["line"], p["field"], p["code"]) for p in report["problems"]}
        assert (3, "prompt", "instruction-format") in found
        assert (4, "completion", "empty-answer") in found  # the chat check's finding, named by the format's field
        assert (5, "source", "instruction-format") in found
        text = advisor("dataset", "check", str(tmp_path / "bad.jsonl"), "--model", f"together/{MODEL}").out
        assert "unknown key 'source'" in text and "`prompt` must be text or content parts" in text
        assert "`prompt` must be text or content parts, not a number" in {p["message"] for p in report["problems"]}

    def test_preference_problems_name_the_line_and_the_field(self, advisor, tmp_path) -> None:
        good = {
            "input": {"messages": [{"role": "user", "content": "Total?"}]},
            "preferred_output": [{"role": "assistant", "content": "12.50"}],
            "non_preferred_output": [{"role": "assistant", "content": "twelve"}],
        }
        two = [{"role": "assistant", "content": "a"}, {"role": "assistant", "content": "b"}]
        path = write_jsonl(tmp_path / "dpo.jsonl", [good] * 10 + [{**good, "preferred_output": two}])
        result, report = check_json(advisor, path, f"together/{MODEL}")
        assert result.code == 1 and report["valid_examples"] == 10
        assert (11, "preferred_output") in {(p["line"], p["field"]) for p in report["problems"]}

    def test_the_formats_reach_spawned_workers_by_reference(self, tmp_path, catalog) -> None:
        from datetime import date

        from advisor.datasets.check import check_dataset
        from advisor.plugins import catalog_with_plugins, load_plugins

        path = write_jsonl(tmp_path / "instruction.jsonl", self.ROWS * 50)
        formats = load_plugins().dataset_formats
        model = [f"together/{MODEL}"]
        one = check_dataset(str(path), catalog_with_plugins(), date(2026, 12, 1), models=model, jobs=1, formats=formats)
        many = check_dataset(
            str(path),
            catalog_with_plugins(),
            date(2026, 12, 1),
            models=model,
            jobs=2,
            chunk_bytes=4096,
            formats=formats,
        )
        assert one.errors == many.errors == 0 and one.valid_examples == many.valid_examples == 1000


class TestPricesAndTokenizer:
    def test_the_vocabulary_is_llama_models_own(self) -> None:
        import hashlib

        vocabulary = llama3_vocabulary()
        assert vocabulary is not None and "llama_models" in vocabulary
        assert hashlib.sha256(Path(vocabulary).read_bytes()).hexdigest() == LLAMA3_SHA256
        assert len(LLAMA3_SPECIAL_TOKENS) == 256 and LLAMA3_SPECIAL_TOKENS["<|eot_id|>"] == 128009

    def test_advisor_counts_llama3_as_tiktoken_does(self) -> None:
        from advisor.plugins import load_plugins
        from advisor.tokens.tokenizer import get_encoding

        load_plugins()
        text = "Invoice INV-2026-0042: 3 × “Widget” @ €1,234.56 — total due 2026-12-31.\n\tNaïve café"
        assert get_encoding("llama3").encode(text) == llama3().encode(text)

    def test_pricing_lists_the_plugins_table(self, advisor) -> None:
        result = advisor("pricing", "list", "--provider", "together", "--today", TODAY)
        assert result.code == 0, result.err
        for model in (MODEL, "llama-3.3-70b-instruct", "gpt-oss-20b"):
            assert model in result.out
        assert "advisor-together" in result.out + result.err

    def test_estimate_prices_a_together_job(self, advisor) -> None:
        result = advisor(
            "estimate", "--model", "gpt-4.1", "--ft-model", MODEL, "--ft-provider", "together",
            "--requests", "100000", "--prompt-tokens", "1739", "--ft-prompt-tokens", "142", "--output-tokens", "120",
            "--training-tokens", "146130", "--examples", "400", "--today", TODAY, "--format", "json",
        )  # fmt: skip
        assert result.code == 0, result.err
        assert "together:llama-3.1-8b-instruct" in result.out and "0.48" in result.out

    def test_the_ledger_keeps_no_request_secret(self, advisor, together_api, isolated_jobs) -> None:
        assert advisor(*launch()).code == 0
        with sqlite3.connect(isolated_jobs / "ledger.sqlite3") as db:
            (request,) = db.execute("SELECT request FROM runs").fetchone()
        assert json.loads(request)["settings"] == {} and "key" not in request.lower()
