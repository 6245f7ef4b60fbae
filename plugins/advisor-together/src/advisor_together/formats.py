"""Together's training-data formats beyond OpenAI's chat format, converted to the chat shape advisor
checks and counts (https://docs.together.ai/docs/fine-tuning-data-preparation).

- instruction (SFT): `{"prompt": "...", "completion": "..."}`, read as a user turn and the answer.
- general (SFT): `{"text": "..."}`, trained on the whole text; read as one assistant message, so its
  tokens are counted with a few of the chat format's framing tokens more than Together counts.
- preference (DPO): `{"input": {"messages": [...]}, "preferred_output": [...], "non_preferred_output":
  [...]}`, each output exactly one assistant message. This is OpenAI's DPO shape, so nothing is converted:
  advisor's DPO checks read it as it is and name its fields. It is registered so that `advisor providers`
  lists what Together accepts.

The converters are module-level functions: dataset-check workers receive them by reference.
"""

from __future__ import annotations

from typing import Any

from advisor.plugin_api import DatasetFormat, FormatProblem

GENERAL_KEYS = frozenset({"text"})
INSTRUCTION_KEYS = frozenset({"prompt", "completion"})
PREFERENCE_KEYS = frozenset({"input", "preferred_output", "non_preferred_output"})


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", bool: "a boolean", type(None): "null"}.get(type(value), "a number")


def instruction_to_chat(example: dict[str, Any]) -> tuple[dict[str, Any] | None, list[FormatProblem]]:
    """`prompt` and `completion` as a user message and the assistant's answer. Either may be content parts
    (text and images, as a chat message's content); the chat checks then apply Together's image rules."""
    problems = [
        FormatProblem(
            key,
            f"`{key}` must be text or content parts, not {_kind(example[key])}",
            f"write the {what} as text",
        )
        for key, what in (("prompt", "prompt"), ("completion", "answer"))
        if not isinstance(example[key], (str, list))
    ]
    # an empty prompt: Together takes it, and the chat checks warn (empty-user-content)
    extra = sorted(set(example) - INSTRUCTION_KEYS)
    problems += [
        FormatProblem(key, f"unknown key {key!r} in an instruction example", "remove it (allowed: completion, prompt)")
        for key in extra
    ]
    if problems:
        return None, problems
    prompt, completion = example["prompt"], example["completion"]
    if isinstance(prompt, list) != isinstance(completion, list):  # Together reads each column on its own
        prompt, completion = (_parts(prompt), _parts(completion))
    messages = [{"role": "user", "content": prompt}, {"role": "assistant", "content": completion}]
    return {"messages": messages}, []


def _parts(content: str | list[Any]) -> list[Any]:
    return content if isinstance(content, list) else [{"type": "text", "text": content}]


def general_to_chat(example: dict[str, Any]) -> tuple[dict[str, Any] | None, list[FormatProblem]]:
    """`text`, trained on as a whole: one assistant message."""
    problems = []
    if not isinstance(example["text"], str):
        problems.append(
            FormatProblem("text", f"`text` must be a string, not {_kind(example['text'])}", "write the text")
        )
    problems += [
        FormatProblem(key, f"unknown key {key!r} in a general example", "remove it (allowed: text)")
        for key in sorted(set(example) - GENERAL_KEYS)
    ]
    if problems:
        return None, problems
    return {"messages": [{"role": "assistant", "content": example["text"]}]}, []


def preference_to_chat(example: dict[str, Any]) -> tuple[dict[str, Any] | None, list[FormatProblem]]:
    """Together's preference example is already in the shape advisor's DPO checks read."""
    return example, []


FORMATS = (
    DatasetFormat(
        name="general",
        provider="together",
        methods=("sft",),
        keys=GENERAL_KEYS,
        to_chat=general_to_chat,
        description='{"text": ...}: plain text, trained on as a whole',
        fields={"messages[0]": "text", "messages": "text"},
    ),
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
