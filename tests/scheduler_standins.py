"""Stand-ins for Slurm's `sbatch`, `squeue`, `sacct`, `scancel` and SkyPilot's `sky` (tests/test_local_schedulers.py).

The test writes one small shell script per program into tmp_path/bin (first on PATH), each running this file
with the program's name. They answer as the real programs do, in the formats advisor-local reads (the
sources are in advisor_local/slurm.py and skypilot.py), keep their jobs in $SCHED_STATE (JSON) and append
every call's arguments to $SCHED_CALLS (JSON lines).

A job moves on each time its state is read: Slurm's is PENDING, then RUNNING, then has left the queue
(squeue: "Invalid job id specified") and sacct says COMPLETED; SkyPilot's is STARTING, RUNNING, SUCCEEDED.
$SCHED_HOLD=1 keeps it RUNNING. $SCHED_FAULT picks a fault:
  submit-fails  sbatch / sky jobs launch exit 1 with the scheduler's reason on stderr (nothing queued)
  garbled-id    the job is queued but the answer carries no id advisor can read
  cluster-id    sbatch --parsable answers "id;cluster" (a federation: still an id)
  vanish        the job is in neither squeue nor sacct (nor sky jobs queue)
  no-accounting sacct exits 1: "Slurm accounting storage is disabled" (a cluster that keeps no records)
  job-fails     the job ends FAILED (sacct exit code 1:0)
$SCHED_NAME_HIDDEN=N: the first N look-ups by name find nothing (a job not yet visible after a lost answer).
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

STATE = Path(os.environ["SCHED_STATE"])
FAULT = os.environ.get("SCHED_FAULT", "")
HOLD = os.environ.get("SCHED_HOLD") == "1"


def load() -> dict:
    return json.loads(STATE.read_text()) if STATE.exists() else {"next": 4100, "jobs": {}}


def save(state: dict) -> None:
    STATE.write_text(json.dumps(state))


def fail(message: str, code: int = 1) -> None:
    print(message, file=sys.stderr)
    sys.exit(code)


def option(args: list[str], name: str) -> str | None:
    for arg in args:
        if arg.startswith(f"--{name}="):
            return arg.split("=", 1)[1]
    return None


def slurm_state(job: dict, state: dict) -> str | None:
    """The job's state on this read (None: it has left the queue), moving it on."""
    if job.get("cancelled") or job["polls"] >= 2:
        return None
    current = "PENDING" if job["polls"] == 0 else "RUNNING"
    if not HOLD:
        job["polls"] += 1
    save(state)
    return current


def sbatch(args: list[str]) -> None:
    assert args[0] == "--parsable", args
    if FAULT == "submit-fails":
        fail("sbatch: error: Batch job submission failed: Invalid account or account/partition combination specified")
    script = Path(args[1]).read_text()
    name = re.search(r"^#SBATCH --job-name=(\S+)$", script, re.M)
    state = load()
    job_id = str(state["next"])
    state["next"] += 1
    state["jobs"][job_id] = {"kind": "slurm", "name": name.group(1) if name else "sbatch", "polls": 0}
    save(state)
    print({"garbled-id": f"Submitted batch job {job_id}", "cluster-id": f"{job_id};gpu-cluster"}.get(FAULT, job_id))


def hidden(state: dict) -> bool:
    """Whether this look-up by name is one of the first $SCHED_NAME_HIDDEN, which find nothing."""
    state["name_lookups"] = state.get("name_lookups", 0) + 1
    save(state)
    return state["name_lookups"] <= int(os.environ.get("SCHED_NAME_HIDDEN", "0"))


def squeue(args: list[str]) -> None:
    state = load()
    if option(args, "name") is not None and hidden(state):
        return
    if option(args, "name") is not None:
        for job_id, job in state["jobs"].items():
            if job["name"] == option(args, "name") and not job.get("cancelled") and job["polls"] < 2:
                print(f"{job_id:>8}")
        return
    job_id = option(args, "jobs")
    job = state["jobs"].get(job_id or "")
    current = None if job is None or FAULT == "vanish" else slurm_state(job, state)
    if current is None:
        fail("slurm_load_jobs error: Invalid job id specified")
    print(current)


def sacct(args: list[str]) -> None:
    state = load()
    if FAULT == "no-accounting":
        fail("sacct: error: Slurm accounting storage is disabled")
    if FAULT == "vanish":
        return  # accounting knows nothing of it
    name = option(args, "name")
    if name is not None and hidden(state):
        return
    for job_id, job in state["jobs"].items():
        if name is not None and job["name"] == name:
            print(job_id)
        elif option(args, "jobs") == job_id:
            if job.get("cancelled"):
                print(f"{job_id}|CANCELLED by 1000|0:15|{job['polls'] * 1800}")
            elif job["polls"] < 2:
                print(f"{job_id}|{'PENDING' if job['polls'] == 0 else 'RUNNING'}|0:0|{job['polls'] * 1800}")
            elif FAULT == "job-fails":
                print(f"{job_id}|FAILED|1:0|3600")
            else:
                print(f"{job_id}|COMPLETED|0:0|3600")


def scancel(args: list[str]) -> None:
    state = load()
    job = state["jobs"].get(args[0])
    if job is None or job.get("cancelled") or job["polls"] >= 2:
        fail(f"scancel: error: Kill job error on job id {args[0]}: Job/step already completing or completed")
    job["cancelled"] = True
    save(state)


def sky_status(job: dict, state: dict) -> str:
    if job.get("cancelled"):
        return "CANCELLED"
    current = ("STARTING", "RUNNING", "FAILED" if FAULT == "job-fails" else "SUCCEEDED")[min(job["polls"], 2)]
    if not HOLD:
        job["polls"] += 1
    save(state)
    return current


def table(rows: list[list[str]]) -> str:
    """As SkyPilot's log_utils.create_table: left-aligned, no border, two spaces after each column, padded by
    the visible width (colours do not count)."""
    visible = [[re.sub(r"\x1b\[[0-9;]*m", "", cell) for cell in row] for row in rows]
    widths = [max(len(row[i]) for row in visible) for i in range(len(rows[0]))]
    return "\n".join(
        "".join(cell + " " * (widths[i] - len(shown[i]) + 2) for i, cell in enumerate(row)).rstrip()
        for row, shown in zip(rows, visible, strict=True)
    )


def sky(args: list[str]) -> None:
    state = load()
    if args[:2] == ["jobs", "launch"]:
        if FAULT == "submit-fails":
            fail("sky.exceptions.ResourcesUnavailableError: Failed to acquire resources in all zones in us-east-1")
        name = args[args.index("--name") + 1]
        job_id = str(len([j for j in state["jobs"].values() if j["kind"] == "sky"]) + 1)
        state["jobs"][job_id] = {"kind": "sky", "name": name, "polls": 0, "task": args[-1]}
        save(state)
        print(f"Managed job {name!r} will be launched on (estimated):")
        print("Launching managed job from jobs controller...")
        if FAULT != "garbled-id":
            print(f"\nManaged Job ID: {job_id}\n\U0001f4cb Useful Commands")
            print(f"├── To cancel the job:\t\tsky jobs cancel {job_id}")
        return
    if args[:2] == ["jobs", "queue"]:
        print("Fetching managed job statuses...\nManaged jobs\nIn progress tasks: 1 RUNNING")
        header = ["ID", "TASK", "NAME", "REQUESTED", "SUBMITTED", "TOT. DURATION", "JOB DURATION", "#RECOVERIES",
                  "STATUS", "POOL"]  # fmt: skip
        rows = [header]
        for job_id, job in sorted(state["jobs"].items(), key=lambda item: -int(item[0])):
            if job["kind"] != "sky" or FAULT == "vanish":
                continue
            status = f"\x1b[32m{sky_status(job, state)}\x1b[0m"
            rows.append([job_id, "-", job["name"], "2x[H100:8]", "2 mins ago", "2m 3s", "1m 40s", "0", status, "-"])
        print(table(rows) if len(rows) > 1 else "No in-progress managed jobs.")
        return
    if args[:2] == ["jobs", "cancel"]:
        job = state["jobs"].get(args[-1])
        if job is None:
            fail(f"No job found with ID {args[-1]}")
        job["cancelled"] = True
        save(state)
        print(f"Cancelling managed job with ID {args[-1]}. ")
        return
    fail(f"sky: unknown command {args}", 2)


if __name__ == "__main__":
    program, *arguments = sys.argv[1:]
    with Path(os.environ["SCHED_CALLS"]).open("a") as calls:
        calls.write(json.dumps([program, *arguments]) + "\n")
    {"sbatch": sbatch, "squeue": squeue, "sacct": sacct, "scancel": scancel, "sky": sky}[program](arguments)
