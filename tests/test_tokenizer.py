"""The tokenizer files ship inside the package and load offline, checked by sha256."""

import hashlib
from pathlib import Path

import pytest

from advisor.errors import UserError
from advisor.tokens.tokenizer import ENCODINGS, check_vocabulary, get_encoding, vocabulary_path


@pytest.mark.parametrize("name", sorted(ENCODINGS))
def test_shipped_vocabulary_has_tiktokens_published_hash(name: str) -> None:
    data = Path(vocabulary_path(name)).read_bytes()
    assert hashlib.sha256(data).hexdigest() == ENCODINGS[name][0]


def test_loads_offline_and_encodes() -> None:
    encoding = get_encoding("o200k_base")  # the network guard in conftest refuses any download
    assert encoding.decode(encoding.encode_ordinary("héllo, wörld")) == "héllo, wörld"


def test_special_token_text_is_counted_as_plain_text() -> None:
    encoding = get_encoding("cl100k_base")
    assert len(encoding.encode_ordinary("<|endoftext|>")) > 1


def test_damaged_vocabulary_is_refused() -> None:
    with pytest.raises(UserError, match="damaged"):
        check_vocabulary("o200k_base", b"not the vocabulary")


def test_unknown_encoding_names_the_known_ones() -> None:
    with pytest.raises(UserError, match=r"unknown encoding 'p50k_base'; use one of: cl100k_base, .*o200k_base"):
        get_encoding("p50k_base")


@pytest.mark.parametrize("name", sorted(ENCODINGS))
def test_same_encoding_as_tiktokens_own_constructor(name: str, tmp_path: Path, monkeypatch) -> None:
    """Split pattern and special tokens equal tiktoken_ext's; its cache is seeded so it never downloads."""
    import tiktoken_ext.openai_public as public

    url = f"https://openaipublic.blob.core.windows.net/encodings/{name}.tiktoken"
    (tmp_path / hashlib.sha1(url.encode()).hexdigest()).write_bytes(Path(vocabulary_path(name)).read_bytes())
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))
    reference = getattr(public, name)()
    ours = get_encoding(name)
    assert ours._pat_str == reference["pat_str"]
    assert ours._special_tokens == reference["special_tokens"]
    assert ours._mergeable_ranks == reference["mergeable_ranks"]
