"""Offline tokenizers: tiktoken encodings built from vocabulary files shipped in this package.

tiktoken normally downloads its vocabularies on first use; advisor must work without a network,
so it carries `o200k_base` and `cl100k_base` and checks them with the same sha256 tiktoken checks.
The split patterns and special tokens are tiktoken's (`tiktoken_ext/openai_public.py`); a test
compares them with tiktoken's own constructors.
"""

from __future__ import annotations

import hashlib
from functools import cache
from importlib.resources import files
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


def vocabulary_path(name: str) -> str:
    """Where the shipped vocabulary file of an encoding lives."""
    return str(files("advisor") / "data" / "tiktoken" / f"{name}.tiktoken")


def check_vocabulary(name: str, data: bytes) -> None:
    """Refuse a vocabulary whose sha256 is not the one tiktoken publishes."""
    expected = ENCODINGS[name][0]
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected:
        raise UserError(
            f"tokenizer file {vocabulary_path(name)} is damaged (sha256 {actual[:12]}..., expected {expected[:12]}...)",
            hint="reinstall advisor",
        )


@cache
def get_encoding(name: str) -> tiktoken.Encoding:
    """The tiktoken Encoding `name`, loaded from the package without any network access."""
    if name not in ENCODINGS:
        known = ", ".join(sorted(ENCODINGS))
        raise UserError(f"unknown encoding {name!r}", hint=f"use one of: {known}")
    from binascii import a2b_base64

    import tiktoken

    path = vocabulary_path(name)
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError as exc:
        raise UserError(f"tokenizer file {path} is missing ({exc.strerror})", hint="reinstall advisor") from None
    check_vocabulary(name, data)
    # Same parsing as tiktoken.load.load_tiktoken_bpe, which cannot be used directly: for a local
    # path it still copies the file into a cache directory in /tmp.
    fields = data.split()  # token rank token rank ...
    ranks = dict(zip(map(a2b_base64, fields[0::2]), map(int, fields[1::2]), strict=True))
    _, pattern, special_tokens = ENCODINGS[name]
    return tiktoken.Encoding(name=name, pat_str=pattern, mergeable_ranks=ranks, special_tokens=special_tokens)
