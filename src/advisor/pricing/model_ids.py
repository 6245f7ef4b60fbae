"""Model identifiers as users write them: dated snapshots, provider prefixes and fine-tuned ids, reduced to the
base model a price table or tokenizer knows.

A provider's way of writing ids that are not a price row's name (a fine-tune's id, another name for the
provider before a "/") is a `ModelIdFormat`, registered through the `advisor_register_model_ids` hook like
any plugin's (advisor.plugins sets them here). The formats of the providers whose price tables advisor
bundles, OpenAI's `ft:` ids and Azure OpenAI's `.ft-` ids, are registered by advisor's own default plugin
(advisor.default_plugin), and are the ones known before plugins load. tiktoken's own prefix table maps
`ft:gpt-4.1-...` to cl100k_base (it matches `ft:gpt-4`) and does not know `ft:o4-mini-...`, so fine-tuned
ids are parsed here and their base resolved.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date
from typing import NamedTuple

from advisor.errors import UserError

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


class ModelIdFormat(NamedTuple):
    """One provider's way of writing model ids that are not a price row's name, so that they resolve to the
    base model's row (its prices, dates and tokenizer). A NamedTuple, not a frozen dataclass: this module is
    imported by every estimate, and making the dataclass cost 0.7 ms of its start-up, the NamedTuple 0.1."""

    name: str  # e.g. "openai-fine-tune"
    provider: str  # the provider whose ids these are, e.g. "openai"
    example: str  # one id in the format, as the provider writes it
    # the id (any provider prefix removed) -> what it says (`written` is filled in by advisor), or None when the id
    # is not in this format; a module-level function, cheap on ids that are not its own
    parse: Callable[[str], ModelId | None] | None = None
    prefixes: tuple[str, ...] = ()  # written before an id to name the provider, e.g. "azure/"


def openai_fine_tune(name: str) -> ModelId | None:
    """`ft:<base>:<org>:<suffix>:<id>[:ckpt-step-N]`, OpenAI's fine-tuned ids (and Azure's, written OpenAI's
    way); any field after the base may be empty."""
    if not name.startswith("ft:"):
        return None
    parts = name.split(":")
    step = None
    if len(parts) > 2 and (match := _CHECKPOINT.match(parts[-1])):
        digits = match.group(1)
        if len(digits) > MAX_STEP_DIGITS:  # int() of 4,301+ digits raises; no run has that many steps
            raise UserError(
                f"the checkpoint step in {_shortened(name)} has {len(digits):,} digits, more than the "
                f"{MAX_STEP_DIGITS} a step can have",
                hint="copy the fine-tuned model id from the provider (`advisor jobs show JOB`)",
            )
        step = int(digits)
        parts = parts[:-1]
    base = parts[1] if len(parts) > 1 else ""
    fields = [*parts[2:5], None, None, None][:3]
    return ModelId(
        written=name,
        base=base,
        fine_tuned=True,
        organization=fields[0] or None,
        suffix=fields[1] or None,
        job_id=fields[2] or None,
        checkpoint_step=step,
    )


def azure_fine_tune(name: str) -> ModelId | None:
    """`<base>.ft-<id>`, Azure OpenAI's fine-tuned model ids."""
    match = _AZURE_FT.match(name)
    if match is None:
        return None
    return ModelId(
        written=name, base=match.group("base"), provider_hint="azure-openai", fine_tuned=True, job_id=match.group("id")
    )


# the formats of the providers whose tables advisor bundles, registered by its default plugin
BUNDLED_FORMATS = (
    ModelIdFormat(
        "openai-fine-tune",
        "openai",
        "ft:gpt-4.1-mini-2025-04-14:acme:invoices:abc123:ckpt-step-40",
        openai_fine_tune,
        prefixes=("openai/",),
    ),
    ModelIdFormat(
        "azure-openai-fine-tune",
        "azure-openai",
        "gpt-4.1-mini-2025-04-14.ft-0123456789abcdef",
        azure_fine_tune,
        prefixes=("azure/", "azure-openai/"),
    ),
)
_formats: tuple[ModelIdFormat, ...] = BUNDLED_FORMATS


def set_model_id_formats(formats: Iterable[ModelIdFormat] | None) -> None:
    """The registered formats, in the order they are tried (advisor.plugins: its default plugin's, then each
    plugin's); None: the bundled ones, as before plugins load."""
    global _formats
    _formats = BUNDLED_FORMATS if formats is None else tuple(formats)


def registered_formats() -> tuple[ModelIdFormat, ...]:
    return _formats


def parse_model_id(written: str) -> ModelId:
    """What an id says: a registered provider prefix (`azure/...`) is removed and names the provider, then the
    first registered format that reads the rest decides (OpenAI's `ft:...`, Azure's `<base>.ft-<id>` ...);
    anything else is a plain base model name."""
    name = written.strip()
    provider_hint = None
    lowered = name.lower()
    for fmt in _formats:
        prefix = next((p for p in fmt.prefixes if lowered.startswith(p)), None)
        if prefix is not None:
            provider_hint, name = fmt.provider, name[len(prefix) :]
            break
    for fmt in _formats:
        found = fmt.parse(name) if fmt.parse is not None else None
        if found is not None:
            return replace(found, written=written, provider_hint=provider_hint or found.provider_hint)
    return ModelId(written=written, base=name, provider_hint=provider_hint)


def recognised(name: str) -> bool:
    """Whether a registered format reads `name` as one of its ids (a fine-tune's, not a row's own name)."""
    return any(fmt.parse is not None and fmt.parse(name) is not None for fmt in _formats)


def _shortened(written: str) -> str:
    return repr(written if len(written) <= 80 else written[:60] + "..." + written[-10:])


def encoding_family(base: str) -> str | None:
    """The tokenizer of a base model family, or None when the family is unknown."""
    for pattern, encoding in _ENCODING_FAMILIES:
        if pattern.match(base):
            return encoding
    return None
