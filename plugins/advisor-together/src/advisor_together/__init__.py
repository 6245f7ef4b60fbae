"""advisor's Together AI plugin: the provider, its price table, Llama 3's tokenizer and Together's data
formats and data rules. Imports nothing heavy: the SDK loads when a job is launched or read."""

from __future__ import annotations

from collections.abc import Callable
from importlib.resources import files
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING

from advisor.plugin_api import hookimpl

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

    from advisor.plugin_api import DataRules, DatasetFormat, Provider, TokenizerSpec

# Llama 3's tokenizer as the llama-models package ships it (llama_models/llama3/tokenizer.py): a tiktoken
# vocabulary of 128,000 tokens, this split pattern, and 256 special tokens after it
LLAMA3_SHA256 = "82e9d31979e92ab929cd544440f129d9ecd797b69e327f80f17e1c50d5551b55"
# its parsed form's digest (advisor.tokens.ranks_cache.ranks_digest), so advisor may keep the parse in its cache
LLAMA3_RANKS_SHA256 = "da2b0b0baa102c711337f6292b7b8a3f1696dd4d972e9270da9b95be26c1acc7"
LLAMA3_PATTERN = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"
    r"|\s*[\r\n]+|\s+(?!\S)|\s+"
)
LLAMA3_BASE_TOKENS = 128_000
_LLAMA3_NAMED = (
    "<|begin_of_text|>",
    "<|end_of_text|>",
    "<|reserved_special_token_0|>",
    "<|reserved_special_token_1|>",
    "<|finetune_right_pad_id|>",
    "<|step_id|>",
    "<|start_header_id|>",
    "<|end_header_id|>",
    "<|eom_id|>",
    "<|eot_id|>",
    "<|python_tag|>",
    "<|image|>",
)
LLAMA3_SPECIAL_TOKENS = {
    token: LLAMA3_BASE_TOKENS + rank
    for rank, token in enumerate(
        [*_LLAMA3_NAMED, *(f"<|reserved_special_token_{2 + i}|>" for i in range(256 - len(_LLAMA3_NAMED)))]
    )
}


def llama3_vocabulary() -> str | None:
    """Where llama-models keeps tokenizer.model, found without importing the package (it imports a lot)."""
    spec = find_spec("llama_models")
    if spec is None or not spec.submodule_search_locations:
        return None
    return str(Path(next(iter(spec.submodule_search_locations))) / "llama3" / "tokenizer.model")


@hookimpl
def advisor_register_providers(register: Callable[[Provider], None]) -> None:
    from advisor_together.provider import TogetherProvider

    register(TogetherProvider())


@hookimpl
def advisor_register_price_tables(register: Callable[[Traversable], None]) -> None:
    register(files(__package__) / "together.toml")


@hookimpl
def advisor_register_tokenizers(register: Callable[[TokenizerSpec], None]) -> None:
    from advisor.plugin_api import TokenizerSpec

    vocabulary = llama3_vocabulary()
    if vocabulary is not None:  # missing: counting a Llama row says "unknown encoding llama3", never guesses
        register(
            TokenizerSpec(
                "llama3",
                vocabulary,
                LLAMA3_SHA256,
                LLAMA3_PATTERN,
                LLAMA3_SPECIAL_TOKENS,
                chat_format="llama3",
                ranks_sha256=LLAMA3_RANKS_SHA256,
            )
        )


@hookimpl
def advisor_register_dataset_formats(register: Callable[[DatasetFormat | DataRules], None]) -> None:
    from advisor_together.formats import FORMATS
    from advisor_together.rules import RULES

    for fmt in FORMATS:
        register(fmt)
    register(RULES)
