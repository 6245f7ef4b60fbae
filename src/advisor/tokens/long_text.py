"""Counting very long strings in bounded memory, to the same token.

tiktoken returns a Python list of ints (about 36 bytes a token): a 60 MB string would take over a
gigabyte. A string longer than LONG_TEXT characters is encoded slice by slice and its tokens kept as
4-byte integers. Slices are cut only where both shipped split patterns (o200k_base, cl100k_base)
always end a piece and start the next from scratch: between an ASCII letter and a space followed by
an ASCII letter, or after a newline followed by an ASCII letter. BPE runs within pieces, so the tokens
are exactly those of the whole string (a test compares them). Encodings with other patterns are
encoded whole.

A stretch of more than UNCUT_LIMIT characters with no such point (one "word" of millions of letters, a
pasted blob) is the one exception: tiktoken would encode it as one piece, at about 50 bytes of memory
a character, so it is cut every LONG_TEXT characters anyway. Its count can then differ from the whole
string's by a few tokens at each cut; `hard_cuts` says how many cuts a text needs, so that the count
can be reported as approximate.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

    ToBuffer = Callable[[str, frozenset[str]], ReadableBuffer]

LONG_TEXT = 1 << 20  # characters
UNCUT_FACTOR = 4  # slices of up to this many times LONG_TEXT wait for a safe point; longer ones are cut anyway
UNCUT_LIMIT = UNCUT_FACTOR * LONG_TEXT  # characters
SAFE_SPLIT = re.compile(r"(?<=[A-Za-z])(?= [A-Za-z])|(?<=\n)(?=[A-Za-z])")


def _safe_patterns() -> set[str]:
    from advisor.tokens.tokenizer import ENCODINGS

    return {pattern for _, pattern, _ in ENCODINGS.values()}


NO_SPECIAL: frozenset[str] = frozenset()


def unbuffered(text: str, allowed_special: frozenset[str]) -> ReadableBuffer:
    """The to_buffer of a tokenizer without one: never called, as its `buffered` length is -1."""
    raise NotImplementedError("this tokenizer encodes to no buffer")


class BoundedEncoder:
    """An Encoder (name, encode_ordinary) over a tiktoken Encoding whose long inputs take 4 bytes a token."""

    def __init__(self, encoding: Any, long_text: int = LONG_TEXT, name: str | None = None) -> None:
        self.name: str = name or encoding.name  # a counting name (advisor.tokens.chat_format) may add a format
        self._encode: Callable[[str], list[int]] = encoding.encode_ordinary
        self._long = long_text
        self._splittable = getattr(encoding, "_pat_str", None) in _safe_patterns()
        # tiktoken's encoder into a buffer of 4-byte tokens (what Encoding.encode_to_numpy uses):
        # counting from it creates no Python int per token; with no special token allowed it encodes
        # special-token text as plain text, as encode_ordinary does (a test compares the two)
        # (MemoEncoder calls it directly, for texts of at most `buffered` characters)
        found = getattr(getattr(encoding, "_core_bpe", None), "encode_to_tiktoken_buffer", None)
        self.to_buffer: ToBuffer = found if found is not None else unbuffered
        self.buffered = long_text if found is not None else -1

    def count(self, text: str) -> int:
        """len(self.encode_ordinary(text)), without a list of the tokens."""
        if len(text) <= self.buffered:
            try:
                return memoryview(self.to_buffer(text, NO_SPECIAL)).nbytes >> 2
            except UnicodeEncodeError:
                pass  # a lone surrogate: tiktoken's encode_ordinary replaces it first
        return len(self.encode_ordinary(text))

    def encode_ordinary(self, text: str) -> Sequence[int]:
        if len(text) <= self._long or not self._splittable:
            return self._encode(text)
        tokens = array("I")
        for piece in slices(text, self._long):
            tokens.extend(self._encode(piece))
        return tokens


def slices(text: str, size: int) -> Iterator[str]:
    """`text` cut into slices of about `size` characters: at safe points, or, after UNCUT_FACTOR x `size`
    characters without one, where it stands (see hard_cuts)."""
    start = 0
    for end, _ in _cuts(text, size):
        yield text[start:end]
        start = end
    yield text[start:]


def hard_cuts(text: str, size: int = LONG_TEXT) -> int:
    """How many of `text`'s slices end where no safe point is: each can move its count a few tokens."""
    return sum(not safe for _, safe in _cuts(text, size))


def _cuts(text: str, size: int) -> Iterator[tuple[int, bool]]:
    """Where slices of `text` end, and whether each is a safe point. A text of at most UNCUT_FACTOR x
    `size` characters is never cut where no safe point is."""
    start = searched = 0  # no safe point lies between a cut where none was and `searched`
    while len(text) - start > size:
        reach = start + UNCUT_FACTOR * size
        match = SAFE_SPLIT.search(text, max(start + size // 2, searched), reach)
        if match is not None:
            start = match.start()
            yield start, True
        elif len(text) > reach:
            start, searched = start + size, reach
            yield start, False
        else:
            return  # the rest is encoded whole
