"""Slurm: the sbatch script of a run, submitting it, reading its state, cancelling it.

The script asks for the nodes (one task each) and the GPUs of each node, runs one `srun` task per node,
and each task starts `accelerate launch` with its machine rank from Slurm's environment (`SLURM_NODEID`)
and node 0's address from the job's node list (`scontrol show hostnames "$SLURM_JOB_NODELIST" | head -n1`).
It is submitted with `sbatch --parsable` (its output: the job id, or `id;cluster`), under the run id as
the job name, so a submit whose answer was lost is found again (`squeue --name`, `sacct --name`) rather
than submitted twice. The state is `squeue`'s while the job is in the queue, then `sacct`'s; a job in
neither has vanished.

Formats (Slurm's man pages, slurm.schedmd.com, read 2026-12-07): `squeue --noheader --format=%T` prints
the state's long name (PENDING, RUNNING, COMPLETING ...); `sacct --parsable2 --noheader --allocations`
prints `|`-separated fields of the allocation, one line a job; its State may carry a reason
("CANCELLED by 1000"); time formats for `--starttime` include `now-7days`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from advisor.plugin_api import JobCreateUnknown, ProviderError, shell_command, shell_word
from advisor_local import scheduled

NAME = "slurm"
SCRIPT = "job.sbatch"
# squeue/sacct states (long names) -> advisor-local's provider statuses
QUEUED = frozenset({"PENDING", "CONFIGURING", "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED", "RESV_DEL_HOLD", "SUSPENDED"})
RUNNING = frozenset({"RUNNING", "COMPLETING", "STAGE_OUT", "SIGNALING", "RESIZING"})
FAILED = frozenset(
    {"FAILED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY", "BOOT_FAIL", "DEADLINE", "PREEMPTED", "REVOKED", "SPECIAL_EXIT"}
)
ENDED = frozenset({"COMPLETED", "CANCELLED", *FAILED})
_JOB_ID = re.compile(r"^(\d+)(?:;[\w.-]+)?$")  # sbatch --parsable: "id" or "id;cluster"
TIME_LIMIT = re.compile(r"^(\d+-)?\d+(:\d{1,2}){0,2}$")  # minutes, h:m:s, days-hours[:m[:s]]
NAMES = re.compile(r"^[A-Za-z0-9_.,-]+$")  # partition and account names (a partition may be a list)
LOOKBACK = "now-7days"  # sacct looks this far back for a job by name (its default is since midnight)


@dataclass(frozen=True)
class State:
    """What Slurm says of a job: its state's long name (None: in neither squeue nor sacct), seconds it has run
    (sacct's ElapsedRaw, once it has left the queue) and its exit code."""

    state: str | None
    elapsed: int | None = None
    exit_code: str | None = None
    note: str | None = None  # why sacct could not say (accounting not kept on this cluster ...)


def problems(run_dir: str | None, partition: str | None, account: str | None, time_limit: str | None) -> list[str]:
    """Settings sbatch would refuse or misread (its #SBATCH lines are not read as shell words)."""
    found = []
    if not run_dir:
        found.append(
            "--scheduler slurm needs the shared folder every node sees: --set run_dir=/shared/advisor-runs (it must "
            "exist; the run's folder is made inside it)"
        )
    elif re.search(r"[\s'\"\\$`]", run_dir):
        found.append(f"--set run_dir={run_dir}: no spaces, quotes or $ (sbatch's #SBATCH lines are not shell words)")
    elif not Path(run_dir).expanduser().is_dir():
        found.append(f"--set run_dir={run_dir}: no such folder; give a folder every node of the cluster sees")
    for name, value in (("partition", partition), ("account", account)):
        if value is not None and not NAMES.match(value):
            found.append(f"--set {name}={value}: letters, digits, '_', '.', '-' and ',' only")
    if time_limit is not None and not TIME_LIMIT.match(time_limit):
        found.append(
            f"--set time_limit={time_limit}: Slurm's format, minutes, HH:MM:SS or DAYS-HH:MM:SS (e.g. 24:00:00)"
        )
    return found


def script(
    *,
    name: str,
    work: Path,
    nodes: int,
    gpus: int,
    cpus: int | None,
    time_limit: str | None,
    partition: str | None,
    account: str | None,
    launch: tuple[list[str], list[str]],
    rendezvous: bool,
    what: str,
    generation: list[str] | None = None,
) -> str:
    """The sbatch script (`generation`: the `trl vllm-serve` command the job's last node runs, GRPO's
    server). `launch` is `accelerate launch` with its options and the training script with its
    arguments; between them each task adds its rank and node 0's address from Slurm's environment (when
    `rendezvous`: several nodes)."""
    lines = ["#!/bin/bash", f"# advisor run {name}: {what}; written by advisor-local, submitted with sbatch --parsable"]
    total = nodes + (1 if generation else 0)
    lines += [f"#SBATCH --job-name={name}", f"#SBATCH --nodes={total}", "#SBATCH --ntasks-per-node=1"]
    lines.append(f"#SBATCH --gpus-per-node={gpus}")
    if cpus is not None:
        lines.append(f"#SBATCH --cpus-per-task={cpus}")
    if time_limit is not None:
        lines.append(f"#SBATCH --time={time_limit}")
    if partition is not None:
        lines.append(f"#SBATCH --partition={partition}")
    if account is not None:
        lines.append(f"#SBATCH --account={account}")
    lines += [f"#SBATCH --chdir={work}", f"#SBATCH --output={work / 'train.log'}", "set -euo pipefail"]
    task = shell_command(*launch[0])
    if rendezvous or generation:
        lines += [
            "# node 0 of the allocation is the main process; each task is one node, its rank SLURM_NODEID",
            'HEAD_NODE=$(scontrol show hostnames "$SLURM_JOB_NODELIST" | head -n1)',
            "export HEAD_NODE",
            'echo "advisor: $SLURM_JOB_NUM_NODES nodes, main process on $HEAD_NODE"',
        ]
    if rendezvous:
        task += ' --machine_rank "$SLURM_NODEID" --main_process_ip "$HEAD_NODE"'
    task += " " + shell_command(*launch[1])
    train = f"srun --nodes={nodes} --ntasks-per-node=1"
    if generation:
        task += ' --vllm_server_host "$VLLM_NODE"'
        lines += [
            "# the last node generates for GRPO (trl vllm-serve); the others train and ask it",
            'VLLM_NODE=$(scontrol show hostnames "$SLURM_JOB_NODELIST" | tail -n1)',
            "export VLLM_NODE",
            f'srun --nodes=1 --ntasks=1 --nodelist="$VLLM_NODE" {shell_command(*generation)} &',
            "VLLM_PID=$!",
        ]
        train += ' --exclude="$VLLM_NODE"'
    lines.append(f"{train} bash -c {shell_word(task)}")
    if generation:
        lines.append('kill "$VLLM_PID" 2>/dev/null || true  # training is over: the server too')
    return "\n".join(lines) + "\n"


def submit_command(script_path: Path) -> list[str]:
    return ["sbatch", "--parsable", str(script_path)]


def parse_job_id(out: str) -> str | None:
    """The job id sbatch --parsable printed (its last line: warnings may come first), or None."""
    lines = [line.strip() for line in out.splitlines() if line.strip()]
    found = _JOB_ID.match(lines[-1]) if lines else None
    return found.group(1) if found else None


def require() -> None:
    """sbatch must be on PATH before anything is written (one line when it is not)."""
    scheduled.require(NAME, "sbatch")


def submit(script_path: Path) -> str:
    """Submit the script; the Slurm job id. A refusal is final (nothing was queued); an answer that is not an id
    may hide a queued job: JobCreateUnknown, and the launch looks it up by name."""
    command = submit_command(script_path)
    ran = scheduled.run(NAME, command, submits=True)
    if ran.code != 0:
        raise scheduled.refused(ran, command)
    job_id = parse_job_id(ran.out)
    if job_id is None:
        shown = " ".join(ran.out.split())[:200] or "nothing"
        raise JobCreateUnknown(f"sbatch --parsable printed no job id ({shown!r}); looking the job up by its name")
    return job_id


def find_by_name(name: str) -> str | None:
    """The id of the job named `name`: in the queue (squeue), else in the accounting of the past week (sacct)."""
    ran = scheduled.run(NAME, ["squeue", "--noheader", f"--name={name}", "--format=%i"])
    ids = [line.strip() for line in ran.out.splitlines() if line.strip().isdigit()] if ran.code == 0 else []
    if ids:
        return ids[-1]
    command = ["sacct", "--noheader", "--parsable2", "--allocations", f"--name={name}", f"--starttime={LOOKBACK}",
               "--format=JobID"]  # fmt: skip
    ran = scheduled.run(NAME, command)
    ids = [line.strip() for line in ran.out.splitlines() if line.strip().isdigit()] if ran.code == 0 else []
    return ids[-1] if ids else None


def state(job_id: str) -> State:
    """The job's state: squeue's while it is queued or running, then sacct's; State(None) when neither knows it."""
    ran = scheduled.run(NAME, ["squeue", "--noheader", f"--jobs={job_id}", "--format=%T"])
    queued = ran.out.split()[0].upper() if ran.code == 0 and ran.out.split() else None
    if ran.code != 0 and "invalid job id" not in (ran.err + ran.out).lower():
        raise ProviderError(f"squeue could not be read: {ran.last_error()}")  # not final: try again later
    if queued is not None and queued not in ENDED:
        return State(queued)
    command = ["sacct", "--noheader", "--parsable2", "--allocations", f"--jobs={job_id}",
               "--format=JobID,State,ExitCode,ElapsedRaw"]  # fmt: skip
    ran = scheduled.run(NAME, command)
    if ran.code != 0:  # no accounting on this cluster, or slurmdbd down: squeue's last word, and why
        said = ran.last_error()
        return State(queued, note=said if said.startswith("sacct") else f"sacct: {said}")
    for line in ran.out.splitlines():
        fields = line.strip().split("|")
        if len(fields) >= 4 and fields[0] == job_id and fields[1].strip():
            elapsed = int(fields[3]) if fields[3].strip().isdigit() else None
            return State(fields[1].split()[0].upper(), elapsed, fields[2] or None)
    return State(queued)  # squeue's last word on an ended job, or None: vanished


def cancel(job_id: str) -> scheduled.Ran:
    """scancel the job; its answer (a job that already ended makes scancel exit non-zero)."""
    return scheduled.run(NAME, ["scancel", job_id])
