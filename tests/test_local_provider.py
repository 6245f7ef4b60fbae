"""The `local` provider (own GPUs, TRL + accelerate) through the CLI: `advisor launch --provider local` and
`advisor jobs ...`.

CI has no GPU and cannot download models, so the trainer command is tests/local_trainer.py, a stand-in
for `trl` (ADVISOR_LOCAL_TRAINER) that checks the configs and data advisor wrote and behaves like the
trainer. Everything else is real: the run folder, the detached process in its own process group, the
ledger, reading trainer_state.json and the log, cancelling the process group, a process that dies.
The real tiny TRL runs are tests/test_local_training.py (`make test-local-training`).
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from advisor.providers.ledger import Ledger

from .conftest import EXAMPLES
from .helpers import kill_run_processes

TRAIN = EXAMPLES / "invoice-extraction" / "train.jsonl"
STUB = Path(__file__).with_name("local_trainer.py")
TODAY = "2026-12-05"


@pytest.fixture(autouse=True)
def local(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Run folders in tmp_path, the stand-in trainer, and every process group a test started stopped."""
    runs = tmp_path / "runs"
    monkeypatch.setenv("ADVISOR_LOCAL_RUNS", str(runs))
    monkeypatch.setenv("ADVISOR_LOCAL_TRAINER", f"{sys.executable} {STUB}")
    for name in ("LOCAL_TRAINER_MODE", "LOCAL_TRAINER_STEPS", "LOCAL_TRAINER_DELAY"):
        monkeypatch.delenv(name, raising=False)
    yield runs
    kill_run_processes(runs)


def launch(*extra: str, method: str = "sft", model: str = "llama-3.1-8b-instruct", training: Path = TRAIN) -> list:
    return [
        "launch", "--provider", "local", "--method", method, "--model", model,
        "--training-file", str(training), "--today", TODAY, "--yes", *extra,
    ]  # fmt: skip


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


def only_run():
    ledger = Ledger()
    try:
        (run,) = ledger.runs()
        return run
    finally:
        ledger.close()


def show(advisor, job_id: str) -> dict:
    result = advisor("jobs", "show", job_id, "--format", "json")
    assert result.code == 0, result.err
    return json.loads(result.out)


def wait_for(advisor, job_id: str, *statuses: str, timeout: float = 20) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        shown = show(advisor, job_id)
        if shown["job"]["provider_status"] in statuses:
            return shown
        assert time.monotonic() < deadline, f"{job_id} stayed {shown['job']['provider_status']}"
        time.sleep(0.05)


def group_gone(pid: int) -> bool:
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)
    try:
        os.killpg(pid, 0)
    except ProcessLookupError:
        return True
    return False


def launched(advisor, *args: str) -> str:
    result = advisor(*args)
    assert result.code == 0, result.out + result.err
    job_id = only_run().job_id
    assert job_id and f"Launched job {job_id}" in result.out
    return job_id


RFT_ROWS = [
    {
        "messages": [{"role": "user", "content": f"What is {i} + {i}? Answer with the number only."}],
        "answer": str(2 * i),
    }
    for i in range(15)
]
EXACT = {
    "type": "string_check",
    "name": "exact",
    "operation": "eq",
    "input": "{{ sample.output_text }}",
    "reference": "{{ item.answer }}",
}


def rft_args(tmp_path: Path, grader: dict, *extra: str) -> list:
    (tmp_path / "grader.json").write_text(json.dumps(grader))
    return launch(
        "--validation-file", str(write_jsonl(tmp_path / "valid.jsonl", RFT_ROWS[12:])),
        "--grader", str(tmp_path / "grader.json"), *extra,
        method="rft", training=write_jsonl(tmp_path / "train.jsonl", RFT_ROWS[:12]),
    )  # fmt: skip


class TestDryRun:
    def test_one_gpu_prints_the_configs_and_the_command_and_starts_nothing(self, advisor, local) -> None:
        result = advisor(*launch("--dry-run"))
        assert result.code == 0, result.err
        out = result.out
        assert 'model_name_or_path: "meta-llama/Llama-3.1-8B-Instruct"' in out  # the row's Hugging Face id
        assert "use_peft: true" in out and 'lora_target_modules: "all-linear"' in out
        assert "num_train_epochs: 3" in out  # auto: the cookbook rule for 400 examples
        assert "accelerate.yaml" in out and 'distributed_type: "NO"' in out and "num_processes: 1" in out
        assert f"{STUB} sft --config" in out and "--accelerate_config" in out
        assert "0.01 GPU-hours at $3.99 (H100)" in out  # RunPod Secure Cloud, the default supplier
        assert not local.exists() and Ledger().runs() == []

    def test_two_nodes_of_eight_gpus_give_a_config_and_command_per_node(self, advisor) -> None:
        result = advisor(*launch("--gpus", "8", "--nodes", "2", "--set", "main_process_ip=10.1.2.3",
                                 "--set", "main_process_port=6000", "--dry-run"))  # fmt: skip
        assert result.code == 0, result.err
        node0 = result.out[result.out.index("accelerate-node0.yaml") : result.out.index("accelerate-node1.yaml")]
        node1 = result.out[result.out.index("accelerate-node1.yaml") : result.out.index("commands, one per node")]
        for rank, config in enumerate((node0, node1)):
            assert f"machine_rank: {rank}\n" in config
            assert "num_machines: 2\n" in config and "num_processes: 16\n" in config
            assert 'main_process_ip: "10.1.2.3"' in config and "main_process_port: 6000" in config
            assert 'distributed_type: "MULTI_GPU"' in config
        assert "2 nodes x 8 GPUs = 16 processes" in result.out
        commands = [line for line in result.out.splitlines() if line.startswith("  node ")]
        assert len(commands) == 2
        assert commands[0].startswith("  node 0, machine_rank 0 (main process, 10.1.2.3:6000): cd ")
        assert commands[1].startswith("  node 1, machine_rank 1: cd ")
        for rank, command in enumerate(commands):
            assert f"{STUB} sft --config" in command and command.endswith(f"accelerate-node{rank}.yaml'")

    @pytest.mark.parametrize(
        ("distributed", "expected"),
        [("zero2", ["DEEPSPEED", "zero_stage: 2"]), ("zero3", ["DEEPSPEED", "zero_stage: 3"]), ("fsdp", ["FSDP"])],
    )
    def test_deepspeed_or_fsdp(self, advisor, distributed: str, expected: list[str]) -> None:
        result = advisor(*launch("--gpus", "4", "--set", f"distributed={distributed}", "--dry-run"))
        assert result.code == 0, result.err
        assert "num_processes: 4" in result.out and all(text in result.out for text in expected)

    def test_several_nodes_need_the_address_of_node_0(self, advisor) -> None:
        result = advisor(*launch("--nodes", "2", "--dry-run"))
        assert result.code == 1
        assert "2 nodes need the address of node 0: --set main_process_ip=ADDRESS" in result.err

    def test_a_setting_that_is_not_a_number_is_named(self, advisor) -> None:
        result = advisor(*launch("--set", "batch_size=lots", "--dry-run"))
        assert result.code == 1 and "--set batch_size=lots: must be a whole number" in result.err

    def test_a_model_folder_that_does_not_exist_is_refused(self, advisor, tmp_path) -> None:
        result = advisor(*launch("--set", "price_as=open-8b", "--dry-run", model=str(tmp_path / "nowhere")))
        assert result.code == 1 and "no such folder" in result.err


class TestModelsTheTableDoesNotList:
    def test_a_local_folder_is_priced_as_the_bracket_the_user_names(self, advisor, tmp_path) -> None:
        folder = tmp_path / "my-model"
        folder.mkdir()
        (folder / "config.json").write_text("{}")
        job_id = launched(advisor, *launch("--set", "price_as=open-8b", model=str(folder)))
        assert f'model_name_or_path: "{folder}"' in (Path(only_run().details["run_dir"]) / "train.yaml").read_text()
        shown = wait_for(advisor, job_id, "succeeded")
        assert shown["cost"]["price_row"] == "local gpus.H100"  # the actual cost is priced as open-8b too
        assert shown["cost"]["estimate_usd"] > 0

    def test_a_qlora_job_is_priced_on_the_gpu_its_speed_was_measured_on(self, advisor) -> None:
        result = advisor(*launch("--training-type", "qlora", "--dry-run"))
        assert result.code == 0, result.err
        assert "$0.74 (RTX-4090)" in result.out  # torchtune's 2,413 tokens/s was measured on one RTX 4090
        job_id = launched(advisor, *launch("--training-type", "qlora"))
        assert wait_for(advisor, job_id, "succeeded")["cost"]["price_row"] == "local gpus.RTX-4090"

    @pytest.mark.parametrize(
        ("model", "row", "why"),
        [
            ("Qwen/Qwen3-8B", "open-8b", "the 8B bracket for 8B parameters: 8B read from the id"),
            ("Qwen/Qwen2.5-0.5B-Instruct", "open-8b", "the 8B bracket for 0.5B parameters: 0.5B read from the id"),
            ("someone/new-model-13b", "open-70b", "the 70B bracket for 13B parameters: 13b read from the id"),
            ("meta-llama/Llama-2-70b-hf", "open-70b", "the 70B bracket for 70B parameters: 70b read from the id"),
        ],
    )
    def test_any_hugging_face_id_is_priced_as_the_bracket_of_its_size(self, advisor, model, row, why) -> None:
        """Its cost only depends on its size: the bracket at or above it prices it, and the plan says so."""
        result = advisor(*launch("--dry-run", model=model))
        assert result.code == 0, result.err
        assert f"note: {model} is priced as local:{row} ({why})" in result.out
        assert f"settings        price_as={row}" in result.out  # kept, so the actual cost is priced the same way
        assert f"model: {model}" in result.out  # sent as written
        bracket = advisor(*launch("--dry-run", "--set", f"price_as={row}", model=model))
        assert _estimate_line(result.out) == _estimate_line(bracket.out)  # the same figure as naming the bracket

    def test_a_mixture_of_experts_counts_every_experts_parameters(self, advisor) -> None:
        result = advisor(*launch("--dry-run", model="mistralai/Mixtral-8x7B-Instruct-v0.1"))
        assert result.code == 0, result.err
        assert "priced as local:open-70b (the 70B bracket for 56B parameters: 8x7B read from the id as 56B" in (
            result.out
        )
        assert "the true total is lower" in result.out

    def test_params_b_gives_the_size_an_id_does_not_say(self, advisor) -> None:
        result = advisor(*launch("--dry-run", "--set", "params_b=14", model="microsoft/phi-4"))
        assert result.code == 0, result.err
        assert "priced as local:open-70b (the 70B bracket for 14B parameters: size from --set params_b)" in result.out
        small = advisor(*launch("--dry-run", "--set", "params_b=3.8", model="microsoft/phi-4"))
        assert "priced as local:open-8b (the 8B bracket for 3.8B parameters" in small.out

    def test_a_size_that_cannot_be_told_asks_for_params_b_in_one_line(self, advisor) -> None:
        result = advisor(*launch("--dry-run", model="microsoft/phi-4"))
        assert result.code == 2 and len(result.err.strip().splitlines()) == 1
        assert "its size cannot be read from the id" in result.err and "--set params_b=N" in result.err
        for given in ("lots", "0", "-8"):
            bad = advisor(*launch("--dry-run", "--set", f"params_b={given}", model="microsoft/phi-4"))
            assert bad.code == 2 and f"--set params_b={given}: must be a number of billions" in bad.err

    def test_a_model_larger_than_every_bracket_is_refused(self, advisor) -> None:
        result = advisor(*launch("--dry-run", model="Qwen/Qwen3-235B-A22B"))
        assert result.code == 2 and len(result.err.strip().splitlines()) == 1
        assert "235B parameters, more than the largest size bracket of the own-GPU table (open-70b)" in result.err

    def test_an_id_with_two_sizes_is_not_guessed(self, advisor) -> None:
        result = advisor(*launch("--dry-run", model="someone/merge-8b-70b"))
        assert result.code == 2 and "names several sizes (8B, 70B)" in result.err and "params_b" in result.err

    def test_the_estimate_prices_a_hugging_face_id_as_its_bracket_and_says_so(self, advisor) -> None:
        flags = ["estimate", "--model", "gpt-4.1", "--ft-provider", "local", "--requests", "1M"]
        flags += ["--prompt-tokens", "1000", "--training-tokens", "1000000", "--examples", "500", "--today", TODAY]
        sized = advisor(*flags, "--ft-model", "Qwen/Qwen3-8B", "--format", "json")
        assert sized.code == 0, sized.err
        assert "note: Qwen/Qwen3-8B is priced as local:open-8b (the 8B bracket for 8B parameters" in sized.err
        named = advisor(*flags, "--ft-model", "open-8b", "--format", "json")
        assert json.loads(sized.out) == json.loads(named.out)  # the very estimate of the bracket it names
        unknown = advisor(*flags, "--ft-model", "microsoft/phi-4")
        assert unknown.code == 2 and len(unknown.err.strip().splitlines()) == 1
        assert "its size cannot be read from the id; price it as a row of its size: --ft-model ROW" in unknown.err

    def test_a_launched_hugging_face_id_is_priced_after_the_run_as_before(self, advisor) -> None:
        job_id = launched(advisor, *launch(model="Qwen/Qwen3-8B"))
        assert 'model_name_or_path: "Qwen/Qwen3-8B"' in (Path(only_run().details["run_dir"]) / "train.yaml").read_text()
        shown = wait_for(advisor, job_id, "succeeded")
        assert shown["cost"]["price_row"] == "local gpus.H100"  # open-8b's GPU, as estimated


def _estimate_line(out: str) -> str:
    return next(line for line in out.splitlines() if line.strip().startswith("estimated cost"))


class TestRunning:
    def test_an_sft_job_runs_detached_and_ends_with_its_adapter(self, advisor, local) -> None:
        job_id = launched(advisor, *launch())
        run = only_run()
        details = run.details
        assert details["pid"] and details["host"] and details["command"].startswith("cd ")
        assert details["output_dir"].endswith("/output") and details["log"].endswith("/train.log")
        assert os.getpgid(details["pid"]) == details["pid"]  # its own process group
        converted = (local / run.run_id / "data" / "train.jsonl").read_text().splitlines()
        assert len(converted) == 400 and set(json.loads(converted[0])) == {"messages"}
        watched = advisor("jobs", "watch", job_id, "--every", "0.05")
        assert watched.code == 0, watched.err
        assert f"{job_id} succeeded" in watched.out
        assert f"fine-tuned model  {details['output_dir']}" in watched.out
        assert "progress          step 3/3, epoch 1.00, loss 0.6667" in watched.out
        assert "GPU-hours (wall-clock x GPUs) x $3.99 (gpus.H100) = $" in watched.out
        assert "estimated $0.05 = 0.01 GPU-hours" in watched.out
        assert (Path(details["output_dir"]) / "adapter_config.json").exists()
        ledger_run = only_run()
        assert ledger_run.status == "succeeded" and ledger_run.fine_tuned_model == details["output_dir"]
        assert float(ledger_run.details["gpu_hours"]) > 0

    def test_show_reads_the_trainer_state_and_events_list_the_steps(self, advisor) -> None:
        job_id = launched(advisor, *launch())
        wait_for(advisor, job_id, "succeeded")
        result = advisor("jobs", "show", job_id)
        assert "progress        step 3/3, epoch 1.00, loss 0.6667" in result.out
        assert "pid             " in result.out and "command         cd " in result.out
        events = advisor("jobs", "events", job_id)
        assert "step 1: loss 2.0" in events.out and "step 3: loss 0.6667" in events.out

    def test_a_dpo_job_gets_prompt_chosen_rejected(self, advisor, tmp_path) -> None:
        rows = [
            {
                "input": {"messages": [{"role": "user", "content": f"Say hello number {i}"}]},
                "preferred_output": [{"role": "assistant", "content": f"Hello {i}!"}],
                "non_preferred_output": [{"role": "assistant", "content": "No."}],
            }
            for i in range(12)
        ]
        job_id = launched(advisor, *launch(method="dpo", training=write_jsonl(tmp_path / "pairs.jsonl", rows)))
        shown = wait_for(advisor, job_id, "succeeded", "failed")
        assert shown["job"]["status"] == "succeeded", shown["job"]["error"]  # the stand-in checked the shape
        config = (Path(only_run().details["run_dir"]) / "train.yaml").read_text()
        assert "learning_rate: 5.0e-06" in config  # YAML 1.1 reads 5e-06 as text

    def test_an_rft_job_is_grpo_scored_by_the_grader(self, advisor, tmp_path) -> None:
        args = rft_args(tmp_path, EXACT, "--set", "max_completion_length=64", "--set", "batch_size=8")
        result = advisor(*args)
        assert result.code == 0, result.err
        # GRPO's generation priced apart from its training: 12 prompts x 8 epochs x 8 generations x 64 tokens
        assert "generation: 49,152 completion tokens / 4,132.37 tokens a second per GPU" in result.out
        assert "(A100-80GB)" in result.out and "training: " in result.out
        run = only_run()
        shown = wait_for(advisor, run.job_id, "succeeded", "failed")
        assert shown["job"]["status"] == "succeeded", shown["job"]["error"]
        log = Path(run.details["log"]).read_text()
        assert "reward of the reference answer 1.0, of a wrong one 0.0" in log  # the real grader, in the run folder
        assert "grpo --config" in run.details["command"]
        assert "reward 0.500" in advisor("jobs", "show", run.job_id).out

    def test_a_python_grader_runs_too(self, advisor, tmp_path) -> None:
        grader = {
            "type": "python",
            "name": "regex",
            "source": "import re\ndef grade(sample, item):\n"
            "    return 1.0 if re.fullmatch(r'\\s*' + item['answer'] + r'\\s*', sample['output_text']) else 0.0\n",
        }
        args = rft_args(tmp_path, grader, "--set", "max_completion_length=32")
        assert advisor(*args).code == 0
        run = only_run()
        wait_for(advisor, run.job_id, "succeeded")
        assert "reward of the reference answer 1.0, of a wrong one 0.0" in Path(run.details["log"]).read_text()

    def test_rft_needs_a_completion_length_and_a_grader_it_can_run(self, advisor, tmp_path) -> None:
        judge = {"type": "score_model", "name": "judge", "model": "gpt-4.1", "input": []}
        result = advisor(*rft_args(tmp_path, judge))
        assert result.code == 1
        assert "needs --set max_completion_length=N" in result.err
        assert "a score_model grader needs a judge model" in result.err

    def test_rft_generates_with_vllm_when_asked_and_says_so_when_not(self, advisor, tmp_path) -> None:
        plain = advisor(*rft_args(tmp_path, EXACT, "--set", "max_completion_length=64", "--dry-run"))
        assert plain.code == 0, plain.err
        assert "use_vllm" not in plain.out  # TRL's default: transformers' generate(), slower than the estimate
        assert "generation: TRL's default, transformers' generate()" in plain.out and "--set vllm=colocate" in plain.out
        args = rft_args(tmp_path, EXACT, "--set", "max_completion_length=64", "--set", "vllm=colocate", "--dry-run")
        with_vllm = advisor(*args)
        assert with_vllm.code == 0, with_vllm.err
        assert "use_vllm: true" in with_vllm.out and 'vllm_mode: "colocate"' in with_vllm.out
        assert "generation: TRL's default" not in with_vllm.out

    def test_vllm_is_an_rft_setting_on_gpus(self, advisor, tmp_path) -> None:
        sft = advisor(*launch("--set", "vllm=colocate", "--dry-run"))
        assert sft.code == 1 and "vllm are RFT (GRPO) settings" in sft.err
        args = rft_args(tmp_path, EXACT, "--set", "max_completion_length=64", "--set", "vllm=fast", "--dry-run")
        assert "vllm 'fast': use one of colocate, server" in advisor(*args).err


class TestWhenThingsGoWrong:
    def test_cancel_stops_the_process_group(self, advisor, monkeypatch) -> None:
        monkeypatch.setenv("LOCAL_TRAINER_MODE", "hang")
        job_id = launched(advisor, *launch())
        wait_for(advisor, job_id, "training")
        pid = only_run().details["pid"]
        result = advisor("jobs", "cancel", job_id, "--yes")
        assert result.code == 0, result.err
        assert f"{job_id}: cancelled" in result.out
        assert group_gone(pid)
        assert only_run().status == "cancelled"

    def test_a_process_that_dies_is_failed_with_the_end_of_its_log(self, advisor, monkeypatch) -> None:
        monkeypatch.setenv("LOCAL_TRAINER_MODE", "die")
        job_id = launched(advisor, *launch())
        shown = wait_for(advisor, job_id, "died")
        assert shown["job"]["status"] == "failed"
        assert "ended without finishing" in shown["job"]["error"]
        assert "{'loss': 2.0" in shown["job"]["error"]  # the log's last lines
        assert only_run().status == "failed"

    def test_a_trainer_that_fails_is_failed_with_its_error(self, advisor, monkeypatch) -> None:
        monkeypatch.setenv("LOCAL_TRAINER_MODE", "fail")
        job_id = launched(advisor, *launch())
        shown = wait_for(advisor, job_id, "failed")
        assert "the trainer exited with code 1" in shown["job"]["error"]
        assert "CUDA out of memory" in shown["job"]["error"]

    def test_without_trl_the_launch_says_how_to_install_it(self, advisor, monkeypatch, tmp_path) -> None:
        monkeypatch.delenv("ADVISOR_LOCAL_TRAINER")
        monkeypatch.setenv("PATH", str(tmp_path))
        result = advisor(*launch())
        assert result.code == 1
        assert "TRL is not installed where advisor runs" in result.err and "advisor-local[train]" in result.err
        assert only_run().state == "failed"

    def test_the_same_launch_is_not_started_twice(self, advisor) -> None:
        job_id = launched(advisor, *launch())
        again = advisor(*launch())
        assert again.code == 2 and f"this launch was already made: run {only_run().run_id}, job {job_id}" in again.err


class TestLedgerDetails:
    OLD_SCHEMA = """
    CREATE TABLE runs (run_id TEXT PRIMARY KEY, provider TEXT NOT NULL, method TEXT NOT NULL,
        model TEXT NOT NULL, fingerprint TEXT NOT NULL, request TEXT NOT NULL, estimate_usd TEXT,
        state TEXT NOT NULL, training_file_id TEXT, validation_file_id TEXT, job_id TEXT UNIQUE, status TEXT,
        provider_status TEXT, fine_tuned_model TEXT, trained_tokens INTEGER, error TEXT,
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
    CREATE TABLE history (run_id TEXT NOT NULL, at TEXT NOT NULL, what TEXT NOT NULL);
    INSERT INTO runs VALUES ('adv-old', 'openai', 'sft', 'gpt-4.1-mini', 'f', '{}', '1.00', 'created', 'file-1',
        NULL, 'ftjob-1', 'succeeded', 'succeeded', 'ft:x', 100, NULL, '2026-01-01', '2026-01-01');
    """

    def test_a_ledger_written_before_details_opens_and_gains_them(self, tmp_path) -> None:
        path = tmp_path / "ledger.sqlite3"
        with sqlite3.connect(path) as db:
            db.executescript(self.OLD_SCHEMA)
        ledger = Ledger(path)
        run = ledger.get("ftjob-1")
        assert run is not None and run.details == {} and run.trained_tokens == 100
        assert ledger.merge_details("adv-old", {"host": "gpu-1", "pid": 42})
        assert ledger.merge_details("adv-old", {"pid": 43})
        assert not ledger.merge_details("adv-old", {"pid": 43})  # nothing changed
        assert ledger.get("adv-old").details == {"host": "gpu-1", "pid": 43}
        ledger.close()
        assert Ledger(path).get("adv-old").details == {"host": "gpu-1", "pid": 43}  # opened again: no second ALTER


class TestTrainerState:
    def test_a_reward_of_0_is_shown_and_the_summary_loss_comes_from_the_log(self, tmp_path) -> None:
        from advisor_local.progress import read_progress

        checkpoint = tmp_path / "output" / "checkpoint-4"
        checkpoint.mkdir(parents=True)
        history = [{"loss": 0.5, "reward": 0.0, "step": 4, "epoch": 1.0}]
        state = {"global_step": 4, "max_steps": 4, "epoch": 1.0, "log_history": history}
        (checkpoint / "trainer_state.json").write_text(json.dumps(state))
        log = tmp_path / "train.log"
        log.write_text("100%|##| 4/4\r{'loss': '0.7', 'reward': '0.25', 'epoch': '0.5'}\n")
        assert read_progress(tmp_path / "output", log).line() == "step 4/4, epoch 1.00, loss 0.5000, reward 0.000"
        # logged after the last checkpoint, with nothing logged before it (logging_steps > steps)
        (checkpoint / "trainer_state.json").write_text(json.dumps({**state, "log_history": []}))
        log.write_text("{'train_runtime': '0.58', 'train_loss': '1.25', 'epoch': '1'}\n")
        assert read_progress(tmp_path / "output", log).line() == "step 4/4, epoch 1.00, loss 1.2500"
