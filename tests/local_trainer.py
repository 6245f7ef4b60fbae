"""A stand-in for TRL's `trl` command in the local provider's tests (CI has no GPU and no models).

The tests point the plugin at it with ADVISOR_LOCAL_TRAINER="python tests/local_trainer.py". It is
called as `trl` is (`sft|dpo|grpo --config train.yaml --accelerate_config accelerate.yaml`) from the run
folder, checks what advisor wrote (the configs, the converted data, for GRPO the reward module scoring a
completion with the real grader), then behaves like the trainer: logs its values as a Python dict,
writes `checkpoint-N/trainer_state.json` and the adapter or model into the output folder.

LOCAL_TRAINER_MODE picks what happens: `finish` (default), `fail` (exit 1 after a step), `hang` (train
until killed), `die` (the whole process group is killed mid-run, as the out-of-memory killer would).
LOCAL_TRAINER_STEPS and LOCAL_TRAINER_DELAY (seconds a step) set the pace.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

KEYS = {"sft": {"messages"}, "dpo": {"prompt", "chosen", "rejected"}, "grpo": {"prompt", "advisor_item"}}


def read_config(path: Path) -> dict[str, Any]:
    """The YAML advisor writes: `key: <JSON value>` lines, nested mappings indented by two spaces."""
    root: dict[str, Any] = {}
    stack: list[tuple[int, dict[str, Any]]] = [(-1, root)]
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip())
        key, _, value = line.strip().partition(":")
        while stack[-1][0] >= indent:
            stack.pop()
        if value.strip():
            stack[-1][1][key] = json.loads(value)
        else:
            stack[-1][1][key] = {}
            stack.append((indent, stack[-1][1][key]))
    return root


def fail(message: str) -> None:
    print(f"stub trainer: {message}", flush=True)
    sys.exit(3)


def check(command: str, config: dict[str, Any], accelerate: dict[str, Any]) -> float | None:
    """What advisor wrote is what `trl <command>` needs; for GRPO, a reward computed with the real grader."""
    if Path.cwd() != Path(config["output_dir"]).parent:
        fail(f"started in {Path.cwd()}, not the run folder")
    if not config.get("model_name_or_path"):
        fail("no model_name_or_path")
    train = Path(config["dataset_name"]) / "train.jsonl"
    rows = [json.loads(line) for line in train.read_text(encoding="utf-8").splitlines()]
    if not rows or not all(KEYS[command] <= set(row) for row in rows):
        fail(f"{train}: rows without {sorted(KEYS[command])}")
    if accelerate["num_processes"] < 1 or accelerate["machine_rank"] >= accelerate["num_machines"]:
        fail("accelerate config does not add up")
    print(f"stub trainer: {command} on {len(rows)} examples, {accelerate['num_processes']} processes", flush=True)
    if command != "grpo":
        return None
    sys.path.insert(0, os.getcwd())  # as trl grpo imports reward_funcs
    module_name, function_name = config["reward_funcs"][0].rsplit(".", 1)
    reward = getattr(__import__(module_name), function_name)
    item = json.loads(rows[0]["advisor_item"])
    right, wrong = str(item.get("answer")), "certainly not the answer"
    scores = reward([[{"role": "assistant", "content": right}], [{"role": "assistant", "content": wrong}]],
                    advisor_item=[rows[0]["advisor_item"]] * 2)  # fmt: skip
    print(f"stub trainer: reward of the reference answer {scores[0]}, of a wrong one {scores[1]}", flush=True)
    return sum(scores) / len(scores)


def main() -> None:
    command = sys.argv[1]
    arguments = dict(zip(sys.argv[2::2], sys.argv[3::2], strict=True))
    config = read_config(Path(arguments["--config"]))
    accelerate = read_config(Path(arguments["--accelerate_config"]))
    reward = check(command, config, accelerate)
    mode = os.environ.get("LOCAL_TRAINER_MODE", "finish")
    steps = int(os.environ.get("LOCAL_TRAINER_STEPS", "3"))
    delay = float(os.environ.get("LOCAL_TRAINER_DELAY", "0.05"))
    output = Path(config["output_dir"])
    history: list[dict[str, Any]] = []
    step = 0
    while step < steps or mode == "hang":
        step += 1
        time.sleep(delay)
        logged: dict[str, Any] = {"loss": round(2.0 / step, 4), "learning_rate": config["learning_rate"]}
        if reward is not None:
            logged["reward"] = reward
        logged["epoch"] = round(step / max(steps, 1), 2)
        print(str(logged), flush=True)  # as transformers' ProgressCallback prints its logs
        history.append({**logged, "step": step})
        checkpoint = output / f"checkpoint-{step}"
        checkpoint.mkdir(parents=True, exist_ok=True)
        state = {"global_step": step, "max_steps": steps, "epoch": logged["epoch"], "log_history": history}
        (checkpoint / "trainer_state.json").write_text(json.dumps(state))
        if mode == "fail":
            print("Traceback (most recent call last):\ntorch.OutOfMemoryError: CUDA out of memory.", flush=True)
            sys.exit(1)
        if mode == "die":
            os.killpg(os.getpgid(0), signal.SIGKILL)
    name = "adapter_config.json" if config.get("use_peft") else "config.json"
    (output / name).write_text(json.dumps({"base_model_name_or_path": config["model_name_or_path"]}))
    print(f"Model saved to {output}.", flush=True)


if __name__ == "__main__":
    main()
