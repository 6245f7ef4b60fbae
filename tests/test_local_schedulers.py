"""Own GPUs beyond one machine: `advisor launch --provider local --scheduler slurm|skypilot` and `advisor jobs`.

The scheduler's programs are stand-ins (tests/scheduler_standins.py) put first on PATH: they record their
arguments and answer as `sbatch --parsable`, `squeue`, `sacct`, `scancel` and `sky jobs launch/queue/cancel`
do, with faults chosen by $SCHED_FAULT. Everything of advisor is real: the work folder and its files, the
ledger, the submit and its recovery by name, reading states, cancelling. The sbatch script is checked with
`bash -n` and the task YAML with PyYAML.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from advisor.providers.ledger import Ledger

from .conftest import EXAMPLES

TRAIN = EXAMPLES / "invoice-extraction" / "train.jsonl"
STANDINS = Path(__file__).with_name("scheduler_standins.py")
PROGRAMS = ("sbatch", "squeue", "sacct", "scancel", "sky")
TODAY = "2026-12-05"


@pytest.fixture(autouse=True)
def cluster(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The stand-in programs first on PATH, a shared folder for Slurm, and local run folders in tmp_path."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for program in PROGRAMS:
        path = bin_dir / program
        path.write_text(f'#!/bin/sh\nexec {sys.executable} {STANDINS} {program} "$@"\n')
        path.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("SCHED_STATE", str(tmp_path / "scheduler.json"))
    monkeypatch.setenv("SCHED_CALLS", str(tmp_path / "calls.jsonl"))
    monkeypatch.setenv("ADVISOR_LOCAL_RUNS", str(tmp_path / "runs"))
    for name in ("SCHED_FAULT", "SCHED_HOLD"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "shared").mkdir()
    return tmp_path


def calls(cluster: Path, program: str | None = None) -> list[list[str]]:
    path = cluster / "calls.jsonl"
    found = [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []
    return [call for call in found if program is None or call[0] == program]


def slurm(cluster: Path, *extra: str, nodes: int = 2) -> list[str]:
    return [
        "launch", "--provider", "local", "--method", "sft", "--model", "meta-llama/Llama-3.1-8B-Instruct",
        "--training-file", str(TRAIN), "--today", TODAY, "--yes", "--scheduler", "slurm",
        "--gpus", "8", "--nodes", str(nodes), "--set", f"run_dir={cluster / 'shared'}", *extra,
    ]  # fmt: skip


def skypilot(*extra: str) -> list[str]:
    return [
        "launch", "--provider", "local", "--method", "sft", "--model", "meta-llama/Llama-3.1-8B-Instruct",
        "--training-file", str(TRAIN), "--today", TODAY, "--yes", "--scheduler", "skypilot",
        "--gpus", "8", "--nodes", "2", "--set", "bucket=s3://team-bucket/advisor", *extra,
    ]  # fmt: skip


def runs() -> list:
    ledger = Ledger()
    try:
        return ledger.runs()
    finally:
        ledger.close()


def shown(advisor, job_id: str) -> dict:
    result = advisor("jobs", "show", job_id, "--format", "json")
    assert result.code == 0, result.err
    return json.loads(result.out)


def block(out: str, name: str) -> str:
    """The file `name` as the dry run prints it (from its `--- path` line to the next blank line)."""
    start = next(i for i, line in enumerate(out.splitlines()) if line.startswith("--- ") and line.endswith(name))
    lines = out.splitlines()[start + 1 :]
    return "\n".join(lines[: lines.index("")]) + "\n"


def bash_n(text: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "checked.sbatch"
    script.write_text(text)
    return subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)


def one_line(err: str) -> str:
    lines = [line for line in err.strip().splitlines() if line.strip()]
    assert len(lines) == 1, err
    return lines[0]


class TestDryRun:
    def test_slurm_two_nodes_of_eight_gpus(self, advisor, cluster, monkeypatch) -> None:
        monkeypatch.setenv("PATH", "/usr/bin:/bin")  # no sbatch: a dry run needs none
        result = advisor(*slurm(cluster, "--set", "partition=gpu", "--set", "account=ml", "--set",
                                "time_limit=24:00:00", "--set", "cpus=32", "--dry-run"))  # fmt: skip
        assert result.code == 0, result.err
        script = block(result.out, "job.sbatch")
        for directive in ("--nodes=2", "--ntasks-per-node=1", "--gpus-per-node=8", "--partition=gpu", "--account=ml",
                          "--time=24:00:00", "--cpus-per-task=32", "--job-name="):  # fmt: skip
            assert f"#SBATCH {directive}" in script
        assert "--num_processes 16" in script and "--num_machines 2" in script
        assert '--machine_rank "$SLURM_NODEID"' in script and '--main_process_ip "$HEAD_NODE"' in script
        assert 'scontrol show hostnames "$SLURM_JOB_NODELIST" | head -n1' in script
        assert "-m trl.scripts.sft --config" in script
        assert bash_n(script, cluster).returncode == 0
        assert "sbatch --parsable" in result.out and f"{cluster / 'shared'}/" in result.out
        accelerate = block(result.out, "accelerate.yaml")
        assert "num_processes: 16" in accelerate and "main_process_ip" not in accelerate  # from Slurm, per node
        assert calls(cluster) == [] and runs() == []

    def test_skypilot_two_nodes_of_eight_h100s_on_spot(self, advisor, cluster, monkeypatch) -> None:
        monkeypatch.setenv("PATH", "/usr/bin:/bin")  # no sky
        result = advisor(*skypilot("--set", "spot=true", "--dry-run"))
        assert result.code == 0, result.err
        assert "num_nodes: 2" in result.out and "H100:8" in result.out
        task = yaml.safe_load(block(result.out, "task.yaml"))
        assert task["num_nodes"] == 2 and task["resources"] == {"accelerators": "H100:8", "use_spot": True}
        assert task["file_mounts"]["/advisor-output"] == {"source": "s3://team-bucket/advisor", "mode": "MOUNT"}
        assert "/advisor-run" in task["file_mounts"]
        assert 'pip install "advisor-local[train]"' in task["setup"]
        assert '--machine_rank "$SKYPILOT_NODE_RANK"' in task["run"] and "$SKYPILOT_NODE_IPS" in task["run"]
        assert "--num_processes 16" in task["run"]
        assert bash_n(task["run"], cluster).returncode == 0
        train = yaml.safe_load(block(result.out, "train.yaml"))
        assert train["dataset_name"] == "/advisor-run/data" and train["output_dir"].startswith("/advisor-output/")
        assert "sky jobs launch --yes --detach-run --name" in result.out and "pre-emptible" in result.out
        assert calls(cluster) == []

    def test_another_gpu_is_asked_for_by_name(self, advisor) -> None:
        result = advisor(*skypilot("--set", "accelerator=A100-80GB", "--dry-run"))
        assert result.code == 0, result.err
        assert 'accelerators: "A100-80GB:8"' in result.out

    @pytest.mark.parametrize(
        ("extra", "message"),
        [
            (["--set", "run_dir=/no/such/folder"], "--set run_dir=/no/such/folder: no such folder"),
            (["--set", "time_limit=a day"], "--set time_limit=a day: Slurm's format"),
            (["--set", "partition=gpu;rm"], "--set partition=gpu;rm: letters, digits"),
            (["--set", "bucket=s3://b"], "bucket: settings of --scheduler skypilot, not of --scheduler slurm"),
            (["--set", "main_process_ip=10.0.0.1"], "gives node 0's address itself: drop main_process_ip"),
        ],
    )
    def test_slurm_settings_that_cannot_work_are_refused(self, advisor, cluster, extra, message) -> None:
        result = advisor(*slurm(cluster, *extra, "--dry-run"))
        assert result.code == 1 and message in result.err

    def test_slurm_needs_the_shared_folder(self, advisor) -> None:
        result = advisor("launch", "--provider", "local", "--method", "sft", "--model", "llama-3.1-8b-instruct",
                         "--training-file", str(TRAIN), "--today", TODAY,
                         "--scheduler", "slurm", "--dry-run")  # fmt: skip
        assert result.code == 1 and "--scheduler slurm needs the shared folder every node sees" in result.err

    def test_skypilot_needs_a_bucket_for_the_output(self, advisor) -> None:
        result = advisor(*skypilot("--dry-run")[:-3], "--dry-run")
        assert result.code == 1 and "--scheduler skypilot needs a bucket for the output" in result.err

    def test_an_unknown_scheduler_and_a_provider_without_one(self, advisor, cluster) -> None:
        result = advisor(*[arg if arg != "slurm" else "kubernetes" for arg in slurm(cluster, "--dry-run")])
        assert result.code == 1 and "scheduler 'kubernetes': use one of slurm, skypilot" in result.err
        other = advisor("launch", "--provider", "openai", "--method", "sft", "--model", "gpt-4.1-mini",
                        "--training-file", str(TRAIN), "--today", TODAY,
                        "--scheduler", "slurm", "--dry-run")  # fmt: skip
        assert other.code != 0
        assert "--scheduler slurm: openai runs its jobs itself and takes no scheduler" in one_line(other.err)

    def test_spot_is_a_clouds_not_a_machine_of_ones_own(self, advisor) -> None:
        result = advisor("launch", "--provider", "local", "--method", "sft", "--model", "llama-3.1-8b-instruct",
                         "--training-file", str(TRAIN), "--today", TODAY,
                         "--set", "spot=true", "--dry-run")  # fmt: skip
        assert result.code == 1 and "spot: settings of --scheduler skypilot" in result.err


class TestSlurm:
    def test_launch_watch_to_completion(self, advisor, cluster) -> None:
        result = advisor(*slurm(cluster))
        assert result.code == 0, result.out + result.err
        (run,) = runs()
        assert run.job_id and run.details["slurm_job_id"] == "4100" and run.details["scheduler"] == "slurm"
        work = cluster / "shared" / run.run_id
        (submitted,) = calls(cluster, "sbatch")
        assert submitted == ["sbatch", "--parsable", str(work / "job.sbatch")]
        script = (work / "job.sbatch").read_text()
        assert f"#SBATCH --job-name={run.run_id}" in script and bash_n(script, cluster).returncode == 0
        assert (work / "data" / "train.jsonl").is_file() and (work / "train.yaml").is_file()
        assert f'output_dir: "{work / "output"}"' in (work / "train.yaml").read_text()
        (work / "output").mkdir()
        (work / "output" / "adapter_config.json").write_text("{}")  # what the trainer leaves
        watched = advisor("jobs", "watch", run.job_id, "--every", "0.01")
        assert watched.code == 0, watched.err
        job = shown(advisor, run.job_id)
        assert job["job"]["provider_status"] == "succeeded" and job["job"]["fine_tuned_model"] == str(work / "output")
        assert job["cost"]["gpu_hours"] == 16  # sacct's 3,600 s x 8 GPUs x 2 nodes
        assert ["squeue", "--noheader", "--jobs=4100", "--format=%T"] in calls(cluster, "squeue")
        assert any(call[:2] == ["sacct", "--noheader"] and "--jobs=4100" in call for call in calls(cluster))
        assert len(calls(cluster, "sbatch")) == 1 and len(runs()) == 1
        text = advisor("jobs", "show", run.job_id).out
        assert "Slurm job       4100" in text and "its state       COMPLETED" in text
        assert f"submitted with  sbatch --parsable {work / 'job.sbatch'}" in text

    def test_cancel_and_cancel_again(self, advisor, cluster, monkeypatch) -> None:
        monkeypatch.setenv("SCHED_HOLD", "1")
        assert advisor(*slurm(cluster)).code == 0
        (run,) = runs()
        result = advisor("jobs", "cancel", run.job_id, "--yes")
        assert result.code == 0, result.err
        assert calls(cluster, "scancel") == [["scancel", "4100"]]
        assert shown(advisor, run.job_id)["job"]["provider_status"] == "cancelled"
        again = advisor("jobs", "cancel", run.job_id, "--yes")
        assert again.code != 0
        assert f"{run.job_id} already ended (cancelled): Slurm job 4100 has nothing to cancel" in again.err
        assert len(calls(cluster, "scancel")) == 1

    def test_a_job_that_ended_while_scancel_was_sent(self, advisor, cluster) -> None:
        assert advisor(*slurm(cluster)).code == 0
        (run,) = runs()
        state = json.loads((cluster / "scheduler.json").read_text())
        state["jobs"]["4100"]["polls"] = 1  # running at the first read, gone by scancel's
        (cluster / "scheduler.json").write_text(json.dumps(state))
        result = advisor("jobs", "cancel", run.job_id, "--yes")
        assert result.code != 0 and "already ended (failed)" in one_line(result.err.split("hint")[0])

    def test_sbatch_missing(self, advisor, cluster, monkeypatch) -> None:
        monkeypatch.setenv("PATH", "/usr/bin:/bin")
        result = advisor(*slurm(cluster))
        assert result.code != 0
        assert "sbatch is not installed where advisor runs (no `sbatch` on PATH)" in result.err
        (run,) = runs()
        assert run.job_id is None and run.state == "failed" and list((cluster / "shared").iterdir()) == []

    def test_a_submit_that_fails_shows_slurms_reason_in_one_line(self, advisor, cluster, monkeypatch) -> None:
        monkeypatch.setenv("SCHED_FAULT", "submit-fails")
        result = advisor(*slurm(cluster))
        assert result.code != 0
        assert "failed (exit 1): sbatch: error: Batch job submission failed: Invalid account" in result.err
        (run,) = runs()
        assert run.job_id is None and run.state == "failed"

    def test_an_id_that_cannot_be_read_is_found_by_the_job_name(self, advisor, cluster, monkeypatch) -> None:
        monkeypatch.setenv("SCHED_FAULT", "garbled-id")
        result = advisor(*slurm(cluster))
        assert result.code == 0, result.err
        assert "sbatch --parsable printed no job id ('Submitted batch job 4100')" in result.err
        (run,) = runs()
        assert run.details["slurm_job_id"] == "4100" and len(calls(cluster, "sbatch")) == 1  # submitted once
        assert ["squeue", "--noheader", f"--name={run.run_id}", "--format=%i"] in calls(cluster, "squeue")
        again = advisor(*slurm(cluster))  # the same launch: found in the ledger, not submitted again
        assert again.code != 0 and "this launch was already made" in again.err
        assert len(calls(cluster, "sbatch")) == 1 and len(runs()) == 1

    def test_a_job_found_only_later_is_recorded_once(self, advisor, cluster, monkeypatch) -> None:
        """The answer is lost and the job is not visible by its name during the launch's look-ups: the run stays
        unresolved, and `advisor jobs list` finds it later; nothing is submitted twice."""
        monkeypatch.setenv("SCHED_FAULT", "garbled-id")
        monkeypatch.setenv("SCHED_NAME_HIDDEN", "6")  # squeue and sacct, at each of the launch's 3 look-ups
        monkeypatch.setattr("advisor.providers.launch.LOOKUP_DELAYS", (0.0, 0.0, 0.0))  # no waiting between them
        result = advisor(*slurm(cluster))
        assert result.code != 0 and "may or may not have been created" in result.err
        (run,) = runs()
        assert run.state == "create-unknown" and run.job_id is None
        listed = advisor("jobs", "list")
        assert listed.code == 0, listed.err
        (run,) = runs()
        assert run.job_id and run.details["slurm_job_id"] == "4100"
        again = advisor(*slurm(cluster))
        assert again.code != 0 and "this launch was already made" in again.err
        assert len(calls(cluster, "sbatch")) == 1 and len(runs()) == 1

    def test_an_id_with_its_cluster(self, advisor, cluster, monkeypatch) -> None:
        monkeypatch.setenv("SCHED_FAULT", "cluster-id")
        assert advisor(*slurm(cluster)).code == 0
        assert runs()[0].details["slurm_job_id"] == "4100"

    def test_a_job_that_disappears(self, advisor, cluster, monkeypatch) -> None:
        assert advisor(*slurm(cluster)).code == 0
        (run,) = runs()
        monkeypatch.setenv("SCHED_FAULT", "vanish")
        watched = advisor("jobs", "watch", run.job_id, "--every", "0.01")
        job = shown(advisor, run.job_id)["job"]
        assert job["provider_status"] == "vanished" and job["status"] == "failed"
        assert (
            "Slurm job 4100 is in neither the queue (squeue) nor the past week's accounting (sacct)" in (job["error"])
        )
        assert watched.code != 0 or "vanished" in watched.out + watched.err
        assert len(runs()) == 1 and runs()[0].job_id == run.job_id  # recorded, not lost

    def test_a_cluster_without_accounting(self, advisor, cluster, monkeypatch) -> None:
        """squeue is all there is: a job that left the queue is vanished, with sacct's reason, in one line."""
        monkeypatch.setenv("SCHED_FAULT", "no-accounting")
        assert advisor(*slurm(cluster)).code == 0
        (run,) = runs()
        advisor("jobs", "watch", run.job_id, "--every", "0.01")
        job = shown(advisor, run.job_id)["job"]
        assert job["provider_status"] == "vanished"
        assert "(sacct: error: Slurm accounting storage is disabled)" in job["error"].splitlines()[0]

    def test_a_job_that_fails(self, advisor, cluster, monkeypatch) -> None:
        monkeypatch.setenv("SCHED_FAULT", "job-fails")
        assert advisor(*slurm(cluster)).code == 0
        (run,) = runs()
        advisor("jobs", "watch", run.job_id, "--every", "0.01")
        job = shown(advisor, run.job_id)["job"]
        assert job["provider_status"] == "failed" and "Slurm job 4100 ended FAILED" in job["error"]


class TestSkyPilot:
    def test_launch_watch_to_completion(self, advisor, cluster) -> None:
        result = advisor(*skypilot())
        assert result.code == 0, result.out + result.err
        (run,) = runs()
        assert run.details["skypilot_job_id"] == "1"
        local = cluster / "runs" / run.run_id
        (launched,) = [call for call in calls(cluster, "sky") if call[1:3] == ["jobs", "launch"]]
        assert launched == ["sky", "jobs", "launch", "--yes", "--detach-run", "--name", run.run_id,
                            str(local / "task.yaml")]  # fmt: skip
        task = yaml.safe_load((local / "task.yaml").read_text())
        assert task["num_nodes"] == 2 and task["resources"]["accelerators"] == "H100:8"
        assert task["file_mounts"]["/advisor-run"] == str(local) and (local / "data" / "train.jsonl").is_file()
        watched = advisor("jobs", "watch", run.job_id, "--every", "0.01")
        assert watched.code == 0, watched.err
        job = shown(advisor, run.job_id)["job"]
        assert job["provider_status"] == "succeeded"
        assert job["fine_tuned_model"] == f"s3://team-bucket/advisor/{run.run_id}"
        assert ["sky", "jobs", "queue", "--all"] in calls(cluster, "sky")

    def test_cancel_and_cancel_again(self, advisor, cluster, monkeypatch) -> None:
        monkeypatch.setenv("SCHED_HOLD", "1")
        assert advisor(*skypilot()).code == 0
        (run,) = runs()
        assert advisor("jobs", "cancel", run.job_id, "--yes").code == 0
        assert ["sky", "jobs", "cancel", "--yes", "1"] in calls(cluster, "sky")
        assert shown(advisor, run.job_id)["job"]["provider_status"] == "cancelled"
        again = advisor("jobs", "cancel", run.job_id, "--yes")
        assert again.code != 0 and "already ended (cancelled): SkyPilot job 1 has nothing to cancel" in again.err

    def test_sky_missing(self, advisor, monkeypatch) -> None:
        monkeypatch.setenv("PATH", "/usr/bin:/bin")
        result = advisor(*skypilot())
        assert result.code != 0 and "sky is not installed where advisor runs" in result.err
        assert "advisor-local[skypilot]" in result.err

    def test_a_launch_that_fails(self, advisor, cluster, monkeypatch) -> None:
        monkeypatch.setenv("SCHED_FAULT", "submit-fails")
        result = advisor(*skypilot())
        assert result.code != 0 and "ResourcesUnavailableError: Failed to acquire resources" in result.err
        assert runs()[0].state == "failed"

    def test_an_answer_without_the_id_is_found_by_name(self, advisor, cluster, monkeypatch) -> None:
        monkeypatch.setenv("SCHED_FAULT", "garbled-id")
        assert advisor(*skypilot()).code == 0
        (run,) = runs()
        assert run.details["skypilot_job_id"] == "1"
        assert len([call for call in calls(cluster, "sky") if call[1:3] == ["jobs", "launch"]]) == 1

    def test_a_job_that_disappears(self, advisor, cluster, monkeypatch) -> None:
        assert advisor(*skypilot()).code == 0
        (run,) = runs()
        monkeypatch.setenv("SCHED_FAULT", "vanish")
        advisor("jobs", "watch", run.job_id, "--every", "0.01")
        job = shown(advisor, run.job_id)["job"]
        assert job["provider_status"] == "vanished" and "SkyPilot job 1 is in neither sky jobs queue" in job["error"]


RFT_ROWS = [
    {
        "messages": [{"role": "user", "content": f"What is {i} + {i}? Answer with the number only."}],
        "answer": str(2 * i),
    }
    for i in range(15)
]
EXACT = {"type": "string_check", "name": "exact", "operation": "eq", "input": "{{ sample.output_text }}",
         "reference": "{{ item.answer }}"}  # fmt: skip


def rft(tmp_path: Path, scheduler: list[str], *extra: str) -> list[str]:
    for name, rows in (("train", RFT_ROWS[:12]), ("valid", RFT_ROWS[12:])):
        (tmp_path / f"{name}.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows))
    (tmp_path / "grader.json").write_text(json.dumps(EXACT))
    return [
        "launch", "--provider", "local", "--method", "rft", "--model", "meta-llama/Llama-3.1-8B-Instruct",
        "--training-file", str(tmp_path / "train.jsonl"), "--validation-file", str(tmp_path / "valid.jsonl"),
        "--grader", str(tmp_path / "grader.json"), "--today", TODAY, "--gpus", "8", "--nodes", "2",
        "--set", "max_completion_length=256", *scheduler, *extra, "--dry-run",
    ]  # fmt: skip


def estimate_line(out: str) -> str:
    return next(line for line in out.splitlines() if line.strip().startswith("estimated cost"))


class TestGenerationOnANodeOfItsOwn:
    """RFT (GRPO) in TRL's server mode: `trl vllm-serve` on one more node, the others training and asking it."""

    def test_slurm_runs_the_server_on_the_last_node(self, advisor, cluster) -> None:
        result = advisor(*rft(cluster, ["--scheduler", "slurm", "--set", f"run_dir={cluster / 'shared'}"],
                              "--set", "vllm=server", "--set", "generation_nodes=1"))  # fmt: skip
        assert result.code == 0, result.err
        script = block(result.out, "job.sbatch")
        assert "#SBATCH --nodes=3" in script and "#SBATCH --gpus-per-node=8" in script
        assert 'VLLM_NODE=$(scontrol show hostnames "$SLURM_JOB_NODELIST" | tail -n1)' in script
        assert "trl vllm-serve --model meta-llama/Llama-3.1-8B-Instruct --tensor_parallel_size 8 &" in script
        assert '--exclude="$VLLM_NODE"' in script and '--vllm_server_host "$VLLM_NODE"' in script
        assert "--num_machines 2 --num_processes 16" in script and "-m trl.scripts.grpo" in script
        assert bash_n(script, cluster).returncode == 0
        train = yaml.safe_load(block(result.out, "train.yaml"))
        assert train["use_vllm"] is True and train["vllm_mode"] == "server"

    def test_skypilot_asks_for_one_node_more(self, advisor, cluster) -> None:
        result = advisor(*rft(cluster, ["--scheduler", "skypilot", "--set", "bucket=s3://b/advisor"],
                              "--set", "vllm=server", "--set", "generation_nodes=1"))  # fmt: skip
        assert result.code == 0, result.err
        task = yaml.safe_load(block(result.out, "task.yaml"))
        assert task["num_nodes"] == 3 and task["resources"]["accelerators"] == "H100:8"
        assert 'if [ "$SKYPILOT_NODE_RANK" -eq 2 ]; then' in task["run"] and "vllm" in task["setup"]
        assert "training-ended" in task["run"] and bash_n(task["run"], cluster).returncode == 0

    def test_the_estimate_holds_both_groups_for_the_whole_run(self, advisor, cluster) -> None:
        slurm_args = ["--scheduler", "slurm", "--set", f"run_dir={cluster / 'shared'}", "--set", "vllm=server"]
        apart = advisor(*rft(cluster, slurm_args, "--set", "generation_nodes=1"))
        together = advisor(*rft(cluster, slurm_args))
        assert apart.code == 0 and together.code == 0, apart.err + together.err
        line = estimate_line(apart.out)
        assert "generation on 8 GPUs of its own (trl vllm-serve, a node of the job: H100 at $3.99" in line
        assert "and training on 16 take turns" in line and "of them idle" in line
        assert "on 16 GPUs:" in estimate_line(together.out)
        dollars = [Decimal(estimate_line(out).split("$")[1].split(":")[0]) for out in (apart.out, together.out)]
        assert dollars[0] > dollars[1]  # the idle GPUs are paid for

    def test_generation_nodes_go_with_the_server_mode_and_a_scheduler(self, advisor, cluster) -> None:
        result = advisor(*rft(cluster, ["--scheduler", "slurm", "--set", f"run_dir={cluster / 'shared'}"],
                              "--set", "generation_nodes=1"))  # fmt: skip
        assert result.code == 1 and "generation_nodes: a node of its own for `trl vllm-serve` goes with" in result.err
        two = advisor(*rft(cluster, ["--scheduler", "slurm", "--set", f"run_dir={cluster / 'shared'}"],
                           "--set", "vllm=server", "--set", "generation_nodes=2"))  # fmt: skip
        assert two.code == 1 and "--set generation_nodes=2: must be at most 1" in two.err


class TestCost:
    def test_several_nodes_cost_the_same_gpu_hours_and_say_the_wall_clock(self, advisor, cluster) -> None:
        one = advisor(*slurm(cluster, "--dry-run", nodes=1))
        two = advisor(*slurm(cluster, "--dry-run"))
        assert one.code == 0 and two.code == 0, one.err + two.err
        assert estimate_line(one.out).split(":")[0] == estimate_line(two.out).split(":")[0]  # the same $
        assert "on 8 GPUs: " in estimate_line(one.out)
        assert "on 16 GPUs: 3 seconds wall-clock" in estimate_line(two.out)  # 0.0129 GPU-hours / 16

    def test_spot_is_priced_at_the_spot_row_and_marked_pre_emptible(self, advisor) -> None:
        on_demand = advisor(*skypilot("--dry-run"))
        spot = advisor(*skypilot("--set", "spot=true", "--dry-run"))
        assert "at $3.99 (H100)" in estimate_line(on_demand.out)
        line = estimate_line(spot.out)
        assert "at $3.44 (H100-spot)" in line and "spot capacity: pre-emptible" in line
        assert "local gpus.H100-spot" in line

    def test_a_finished_slurm_job_is_priced_at_every_gpu_it_held(self, advisor, cluster) -> None:
        assert advisor(*slurm(cluster)).code == 0
        (run,) = runs()
        work = cluster / "shared" / run.run_id
        (work / "output").mkdir()
        (work / "output" / "adapter_config.json").write_text("{}")
        advisor("jobs", "watch", run.job_id, "--every", "0.01")
        cost = shown(advisor, run.job_id)["cost"]
        assert cost["gpu_hours"] == 16 and cost["actual_usd"] == pytest.approx(16 * 3.99)  # 1 h x 8 GPUs x 2 nodes


class TestParsers:
    @given(st.integers(min_value=1, max_value=10**9), st.sampled_from(["", ";gpu-cluster", ";c1"]),
           st.sampled_from(["", "sbatch: warning: something\n"]))  # fmt: skip
    def test_sbatch_parsable_gives_the_id(self, job_id: int, cluster_name: str, warning: str) -> None:
        from advisor_local import slurm as slurm_module

        assert slurm_module.parse_job_id(f"{warning}{job_id}{cluster_name}\n") == str(job_id)

    @given(st.text())
    def test_anything_else_is_no_id_or_digits(self, text: str) -> None:
        from advisor_local import slurm as slurm_module

        found = slurm_module.parse_job_id(text)
        assert found is None or (found.isascii() and found.isdigit())

    @given(st.integers(min_value=1, max_value=10**6), st.text(alphabet=" \n\x1b[0m-", max_size=20))
    def test_sky_managed_job_id(self, job_id: int, noise: str) -> None:
        from advisor_local import skypilot as sky_module

        assert sky_module.parse_job_id(f"{noise}\nManaged Job ID: {job_id}\n{noise}") == str(job_id)
        assert sky_module.parse_job_id(noise) is None


class TestCatalogReader:
    @given(st.text(max_size=400))
    def test_any_file_is_read_without_an_error(self, text: str) -> None:
        """A catalog file SkyPilot or a user left half-written prices nothing rather than stopping the launch."""
        import tempfile

        from advisor_local import sky_catalog

        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "v8" / "aws" / "vms.csv"
            path.parent.mkdir(parents=True)
            path.write_text(HEADER + text)
            for offer in sky_catalog.offers("H100", 8, spot=False, root=Path(folder)):
                assert offer.per_gpu_hour > 0 and offer.gpus == 8


class TestCostArithmetic:
    @given(
        st.integers(min_value=1, max_value=10**9),
        st.integers(min_value=1, max_value=10**9),
        st.integers(min_value=1, max_value=64),
        st.integers(min_value=1, max_value=16),
    )
    def test_taking_turns_bills_every_gpu_for_the_wall_clock(
        self, trained: int, generated: int, training_gpus: int, generation_gpus: int
    ) -> None:
        from advisor.costs.training import Cluster, GpuWork, _taking_turns

        training = GpuWork(work="training", tokens=trained, per_second=Decimal(9600), gpu="H100",
                           per_hour=Decimal("3.99"))  # fmt: skip
        generation = GpuWork(work="generation", tokens=generated, per_second=Decimal("4132.37"), gpu="A100-80GB",
                             per_hour=Decimal("1.79"))  # fmt: skip
        cluster_ = Cluster(training_gpus=training_gpus, generation_gpus=generation_gpus)
        (held_training, held_generation), _ = _taking_turns(training, generation, cluster_)
        wall = training.hours / training_gpus + generation.hours / generation_gpus
        assert held_training.billed_hours == wall * training_gpus
        assert held_generation.billed_hours == wall * generation_gpus
        assert held_training.billed_hours >= training.hours and held_generation.billed_hours >= generation.hours
        assert held_generation.per_hour == Decimal("3.99")  # a node of the job: the training GPU's price
        total = held_training.usd + held_generation.usd
        expected = wall * (training_gpus + generation_gpus) * Decimal("3.99")
        assert abs(total - expected) <= expected * Decimal("1e-25")  # Decimal's 28 digits, summed in two parts


class TestTheGpuAskedFor:
    def test_skypilot_asks_for_the_gpu_the_estimate_is_priced_on(self, advisor) -> None:
        args = skypilot("--dry-run")
        seventy = advisor(*[a if a != "meta-llama/Llama-3.1-8B-Instruct" else "meta-llama/Llama-3.3-70B-Instruct"
                            for a in args])  # fmt: skip
        assert seventy.code == 0, seventy.err
        assert 'accelerators: "A100-80GB:8"' in seventy.out and "(A100-80GB)" in estimate_line(seventy.out)
        eight = advisor(*args)
        assert 'accelerators: "H100:8"' in eight.out and "(H100)" in estimate_line(eight.out)


DOC = Path(__file__).parents[1] / "docs" / "providers" / "local.md"


def documented(fence: str, starts: str) -> str:
    """The block of docs/providers/local.md in a ```fence whose text starts with `starts`."""
    text = DOC.read_text()
    for part in text.split(f"```{fence}\n")[1:]:
        body = part.split("```", 1)[0]
        if body.startswith(starts):
            return body
    raise AssertionError(f"no ```{fence} block starting {starts!r} in {DOC}")


class TestTheDocsShowWhatIsWritten:
    """docs/providers/local.md shows the script and the task a launch writes, as written (its run id and folders
    put in)."""

    def test_the_slurm_script(self, advisor, cluster) -> None:
        args = slurm(cluster, "--set", "distributed=zero3", "--set", "partition=gpu", "--set", "account=ml-team",
                     "--set", "time_limit=24:00:00", "--set", "cpus=64")  # fmt: skip
        args[args.index("meta-llama/Llama-3.1-8B-Instruct")] = "meta-llama/Llama-3.3-70B-Instruct"
        assert advisor(*args).code == 0
        (run,) = runs()
        written = (cluster / "shared" / run.run_id / "job.sbatch").read_text()
        shown = documented("bash", "#!/bin/bash\n# advisor run")
        shown = shown.replace("/shared/advisor-runs", str(cluster / "shared")).replace(
            "adv-3da4afce61064e40", run.run_id
        )
        assert written == shown

    def test_the_skypilot_task(self, advisor, cluster) -> None:
        assert advisor(*skypilot("--set", "spot=true")).code == 0
        (run,) = runs()
        written = (cluster / "runs" / run.run_id / "task.yaml").read_text()
        shown = documented("yaml", "# advisor run")
        shown = shown.replace("/home/me/.local/share/advisor/local-runs", str(cluster / "runs"))
        shown = shown.replace("s3://ml-team/advisor", "s3://team-bucket/advisor").replace(
            "adv-b1ee7b7d1adf4939", run.run_id
        )
        assert written == shown


HEADER = (
    "InstanceType,AcceleratorName,AcceleratorCount,vCPUs,MemoryGiB,GpuInfo,Price,SpotPrice,Region,AvailabilityZone\n"
)
CATALOG = {  # figures made up for the test, in SkyPilot's columns (sky/catalog/common.py)
    "aws": "p5.48xlarge,H100,8.0,192.0,2048.0,,55.04,22.10,us-east-1,us-east-1a\n"
    "p5.48xlarge,H100,8.0,192.0,2048.0,,63.30,25.00,eu-west-1,eu-west-1a\n"
    "p4de.24xlarge,A100-80GB,8.0,96.0,1152.0,,27.44705,,us-east-1,us-east-1a\n",
    "gcp": "a3-highgpu-8g,H100,8,208,1872,,88.25,20.00,us-central1,us-central1-a\n"
    "a3-highgpu-4g,H100,4,104,936,,44.00,10.00,us-central1,us-central1-a\n",
}


@pytest.fixture
def sky_catalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """SkyPilot's catalog in a HOME of the test's: an older schema (v7, ignored) and the newest (v8)."""
    home = tmp_path / "home"
    for cloud, rows in CATALOG.items():
        folder = home / ".sky" / "catalogs" / "v8" / cloud
        folder.mkdir(parents=True)
        (folder / "vms.csv").write_text(HEADER + rows)
    old = home / ".sky" / "catalogs" / "v7" / "aws"
    old.mkdir(parents=True)
    (old / "vms.csv").write_text(HEADER + "p5.48xlarge,H100,8,192,2048,,1.00,0.50,us-east-1,us-east-1a\n")
    monkeypatch.setenv("HOME", str(home))
    return home


class TestSkyPilotsCatalog:
    def test_the_gpus_are_priced_from_the_catalog_at_the_dearest_clouds_cheapest_offer(
        self, advisor, sky_catalog
    ) -> None:
        line = estimate_line(advisor(*skypilot("--dry-run")).out)
        # aws's cheapest H100:8 is $55.04 (us-east-1), gcp's $88.25: the dearest of the two, / 8 GPUs
        assert "0.01 GPU-hours at $11.03125 (H100)" in line
        assert f"gpus.H100 at $11.03125 from SkyPilot's catalog {sky_catalog}/.sky/catalogs/v8/gcp/vms.csv" in line
        assert "gcp a3-highgpu-8g in us-central1, $88.25 an hour on-demand / 8 GPUs" in line
        assert "of the 2 cloud(s) it lists" in line and "(instead of the table's $3.99)" in line

    def test_spot_from_its_spot_price(self, advisor, sky_catalog) -> None:
        line = estimate_line(advisor(*skypilot("--set", "spot=true", "--dry-run")).out)
        assert "at $2.7625 (H100-spot)" in line and "$22.10 an hour spot / 8 GPUs" in line  # aws 22.10 > gcp 20.00
        assert "spot capacity: pre-emptible" in line and "(instead of the table's $3.44)" in line

    def test_a_count_or_gpu_the_catalog_does_not_offer_keeps_the_table(self, advisor, sky_catalog) -> None:
        six = [arg if arg != "8" else "6" for arg in skypilot("--dry-run")]  # no H100:6 offer
        assert "from SkyPilot's catalog" not in estimate_line(advisor(*six).out)
        other = estimate_line(advisor(*skypilot("--set", "accelerator=A100-80GB", "--dry-run")).out)
        assert "at $3.99 (H100)" in other and "catalog" not in other  # the row's speed is an H100's

    def test_slurm_and_no_catalog_keep_the_table(self, advisor, cluster, sky_catalog, monkeypatch) -> None:
        assert "catalog" not in estimate_line(advisor(*slurm(cluster, "--dry-run")).out)
        monkeypatch.setenv("HOME", str(cluster / "nowhere"))
        assert "at $3.99 (H100)" in estimate_line(advisor(*skypilot("--dry-run")).out)
