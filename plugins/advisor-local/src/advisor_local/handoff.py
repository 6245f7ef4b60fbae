"""A run handed to a scheduler (`--scheduler slurm|skypilot`): its folder, its files, its submit command,
and what the scheduler's state means.

Two folders: the run's folder under $ADVISOR_LOCAL_RUNS keeps `job.json` (what was submitted, and the
scheduler's job id once known), as for a run on this machine; the *work* folder holds what the job
reads and writes. With Slurm it is the run's folder inside the shared `run_dir` (every node reads the
same paths, so the configs name it as it is); with SkyPilot it is the local run folder, copied to every
node at /advisor-run (the configs name that path), the output going to the bucket mounted at
/advisor-output.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from advisor.plugin_api import JobRequest
from advisor_local import configs, skypilot, slurm

# a scheduler's state -> advisor-local's provider status (advisor_local.provider.STATUSES maps those on)
ENDED_AS = {"COMPLETED": "succeeded", "SUCCEEDED": "succeeded", "CANCELLED": "cancelled"}


def work_dir(run: configs.RunSettings, local_dir: Path) -> Path:
    if run.scheduler == slurm.NAME and run.run_dir:
        return Path(run.run_dir).expanduser().resolve() / local_dir.name
    return local_dir


def job_dir(run: configs.RunSettings, work: Path) -> Path:
    """The run folder as the job's nodes see it (the paths the configs name)."""
    return skypilot.REMOTE_RUN if run.scheduler == skypilot.NAME else work


def adjusted(config: dict[str, Any], run: configs.RunSettings, run_id: str) -> dict[str, Any]:
    """TRL's config for the scheduler: on SkyPilot the output goes to the mounted bucket."""
    if run.scheduler == skypilot.NAME:
        return {**config, "output_dir": str(skypilot.REMOTE_OUTPUT / run_id)}
    return config


def problems(run: configs.RunSettings) -> list[str]:
    if run.scheduler == slurm.NAME:
        return slurm.problems(run.run_dir, run.partition, run.account, run.time_limit)
    if run.scheduler == skypilot.NAME:
        return skypilot.problems(run.bucket)
    return []


def job_file(run: configs.RunSettings, work: Path) -> Path:
    return work / (slurm.SCRIPT if run.scheduler == slurm.NAME else skypilot.TASK)


def files(
    request: JobRequest, run: configs.RunSettings, work: Path, config: dict[str, Any], priced_on: str | None = None
) -> dict[Path, str]:
    """Every file of the work folder, by path: TRL's config, one accelerate config (each node's rank comes from
    the scheduler), the grader, and the sbatch script or the task YAML. `priced_on`: the GPU the estimate's
    speed was measured on, which SkyPilot is asked for unless `accelerator` names another."""
    seen = job_dir(run, work)
    written = {
        work / "train.yaml": configs.yaml_text(config),
        work / "accelerate.yaml": configs.yaml_text(configs.accelerate_config(run, 0)),
    }
    if request.method == "rft" and request.grader is not None:
        written[work / "grader.json"] = json.dumps(request.grader, indent=2) + "\n"
    launch = configs.scheduled_launch(request.method, seen, run)
    what = f"{request.method.upper()} of {config['model_name_or_path']} on {run.nodes} node(s) x {run.gpus} GPU(s)"
    name = request.run_id
    generation = None
    if run.generation_nodes:  # GRPO's server mode on a node of its own: TRL's `trl vllm-serve`
        model = str(config["model_name_or_path"])
        generation = ["trl", "vllm-serve", "--model", model, "--tensor_parallel_size", str(run.gpus)]
        what += f", generation on 1 node x {run.gpus} GPU(s) (trl vllm-serve)"
    if run.scheduler == slurm.NAME:
        text = slurm.script(
            name=name, work=work, nodes=run.nodes, gpus=run.gpus, cpus=run.cpus, time_limit=run.time_limit,
            partition=run.partition, account=run.account, launch=launch, rendezvous=run.nodes > 1, what=what,
            generation=generation,
        )  # fmt: skip
    else:
        text = skypilot.task_yaml(
            name=name, local_run=work, nodes=run.nodes, gpus=run.gpus,
            accelerator=run.accelerator or skypilot.accelerator_name(priced_on),
            spot=run.on_spot, bucket=str(run.bucket), launch=launch, rendezvous=run.nodes > 1, what=what,
            generation=generation,
        )  # fmt: skip
    written[job_file(run, work)] = text
    return written


def submit_command(run: configs.RunSettings, work: Path, name: str) -> list[str]:
    if run.scheduler == slurm.NAME:
        return slurm.submit_command(job_file(run, work))
    return skypilot.launch_command(job_file(run, work), name)


def require(scheduler: str) -> None:
    if scheduler == slurm.NAME:
        slurm.require()
    else:
        skypilot.require()


def submit(scheduler: str, path: Path, name: str) -> str:
    return slurm.submit(path) if scheduler == slurm.NAME else skypilot.submit(path, name)


def find_by_name(scheduler: str, name: str) -> str | None:
    return slurm.find_by_name(name) if scheduler == slurm.NAME else skypilot.find_by_name(name)


def status_of(scheduler: str, state: str | None) -> str:
    """The provider status for a scheduler's state (None: in neither its queue nor its records)."""
    if state is None:
        return "vanished"
    queued, running = (slurm.QUEUED, slurm.RUNNING) if scheduler == slurm.NAME else (skypilot.QUEUED, skypilot.RUNNING)
    if state in queued:
        return "queued"
    if state in running:
        return "recovering" if state == "RECOVERING" else "running"
    if state == "CANCELLING":
        return "cancelling"
    if state in ENDED_AS:
        return ENDED_AS[state]
    ended = slurm.ENDED if scheduler == slurm.NAME else skypilot.ENDED
    return "failed" if state in ended else "unknown"
