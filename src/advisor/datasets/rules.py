"""Each provider's rules for training data: what its service accepts, stated once, applied by the scan.

A provider plugin registers its `DataRules` through the dataset-format hook (beside its `DatasetFormat`s);
`advisor dataset check --provider P` (or `--model` of P's rows) and `advisor launch` apply exactly those.
OpenAI's rules (the Cookbook's data-preparation checks and OpenAI's fine-tuning guide) are the default:
they apply to OpenAI and Azure OpenAI, and to a check priced for several providers at once.

Where advisor keeps a rule stricter than the provider's (at least 10 examples to see an effect), it is a
warning with its reason, never an error the provider does not have.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from advisor.methods import Method


@dataclass(frozen=True)
class SecondOpinion:
    """What a provider's own checker (its SDK's) said about a file."""

    checker: str  # e.g. "together 3.1.1 together.lib.utils.files.check_file"
    passed: bool
    message: str
    scope: str = ""  # what that checker looks at, when it is less than the provider's rules


# a regular file's path -> the provider SDK's verdict, or None when the SDK is not installed. A
# module-level function (the rules travel to the scan's workers by reference).
SecondOpinionCheck = Callable[[str], "SecondOpinion | None"]


@dataclass(frozen=True)
class DataRules:
    """One provider's rules for a training file. The defaults are OpenAI's."""

    provider: str
    source: str  # where the rules come from (a URL or a named document, and when it was read)
    methods: tuple[Method, ...] = ("sft", "dpo", "rft")  # the methods the service trains from a file
    min_examples: int = 10
    max_examples: dict[Method, int] | None = None  # per method; None: no limit known
    roles: tuple[str, ...] = ("system", "user", "assistant", "tool", "function")
    weight_roles: tuple[str, ...] = ("assistant",)  # messages that may carry `weight` (0 or 1)
    repeated_roles: bool = True  # two messages in a row with the same role
    tools: bool = True  # `tools`/`functions` definitions, tool calls and tool results
    image_roles: tuple[str, ...] | None = None  # messages that may hold images; None: any (a warning)
    max_images: int | None = None  # per example
    image_url_prefixes: tuple[str, ...] = ()  # an image's URL must start with one; () any URL
    max_image_url_chars: int | None = None
    images_trained: bool = True  # a message with images may carry a non-zero weight
    mixed_content: bool = True  # text-only and content-part messages in one conversation
    blank_lines: bool = True  # a blank line is skipped (a warning); False: an error
    one_format_per_file: bool = False  # every line in the same format (chat, or a plugin's format)
    unknown_message_keys: bool = False
    # advisor's own rules beyond the provider's (every answer weighted 0, an empty DPO answer, a DPO input
    # ending with a system message): an error for OpenAI, a warning with its reason where the provider takes them
    own_rules: Literal["error", "warning"] = "error"  # keys a message may carry beyond advisor's known ones
    second_opinion: SecondOpinionCheck | None = None
    notes: tuple[str, ...] = ()  # what else to know about the provider's checks

    @property
    def name(self) -> str:
        """How `advisor providers` lists them, beside the formats."""
        return "data rules"


OPENAI_RULES = DataRules(
    provider="openai",
    source="OpenAI Cookbook, 'Data preparation and analysis for chat model fine-tuning' (read 2026-12-07); "
    "platform.openai.com/docs/guides/supervised-fine-tuning",
    min_examples=10,
    max_examples={"rft": 50_000},
)


def rules_for(registered: Iterable[DataRules], providers: Iterable[str]) -> DataRules:
    """The rules of the one provider being checked, when a plugin registered them; OpenAI's otherwise
    (OpenAI and Azure, and a check priced for several providers at once)."""
    checked = set(providers)
    if len(checked) == 1:
        (provider,) = checked
        for rules in registered:
            if rules.provider == provider:
                return rules
    return OPENAI_RULES
