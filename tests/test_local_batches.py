"""GRPO's batch sizes on own GPUs: `advisor launch --provider local --method rft` accepts exactly the batch
shapes TRL accepts, refuses the others before anything starts (one line each), sets the eval batch TRL needs,
and the dry run shows the batch sizes it chose and why.

The oracle is TRL's rule, written here from its source (huggingface/trl 1.16.0, trl/trainer/grpo_config.py,
GRPOConfig.__post_init__, read 2026-12-07): with num_processes = world_size and no generation_batch_size or
steps_per_generation, generation_batch_size = per_device_train_batch_size x num_processes x
gradient_accumulation_steps; with evaluation on, (per_device_eval_batch_size x num_processes) must be divisible
by num_generations_eval or num_generations; generation_batch_size must be divisible by num_generations; and
num_generations must be at least 2. `trl grpo` builds the config in its launcher, where world_size is 1
(trl/cli/commands/training.py parses the arguments before accelerate starts the workers), then in each of the
run's processes. The oracle reads the batch sizes from the config file advisor writes, with transformers'
defaults (8) for what it leaves out. tests/test_local_training.py builds TRL's own GRPOConfig for the same
shapes (`make test-local-training`).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from advisor_local import configs

from .helpers import write_jsonl

TRANSFORMERS_DEFAULT_BATCH = 8  # TrainingArguments.per_device_train_batch_size and per_device_eval_batch_size


def trl_accepts(config: dict[str, Any], processes: int) -> bool:
    """TRL 1.16's GRPOConfig.__post_init__ batch checks, at world_size 1 (the launcher) and `processes`."""
    train = config.get("per_device_train_batch_size", TRANSFORMERS_DEFAULT_BATCH)
    evaluation = config.get("per_device_eval_batch_size", TRANSFORMERS_DEFAULT_BATCH)
    accumulation = config.get("gradient_accumulation_steps", 1)
    generations = config["num_generations"]
    evaluating = config.get("eval_strategy", "no") != "no"
    for world_size in {1, processes}:
        if evaluating and (evaluation * world_size) % generations != 0:
            return False
        if (train * world_size * accumulation) % generations != 0:
            return False
        if generations < 2:
            return False
    return True


SHAPES = st.fixed_dictionaries(
    {},
    optional={
        "batch_size": st.integers(1, 64),
        "gradient_accumulation_steps": st.integers(1, 16),
        "gpus": st.integers(1, 16),
        "nodes": st.integers(1, 8),
        "num_generations": st.integers(1, 64),
        "device": st.sampled_from(["gpu", "cpu"]),
    },
)


@settings(max_examples=500, deadline=None)
@given(shape=SHAPES, validation=st.booleans())
@example(shape={"gpus": 8, "batch_size": 1, "num_generations": 8}, validation=True)  # issue 24: passed, TRL stops
@example(shape={"batch_size": 16, "num_generations": 16}, validation=True)  # TRL's eval batch: refused, now set
@example(shape={"gpus": 2, "batch_size": 8, "num_generations": 16}, validation=True)
@example(shape={"num_generations": 1}, validation=True)
def test_advisor_accepts_exactly_the_batch_shapes_trl_accepts(shape: dict[str, Any], validation: bool) -> None:
    settings_given = {"max_completion_length": 64, **shape}
    if settings_given.get("device") == "cpu":
        settings_given = {k: v for k, v in settings_given.items() if k not in ("gpus", "nodes")}
    if settings_given.get("nodes", 1) > 1:
        settings_given["main_process_ip"] = "10.0.0.1"
    run, problems = configs.check_settings(settings_given, "rft", validation=validation)
    if run is None:  # refused: each problem is about the batch sizes, in one line
        processes = 1 if settings_given.get("device") == "cpu" else shape.get("gpus", 1) * shape.get("nodes", 1)
        config = configs.training_config(
            "rft", "m", Path("/run"), configs.RunSettings(**settings_given), 1, validation=validation, seed=None
        )
        assert not trl_accepts(config, processes), problems
        # and never for the eval batch, which advisor chooses: the shape fails TRL's training rules themselves
        assert not trl_accepts({**config, "eval_strategy": "no"}, processes), problems
        assert len(problems) == 1 and problems[0].startswith("GRPO batch sizes: TRL 1.16's GRPOConfig"), problems
        assert "\n" not in problems[0]
        return
    config = configs.training_config("rft", "m", Path("/run"), run, 1, validation=validation, seed=None)
    assert trl_accepts(config, run.processes), config
    assert ("per_device_eval_batch_size" in config) == validation


def rft_launch(tmp_path: Path, *extra: str) -> list[str]:
    rows = [{"messages": [{"role": "user", "content": f"{i} + {i}?"}], "answer": str(2 * i)} for i in range(15)]
    grader = {"type": "string_check", "name": "exact", "operation": "eq"}
    grader |= {"input": "{{ sample.output_text }}", "reference": "{{ item.answer }}"}
    (tmp_path / "grader.json").write_text(json.dumps(grader))
    return [
        "launch", "--provider", "local", "--method", "rft", "--model", "llama-3.1-8b-instruct",
        "--training-file", str(write_jsonl(tmp_path / "train.jsonl", rows[:12])),
        "--validation-file", str(write_jsonl(tmp_path / "valid.jsonl", rows[12:])),
        "--grader", str(tmp_path / "grader.json"), "--set", "max_completion_length=64",
        "--today", "2026-12-05", "--dry-run", *extra,
    ]  # fmt: skip


@pytest.fixture(autouse=True)
def local(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ADVISOR_LOCAL_RUNS", str(tmp_path / "runs"))
    monkeypatch.setenv("ADVISOR_LOCAL_TRAINER", f"{sys.executable} {Path(__file__).with_name('local_trainer.py')}")
    return tmp_path / "runs"


class TestTheDryRun:
    @pytest.mark.parametrize(
        ("shape", "says"),
        [
            (
                ["--gpus", "8", "--set", "batch_size=1", "--set", "num_generations=8"],
                '"generation_batch_size (1) must be divisible by num_generations (8)."',
            ),
            (
                ["--gpus", "2", "--set", "batch_size=8", "--set", "num_generations=16"],
                '"generation_batch_size (8) must be divisible by num_generations (16)."',
            ),
            (
                ["--set", "batch_size=3", "--set", "gradient_accumulation_steps=3", "--set", "num_generations=2"],
                '"generation_batch_size (9) must be divisible by num_generations (2)."',
            ),
            (
                ["--set", "num_generations=1"],
                '"GRPO requires at least 2 generations per prompt to calculate the advantages. You provided 1, '
                'which is less than the minimum required."',
            ),
        ],
        ids=["8-gpus-batch-1", "2x8-of-16", "odd-accumulation", "one-generation"],
    )
    def test_each_shape_trl_refuses_is_refused_with_one_line(self, advisor, tmp_path, local, shape, says) -> None:
        result = advisor(*rft_launch(tmp_path, *shape))
        assert result.code == 1
        lines = [line for line in result.err.splitlines() if line.startswith("  - ")]
        assert len(lines) == 1 and says in lines[0], result.err
        assert "when `trl grpo` reads the config" in lines[0] and "--set " in lines[0]
        assert not local.exists()  # nothing written, nothing started

    @pytest.mark.parametrize(
        "shape",
        [
            {"batch_size": 1, "num_generations": 8},
            {"batch_size": 6, "gradient_accumulation_steps": 4, "num_generations": 16},
        ],
    )
    def test_every_fix_it_suggests_passes(self, advisor, tmp_path, shape) -> None:
        def sets(values: dict[str, int]) -> list[str]:
            return ["--gpus", "2", *(word for name, value in values.items() for word in ("--set", f"{name}={value}"))]

        refused = advisor(*rft_launch(tmp_path, *sets(shape)))
        suggested = re.findall(r"--set (\w+)=(\d+)", refused.err.split("whatever the GPUs: ")[1])
        assert len(suggested) >= 2, refused.err
        for name, value in suggested:
            accepted = advisor(*rft_launch(tmp_path, *sets({**shape, name: int(value)})))
            assert accepted.code == 0, (name, value, accepted.err)

    def test_num_generations_16_on_one_gpu_sets_the_eval_batch_trl_needs_and_says_why(self, advisor, tmp_path) -> None:
        result = advisor(*rft_launch(tmp_path, "--set", "batch_size=16", "--set", "num_generations=16"))
        assert result.code == 0, result.err
        assert "per_device_train_batch_size: 16" in result.out and "per_device_eval_batch_size: 16" in result.out
        assert (
            "GRPO batches, as TRL 1.16's GRPOConfig, trl/trainer/grpo_config.py, checks them: "
            "per_device_train_batch_size 16 x 1 process(es) x gradient_accumulation_steps 1 = generation batch 16 "
            "completions per step, 1 prompt(s) x num_generations 16"
        ) in result.out
        assert "per_device_eval_batch_size 16: the validation file is evaluated in groups of num_generations" in (
            result.out
        )

    def test_the_defaults_on_8_gpus_are_shown_with_the_processes(self, advisor, tmp_path) -> None:
        result = advisor(*rft_launch(tmp_path, "--gpus", "8"))
        assert result.code == 0, result.err
        assert "per_device_eval_batch_size: 8" in result.out
        assert "8 x 8 process(es) x gradient_accumulation_steps 1 = generation batch 64 completions per step" in (
            result.out
        )
        assert "8 prompt(s) x num_generations 8" in result.out
