"""GRPO's batch sizes, chosen and checked as TRL checks them, before anything is started.

TRL 1.16.0's GRPOConfig.__post_init__ (huggingface/trl, trl/trainer/grpo_config.py, read 2026-12-07 from
the trl 1.16.0 wheel on PyPI) computes, with `num_processes = self.world_size` and neither
`generation_batch_size` nor `steps_per_generation` set (advisor sets neither):

    generation_batch_size = per_device_train_batch_size * num_processes * gradient_accumulation_steps

and raises, in this order, the first that holds:
1. with evaluation on: `(per_device_eval_batch_size * num_processes) % (num_generations_eval or
   num_generations) != 0`: "The global eval batch size (E * P) must be divisible by the number of
   generations used for evaluation (N).";
2. `generation_batch_size % num_generations != 0`: "generation_batch_size (G) must be divisible by
   num_generations (N).";
3. `num_generations < 2`: "GRPO requires at least 2 generations per prompt to calculate the advantages. You
   provided N, which is less than the minimum required."

`trl grpo --config ... --accelerate_config ...` builds that config in the launching process first
(trl/cli/commands/training.py parses the arguments before accelerate starts the workers), where
world_size is 1, and again in each of the run's processes: a shape must pass with 1 process and with all
of them. Passing with 1 implies passing with more, so the launcher's check is the one that bites: 8 GPUs
with batch_size=1 and num_generations=8 make a global batch of 8 and still stop at the launcher (1 x 1 x 1
is not a multiple of 8).

RFT always has a validation file, so the eval batch matters: transformers' default per-device eval batch
(8) stops any num_generations that does not divide 8. advisor sets `per_device_eval_batch_size` to the
per-device train batch rounded up to a multiple of num_generations: the smallest eval batch TRL accepts
that is not smaller than the train batch.

Where TRL is installed beside advisor, `trl_verdict` also builds TRL's own GRPOConfig with these batch
settings in a separate Python process (the training stack never loads in advisor's), and its verdict is
the one reported.
"""

from __future__ import annotations

import importlib.util
import json
import math
import subprocess
import sys
from dataclasses import dataclass
from functools import cache

TRL_RULES = "TRL 1.16's GRPOConfig, trl/trainer/grpo_config.py,"
DEFAULT_BATCH = 8  # transformers' TrainingArguments: per_device_train_batch_size and per_device_eval_batch_size
DEFAULT_GENERATIONS = 8  # GRPOConfig.num_generations
TRL_CHECK_SECONDS = 180.0  # importing torch and transformers for the config takes seconds; a hang must not


@dataclass(frozen=True)
class Batches:
    """A GRPO run's batch settings as TRL reads them."""

    per_device_train: int
    gradient_accumulation: int
    processes: int
    num_generations: int
    per_device_eval: int | None  # None: no evaluation (no validation file)

    def generation_batch(self, processes: int) -> int:
        return self.per_device_train * processes * self.gradient_accumulation


def eval_batch(per_device_train: int, num_generations: int) -> int:
    """The per-device eval batch advisor sets: the train batch rounded up to a multiple of num_generations."""
    generations = max(num_generations, 1)
    return math.ceil(per_device_train / generations) * generations


def batches_of(
    batch_size: int | None, accumulation: int | None, processes: int, num_generations: int | None, validation: bool
) -> Batches:
    """The batches a run uses: the settings given, else TRL's and transformers' defaults, and advisor's eval batch."""
    train = batch_size or DEFAULT_BATCH
    generations = num_generations or DEFAULT_GENERATIONS
    return Batches(
        train, accumulation or 1, processes, generations, eval_batch(train, generations) if validation else None
    )


def trl_error(batches: Batches) -> tuple[int, str] | None:
    """The error TRL stops with first, word for word, and the process count it was checking with (1 in `trl
    grpo`'s launcher, then the run's processes); None when TRL accepts the shape."""
    for processes in dict.fromkeys((1, batches.processes)):
        error = _first_error(batches, processes)
        if error:
            return processes, error
    return None


def _first_error(b: Batches, processes: int) -> str | None:
    """GRPOConfig.__post_init__'s first ValueError about batches with `processes` as its world_size."""
    generations = b.num_generations
    if b.per_device_eval is not None and (b.per_device_eval * processes) % generations != 0:
        return (
            f"The global eval batch size ({b.per_device_eval} * {processes}) must be divisible by the number of "
            f"generations used for evaluation ({generations})."
        )
    generation_batch = b.generation_batch(processes)
    if generation_batch % generations != 0:
        return f"generation_batch_size ({generation_batch}) must be divisible by num_generations ({generations})."
    if generations < 2:
        return (
            "GRPO requires at least 2 generations per prompt to calculate the advantages. You provided "
            f"{generations}, which is less than the minimum required."
        )
    return None


def problem_line(batches: Batches, processes: int, error: str, checked_by: str = TRL_RULES) -> str:
    """One line: what TRL would stop with, where, and the settings that would pass."""
    where = (
        "when `trl grpo` reads the config, before the workers start (as on 1 process)"
        if processes == 1
        else f"on each of the run's {processes} processes"
    )
    return f'GRPO batch sizes: {checked_by} stops {where}: "{error}"; {_fix(batches)}'


def _fix(b: Batches) -> str:
    """Settings that pass, from the ones given."""
    if b.num_generations < 2:
        return "use --set num_generations=2 or more (TRL's default is 8)"
    per_step = b.per_device_train * b.gradient_accumulation
    generations = b.num_generations
    batch = _round_up(b.per_device_train, generations // math.gcd(generations, b.gradient_accumulation))
    accumulation = _round_up(b.gradient_accumulation, generations // math.gcd(generations, b.per_device_train))
    divisors = [n for n in range(min(generations, per_step), 1, -1) if per_step % n == 0]
    options = [f"--set batch_size={batch}", f"--set gradient_accumulation_steps={accumulation}"]
    if divisors:
        options.append(f"--set num_generations={divisors[0]}")
    return (
        f"batch_size x gradient_accumulation_steps ({b.per_device_train} x {b.gradient_accumulation} = {per_step}) "
        f"must be a multiple of num_generations ({b.num_generations}), whatever the GPUs: {', '.join(options[:-1])} "
        f"or {options[-1]}"
    )


def _round_up(value: int, step: int) -> int:
    return math.ceil(value / step) * step


def explained(b: Batches) -> list[str]:
    """The batch sizes chosen and why, for the dry run."""
    generation_batch = b.generation_batch(b.processes)
    lines = [
        f"GRPO batches, as {TRL_RULES} checks them: per_device_train_batch_size {b.per_device_train} x {b.processes} "
        f"process(es) x gradient_accumulation_steps {b.gradient_accumulation} = generation batch "
        f"{generation_batch} completions per step, {generation_batch // b.num_generations} prompt(s) x "
        f"num_generations {b.num_generations}; TRL also checks it as on 1 process when `trl grpo` reads the config "
        f"({b.generation_batch(1)}, a multiple of {b.num_generations})",
    ]
    if b.per_device_eval is not None:
        lines.append(
            f"per_device_eval_batch_size {b.per_device_eval}: the validation file is evaluated in groups of "
            f"num_generations, so TRL needs the eval batch ({b.per_device_eval} x {b.processes} process(es), and "
            f"{b.per_device_eval} x 1 when `trl grpo` reads the config) to be a multiple of {b.num_generations}; "
            f"advisor sets the train batch ({b.per_device_train}) rounded up to a multiple of {b.num_generations} "
            f"(transformers' default, {DEFAULT_BATCH}, is not one whenever {b.num_generations} does not divide it)"
        )
    return lines


# Run by `trl_verdict` in a Python of its own: TRL's GRPOConfig built with the batch settings, on CPU (so the
# machine's GPUs and bf16 support do not decide), as the launcher builds it (world_size 1).
_BUILD = """
import json, sys, tempfile, warnings
warnings.simplefilter("ignore")
settings = json.loads(sys.argv[1])
import trl
from trl import GRPOConfig
with tempfile.TemporaryDirectory() as output:
    try:
        GRPOConfig(output_dir=output, use_cpu=True, bf16=False, report_to="none", **settings)
    except ValueError as exc:
        print(json.dumps({"version": trl.__version__, "error": str(exc)}))
    else:
        print(json.dumps({"version": trl.__version__, "error": None}))
"""


def trl_refuses(batches: Batches) -> list[str]:
    """TRL's own verdict where it is installed beside advisor: one line when its GRPOConfig refuses the batches
    (the arithmetic of `trl_errors` found nothing), none when it accepts them or cannot be asked."""
    verdict = trl_verdict(batches)
    if verdict is None or verdict[1] is None:
        return []
    return [problem_line(batches, 1, verdict[1], f"TRL {verdict[0]}'s own GRPOConfig, built here,")]


def trl_installed() -> bool:
    return importlib.util.find_spec("trl") is not None


@cache
def trl_verdict(batches: Batches) -> tuple[str, str | None] | None:
    """(TRL's version, its error or None) from TRL's own GRPOConfig built with these batches, or None where
    TRL is not installed beside advisor or could not be asked (the arithmetic above stands then)."""
    if not trl_installed():
        return None
    settings = {
        "per_device_train_batch_size": batches.per_device_train,
        "gradient_accumulation_steps": batches.gradient_accumulation,
        "num_generations": batches.num_generations,
        "eval_strategy": "no" if batches.per_device_eval is None else "epoch",
    }
    if batches.per_device_eval is not None:
        settings["per_device_eval_batch_size"] = batches.per_device_eval
    try:
        done = subprocess.run(
            [sys.executable, "-c", _BUILD, json.dumps(settings)],
            capture_output=True,
            text=True,
            timeout=TRL_CHECK_SECONDS,
            check=False,
        )
        answer = json.loads(done.stdout.strip().splitlines()[-1])
    except (OSError, subprocess.TimeoutExpired, ValueError, IndexError):
        return None
    error = answer.get("error")
    return str(answer.get("version")), (str(error) if error else None)
