"""Model identifiers as users write them: dated snapshots, provider prefixes, Azure names and
fine-tuned ids, reduced to the base model a price table or tokenizer knows.

tiktoken's own prefix table maps `ft:gpt-4.1-...` to cl100k_base (it matches `ft:gpt-4`) and
does not know `ft:o4-mini-...`, so fine-tuned ids are parsed here and their base resolved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from advisor.errors import UserError

PROVIDER_PREFIXES = ("openai/", "azure/", "azure-openai/")
_SNAPSHOT = re.compile(r"-(\d{4}-\d{2}-\d{2}|\d{4})$")
# OpenAI's first dated snapshot is gpt-3.5-turbo-0301 (March 2023); 2020 leaves room for any provider's
FIRST_SNAPSHOT_YEAR = 2020
_AZURE_FT = re.compile(r"^(?P<base>.+?)\.ft-(?P<id>[0-9a-zA-Z]+)$")
_CHECKPOINT = re.compile(r"^ckpt-step-(\d+)$")
MAX_STEP_DIGITS = 12  # a checkpoint step of a trillion is already beyond any fine-tuning run

# Tokenizer families, most specific first (gpt-4o and gpt-4.1 before gpt-4).
_ENCODING_FAMILIES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), encoding)
    for pattern, encoding in (
        (r"^(gpt-4o|chatgpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|gpt-oss|o1|o3|o4|codex)", "o200k_base"),
        (r"^(gpt-4|gpt-3\.5|gpt-35|text-embedding|davinci-002|babbage-002)", "cl100k_base"),
    )
)


@dataclass(frozen=True)
class ModelId:
    """What a model name says about itself."""

    written: str
    base: str
    provider_hint: str | None = None
    fine_tuned: bool = False
    organization: str | None = None
    suffix: str | None = None
    job_id: str | None = None
    checkpoint_step: int | None = None


def has_snapshot(name: str) -> bool:
    """Whether `name` ends in a snapshot date (`-2025-04-14`, `-0125`): a real day, not `-1999-99-99`."""
    found = _SNAPSHOT.search(name)
    return found is not None and _real_day(found.group(1))


def strip_snapshot(name: str) -> str:
    """`gpt-4.1-2025-04-14` -> `gpt-4.1`; `gpt-3.5-turbo-0125` -> `gpt-3.5-turbo`. A suffix that is no
    real day (`-1999-99-99`) is not a snapshot and stays."""
    return _SNAPSHOT.sub("", name) if has_snapshot(name) else name


def snapshot_problem(name: str) -> str | None:
    """Why the `-YYYY-MM-DD` that ends `name` cannot be a snapshot date (None when it can, or there is none):
    a model id naming a day that never was would otherwise be priced as its undated model."""
    found = _SNAPSHOT.search(name)
    if found is None or len(found.group(1)) != 10 or _real_day(found.group(1)):
        return None
    return f"its snapshot date {found.group(1)} is not a real day from {FIRST_SNAPSHOT_YEAR} on"


def _real_day(text: str) -> bool:
    """`2025-04-14` or `0125` (MMDD, any year: 2024 has every day) as a day on the calendar."""
    try:
        day = date.fromisoformat(text) if len(text) == 10 else date(2024, int(text[:2]), int(text[2:]))
    except ValueError:
        return False
    return day.year >= FIRST_SNAPSHOT_YEAR


def parse_model_id(written: str) -> ModelId:
    """Parse `ft:<base>:<org>:<suffix>:<id>[:ckpt-step-N]`, `<base>.ft-<id>` (Azure) and
    `provider/<name>`; anything else is a plain base model name."""
    name = written.strip()
    provider_hint = None
    for prefix in PROVIDER_PREFIXES:
        if name.lower().startswith(prefix):
            provider_hint = "openai" if prefix == "openai/" else "azure-openai"
            name = name[len(prefix) :]
            break
    if name.startswith("ft:"):
        parts = name.split(":")
        step = None
        if len(parts) > 2 and (match := _CHECKPOINT.match(parts[-1])):
            digits = match.group(1)
            if len(digits) > MAX_STEP_DIGITS:  # int() of 4,301+ digits raises; no run has that many steps
                raise UserError(
                    f"the checkpoint step in {_shortened(written)} has {len(digits):,} digits, more than the "
                    f"{MAX_STEP_DIGITS} a step can have",
                    hint="copy the fine-tuned model id from the provider (`advisor jobs show JOB`)",
                )
            step = int(digits)
            parts = parts[:-1]
        base = parts[1] if len(parts) > 1 else ""
        fields = [*parts[2:5], None, None, None][:3]
        return ModelId(
            written=written,
            base=base,
            provider_hint=provider_hint,
            fine_tuned=True,
            organization=fields[0] or None,
            suffix=fields[1] or None,
            job_id=fields[2] or None,
            checkpoint_step=step,
        )
    if match := _AZURE_FT.match(name):
        return ModelId(
            written=written,
            base=match.group("base"),
            provider_hint=provider_hint or "azure-openai",
            fine_tuned=True,
            job_id=match.group("id"),
        )
    return ModelId(written=written, base=name, provider_hint=provider_hint)


def _shortened(written: str) -> str:
    return repr(written if len(written) <= 80 else written[:60] + "..." + written[-10:])


def encoding_family(base: str) -> str | None:
    """The tokenizer of a base model family, or None when the family is unknown."""
    for pattern, encoding in _ENCODING_FAMILIES:
        if pattern.match(base):
            return encoding
    return None
