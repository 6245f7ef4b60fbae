"""What a running trainer says about itself: Hugging Face's `trainer_state.json` and the log.

The Trainer writes `trainer_state.json` (global_step, max_steps, epoch, log_history) into each
checkpoint folder (`output/checkpoint-N/`) and, once training ends, saves a last checkpoint. Between
checkpoints the log is fresher: every `logging_steps` the trainer prints its logged values as a Python
dict (`{'loss': 1.21, 'grad_norm': 0.8, 'learning_rate': 0.0002, 'epoch': 0.5}`; GRPO adds `reward`).
Both are read; nothing is imported from the training stack.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_LOGGED = re.compile(r"\{'[^{}\n]*\}")
TAIL_BYTES = 256 * 1024


@dataclass(frozen=True)
class Progress:
    step: int | None = None
    max_steps: int | None = None
    epoch: float | None = None
    loss: float | None = None
    reward: float | None = None

    def line(self) -> str | None:
        parts = []
        if self.step is not None:
            parts.append(f"step {self.step}" + (f"/{self.max_steps}" if self.max_steps else ""))
        if self.epoch is not None:
            parts.append(f"epoch {self.epoch:.2f}")
        if self.loss is not None:
            parts.append(f"loss {self.loss:.4f}")
        if self.reward is not None:
            parts.append(f"reward {self.reward:.3f}")
        return ", ".join(parts) or None


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _last(entries: list[dict[str, Any]], key: str) -> float | None:
    """The newest value of `key` (a run's summary, `train_loss`, is logged after its last checkpoint)."""
    return next((_number(entry[key]) for entry in reversed(entries) if key in entry), None)


def _first_known(*values: float | None) -> float | None:
    return next((value for value in values if value is not None), None)


def latest_state(output_dir: Path) -> dict[str, Any] | None:
    """The newest trainer_state.json: the output folder's own, or the highest checkpoint's."""
    candidates = [output_dir / "trainer_state.json", *output_dir.glob("checkpoint-*/trainer_state.json")]
    best: tuple[int, dict[str, Any]] | None = None
    for path in candidates:
        try:
            state = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # absent, or being written right now
        step = state.get("global_step") if isinstance(state, dict) else None
        if isinstance(step, int) and (best is None or step > best[0]):
            best = (step, state)
    return best[1] if best else None


def tail(path: Path, limit: int = TAIL_BYTES) -> str:
    """The end of the log; progress bars rewrite their line with carriage returns, so only the last
    version of each line is kept."""
    try:
        with path.open("rb") as handle:
            handle.seek(0, 2)
            size = handle.tell()
            handle.seek(max(0, size - limit))
            data = handle.read().decode("utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(line.rsplit("\r", 1)[-1] for line in data.split("\n"))


def last_lines(path: Path, count: int = 12) -> list[str]:
    return [line for line in tail(path, 64 * 1024).splitlines() if line.strip()][-count:]


def logged_values(log: Path) -> list[dict[str, Any]]:
    """The trainer's logged dicts in the log, oldest first."""
    found = []
    for text in _LOGGED.findall(tail(log)):
        try:
            value = ast.literal_eval(text)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            continue
        if isinstance(value, dict) and ("loss" in value or "reward" in value or "train_loss" in value):
            found.append(value)
    return found


def read_progress(output_dir: Path, log: Path) -> Progress:
    """Step and epoch from the newest trainer state; loss and reward from whichever is newer, the state's
    log history or the log."""
    state = latest_state(output_dir) or {}
    history = [entry for entry in state.get("log_history", []) if isinstance(entry, dict)]
    logged = logged_values(log)
    state_epoch = _number(state.get("epoch"))
    log_epoch = _number(logged[-1].get("epoch")) if logged else None
    newer_log = bool(logged) and (state_epoch is None or (log_epoch is not None and log_epoch > state_epoch))
    first, then = (logged, history) if newer_log else (history, logged)
    loss = _first_known(
        _last(first, "loss"), _last(then, "loss"), _last(first, "train_loss"), _last(then, "train_loss")
    )
    reward = _first_known(_last(first, "reward"), _last(then, "reward"))  # a reward of 0 is a reward
    step = state.get("global_step") if isinstance(state.get("global_step"), int) else None
    max_steps = state.get("max_steps") if isinstance(state.get("max_steps"), int) else None
    return Progress(step, max_steps, log_epoch if newer_log else state_epoch, loss, reward)


def events(output_dir: Path) -> list[tuple[int, dict[str, Any]]]:
    """(step, logged values) from the newest trainer state's log history."""
    state = latest_state(output_dir) or {}
    return [(int(entry.get("step", 0)), entry) for entry in state.get("log_history", []) if isinstance(entry, dict)]
