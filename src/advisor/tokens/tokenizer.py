"""Offline tokenizers: tiktoken encodings built from vocabulary files shipped in this package.

tiktoken normally downloads its vocabularies on first use; advisor must work without a network,
so it carries `o200k_base` and `cl100k_base` and checks them with the same sha256 tiktoken checks.
The split patterns and special tokens are tiktoken's (`tiktoken_ext/openai_public.py`); a test
compares them with tiktoken's own constructors.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING

from advisor.errors import UserError

if TYPE_CHECKING:
    import tiktoken

ENDOFTEXT = "<|endoftext|>"
ENDOFPROMPT = "<|endofprompt|>"

_O200K_PATTERN = "|".join(
    [
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""\p{N}{1,3}""",
        r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
        r"""\s*[\r\n]+""",
        r"""\s+(?!\S)""",
        r"""\s+""",
    ]
)
_CL100K_PATTERN = (
    r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+"""
    r"""|\s++$|\s*[\r\n]|\s+(?!\S)|\s"""
)

# name -> (sha256 of the vocabulary file, split pattern, special tokens)
ENCODINGS: dict[str, tuple[str, str, dict[str, int]]] = {
    "o200k_base": (
        "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
        _O200K_PATTERN,
        {ENDOFTEXT: 199999, ENDOFPROMPT: 200018},
    ),
    "cl100k_base": (
        "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
        _CL100K_PATTERN,
        {
            ENDOFTEXT: 100257,
            "<|fim_prefix|>": 100258,
            "<|fim_middle|>": 100259,
            "<|fim_suffix|>": 100260,
            ENDOFPROMPT: 100276,
        },
    ),
}


# name -> sha256 of the vocabulary's parsed form (advisor.tokens.ranks_cache.payload): what a cached parse
# must hash to; tests/test_dataset_speed_ranks_cache.py parses each shipped file and checks it
RANKS_SHA256 = {
    "o200k_base": "01d9c5c39d98d33f9a4efa0efed46815e5f5b634ea61bc2f2b64f2eb0c347a5f",
    "cl100k_base": "3945540a33c89a748328e47dc5470922ff2241a6b1ec6530f459a47b3a074067",
}


@dataclass(frozen=True)
class TokenizerSpec:
    """A tiktoken-format tokenizer a plugin ships for its models (advisor_register_tokenizers).

    `vocabulary` is a file of base64 token and rank pairs (tiktoken's format; Llama 3's tokenizer.model
    is one), checked against `sha256` on load. `exact` is False for a stand-in whose counts only
    approximate the model's own tokenizer; `note` then states the measured error. `chat_format` names
    the template its models wrap messages in (advisor.tokens.chat_format: "openai" or "llama3").
    `ranks_sha256`, the digest of the parsed vocabulary (advisor.tokens.ranks_cache.ranks_digest), lets
    advisor keep the parse in the user's cache and check it on load; without it the file is parsed
    every time."""

    name: str
    vocabulary: str
    sha256: str
    pattern: str
    special_tokens: dict[str, int] = field(default_factory=dict)
    exact: bool = True
    note: str | None = None
    chat_format: str = "openai"
    ranks_sha256: str | None = None

    def __hash__(self) -> int:
        return hash((self.name, self.vocabulary, self.sha256))


_REGISTERED: dict[str, TokenizerSpec] = {}
# the package's data folder, found from this file (importlib.resources would cost the command 5 ms
# of imports before its scan can start, and the files are opened by path in any case)
_SHIPPED = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data", "tiktoken")


def set_plugin_tokenizers(specs: Iterable[TokenizerSpec]) -> None:
    """The plugins' tokenizers, replacing any set before (the shipped encodings cannot be replaced)."""
    specs = list(specs)
    for spec in specs:
        if spec.name in ENCODINGS:
            raise ValueError(f"tokenizer {spec.name!r} is built in and cannot be replaced")
    _REGISTERED.clear()
    _REGISTERED.update((spec.name, spec) for spec in specs)


def registered_tokenizers() -> tuple[TokenizerSpec, ...]:
    return tuple(_REGISTERED.values())


def known_encodings() -> list[str]:
    return sorted({*ENCODINGS, *_REGISTERED})


def spec_for(name: str) -> TokenizerSpec:
    """The definition of encoding `name`: a shipped one, or one an installed plugin registered. A
    counting name (`cl100k_base:llama3`, advisor.tokens.chat_format) gives its encoding's."""
    name = name.partition(":")[0]
    if name in ENCODINGS:
        sha256, pattern, special_tokens = ENCODINGS[name]
        path = os.path.join(_SHIPPED, f"{name}.tiktoken")
        return TokenizerSpec(name, path, sha256, pattern, special_tokens, ranks_sha256=RANKS_SHA256[name])
    if name in _REGISTERED:
        return _REGISTERED[name]
    raise UserError(
        f"unknown encoding {name!r}",
        hint=f"use one of: {', '.join(known_encodings())}, or install the provider plugin that ships it "
        "(`advisor providers` lists what is installed)",
    )


def is_installed(name: str) -> bool:
    """Whether the encoding of counting name `name` is shipped or registered by an installed plugin."""
    name = name.partition(":")[0]
    return name in ENCODINGS or name in _REGISTERED


def vocabulary_path(name: str) -> str:
    """Where the vocabulary file of an encoding lives (shipped in this package, or in a plugin)."""
    return spec_for(name).vocabulary


def check_vocabulary(name: str, data: bytes) -> None:
    """Refuse a vocabulary whose sha256 is not the one published for it."""
    _check(spec_for(name), data)


def _check(spec: TokenizerSpec, data: bytes) -> None:
    actual = hashlib.sha256(data).hexdigest()
    if actual != spec.sha256:
        raise UserError(
            f"tokenizer file {spec.vocabulary} is damaged (sha256 {actual[:12]}..., expected {spec.sha256[:12]}...)",
            hint="reinstall advisor" if spec.name in ENCODINGS else "reinstall the plugin that ships it",
        )


def get_encoding(name: str) -> tiktoken.Encoding:
    """The tiktoken Encoding `name`, loaded from a local file without any network access."""
    return load_encoding(spec_for(name))


@cache
def load_encoding(spec: TokenizerSpec) -> tiktoken.Encoding:
    """Build an encoding from its vocabulary file, once per definition. The file is read and checked
    every time; its parsed ranks come from the user's cache folder when a run parsed them before and
    they hash to the published digest of the parse (advisor.tokens.ranks_cache)."""
    import tiktoken

    from advisor.tokens.ranks_cache import cached_ranks

    data = read_vocabulary(spec)
    ranks = cached_ranks(spec.sha256, spec.ranks_sha256, lambda: parse_vocabulary(data))
    return tiktoken.Encoding(
        name=spec.name, pat_str=spec.pattern, mergeable_ranks=ranks, special_tokens=spec.special_tokens
    )


def read_vocabulary(spec: TokenizerSpec) -> bytes:
    """The vocabulary file's bytes, refused when missing or when its sha256 is not the published one."""
    try:
        with open(spec.vocabulary, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise UserError(
            f"tokenizer file {spec.vocabulary} is missing ({exc.strerror})",
            hint="reinstall advisor" if spec.name in ENCODINGS else "reinstall the plugin that ships it",
        ) from None
    _check(spec, data)
    return data


def parse_vocabulary(data: bytes) -> dict[bytes, int]:
    """Token bytes -> rank from a tiktoken vocabulary file (base64 token, space, rank, per line)."""
    from binascii import a2b_base64

    # Same parsing as tiktoken.load.load_tiktoken_bpe, which cannot be used directly: for a local
    # path it still copies the file into a cache directory in /tmp.
    fields = data.split()  # token rank token rank ...
    return dict(zip(map(a2b_base64, fields[0::2]), map(int, fields[1::2]), strict=True))
