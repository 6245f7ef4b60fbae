"""Chat formats: the tokens a model's chat template puts around the text of each message.

A count is named by a *counting name*: an encoding (`o200k_base`, `llama3`), which counts in its
tokenizer's own chat format, or `ENCODING:FORMAT`, an encoding counted in another model's format
(`cl100k_base:llama3`: cl100k_base's vocabulary standing in for Llama 3's, in Llama 3's template).

- `openai`: the OpenAI Cookbook's rules (`How_to_count_tokens_with_tiktoken.ipynb`): 3 tokens a
  message plus every string field (role included), 1 more for a `name`, 3 to prime every reply.
- `llama3`: Llama 3's template (llama-models' `ChatFormat`, Meta's reference):
  `<|begin_of_text|>` once, then for each message
  `<|start_header_id|>ROLE<|end_header_id|>\\n\\nCONTENT<|eot_id|>`, and, when a reply is asked for
  (the conversation does not end with the assistant's answer), the assistant's header
  `<|start_header_id|>assistant<|end_header_id|>\\n\\n`. A count equals the length of that text encoded
  with special tokens allowed (a property test holds it to that). The content follows `\\n\\n` in one
  run of text, so content that starts with white space is counted together with it. `name` and
  `tool_call_id` are not written by the template and not counted; a tool result's role is written
  `ipython`. Tool definitions and tool calls are counted as Llama 3.1's Hugging Face template writes
  them (definitions as indented JSON after its instruction, in the first user turn, and
  `Environment: ipython` in the system turn; calls as `{"name": ..., "parameters": ...}`): an
  approximation, since providers render tools in their own ways.

Special-token strings inside user text are counted as plain text in both formats.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from advisor.errors import UserError


@dataclass(frozen=True)
class ChatFormat:
    """What a template adds around the text. `tools_exact` is False where tool counts only estimate it."""

    name: str
    label: str  # how assumptions name it: "o200k_base with OpenAI's message rules"
    counted: str  # how reports say a count was made: "o200k_base, counted as ..."
    template: Literal["openai", "header"]
    tools_exact: bool
    # what an answer adds to a prompt counted with its reply priming, besides its text: OpenAI's 3 a
    # message and the role `assistant` (one token in o200k_base and cl100k_base); Llama 3's <|eot_id|>
    # (the assistant's header is the prompt's last part)
    answer_tokens: int


OPENAI = ChatFormat(
    "openai",
    "OpenAI's message rules",
    "as the OpenAI Cookbook does (3 per message, 3 reply priming)",
    "openai",
    tools_exact=True,  # the cookbook's per-function overheads (advisor.tokens.count)
    answer_tokens=4,
)
LLAMA3 = ChatFormat(
    "llama3",
    "Llama 3's chat template",
    "in Llama 3's chat template (<|begin_of_text|>, a header and <|eot_id|> per message, the assistant's "
    "header before a reply)",
    "header",
    tools_exact=False,
    answer_tokens=1,
)
FORMATS = {fmt.name: fmt for fmt in (OPENAI, LLAMA3)}

# Llama 3's template, as text (its special tokens are counted, advisor.tokens.count: HEADER_SPECIALS)
HEADER_END = "\n\n"  # after <|end_header_id|>, in the same run of text as the content
HEADER_ROLES = {"tool": "ipython"}  # roles the template writes under another name
TOOLS_PREAMBLE = (
    "Given the following functions, please respond with a JSON for a function call with its proper "
    "arguments that best answers the given prompt.\n\n"
    'Respond in the format {"name": function name, "parameters": dictionary of argument name and its value}.'
    "Do not use variables.\n\n"
)
TOOLS_ENVIRONMENT = "Environment: ipython\n"


def split_counting(name: str) -> tuple[str, str | None]:
    """(encoding, chat format named after it, or None for the encoding's own)."""
    encoding, _, fmt = name.partition(":")
    return encoding, fmt or None


def format_named(name: str) -> ChatFormat:
    if name in FORMATS:
        return FORMATS[name]
    raise UserError(
        f"unknown chat format {name!r}",
        hint=f"use one of: {', '.join(FORMATS)} (after the encoding, as in cl100k_base:llama3)",
    )


def format_of(counting: str) -> ChatFormat:
    """The chat format a counting name counts in: the one it names, else its tokenizer's own."""
    encoding, named = split_counting(counting)
    if named is not None:
        return format_named(named)
    from advisor.tokens.tokenizer import spec_for

    return format_named(spec_for(encoding).chat_format)


def describe(counting: str) -> str:
    """`llama3 with Llama 3's chat template`: what a count was made with, for assumptions."""
    return f"{split_counting(counting)[0]} with {format_of(counting).label}"


def counted_as(counting: str) -> str:
    """`o200k_base, counted as the OpenAI Cookbook does (...)`: how a count was made, for reports."""
    return f"{split_counting(counting)[0]}, counted {format_of(counting).counted}"


def answer_tokens(counting: str | None) -> int:
    """What an answer adds to a prompt besides its text, in the chat format of `counting` (OpenAI's when
    nothing was counted): a training example is the prompt, the answer and these."""
    return (OPENAI if counting is None else format_of(counting)).answer_tokens
