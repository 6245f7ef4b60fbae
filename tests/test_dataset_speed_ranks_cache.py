"""The parsed vocabulary cache (advisor.tokens.ranks_cache): the same Encoding whether the ranks were
parsed or read back, a changed vocabulary parsed again, a damaged entry ignored and rewritten, the
vocabulary file still checked, and each shipped vocabulary's published parsed digest the digest of its
parse. conftest gives every test an empty $ADVISOR_CACHE_DIR. (tests/test_cache_tampering.py puts
another vocabulary's parse, with a digest recomputed, in an entry's place.)"""

from __future__ import annotations

import base64
import hashlib
import marshal
import os
from pathlib import Path

import pytest

from advisor.cache_folder import seal
from advisor.errors import UserError
from advisor.tokens.ranks_cache import FORMAT, cached_ranks, entry_path, payload, ranks_digest
from advisor.tokens.tokenizer import (
    ENCODINGS,
    RANKS_SHA256,
    TokenizerSpec,
    load_encoding,
    parse_vocabulary,
    read_vocabulary,
    spec_for,
)

TEXTS = ["héllo, wörld", "INVOICE 2024001 total $1,234.50\n\tdue 2026-12-01", "<|endoftext|> 日本語 🙂", ""]


def build(spec: TokenizerSpec):
    """A fresh Encoding (load_encoding remembers one per process)."""
    return load_encoding.__wrapped__(spec)


def small_vocabulary(folder: Path, merges: list[bytes]) -> TokenizerSpec:
    """A tiktoken-format vocabulary: every single byte, then `merges`; its parsed digest published as a
    plugin publishes it (ranks_digest of the parse)."""
    tokens = [bytes([b]) for b in range(256)] + merges
    text = b"".join(base64.b64encode(token) + b" " + str(rank).encode() + b"\n" for rank, token in enumerate(tokens))
    path = folder / f"small-{len(merges)}-{hashlib.sha256(text).hexdigest()[:8]}.tiktoken"
    path.write_bytes(text)
    pattern = spec_for("o200k_base").pattern
    sha256, parsed = hashlib.sha256(text).hexdigest(), ranks_digest(parse_vocabulary(text))
    return TokenizerSpec("small", str(path), sha256, pattern, {"<|end|>": len(tokens)}, ranks_sha256=parsed)


@pytest.mark.parametrize("name", sorted(ENCODINGS))
def test_each_shipped_vocabulary_publishes_the_digest_of_its_parse(name: str) -> None:
    spec = spec_for(name)
    assert spec.ranks_sha256 == RANKS_SHA256[name] == ranks_digest(parse_vocabulary(read_vocabulary(spec)))


def test_a_tokenizer_without_a_published_parse_digest_is_parsed_every_time(tmp_path: Path) -> None:
    spec = small_vocabulary(tmp_path, [b"ab"])
    unpublished = TokenizerSpec(spec.name, spec.vocabulary, spec.sha256, spec.pattern, spec.special_tokens)
    assert build(unpublished).encode_ordinary("abab") == [256, 256]
    assert not entry_path(spec.sha256).exists()


def test_first_load_writes_the_entry_and_the_second_reads_it_with_the_same_encoding(isolated_cache: Path) -> None:
    spec = spec_for("o200k_base")
    entry = entry_path(spec.sha256)
    assert not entry.exists()
    parsed = build(spec)
    assert entry.is_relative_to(isolated_cache) and entry.exists()
    read_back = build(spec)
    assert read_back._mergeable_ranks == parsed._mergeable_ranks == parse_vocabulary(read_vocabulary(spec))
    for text in TEXTS:
        assert read_back.encode_ordinary(text) == parsed.encode_ordinary(text)


def test_the_entry_is_read_not_parsed_again(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = spec_for("cl100k_base")
    build(spec)
    monkeypatch.setattr("advisor.tokens.tokenizer.parse_vocabulary", lambda data: pytest.fail("parsed again"))
    assert len(build(spec).encode_ordinary("hello world")) == 2


def test_a_changed_vocabulary_is_parsed_again(tmp_path: Path) -> None:
    first = small_vocabulary(tmp_path, [b"ab", b"abc"])
    second = small_vocabulary(tmp_path, [b"ab", b"cd", b"abcd"])
    assert build(first).encode_ordinary("abcd") == [257, 100]
    assert build(second).encode_ordinary("abcd") == [258]
    assert build(first).encode_ordinary("abcd") == [257, 100]
    assert entry_path(first.sha256) != entry_path(second.sha256)
    assert entry_path(first.sha256).exists() and entry_path(second.sha256).exists()


def _valid_entry(spec: TokenizerSpec) -> bytes:
    build(spec)
    return entry_path(spec.sha256).read_bytes()


def _corruptions(valid: bytes, sha256: str) -> dict[str, bytes]:
    ranks = parse_vocabulary(b"".join(base64.b64encode(bytes([b])) + b" %d\n" % b for b in range(256)))
    other = hashlib.sha256(b"another vocabulary").hexdigest()
    same_digest = payload(ranks)  # a whole vocabulary's parse, sealed with its own digest
    marshalled = marshal.dumps(ranks)
    return {
        "empty": b"",
        "garbage": os.urandom(64),
        "truncated": valid[: len(valid) // 2],
        "flipped payload byte": valid[:-10] + bytes([valid[-10] ^ 1]) + valid[-9:],
        "another vocabulary's header": seal(FORMAT, other, valid.partition(b"\n")[2]),
        "older format": seal("ranks/1", sha256, valid.partition(b"\n")[2]),
        "another parse, digest recomputed": seal(FORMAT, sha256, same_digest),
        "the old marshal entry": b"advisor-ranks 1\n"
        + bytes.fromhex(sha256)
        + hashlib.sha256(marshalled).digest()
        + marshalled,
    }


@pytest.mark.parametrize(
    "kind",
    [
        "empty",
        "garbage",
        "truncated",
        "flipped payload byte",
        "another vocabulary's header",
        "older format",
        "another parse, digest recomputed",
        "the old marshal entry",
    ],
)
def test_a_damaged_entry_is_ignored_and_written_again(tmp_path: Path, kind: str) -> None:
    spec = small_vocabulary(tmp_path, [b"ab", b"abc"])
    valid = _valid_entry(spec)
    entry = entry_path(spec.sha256)
    entry.write_bytes(_corruptions(valid, spec.sha256)[kind])
    assert build(spec).encode_ordinary("abcab") == [257, 256]
    assert entry.read_bytes() == valid


def test_damaged_o200k_entry_gives_the_same_tokens() -> None:
    spec = spec_for("o200k_base")
    valid = _valid_entry(spec)
    entry = entry_path(spec.sha256)
    entry.write_bytes(valid[:-10] + bytes([valid[-10] ^ 1]) + valid[-9:])
    reference = parse_vocabulary(read_vocabulary(spec))
    assert build(spec)._mergeable_ranks == reference
    assert entry.read_bytes() == valid


def test_an_unwritable_cache_folder_only_costs_the_parse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would be")
    monkeypatch.setenv("ADVISOR_CACHE_DIR", str(blocker))
    spec = small_vocabulary(tmp_path, [b"ab"])
    assert build(spec).encode_ordinary("abab") == [256, 256]
    assert not any(tmp_path.glob("**/*.ranks")) and not any(tmp_path.glob("**/.tmp-*"))


def test_the_vocabulary_is_still_checked_when_an_entry_exists(tmp_path: Path) -> None:
    spec = small_vocabulary(tmp_path, [b"ab"])
    build(spec)
    Path(spec.vocabulary).write_bytes(Path(spec.vocabulary).read_bytes() + b"YWJj 257\n")
    with pytest.raises(UserError, match="damaged"):
        build(spec)


def test_entries_are_written_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A failed write leaves neither a partial entry nor its temporary file."""
    spec = small_vocabulary(tmp_path, [b"ab"])

    def fail(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("advisor.cache_folder.os.replace", fail)
    ranks = parse_vocabulary(Path(spec.vocabulary).read_bytes())
    assert cached_ranks(spec.sha256, spec.ranks_sha256, lambda: ranks) == ranks
    folder = entry_path(spec.sha256).parent
    assert not list(folder.iterdir())
