"""Real tiny TRL runs on CPU through `advisor launch --provider local`: SFT, DPO and RFT (GRPO).

Only `make test-local-training` runs these (ADVISOR_TEST_LOCAL_TRAINING=1, in a virtualenv with the
plugin's [train] extra: torch, transformers, trl, accelerate, peft, datasets). Nothing comes from a
model hub: each test builds a randomly initialised two-layer Llama and a word-level tokenizer with a
chat template from a config, saves them in a folder, and trains on that folder with the real `trl`
command, detached, followed through `advisor jobs watch`. Plain `make test` skips them and tests the
same process handling with a stand-in trainer (tests/test_local_provider.py).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from advisor.providers.ledger import Ledger

from .helpers import kill_run_processes

pytestmark = pytest.mark.skipif(
    os.environ.get("ADVISOR_TEST_LOCAL_TRAINING") != "1",
    reason="real TRL training on CPU: run `make test-local-training`",
)

TODAY = "2026-12-05"
WORDS = "what is plus the answer hello number say no yes zero one two three four five six seven eight nine ten"
CHAT_TEMPLATE = (
    "{% for message in messages %}<|{{ message['role'] }}|> {{ message['content'] }} </s> {% endfor %}"
    "{% if add_generation_prompt %}<|assistant|> {% endif %}"
)


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A randomly initialised tiny Llama and its tokenizer, built from a config and saved locally."""
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    folder = tmp_path_factory.mktemp("tiny-llama")
    special = ["<unk>", "<pad>", "<s>", "</s>", "<|system|>", "<|user|>", "<|assistant|>"]
    words = Tokenizer(models.WordLevel(unk_token="<unk>"))
    words.pre_tokenizer = pre_tokenizers.Whitespace()
    words.train_from_iterator([WORDS, *map(str, range(40))], trainers.WordLevelTrainer(special_tokens=special))
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=words, unk_token="<unk>", pad_token="<pad>", bos_token="<s>", eos_token="</s>"
    )
    tokenizer.chat_template = CHAT_TEMPLATE
    tokenizer.save_pretrained(folder)
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=2,
        max_position_embeddings=256,
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
    )
    LlamaForCausalLM(config).save_pretrained(folder)
    return folder


@pytest.fixture(autouse=True)
def runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "runs"
    monkeypatch.setenv("ADVISOR_LOCAL_RUNS", str(folder))
    monkeypatch.delenv("ADVISOR_LOCAL_TRAINER", raising=False)  # the real `trl` beside this Python
    yield folder
    kill_run_processes(folder)


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


def train(advisor, model: Path, method: str, training: Path, *extra: str) -> tuple[str, str]:
    """Launch on CPU, watch to the end; (the watch output, the run's log)."""
    started = time.monotonic()
    result = advisor(
        "launch", "--provider", "local", "--method", method, "--model", str(model), "--training-file",
        str(training), "--epochs", "1", "--set", "price_as=open-8b", "--set", "device=cpu", "--today", TODAY,
        "--yes", *extra,
    )  # fmt: skip
    assert result.code == 0, result.out + result.err
    ledger = Ledger()
    (run,) = ledger.runs()
    ledger.close()
    watched = advisor("jobs", "watch", run.job_id, "--every", "1")
    log = Path(run.details["log"]).read_text(errors="replace")
    print(f"{method}: {time.monotonic() - started:.0f} s")
    assert f"{run.job_id} succeeded" in watched.out, watched.out + watched.err + log[-3000:]
    return watched.out, log


def test_sft(advisor, tiny_model: Path, tmp_path: Path) -> None:
    rows = [
        {"messages": [{"role": "user", "content": f"say number {i}"}, {"role": "assistant", "content": f"{i}"}]}
        for i in range(16)
    ]
    out, _ = train(advisor, tiny_model, "sft", write_jsonl(tmp_path / "sft.jsonl", rows), "--set", "batch_size=4")
    output = next(line for line in out.splitlines() if "fine-tuned model" in line).split()[-1]
    assert (Path(output) / "adapter_config.json").exists()  # LoRA: the adapter is the result
    assert "loss" in out and "GPU-hours" in out


def test_dpo(advisor, tiny_model: Path, tmp_path: Path) -> None:
    rows = [
        {
            "input": {"messages": [{"role": "user", "content": f"say hello number {i}"}]},
            "preferred_output": [{"role": "assistant", "content": f"hello {i}"}],
            "non_preferred_output": [{"role": "assistant", "content": "no"}],
        }
        for i in range(16)
    ]
    out, _ = train(advisor, tiny_model, "dpo", write_jsonl(tmp_path / "dpo.jsonl", rows), "--set", "batch_size=4")
    assert "loss" in out


def test_grpo_with_the_grader_as_reward(advisor, tiny_model: Path, tmp_path: Path) -> None:
    rows = [
        {"messages": [{"role": "user", "content": f"what is {i} plus {i}"}], "answer": str(2 * i)} for i in range(15)
    ]
    grader = {"type": "string_check", "name": "exact", "operation": "ilike"}
    grader |= {"input": "{{ sample.output_text }}", "reference": "{{ item.answer }}"}
    (tmp_path / "grader.json").write_text(json.dumps(grader))
    out, log = train(
        advisor, tiny_model, "rft", write_jsonl(tmp_path / "rft.jsonl", rows[:12]),
        "--validation-file", str(write_jsonl(tmp_path / "valid.jsonl", rows[12:])),
        "--grader", str(tmp_path / "grader.json"),
        "--set", "batch_size=4", "--set", "num_generations=4", "--set", "max_completion_length=8",
    )  # fmt: skip
    assert "'rewards/reward/mean'" in log  # TRL ran advisor_reward.reward, the grader, on its completions
    assert "reward" in out  # and the reward is read back from the trainer's state by `jobs watch`


def test_grpo_with_16_generations_evaluates_with_the_eval_batch_advisor_sets(
    advisor, tiny_model: Path, tmp_path: Path
) -> None:
    """Issue 24: num_generations=16 on one process stopped in TRL ("The global eval batch size (8 * 1) must be
    divisible by the number of generations used for evaluation (16).") while advisor said yes; advisor now
    sets per_device_eval_batch_size, and the run trains and evaluates."""
    rows = [
        {"messages": [{"role": "user", "content": f"what is {i} plus {i}"}], "answer": str(2 * i)} for i in range(15)
    ]
    grader = {"type": "string_check", "name": "exact", "operation": "ilike"}
    grader |= {"input": "{{ sample.output_text }}", "reference": "{{ item.answer }}"}
    (tmp_path / "grader.json").write_text(json.dumps(grader))
    _, log = train(
        advisor, tiny_model, "rft", write_jsonl(tmp_path / "rft.jsonl", rows[:12]),
        "--validation-file", str(write_jsonl(tmp_path / "valid.jsonl", rows[12:])),
        "--grader", str(tmp_path / "grader.json"),
        "--set", "batch_size=16", "--set", "num_generations=16", "--set", "max_completion_length=8",
    )  # fmt: skip
    assert "must be divisible" not in log
    assert "eval_loss" in log or "'eval_" in log  # the validation file was evaluated


# batch shapes on 1 process: (batch_size, gradient_accumulation_steps, num_generations, validation)
SHAPES = [
    (8, 1, 8, True), (1, 1, 8, True), (16, 1, 16, True), (8, 1, 16, True), (3, 3, 2, True), (3, 3, 3, True),
    (4, 2, 8, True), (4, 2, 8, False), (6, 4, 16, True), (6, 4, 12, True), (8, 1, 1, True), (5, 1, 2, False),
]  # fmt: skip


@pytest.mark.parametrize(("batch_size", "accumulation", "generations", "validation"), SHAPES)
def test_trls_own_grpo_config_agrees_with_advisors_check(
    batch_size: int, accumulation: int, generations: int, validation: bool, tmp_path: Path
) -> None:
    """TRL's GRPOConfig, built here as `trl grpo`'s launcher builds it (world_size 1) with the batch sizes advisor
    writes, refuses exactly the shapes advisor's copy of its rules refuses, with the same words; and advisor's
    own call of it (a Python of its own) says the same."""
    from trl import GRPOConfig

    from advisor_local import batches

    chosen = batches.batches_of(batch_size, accumulation, 1, generations, validation)
    settings = {
        "per_device_train_batch_size": chosen.per_device_train,
        "gradient_accumulation_steps": chosen.gradient_accumulation,
        "num_generations": chosen.num_generations,
        "eval_strategy": "epoch" if validation else "no",
    }
    if chosen.per_device_eval is not None:
        settings["per_device_eval_batch_size"] = chosen.per_device_eval
    try:
        GRPOConfig(output_dir=str(tmp_path), use_cpu=True, bf16=False, report_to="none", **settings)
        trl_says = None
    except ValueError as exc:
        trl_says = str(exc)
    advisor_says = batches.trl_error(chosen)
    assert (advisor_says[1] if advisor_says else None) == trl_says
    verdict = batches.trl_verdict(chosen)
    assert verdict is not None and verdict[1] == trl_says
