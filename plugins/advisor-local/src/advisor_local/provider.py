"""The `local` provider: SFT, DPO and RFT (as GRPO) on the team's own GPUs, with TRL and accelerate.

A launch makes a run folder (`$ADVISOR_LOCAL_RUNS/<run id>/`, by default `local-runs/` beside the job
ledger): the training file copied in ("uploaded"), converted to TRL's dataset shapes, TRL's config,
accelerate's config for each node, for RFT the grader and the reward module that scores with it, and
`job.json`, what was started where. The job is `trl sft|dpo|grpo --config train.yaml --accelerate_config
...`, started detached under `advisor_local.supervise` (its own process group, output to `train.log`);
advisor never trains in its own process. Following it reads the run folder: `exit.json` from the
supervisor, the trainer's `trainer_state.json`, the log, and whether the process group is alive.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import tomllib
from collections.abc import Mapping, Sequence
from decimal import Decimal
from importlib.resources import files
from pathlib import Path
from typing import Any

from advisor.plugin_api import (
    FINISHED,
    Credential,
    GpuPrice,
    Job,
    JobEvent,
    JobRequest,
    Method,
    ProviderError,
    Status,
    Upload,
    auto_epochs,
    ledger_path,
    shell_command,
)
from advisor_local import (
    batches,
    configs,
    convert,
    handoff,
    progress,
    scheduled,
    sizes,
    sky_catalog,
    skypilot,
    slurm,
)
from advisor_local.reward import unsupported

STATUSES: dict[str, Status] = {
    "starting": "running",
    "training": "running",
    "cancelling": "running",
    "succeeded": "succeeded",
    "failed": "failed",
    "died": "failed",
    "cancelled": "cancelled",
    "elsewhere": "unknown",
    # a run handed to a scheduler (advisor_local.handoff)
    "queued": "queued",
    "running": "running",
    "recovering": "running",
    "vanished": "failed",
    "submitting": "unknown",
}
CANCEL_GRACE_SECONDS = 10.0  # after SIGTERM, before SIGKILL: the trainer may be writing a checkpoint
LOG_LINES = 12

SETTINGS: dict[str, str] = {
    "training_type": "lora (default), qlora (4-bit, needs bitsandbytes and a GPU) or full",
    "gpus": "GPUs per node (default 1)",
    "nodes": "machines (default 1); several need main_process_ip",
    "distributed": "zero2 or zero3 (DeepSpeed, needs the deepspeed package) or fsdp; default: DDP on several GPUs",
    "main_process_ip": "address of node 0 (machine_rank 0) that every node can reach (several nodes)",
    "main_process_port": f"port of node 0 for the rendezvous (default {configs.DEFAULT_PORT})",
    "device": "gpu (default) or cpu (one process, slow: to try a run out)",
    "price_as": "price a model the table does not list as this row: open-8b, open-70b, or a listed model "
    "(default: the size bracket at or above its size)",
    "params_b": "the model's size in billions of parameters, for a model the table does not list whose id says "
    "no size (its size bracket prices it)",
    "learning_rate": "learning rate (default by method: TRL's documented values, higher for LoRA)",
    "batch_size": "examples per GPU per step (TRL's default 8)",
    "gradient_accumulation_steps": "steps whose gradients add up before an update (default 1)",
    "max_length": "SFT/DPO: longest example in tokens, longer ones are truncated (default 1024)",
    "max_steps": "stop after this many steps (overrides the epochs)",
    "lora_r": "LoRA rank (default 16; alpha is twice the rank)",
    "beta": "DPO and GRPO: strength of the pull towards the base model (TRL's default)",
    "num_generations": "RFT (GRPO): completions sampled per prompt (default 8)",
    "max_completion_length": "RFT (GRPO), required: longest completion in tokens; prices the rollouts",
    "vllm": "RFT (GRPO): generate with vLLM, `colocate` (on the training GPUs) or `server` (a `trl vllm-serve` "
    "you start on other GPUs); off by default (TRL's default, transformers' generate(): slower than the "
    "vLLM speed the estimate assumes)",
    "scheduler": "hand the job to a scheduler: slurm (sbatch) or skypilot (sky jobs launch); --scheduler NAME",
    "run_dir": "Slurm: the shared folder every node sees, where the run's folder is made (required, must exist)",
    "partition": "Slurm: the partition (#SBATCH --partition)",
    "account": "Slurm: the account charged (#SBATCH --account)",
    "time_limit": "Slurm: the job's time limit, e.g. 24:00:00 (#SBATCH --time)",
    "cpus": "Slurm: CPUs of each node's task (#SBATCH --cpus-per-task)",
    "bucket": "SkyPilot: the bucket the output goes to, e.g. s3://my-bucket/advisor (required)",
    "accelerator": "SkyPilot: the GPU asked for, resources.accelerators GPU:N (default: the GPU the price row's "
    "speed was measured on, e.g. H100 for Llama-3.1-8B, A100-80GB for 70B)",
    "generation_nodes": "RFT with vllm=server and a --scheduler: 1 node more, of --gpus GPUs, runs `trl vllm-serve` "
    "for GRPO's generation (priced as held the whole run: it waits while the others train)",
    "spot": "SkyPilot: true to run on spot capacity (pre-emptible; the managed job restarts), priced at the "
    "table's -spot GPU rows (or SkyPilot's catalog's spot price, where it is installed)",
}


def runs_dir() -> Path:
    """Where run folders go: $ADVISOR_LOCAL_RUNS, else `local-runs/` beside the job ledger."""
    root = os.environ.get("ADVISOR_LOCAL_RUNS")
    return Path(root).expanduser().resolve() if root else ledger_path().parent / "local-runs"


def job_id_of(run_id: str) -> str:
    return "local-" + run_id.removeprefix("adv-")


def _write_json(path: Path, value: dict[str, Any]) -> None:
    part = path.with_name(path.name + ".part")
    part.write_text(json.dumps(value, indent=2), encoding="utf-8")
    part.replace(path)  # a reader never sees half a file


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def _looks_like_path(model: str) -> bool:
    return model.startswith(("/", "./", "../", "~")) or Path(model).expanduser().exists()


def _hub_ids() -> dict[str, str]:
    """The Hugging Face id of each row of the plugin's table (its first alias with an owner/)."""
    table = tomllib.loads((files(__package__) / "local.toml").read_text(encoding="utf-8"))
    found = {}
    for name, row in table.get("models", {}).items():
        hub = next((alias for alias in row.get("aliases", []) if "/" in alias), None)
        if hub:
            found[name] = hub
    return found


def trl_model(model: str) -> str:
    """What TRL loads: a local folder as an absolute path (the job runs from its run folder), a row name
    of the table as its Hugging Face id, anything else as written (a Hugging Face id)."""
    if _looks_like_path(model):
        return str(Path(model).expanduser().resolve())
    return _hub_ids().get(model, model)


def _alive(pid: int, run_dir: Path) -> bool:
    """Whether the supervisor `pid` of this run still runs on this machine."""
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)  # reap it if this process started it (tests, a long session)
        if done:
            return False
    except ChildProcessError:
        pass
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    try:
        if stat.read_text().rsplit(")", 1)[-1].split()[0] == "Z":
            return False  # exited, not yet reaped
        return str(run_dir).encode() in Path(f"/proc/{pid}/cmdline").read_bytes()  # not a reused pid
    except (OSError, IndexError):
        return True  # no /proc (macOS): kill(pid, 0) is all there is


def _group_alive(pid: int, run_dir: Path) -> bool:
    if _alive(pid, run_dir):
        return True
    try:
        os.killpg(pid, 0)  # the trainer and accelerate's workers, if they outlive the supervisor
    except (ProcessLookupError, PermissionError):
        return False
    return True


class LocalProvider:
    name = "local"
    methods: tuple[Method, ...] = ("sft", "dpo", "rft")
    settings = SETTINGS
    credentials = (
        Credential(
            "ADVISOR_LOCAL_RUNS", "where run folders go (default: local-runs/ beside the job ledger)", False, False
        ),
        Credential(
            "ADVISOR_LOCAL_TRAINER", "the trainer command instead of `trl` (another environment's)", False, False
        ),
    )

    # --- the run folder and what goes in it -----------------------------------------------------

    def _run_dir(self, run_id: str) -> Path:
        return runs_dir() / run_id

    def _trainer(self) -> list[str] | None:
        """The trainer command: $ADVISOR_LOCAL_TRAINER, else TRL's `trl` beside this Python, else on PATH."""
        given = os.environ.get("ADVISOR_LOCAL_TRAINER")
        if given:
            return shlex.split(given)
        beside = Path(sys.executable).parent / "trl"
        if beside.exists():
            return [str(beside)]
        found = shutil.which("trl")
        return [found] if found else None

    def _epochs(self, request: JobRequest, examples: int) -> int:
        return request.epochs if isinstance(request.epochs, int) else auto_epochs(max(examples, 1))

    def _plan(self, request: JobRequest, run_dir: Path, examples: int) -> tuple[configs.RunSettings, dict[str, Any]]:
        run, problems = configs.check_settings(
            request.settings, request.method, validation=request.validation_file is not None
        )
        if run is None:
            raise ProviderError("; ".join(problems), final=True)
        config = configs.training_config(
            request.method,
            trl_model(request.model),
            run_dir,
            run,
            self._epochs(request, examples),
            validation=request.validation_file is not None,
            seed=request.seed,
        )
        return run, config

    def _files(
        self, request: JobRequest, run_dir: Path, run: configs.RunSettings, config: dict[str, Any]
    ) -> dict[Path, str]:
        """The files of the run folder, by path: TRL's config, accelerate's per node, the grader."""
        written = {run_dir / "train.yaml": configs.yaml_text(config)}
        for rank in range(run.nodes):
            written[configs.accelerate_file(run_dir, run, rank)] = configs.yaml_text(
                configs.accelerate_config(run, rank)
            )
        if request.method == "rft" and request.grader is not None:
            written[run_dir / "grader.json"] = json.dumps(request.grader, indent=2) + "\n"
        return written

    def _commands(
        self, trainer: list[str], request: JobRequest, run_dir: Path, run: configs.RunSettings
    ) -> list[list[str]]:
        return [configs.node_command(trainer, request.method, run_dir, run, rank) for rank in range(run.nodes)]

    # --- before anything is started ---------------------------------------------------------------

    def size_bracket(self, model: str, settings: Mapping[str, Any]) -> tuple[str, str]:
        """A model the table does not list (any Hugging Face id, a folder) costs what its size costs: the
        size bracket at or above it, and why (advisor_local.sizes)."""
        return sizes.size_bracket(model, settings)

    def _scheduled_plan(self, request: JobRequest, examples: int) -> tuple[configs.RunSettings, Path, dict[Path, str]]:
        """A run for a scheduler: its settings, its work folder and every file written there."""
        local_dir = self._run_dir(request.run_id)
        run, _ = configs.check_settings(
            request.settings, request.method, validation=request.validation_file is not None
        )
        if run is None:
            run, _ = self._plan(request, local_dir, examples)  # raises with the problems
        work = handoff.work_dir(run, local_dir)
        run, config = self._plan(request, handoff.job_dir(run, work), examples)
        config = handoff.adjusted(config, run, request.run_id)
        return run, work, handoff.files(request, run, work, config, self._priced_on(request, run))

    def _priced_on(self, request: JobRequest, run: configs.RunSettings) -> str | None:
        """The [gpus] row the estimate's training speed was measured on: the model's row (or `price_as`)."""
        table = tomllib.loads((files(__package__) / "local.toml").read_text(encoding="utf-8"))
        wanted = str(request.settings.get("price_as") or request.model)
        for name, row in table.get("models", {}).items():
            if wanted == name or wanted in row.get("aliases", []):
                tuning = row.get("fine_tuning", {})
                gpu = tuning.get("throughput_gpus", {}).get(run.training_type, tuning.get("gpu"))
                return str(gpu) if gpu else None
        return None

    def _scheduled_preview(self, uploads: list[Upload], request: JobRequest, examples: int) -> list[str]:
        run, work, written = self._scheduled_plan(request, examples)
        where = (
            "inside run_dir, seen by every node"
            if run.scheduler == "slurm"
            else f"copied to every node at {handoff.job_dir(run, work)}"
        )
        lines = [f"run folder: {work}/ ({where})"]
        for upload in uploads:
            lines.append(
                f"{upload.role} data: {upload.path} ({upload.size:,} bytes) -> {work}/data/, converted to TRL's "
                "conversational format"
            )
        for path, text in written.items():
            lines += ["", f"--- {path}", text.rstrip("\n")]
        command = handoff.submit_command(run, work, request.run_id)
        lines += [
            "",
            f"command (advisor runs it here; {run.nodes} node(s) x {run.gpus} GPU(s) = {run.processes} processes):",
            f"  {shell_command(*command)}",
        ]
        if run.on_spot:
            lines.append(
                "spot capacity: pre-emptible; SkyPilot's managed job restarts on new nodes (TRL starts again; "
                "resume_from_checkpoint with the checkpoints in the bucket is yours to set)"
            )
        return lines

    def gpu_prices(self, gpus: Sequence[str], settings: Mapping[str, Any]) -> list[GpuPrice]:
        """With --scheduler skypilot and SkyPilot's catalog on this machine: the rows of the GPU the task asks for,
        at the catalog's price (advisor_local.sky_catalog: of each cloud's cheapest offer, the dearest), on
        spot capacity for a `-spot` row. A row of another GPU than the one asked for keeps the table's price."""
        if str(settings.get("scheduler")) != skypilot.NAME:
            return []
        count = str(settings.get("gpus") or 1)
        if not count.isdigit():
            return []
        asked, found = settings.get("accelerator"), []
        for row in gpus:
            spot = row.endswith("-spot")
            name = skypilot.ACCELERATORS.get(row.removesuffix("-spot").removesuffix("-aws"))
            if name is None or (asked is not None and str(asked) != name):
                continue
            best = sky_catalog.dearest_cheapest(name, int(count), spot=spot)
            if best is None:
                continue
            offer, clouds = best
            kind = "spot" if spot else "on-demand"
            found.append(
                GpuPrice(
                    gpu=row,
                    per_hour=offer.per_gpu_hour,
                    source=f"SkyPilot's catalog {offer.path} (fetched {offer.fetched}): {offer.cloud} "
                    f"{offer.instance} in {offer.region}, ${offer.per_hour:f} an hour {kind} / "
                    f"{offer.gpus} GPUs, the dearest of the cheapest {name}:{offer.gpus} offers of the {clouds} "
                    "cloud(s) it lists (SkyPilot picks among the clouds you enabled)",
                    as_of=offer.fetched,
                )
            )
        return found

    def request_preview(self, uploads: list[Upload], request: JobRequest) -> list[str]:
        run_dir = self._run_dir(request.run_id)
        examples = sum(1 for _ in convert.rows(uploads[0].path)) if uploads else 0
        if request.settings.get("scheduler"):
            return self._scheduled_preview(uploads, request, examples)
        run, config = self._plan(request, run_dir, examples)
        target = {"training": "train.jsonl", "validation": "test.jsonl"}
        lines = [f"run folder: {run_dir}/ (ADVISOR_LOCAL_RUNS sets where)"]
        for upload in uploads:
            lines.append(
                f"{upload.role} data: {upload.path} ({upload.size:,} bytes) -> {run_dir}/input/{upload.role}.jsonl, "
                f"converted to TRL's conversational format -> {run_dir}/data/{target[upload.role]}"
            )
        lines.append(f"model: {config['model_name_or_path']}")
        for path, text in self._files(request, run_dir, run, config).items():
            lines += ["", f"--- {path}", text.rstrip("\n")]
        if request.method == "rft":
            lines += [
                "",
                f"--- {run_dir}/advisor_reward.py",
                "advisor_local/reward.py: scores each completion with grader.json",
                "",
                *batches.explained(configs.grpo_batches(run, validation=request.validation_file is not None)),
            ]
            if not run.vllm:
                lines += [
                    "",
                    "generation: TRL's default, transformers' generate() on the training GPUs, slower than the vLLM "
                    "speed the estimate prices it at: --set vllm=colocate (pip install vllm) to generate at that speed",
                ]
        trainer = self._trainer() or ["trl"]
        commands = self._commands(trainer, request, run_dir, run)
        lines.append("")
        if run.nodes == 1:
            lines.append("command (advisor starts it detached, output to train.log in the run folder):")
            lines.append(f"  {configs.shell(commands[0], run_dir)}")
        else:
            lines.append(
                f"commands, one per node ({run.nodes} nodes x {run.gpus} GPUs = {run.processes} processes; the run "
                f"folder must be on every node, e.g. a shared file system):"
            )
            for rank, command in enumerate(commands):
                where = f" (main process, {run.main_process_ip}:{run.main_process_port})" if rank == 0 else ""
                lines.append(f"  node {rank}, machine_rank {rank}{where}: {configs.shell(command, run_dir)}")
            lines.append("advisor starts node 0 on this machine; start each other node's command on that node.")
        return lines

    def preflight(self, request: JobRequest, uploads: list[Upload]) -> list[str]:
        validation = request.validation_file is not None
        run, problems = configs.check_settings(request.settings, request.method, validation=validation)
        if run is not None and request.method == "rft":  # TRL's own config, where TRL is installed beside advisor
            problems += batches.trl_refuses(configs.grpo_batches(run, validation=validation))
        if run is not None:
            problems += handoff.problems(run)
        model = request.model
        if _looks_like_path(model) or model.startswith(("/", ".", "~")):
            folder = Path(model).expanduser()
            if not folder.is_dir():
                problems.append(f"--model {model}: no such folder; give a Hugging Face id or a model folder")
            elif not (folder / "config.json").is_file():
                problems.append(f"--model {model}: no config.json in the folder; give a folder save_pretrained wrote")
        if request.method == "rft" and request.grader is not None:
            problems += unsupported(request.grader)
        for upload in uploads:
            try:
                convert.convert_file(upload.path, None, request.method, str(upload.path))
            except convert.ConversionError as exc:
                problems.append(str(exc))
        return problems

    # --- "uploading": the data goes into the run folder ------------------------------------------

    def _copy_of(self, upload: Upload) -> Path:
        run_id = upload.name.removesuffix(f"-{upload.role}.jsonl")
        return self._run_dir(run_id) / "input" / f"{upload.role}.jsonl"

    def upload(self, upload: Upload) -> str:
        target = self._copy_of(upload)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            part = target.with_name(target.name + ".part")
            shutil.copyfile(upload.path, part)
            part.replace(target)
        except OSError as exc:
            raise ProviderError(
                f"could not copy {upload.path} into the run folder ({exc.strerror})",
                final=True,
                hint="check ADVISOR_LOCAL_RUNS (or the data folder) is writable",
            ) from None
        return str(target)

    def find_upload(self, upload: Upload) -> str | None:
        target = self._copy_of(upload)
        return str(target) if target.is_file() and target.stat().st_size == upload.size else None

    # --- starting the job -------------------------------------------------------------------------

    def create_job(self, request: JobRequest) -> Job:
        run_dir = self._run_dir(request.run_id)
        started = _read_json(run_dir / "job.json")
        if request.settings.get("scheduler"):
            return self._submit(request, run_dir, started)
        if started is not None:  # this run was started already: never start it twice
            return self._job(run_dir, started)
        trainer = self._trainer()
        if trainer is None:
            raise ProviderError(
                "TRL is not installed where advisor runs (no `trl` command)",
                final=True,
                hint='pip install "advisor-local[train]" (torch, transformers, trl, accelerate, peft, datasets), '
                "or set ADVISOR_LOCAL_TRAINER to another environment's trl; --dry-run prints the commands to run "
                "by hand",
                code="trainer_missing",
            )
        try:
            examples = convert.convert_file(
                Path(request.training_file), run_dir / "data" / "train.jsonl", request.method, request.training_file
            )
            if request.validation_file:
                convert.convert_file(
                    Path(request.validation_file),
                    run_dir / "data" / "test.jsonl",
                    request.method,
                    request.validation_file,
                )
        except (convert.ConversionError, OSError, ValueError) as exc:
            raise ProviderError(f"could not convert the data: {exc}", final=True) from None
        run, config = self._plan(request, run_dir, examples)
        for path, text in self._files(request, run_dir, run, config).items():
            path.write_text(text, encoding="utf-8")
        if request.method == "rft":
            shutil.copyfile(Path(__file__).with_name("reward.py"), run_dir / "advisor_reward.py")
        commands = self._commands(trainer, request, run_dir, run)
        log = run_dir / "train.log"
        job: dict[str, Any] = {
            "id": job_id_of(request.run_id),
            "run_id": request.run_id,
            "method": request.method,
            "model": request.model,
            "host": socket.gethostname(),
            "pid": None,  # written before the start, so a launch cut short here is found, not started again
            "started_at": None,
            "command": commands[0],
            "node_commands": [configs.shell(command, run_dir) for command in commands],
            "gpus": run.gpus,
            "nodes": run.nodes,
            "device": run.device,
            "output_dir": str(run_dir / "output"),
            "log": str(log),
        }
        _write_json(run_dir / "job.json", job)
        try:
            with log.open("ab") as output:
                process = subprocess.Popen(
                    [sys.executable, "-m", "advisor_local.supervise", str(run_dir)],
                    cwd=run_dir,
                    stdin=subprocess.DEVNULL,
                    stdout=output,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,  # its own process group: `jobs cancel` stops the whole of it
                )
        except OSError as exc:
            raise ProviderError(f"could not start the training process ({exc.strerror})", final=True) from None
        job.update(pid=process.pid, started_at=time.time())
        _write_json(run_dir / "job.json", job)
        return self._job(run_dir, job)

    # --- following it -----------------------------------------------------------------------------

    def _find(self, job_id: str) -> tuple[Path, dict[str, Any]]:
        run_dir = self._run_dir("adv-" + job_id.removeprefix("local-"))
        job = _read_json(run_dir / "job.json")
        if job is None:
            raise ProviderError(
                f"no local run {job_id} in {runs_dir()}",
                final=True,
                hint="set ADVISOR_LOCAL_RUNS to the folder the run was launched with",
            )
        return run_dir, job

    def _job(self, run_dir: Path, data: dict[str, Any]) -> Job:
        if data.get("scheduler"):
            return self._scheduled_job(run_dir, data)
        log, output_dir = Path(data["log"]), Path(data["output_dir"])
        ended = _read_json(run_dir / "exit.json")
        cancelled = _read_json(run_dir / "cancelled.json")
        pid, host = data.get("pid"), data.get("host")
        here = host == socket.gethostname()
        alive = bool(pid) and here and ended is None and _group_alive(int(pid or 0), run_dir)
        state = progress.read_progress(output_dir, log)
        finished_at = int(ended["finished_at"]) if ended else None
        model, error = None, None
        if cancelled is not None:
            status = "cancelling" if alive else "cancelled"
            if not alive and finished_at is None:
                finished_at = int(cancelled["at"])  # the GPUs were free from then on
        elif ended is not None:
            model = _model_in(output_dir)
            if ended.get("code") == 0 and model:
                status = "succeeded"
            else:
                status = "failed"
                why = (
                    f"the trainer exited with code {ended.get('code')}"
                    if ended.get("code") != 0
                    else f"the trainer exited without writing a model to {output_dir}"
                )
                error = self._with_log(why, log)
        elif pid is None:
            status, error = "failed", "the job was being started when advisor stopped: launch it again with --again"
        elif not here:
            status = "elsewhere"
            error = f"the job runs on {host}: its process can only be checked there"
        elif alive:
            status = "training" if state.step or state.loss is not None or state.reward is not None else "starting"
        else:
            status = "died"
            finished_at = int(log.stat().st_mtime) if log.exists() else None
            error = self._with_log(
                f"the training process (pid {pid} on {host}) ended without finishing: killed, out of memory, or "
                "the machine restarted",
                log,
            )
        started = data.get("started_at")
        details: dict[str, Any] = {
            "host": host,
            "pid": pid,
            "run_dir": str(run_dir),
            "output_dir": str(output_dir),
            "log": str(log),
            "command": configs.shell(data["command"], run_dir),
            "gpus": data.get("gpus"),
            "nodes": data.get("nodes"),
            "device": data.get("device"),
        }
        if data.get("nodes", 1) > 1:
            details["node_commands"] = data.get("node_commands")
        if started:
            end = float(ended["finished_at"]) if ended else time.time() if finished_at is None else finished_at
            gpus = 0 if data.get("device") == "cpu" else int(data.get("gpus") or 1) * int(data.get("nodes") or 1)
            hours = Decimal(str(max(0.0, end - started))) * gpus / 3600
            details["gpu_hours"] = str(hours.quantize(Decimal("0.000001")))
        raw = {"advisor_details": details, "advisor_progress": state.line(), "job": data, "exit": ended}
        return Job(
            id=data["id"],
            status=self.map_status(status),
            provider_status=status,
            model=data["model"],
            run_id=data.get("run_id"),
            fine_tuned_model=str(output_dir) if status == "succeeded" else None,
            created_at=int(started) if started else None,
            finished_at=finished_at if status in ("succeeded", "failed", "died", "cancelled") else None,
            error=error,
            raw=raw,
        )

    def _with_log(self, why: str, log: Path) -> str:
        lines = progress.last_lines(log, LOG_LINES)
        if not lines:
            return f"{why}; {log} is empty"
        return f"{why}; last lines of {log}:\n" + "\n".join(f"    {line}" for line in lines)

    def find_job(self, run_id: str) -> Job | None:
        run_dir = self._run_dir(run_id)
        data = _read_json(run_dir / "job.json")
        if data and data.get("scheduler") and not data.get("scheduler_job_id"):
            data = self._recovered(run_dir, data)  # submitted, its answer lost: by its name at the scheduler
            if data is None:
                return None
        return self._job(run_dir, data) if data else None

    def get_job(self, job_id: str) -> Job:
        return self._job(*self._find(job_id))

    def list_events(self, job_id: str) -> list[JobEvent]:
        run_dir, data = self._find(job_id)
        job = self._job(run_dir, data)
        events = []
        if job.created_at:
            events.append(JobEvent(job.created_at, "info", f"started on {data.get('host')}: pid {data.get('pid')}"))
        state_files = sorted(Path(data["output_dir"]).glob("checkpoint-*/trainer_state.json"))
        at = int(state_files[-1].stat().st_mtime) if state_files else job.created_at or 0
        for step, logged in progress.events(Path(data["output_dir"])):
            values = ", ".join(f"{k} {v}" for k, v in logged.items() if k not in ("step", "epoch"))
            events.append(JobEvent(at, "info", f"step {step}: {values}"))
        if job.status in FINISHED:
            level = "info" if job.status == "succeeded" else "error"
            events.append(JobEvent(job.finished_at or at, level, job.error or job.provider_status))
        return events

    def cancel_job(self, job_id: str) -> Job:
        run_dir, data = self._find(job_id)
        if data.get("scheduler"):
            return self._cancel_scheduled(job_id, run_dir, data)
        job = self._job(run_dir, data)
        if job.status in FINISHED:
            return job
        if job.provider_status == "elsewhere":
            raise ProviderError(
                f"{job_id} runs on {data.get('host')}",
                final=True,
                hint=f"run `{shell_command('advisor', 'jobs', 'cancel', job_id)}` there, or stop process group "
                f"{data.get('pid')} on it",
            )
        _write_json(run_dir / "cancelled.json", {"at": time.time()})
        pid = int(data["pid"])
        self._signal(pid, signal.SIGTERM)
        deadline = time.monotonic() + CANCEL_GRACE_SECONDS
        while _group_alive(pid, run_dir) and time.monotonic() < deadline:
            time.sleep(0.1)
        if _group_alive(pid, run_dir):
            self._signal(pid, signal.SIGKILL)
            while _group_alive(pid, run_dir) and time.monotonic() < deadline + 5:
                time.sleep(0.1)
        return self._job(run_dir, data)

    def _signal(self, pgid: int, signum: int) -> None:
        try:
            os.killpg(pgid, signum)
        except ProcessLookupError:
            pass
        except PermissionError:
            raise ProviderError(f"not allowed to stop process group {pgid}", final=True) from None

    # --- a run handed to a scheduler (advisor_local.handoff) -------------------------------------------

    def _submit(self, request: JobRequest, run_dir: Path, started: dict[str, Any] | None) -> Job:
        """Write the work folder and submit it, once: a run whose submit was answered is returned as it is,
        one whose answer was lost is looked up by its name (the run id) before anything is submitted again."""
        scheduler = str(request.settings["scheduler"])
        if started is not None:
            if started.get("scheduler_job_id"):
                return self._scheduled_job(run_dir, started, ask=False)
            found = self._recovered(run_dir, started)
            if found is not None:
                return self._scheduled_job(run_dir, found, ask=False)
        handoff.require(scheduler)  # the program is there before anything is written
        first, problems = configs.check_settings(
            request.settings, request.method, validation=request.validation_file is not None
        )
        if first is None:
            raise ProviderError("; ".join(problems), final=True)
        work = handoff.work_dir(first, run_dir)
        try:
            (work / "data").mkdir(parents=True, exist_ok=True)
            examples = convert.convert_file(
                Path(request.training_file), work / "data" / "train.jsonl", request.method, request.training_file
            )
            if request.validation_file:
                convert.convert_file(
                    Path(request.validation_file), work / "data" / "test.jsonl", request.method, request.validation_file
                )
        except (convert.ConversionError, OSError, ValueError) as exc:
            raise ProviderError(f"could not write the run's data into {work}: {exc}", final=True) from None
        run, work, written = self._scheduled_plan(request, examples)
        for path, text in written.items():
            path.write_text(text, encoding="utf-8")
        if request.method == "rft":
            shutil.copyfile(Path(__file__).with_name("reward.py"), work / "advisor_reward.py")
        job_file = handoff.job_file(run, work)
        output = (
            f"{str(run.bucket).rstrip('/')}/{request.run_id}" if run.scheduler == "skypilot" else str(work / "output")
        )
        job: dict[str, Any] = {
            "id": job_id_of(request.run_id),
            "run_id": request.run_id,
            "method": request.method,
            "model": request.model,
            "scheduler": scheduler,
            "scheduler_job_id": None,  # written before the submit: a submit whose answer is lost is looked up
            "job_name": request.run_id,
            "work_dir": str(work),
            "job_file": str(job_file),
            "submit_command": shell_command(*handoff.submit_command(run, work, request.run_id)),
            "submitted_at": None,
            "gpus": run.gpus,
            "nodes": run.nodes,
            "generation_nodes": run.generation_nodes or 0,
            "spot": run.on_spot,
            "output_dir": output,
            "log": str(work / "train.log") if scheduler == "slurm" else None,
        }
        run_dir.mkdir(parents=True, exist_ok=True)
        _write_json(run_dir / "job.json", job)
        job["scheduler_job_id"] = handoff.submit(scheduler, job_file, request.run_id)
        job["submitted_at"] = time.time()
        _write_json(run_dir / "job.json", job)
        return self._scheduled_job(run_dir, job, ask=False)

    def _recovered(self, run_dir: Path, data: dict[str, Any]) -> dict[str, Any] | None:
        """The run's job found at the scheduler by its name, recorded in job.json; None when it has none."""
        found = handoff.find_by_name(str(data["scheduler"]), str(data["job_name"]))
        if found is None:
            return None
        data = {**data, "scheduler_job_id": found, "submitted_at": data.get("submitted_at") or time.time()}
        _write_json(run_dir / "job.json", data)
        return data

    def _scheduled_job(self, run_dir: Path, data: dict[str, Any], *, ask: bool = True) -> Job:
        """The job as the scheduler reports it (`ask`: read its state now; else just submitted, queued)."""
        scheduler, their_id = str(data["scheduler"]), data.get("scheduler_job_id")
        label = "Slurm" if scheduler == "slurm" else "SkyPilot"
        state, elapsed, error, note = None, None, None, None
        if not their_id:
            status = "submitting"
            error = f"the submit's answer was lost and no {label} job named {data['job_name']} was found yet"
        elif ask:
            if scheduler == "slurm":
                found = slurm.state(str(their_id))
                state, elapsed, note = found.state, found.elapsed, found.note
            else:
                state = skypilot.state(str(their_id)).state
            status = handoff.status_of(scheduler, state)
        else:
            status = "queued"
        output = str(data["output_dir"])
        log = Path(data["log"]) if data.get("log") else None
        if _read_json(run_dir / "cancelled.json") is not None and status in ("queued", "running", "recovering"):
            status = "cancelling"
        if status == "succeeded" and scheduler == "slurm" and not _model_in(Path(output)):
            status = "failed"
            error = f"Slurm job {their_id} COMPLETED without writing a model to {output}"
        elif status == "failed":
            error = f"{label} job {their_id} ended {state}"
        elif status == "vanished":
            where = (
                "the queue (squeue) nor the past week's accounting (sacct)"
                if scheduler == "slurm"
                else "sky jobs queue"
            )
            error = (
                f"{label} job {their_id} is in neither {where}: it was removed, or the records are not kept; the job "
                "is counted as failed" + (f" ({note})" if note else "")
            )
        if error and log is not None and status in ("failed", "vanished"):
            error = self._with_log(error, log)
        details: dict[str, Any] = {
            "scheduler": scheduler,
            f"{scheduler}_job_id": their_id,
            "scheduler_state": state,
            "work_dir": data.get("work_dir"),
            "job_file": data.get("job_file"),
            "submit_command": data.get("submit_command"),
            "output_dir": output,
            "log": data.get("log"),
            "gpus": data.get("gpus"),
            "nodes": data.get("nodes"),
            "spot": data.get("spot"),
        }
        if elapsed is not None:
            nodes = int(data.get("nodes") or 1) + int(data.get("generation_nodes") or 0)  # all held the whole time
            gpus = int(data.get("gpus") or 1) * nodes
            details["gpu_hours"] = str((Decimal(elapsed) * gpus / 3600).quantize(Decimal("0.000001")))
        line = progress.read_progress(Path(output), log).line() if scheduler == "slurm" and log else None
        submitted = data.get("submitted_at")
        return Job(
            id=data["id"],
            status=self.map_status(status),
            provider_status=status,
            model=data["model"],
            run_id=data.get("run_id"),
            fine_tuned_model=output if status == "succeeded" else None,
            created_at=int(submitted) if submitted else None,
            error=error,
            raw={"advisor_details": details, "advisor_progress": line, "job": data},
        )

    def _cancel_scheduled(self, job_id: str, run_dir: Path, data: dict[str, Any]) -> Job:
        """Cancel at the scheduler; a job that already ended is said to be so, in one line."""
        scheduler = str(data["scheduler"])
        label = "Slurm" if scheduler == "slurm" else "SkyPilot"
        if not data.get("scheduler_job_id"):
            found = self._recovered(run_dir, data)
            if found is None:
                raise ProviderError(
                    f"{job_id} has no {label} job: its submit was not answered and no job named {data['job_name']} "
                    "is known to the scheduler",
                    final=True,
                )
            data = found
        their_id = str(data["scheduler_job_id"])
        job = self._scheduled_job(run_dir, data)
        if job.status not in FINISHED:
            ran = slurm.cancel(their_id) if scheduler == "slurm" else skypilot.cancel(their_id)
            if ran.code == 0:
                _write_json(run_dir / "cancelled.json", {"at": time.time()})
                return self._scheduled_job(run_dir, data)
            job = self._scheduled_job(run_dir, data)
            if job.status not in FINISHED:
                command = ["scancel"] if scheduler == "slurm" else ["sky", "jobs", "cancel", "--yes"]
                raise scheduled.refused(ran, [*command, their_id])
        raise ProviderError(
            f"{job_id} already ended ({job.provider_status}): {label} job {their_id} has nothing to cancel",
            final=True,
            hint=f"see `{shell_command('advisor', 'jobs', 'show', job_id)}`",
            code="already_ended",
        )

    def map_status(self, provider_status: str) -> Status:
        return STATUSES.get(provider_status, "unknown")


def _model_in(output_dir: Path) -> bool:
    """Whether the output folder holds a model (full weights) or an adapter (LoRA)."""
    return any((output_dir / name).is_file() for name in ("adapter_config.json", "config.json"))
