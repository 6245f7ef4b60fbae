"""SkyPilot: the task YAML of a run, launching it as a managed job, reading its state, cancelling it.

The task asks for `num_nodes` nodes of `GPU:N` (spot capacity with `use_spot`), copies the run folder to
each node (`file_mounts`: the converted data and the configs), mounts the bucket the output goes to (a
managed job's nodes are torn down when it ends, and on spot it may restart on other nodes: the
checkpoints must outlive them), installs the training stack in `setup`, and in `run` starts
`accelerate launch` with SkyPilot's node rank (`SKYPILOT_NODE_RANK`) and node 0's address (the first line
of `SKYPILOT_NODE_IPS`). It is launched with `sky jobs launch` (a managed job: SkyPilot restarts it after a
pre-emption), under the run id as its name.

Formats (skypilot-org/skypilot, read 2026-12-07: docs/source/running-jobs/distributed-jobs.rst for the
environment variables; sky/client/cli/command.py for the flags; sky/jobs/utils.py for the queue's table,
whose columns differ between versions, so the ID, NAME and STATUS columns are found by their headers; the
launch prints "Managed Job ID: N", sky/utils/ux_utils.py). `sky` is run as a program: SkyPilot is never
imported (the `advisor-local[skypilot]` extra installs it).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from advisor.plugin_api import JobCreateUnknown, ProviderError, shell_command
from advisor_local import scheduled

NAME = "skypilot"
TASK = "task.yaml"
REMOTE_RUN = Path("/advisor-run")  # where file_mounts puts the run folder on every node
REMOTE_OUTPUT = Path("/advisor-output")  # where the output bucket is mounted
QUEUED = frozenset({"PENDING", "SUBMITTED", "STARTING"})
RUNNING = frozenset({"RUNNING", "RECOVERING"})
ENDED = frozenset(
    {"SUCCEEDED", "CANCELLED", "FAILED", "FAILED_SETUP", "FAILED_PRECHECKS", "FAILED_NO_RESOURCE", "FAILED_CONTROLLER"}
)
_JOB_ID = re.compile(r"managed job id:\s*(\d+)", re.IGNORECASE)
BUCKET = re.compile(r"^(s3|gs|r2|cos|oci)://[A-Za-z0-9._/-]+$")


# advisor-local's [gpus] rows -> SkyPilot's accelerator names (`sky show-gpus`: H100, A100-80GB, RTX4090)
ACCELERATORS = {"H100": "H100", "A100-80GB": "A100-80GB", "RTX-4090": "RTX4090"}


def accelerator_name(gpu_row: str | None) -> str:
    """SkyPilot's name for the GPU of a price row (its -aws and -spot variants are the same GPU); H100 when the
    row is not known."""
    base = (gpu_row or "H100").removesuffix("-spot").removesuffix("-aws")
    return ACCELERATORS.get(base, "H100")


@dataclass(frozen=True)
class State:
    state: str | None  # the STATUS column; None: not in the queue


def problems(bucket: str | None) -> list[str]:
    if not bucket:
        return [
            "--scheduler skypilot needs a bucket for the output: --set bucket=s3://BUCKET/PATH (or gs://, r2://): a "
            "managed job's nodes are torn down when it ends, and the checkpoints must survive a pre-emption"
        ]
    if not BUCKET.match(bucket):
        return [f"--set bucket={bucket}: a bucket URL such as s3://my-bucket/advisor (s3, gs, r2, cos, oci)"]
    return []


def task_yaml(
    *,
    name: str,
    local_run: Path,
    nodes: int,
    gpus: int,
    accelerator: str,
    spot: bool,
    bucket: str,
    launch: tuple[list[str], list[str]],
    rendezvous: bool,
    what: str,
    generation: list[str] | None = None,
) -> str:
    """The task YAML. Scalars are written as JSON (YAML reads them as the same values); setup and run as
    literal blocks. `generation`: the `trl vllm-serve` command the last node runs (GRPO's server) until the
    training ends (node 0 leaves a mark in the bucket every node mounts)."""
    command = shell_command(*launch[0])
    if rendezvous:
        command += ' --machine_rank "$SKYPILOT_NODE_RANK" --main_process_ip "$HEAD_NODE"'
    command += " " + shell_command(*launch[1])
    run = [
        "set -euo pipefail",
        'HEAD_NODE=$(echo "$SKYPILOT_NODE_IPS" | head -n1)',
        'echo "advisor: node $SKYPILOT_NODE_RANK of $SKYPILOT_NUM_NODES, $SKYPILOT_NUM_GPUS_PER_NODE GPUs, main '
        'process on $HEAD_NODE"',
        f"cd {REMOTE_RUN}",
    ]
    if generation:
        ended = REMOTE_OUTPUT / name / "training-ended"
        command += ' --vllm_server_host "$VLLM_NODE"'
        run += [
            'VLLM_NODE=$(echo "$SKYPILOT_NODE_IPS" | tail -n1)',
            f'if [ "$SKYPILOT_NODE_RANK" -eq {nodes} ]; then',
            f"  {shell_command(*generation)} &",
            "  VLLM_PID=$!",
            f"  until [ -e {ended} ]; do sleep 30; done",
            '  kill "$VLLM_PID" || true',
            "  exit 0",
            "fi",
            f"""[ "$SKYPILOT_NODE_RANK" -ne 0 ] || trap 'mkdir -p {ended.parent} && touch {ended}' EXIT""",
        ]
    run.append(command)
    lines = [
        f"# advisor run {name}: {what}; written by advisor-local, launched with sky jobs launch",
        f"name: {json.dumps(name)}",
        f"num_nodes: {nodes + (1 if generation else 0)}",
        "resources:",
        f"  accelerators: {json.dumps(f'{accelerator}:{gpus}')}",
        f"  use_spot: {json.dumps(spot)}",
        "file_mounts:",
        f"  {REMOTE_RUN}: {json.dumps(str(local_run))}",
        f"  {REMOTE_OUTPUT}:",
        f"    source: {json.dumps(bucket)}",
        '    mode: "MOUNT"',
        "setup: |",
        '  pip install "advisor-local[train]"' + (" vllm" if generation else ""),
        "run: |",
        *(f"  {line}" for line in run),
    ]
    return "\n".join(lines) + "\n"


def launch_command(task: Path, name: str) -> list[str]:
    return ["sky", "jobs", "launch", "--yes", "--detach-run", "--name", name, str(task)]


def require() -> None:
    scheduled.require(NAME, "sky")


def parse_job_id(out: str) -> str | None:
    found = _JOB_ID.findall(out)
    return found[-1] if found else None


def submit(task: Path, name: str) -> str:
    command = launch_command(task, name)
    ran = scheduled.run(NAME, command, submits=True)
    if ran.code != 0:
        raise scheduled.refused(ran, command)
    job_id = parse_job_id(ran.out + "\n" + ran.err)
    if job_id is None:
        raise JobCreateUnknown("sky jobs launch printed no 'Managed Job ID'; looking the job up by its name")
    return job_id


def _rows() -> list[dict[str, str]]:
    """`sky jobs queue --all` as rows of ID, NAME and STATUS, read at their headers' columns."""
    command = ["sky", "jobs", "queue", "--all"]
    ran = scheduled.run(NAME, command)
    if ran.code != 0:
        raise ProviderError(f"sky jobs queue could not be read: {ran.last_error()}")
    lines = ran.out.splitlines()
    header = next((i for i, line in enumerate(lines) if line.split()[:1] == ["ID"] and " STATUS" in line), None)
    if header is None:
        return []
    head = lines[header]
    columns = {key: head.index(f" {key} ") + 1 if f" {key} " in head else head.index(f" {key}") + 1
               for key in ("NAME", "STATUS") if f" {key}" in head}  # fmt: skip
    rows = []
    for line in lines[header + 1 :]:
        words = line.split()
        if not words or not words[0].isdigit():
            continue  # a task of a pipeline (↳), a blank or a summary line
        row = {"ID": words[0]}
        for key, at in columns.items():
            rest = line[at:].split()
            row[key] = rest[0] if rest else ""
        rows.append(row)
    return rows


def find_by_name(name: str) -> str | None:
    ids = [row["ID"] for row in _rows() if row.get("NAME") == name]
    return ids[0] if ids else None  # the queue lists the newest first


def state(job_id: str) -> State:
    row = next((row for row in _rows() if row["ID"] == job_id), None)
    return State(row.get("STATUS", "").upper() or None if row else None)


def cancel(job_id: str) -> scheduled.Ran:
    return scheduled.run(NAME, ["sky", "jobs", "cancel", "--yes", job_id])
