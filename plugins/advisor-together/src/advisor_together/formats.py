"""Together's training-data formats beyond OpenAI's chat format, converted to the chat shape advisor
checks and counts (https://docs.together.ai/docs/fine-tuning-data-preparation).

- instruction (SFT): `{"prompt": "...", "completion": "..."}`, read as a user turn and the answer.
- preference (DPO): `{"input": {"messages": [...]}, "preferred_output": [...], "non_preferred_output":
  [...]}`, each output exactly one assistant message. This is OpenAI's DPO shape, so nothing is converted:
  advisor's DPO checks read it as it is and name its fields. It is registered so that `advisor providers`
  lists what Together accepts.

The converters are module-level functions: dataset-check workers receive them by reference.
"""

from __future__ import annotations

from typing import Any

from advisor.plugin_api import DatasetFormat, FormatProblem

INSTRUCTION_KEYS = frozenset({"prompt", "completion"})
PREFERENCE_KEYS = frozenset({"input", "preferred_output", "non_preferred_output"})


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", bool: "a boolean", type(None): "null"}.get(type(value), "a number")


def instruction_to_chat(example: dict[str, Any]) -> tuple[dict[str, Any] | None, list[FormatProblem]]:
    """`prompt` and `completion` as a user message and the assistant's answer."""
    problems = [
        FormatProblem(key, f"`{key}` must be a string, not {_kind(example[key])}", f"write the {what} as text")
        for key, what in (("prompt", "prompt"), ("completion", "answer"))
        if not isinstance(example[key], str)
    ]
    if not problems and not example["prompt"].strip():
        problems.append(FormatProblem("prompt", "`prompt` is empty", "write the input the model answers"))
    extra = sorted(set(example) - INSTRUCTION_KEYS)
    problems += [
        FormatProblem(key, f"unknown key {key!r} in an instruction example", "remove it (allowed: completion, prompt)")
        for key in extra
    ]
    if problems:
        return None, problems
    messages = [{"role": "user", "content": example["prompt"]}, {"role": "assistant", "content": example["completion"]}]
    return {"messages": messages}, []


def preference_to_chat(example: dict[str, Any]) -> tuple[dict[str, Any] | None, list[FormatProblem]]:
    """Together's preference example is already in the shape advisor's DPO checks read."""
    return example, []


FORMATS = (
    DatasetFormat(
        name="instruction",
        provider="together",
        methods=("sft",),
        keys=INSTRUCTION_KEYS,
        to_chat=instruction_to_chat,
        description='{"prompt": ..., "completion": ...}: a user turn and the answer to train on',
        fields={"messages[0]": "prompt", "messages[1]": "completion", "messages": "completion"},
    ),
    DatasetFormat(
        name="preference",
        provider="together",
        methods=("dpo",),
        keys=PREFERENCE_KEYS,
        to_chat=preference_to_chat,
        description='{"input": {"messages": [...]}, "preferred_output": [...], "non_preferred_output": [...]}',
    ),
)
