"""The files and commands of a local run: TRL's training config, accelerate's config for each node, and
the `trl sft|dpo|grpo` command each node runs.

The settings come from `advisor launch` (`--training-type`, `--gpus`, `--nodes`, `--set NAME=VALUE`),
checked by `check_settings` before anything is written. accelerate counts `num_processes` over all
machines: 2 nodes x 8 GPUs is `num_processes: 16, num_machines: 2`, and node r runs with
`machine_rank: r`, so each node gets its own accelerate file.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from advisor.plugin_api import MAX_GPUS_PER_NODE, MAX_NODES, Method, shell_command, shell_word
from advisor_local import batches
from advisor_local.scheduled import SCHEDULERS

TRL_COMMANDS: dict[str, str] = {"sft": "sft", "dpo": "dpo", "rft": "grpo"}
TRAINING_TYPES = ("lora", "qlora", "full")
DISTRIBUTED = ("zero2", "zero3", "fsdp")
DEVICES = ("gpu", "cpu")
VLLM_MODES = ("colocate", "server")  # TRL's vllm_mode: on the training GPUs, or a `trl vllm-serve` of its own
DEFAULT_PORT = 29500
# learning rates TRL's documentation uses for each method (LoRA trains far fewer weights: a higher rate)
LEARNING_RATES: dict[tuple[str, bool], float] = {
    ("sft", True): 2.0e-4,
    ("sft", False): 2.0e-5,
    ("dpo", True): 5.0e-6,
    ("dpo", False): 5.0e-7,
    ("rft", True): 1.0e-5,
    ("rft", False): 1.0e-6,
}

# name -> (what it does, type) for the settings passed through `--set`; `advisor providers` lists them
NUMERIC: dict[str, type] = {
    "gpus": int,
    "nodes": int,
    "main_process_port": int,
    "learning_rate": float,
    "batch_size": int,
    "gradient_accumulation_steps": int,
    "max_length": int,
    "lora_r": int,
    "beta": float,
    "num_generations": int,
    "max_completion_length": int,
    "max_steps": int,
    "cpus": int,
    "generation_nodes": int,
}
# the largest value each may take: a run folder gets one accelerate file and one command per node
# generation_nodes: GRPO's trainer talks to one vLLM server (GRPOConfig's vllm_server_host), on one node
MOST: dict[str, int] = {
    "gpus": MAX_GPUS_PER_NODE,
    "nodes": MAX_NODES,
    "main_process_port": 65535,
    "cpus": 4096,
    "generation_nodes": 1,
}
YES, NO = ("true", "yes", "1", "on"), ("false", "no", "0", "off")
SLURM_ONLY = ("run_dir", "partition", "account", "time_limit", "cpus")  # sbatch's
SKYPILOT_ONLY = ("bucket", "accelerator", "spot")  # a cloud's


@dataclass(frozen=True)
class RunSettings:
    """The launch settings, checked and with their defaults."""

    training_type: str = "lora"
    gpus: int = 1
    nodes: int = 1
    distributed: str | None = None
    main_process_ip: str | None = None
    main_process_port: int = DEFAULT_PORT
    device: str = "gpu"
    learning_rate: float | None = None
    batch_size: int | None = None
    gradient_accumulation_steps: int | None = None
    max_length: int | None = None
    lora_r: int = 16
    beta: float | None = None
    num_generations: int | None = None
    max_completion_length: int | None = None
    max_steps: int | None = None
    vllm: str | None = None  # RFT: generate with vLLM (TRL's use_vllm) in this vllm_mode
    scheduler: str | None = None  # slurm or skypilot: the job is handed to it (advisor_local.slurm, .skypilot)
    run_dir: str | None = None  # Slurm: the shared folder the run's folder is made in
    partition: str | None = None
    account: str | None = None
    time_limit: str | None = None
    cpus: int | None = None  # CPUs of each node's task
    bucket: str | None = None  # SkyPilot: where the output goes
    accelerator: str | None = None  # SkyPilot: the GPU asked for (default: the one the price row's speed is of)
    spot: str | None = None  # SkyPilot: spot capacity (pre-emptible), true or false
    generation_nodes: int | None = None  # RFT, vllm=server: a node of its own runs `trl vllm-serve`

    @property
    def on_spot(self) -> bool:
        return (self.spot or "").lower() in YES

    @property
    def processes(self) -> int:
        return 1 if self.device == "cpu" else self.gpus * self.nodes


def check_settings(
    settings: dict[str, Any], method: Method, *, validation: bool = True
) -> tuple[RunSettings | None, list[str]]:
    """The settings as RunSettings, or the problems that stop the launch (each naming the setting). Names
    RunSettings does not have (a `--set` typo, `--tier`) are left out: advisor's own check names them.
    RFT's batch sizes are held to TRL's rules (advisor_local.batches), with an eval batch when there is a
    `validation` file."""
    problems: list[str] = []
    values: dict[str, Any] = {}
    known = {field.name for field in fields(RunSettings)}
    for name, value in settings.items():
        if name not in known:
            continue
        kind = NUMERIC.get(name)
        if kind is None:
            values[name] = str(value)
            continue
        try:
            number = kind(value)
        except (TypeError, ValueError, OverflowError):
            noun = "a whole number" if kind is int else "a number"
            problems.append(f"--set {name}={value}: must be {noun}")
            continue
        if not math.isfinite(number) or number <= 0:
            problems.append(f"--set {name}={value}: must be a finite number more than 0")
            continue
        if name in MOST and number > MOST[name]:
            problems.append(f"--set {name}={value}: must be at most {MOST[name]:,}")
            continue
        values[name] = number
    choices = {
        "training_type": TRAINING_TYPES,
        "distributed": DISTRIBUTED,
        "device": DEVICES,
        "vllm": VLLM_MODES,
        "scheduler": SCHEDULERS,
        "spot": YES + NO,
    }
    for name, allowed in choices.items():
        if name in values and values[name] not in allowed:
            problems.append(f"{name} {values[name]!r}: use one of {', '.join(allowed)}")
    if problems:
        return None, problems
    run = RunSettings(**values)
    problems += _scheduler_problems(run)
    if run.nodes > 1 and not run.main_process_ip and not run.scheduler:
        problems.append(
            f"{run.nodes} nodes need the address of node 0: --set main_process_ip=ADDRESS "
            f"(and --set main_process_port=PORT, default {DEFAULT_PORT})"
        )
    if run.device == "cpu" and (run.gpus > 1 or run.nodes > 1 or run.distributed):
        problems.append("device=cpu runs one process on one machine: drop --gpus, --nodes and distributed")
    if run.device == "cpu" and run.training_type == "qlora":
        problems.append("QLoRA needs a GPU (bitsandbytes 4-bit): use --training-type lora with device=cpu")
    if method == "rft":
        if run.max_completion_length is None:
            problems.append(
                "RFT (GRPO) needs --set max_completion_length=N: the longest completion it generates, which "
                "prices its rollouts in the estimate (TRL's default is 512)"
            )
        grpo = grpo_batches(run, validation=validation)
        refused = batches.trl_error(grpo)
        if refused:
            problems.append(batches.problem_line(grpo, *refused))
        if run.vllm and run.device == "cpu":
            problems.append("vLLM generates on GPUs: drop --set vllm with device=cpu")
    elif run.num_generations or run.max_completion_length or run.vllm:
        problems.append("num_generations, max_completion_length and vllm are RFT (GRPO) settings: drop them")
    return (None if problems else run), problems


def _scheduler_problems(run: RunSettings) -> list[str]:
    """Settings of one scheduler given to another, or to none; a scheduler runs GPU jobs."""
    found = []
    for names, wanted in ((SLURM_ONLY, "slurm"), (SKYPILOT_ONLY, "skypilot")):
        given = [name for name in names if getattr(run, name) is not None]
        if given and run.scheduler != wanted:
            found.append(f"{', '.join(given)}: settings of --scheduler {wanted}, not of {_where(run.scheduler)}")
    if run.scheduler and run.device == "cpu":
        found.append(f"--scheduler {run.scheduler} runs on GPUs: drop device=cpu")
    if run.generation_nodes and not (run.scheduler and run.vllm == "server"):
        found.append(
            "generation_nodes: a node of its own for `trl vllm-serve` goes with --set vllm=server and a --scheduler "
            "(on one machine, start `trl vllm-serve` yourself)"
        )
    if run.scheduler and run.main_process_ip:
        found.append(f"--scheduler {run.scheduler} gives node 0's address itself: drop main_process_ip")
    return found


def _where(scheduler: str | None) -> str:
    return f"--scheduler {scheduler}" if scheduler else "a run on this machine (no --scheduler)"


def grpo_batches(run: RunSettings, *, validation: bool) -> batches.Batches:
    """The batch sizes a GRPO run uses, as TRL will read them from the config advisor writes."""
    return batches.batches_of(
        run.batch_size, run.gradient_accumulation_steps, run.processes, run.num_generations, validation
    )


def training_config(
    method: Method,
    model: str,
    run_dir: Path,
    run: RunSettings,
    epochs: int,
    *,
    validation: bool,
    seed: int | None,
) -> dict[str, Any]:
    """TRL's config file (`trl sft|dpo|grpo --config`): the script's, the trainer's and the model's arguments."""
    lora = run.training_type in ("lora", "qlora")
    cpu = run.device == "cpu"
    config: dict[str, Any] = {
        "model_name_or_path": model,
        "dtype": "float32" if cpu else "bfloat16",
        "dataset_name": str(run_dir / "data"),  # train.jsonl (+ test.jsonl): `datasets` names the splits
        "output_dir": str(run_dir / "output"),
        "num_train_epochs": epochs,
        "learning_rate": run.learning_rate or LEARNING_RATES[(method, lora)],
        "save_strategy": "steps",
        "save_total_limit": 2,
        "report_to": "none",
        "bf16": not cpu,
    }
    if cpu:
        config["use_cpu"] = True
    if seed is not None:
        config["seed"] = seed
    for name, key in (
        ("batch_size", "per_device_train_batch_size"),
        ("gradient_accumulation_steps", "gradient_accumulation_steps"),
        ("max_steps", "max_steps"),
    ):
        if getattr(run, name) is not None:
            config[key] = getattr(run, name)
    if validation:
        config["eval_strategy"] = "epoch"
        config["dataset_test_split"] = "test"
    if lora:
        config.update(use_peft=True, lora_r=run.lora_r, lora_alpha=2 * run.lora_r, lora_target_modules="all-linear")
    if run.training_type == "qlora":
        config.update(load_in_4bit=True, bnb_4bit_quant_type="nf4")
    if method in ("sft", "dpo"):
        config["max_length"] = run.max_length or 1024
    if method == "dpo" and run.beta is not None:
        config["beta"] = run.beta
    if method == "rft":
        config["reward_funcs"] = ["advisor_reward.reward"]  # imported from the run folder (the working directory)
        grpo = grpo_batches(run, validation=validation)
        config["num_generations"] = grpo.num_generations
        if grpo.per_device_eval is not None:  # transformers' default (8) is not a multiple of every num_generations
            config["per_device_eval_batch_size"] = grpo.per_device_eval
        config["max_completion_length"] = run.max_completion_length
        config["log_completions"] = False
        if run.vllm:  # TRL's default is transformers' generate() on the training GPUs, slower than vLLM
            config.update(use_vllm=True, vllm_mode=run.vllm)
        if run.beta is not None:
            config["beta"] = run.beta
    return config


def accelerate_config(run: RunSettings, machine_rank: int) -> dict[str, Any]:
    """accelerate's config file for one node (`accelerate launch --config_file`, or TRL's `--accelerate_config`)."""
    cpu = run.device == "cpu"
    config: dict[str, Any] = {
        "compute_environment": "LOCAL_MACHINE",
        "debug": False,
        "machine_rank": machine_rank,
        "main_training_function": "main",
        "mixed_precision": "no" if cpu else "bf16",
        "num_machines": run.nodes,
        "num_processes": run.processes,
        "rdzv_backend": "static",
        "same_network": True,
        "use_cpu": cpu,
    }
    if cpu or (run.processes == 1 and run.distributed is None):
        config["distributed_type"] = "NO"
    elif run.distributed in ("zero2", "zero3"):
        stage = 2 if run.distributed == "zero2" else 3
        config["distributed_type"] = "DEEPSPEED"
        config["deepspeed_config"] = {
            "deepspeed_multinode_launcher": "standard",
            "offload_optimizer_device": "none",
            "offload_param_device": "none",
            "zero3_init_flag": stage == 3,
            "zero3_save_16bit_model": stage == 3,
            "zero_stage": stage,
        }
    elif run.distributed == "fsdp":
        config["distributed_type"] = "FSDP"
        config["fsdp_config"] = {
            "fsdp_activation_checkpointing": False,
            "fsdp_auto_wrap_policy": "TRANSFORMER_BASED_WRAP",
            "fsdp_cpu_ram_efficient_loading": True,
            "fsdp_offload_params": False,
            "fsdp_reshard_after_forward": True,
            "fsdp_state_dict_type": "FULL_STATE_DICT",
            "fsdp_version": 2,
        }
    else:
        config["distributed_type"] = "MULTI_GPU"
        config["gpu_ids"] = "all"
    if run.nodes > 1 and not run.scheduler:  # a scheduler's task gives node 0's address on the command line
        config["main_process_ip"] = run.main_process_ip
        config["main_process_port"] = run.main_process_port
    return dict(sorted(config.items()))


def scheduled_launch(method: Method, run_dir: Path, run: RunSettings) -> tuple[list[str], list[str]]:
    """The command a scheduler's task runs on each node, in two parts: `accelerate launch` with its options
    (each task adds `--machine_rank` and `--main_process_ip` from the scheduler's environment after them) and
    the training script with its config. `trl sft` is this: TRL's CLI hands `trl/scripts/sft.py` to
    accelerate's launch_command (trl/cli.py); with `-m` accelerate runs it as the module."""
    options = [
        "accelerate",
        "launch",
        "--config_file",
        str(run_dir / "accelerate.yaml"),
        "--num_machines",
        str(run.nodes),
        "--num_processes",
        str(run.processes),
    ]
    if run.nodes > 1:
        options += ["--main_process_port", str(run.main_process_port)]
    return options, ["-m", f"trl.scripts.{TRL_COMMANDS[method]}", "--config", str(run_dir / "train.yaml")]


def accelerate_file(run_dir: Path, run: RunSettings, machine_rank: int) -> Path:
    return run_dir / ("accelerate.yaml" if run.nodes == 1 else f"accelerate-node{machine_rank}.yaml")


def node_command(trainer: list[str], method: Method, run_dir: Path, run: RunSettings, machine_rank: int) -> list[str]:
    """The command node `machine_rank` runs, from the run folder (GRPO imports its reward from there)."""
    return [
        *trainer,
        TRL_COMMANDS[method],
        "--config",
        str(run_dir / "train.yaml"),
        "--accelerate_config",
        str(accelerate_file(run_dir, run, machine_rank)),
    ]


def shell(command: list[str], run_dir: Path) -> str:
    return f"cd {shell_word(run_dir)} && {shell_command(*command)}"


def yaml_text(mapping: dict[str, Any], indent: int = 0) -> str:
    """YAML for a config of scalars, lists and nested mappings. Scalars are written as JSON, which YAML
    reads as the same values, so nothing is left to YAML's implicit typing (`no`, `1e-5`, `on`)."""
    lines = []
    pad = " " * indent
    for key, value in mapping.items():
        if isinstance(value, dict):
            lines.append(f"{pad}{key}:")
            lines.append(yaml_text(value, indent + 2).rstrip("\n"))
        else:
            lines.append(f"{pad}{key}: {_scalar(value)}")
    return "\n".join(lines) + "\n"


def _scalar(value: Any) -> str:
    text = json.dumps(value)
    if isinstance(value, float) and "e" in text and "." not in text.split("e")[0]:
        text = text.replace("e", ".0e")  # YAML 1.1 (PyYAML) reads 1e-05 as text, 1.0e-05 as a number
    return text
