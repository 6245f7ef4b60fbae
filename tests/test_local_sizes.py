"""Own GPUs price any Hugging Face id by its size (advisor-local's sizes): the size read from the id, the
bracket at or above it (issue 24, item 6). The command line's side is in test_local_provider.py."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from advisor.errors import UserError
from advisor_local.sizes import brackets, size_bracket, size_from_id

WORDS = st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyz"), min_size=1, max_size=8)
SIZES = st.decimals(min_value=Decimal("0.1"), max_value=Decimal("999"), places=1)


def test_the_brackets_are_the_tables_open_rows() -> None:
    assert brackets() == ((Decimal(8), "open-8b"), (Decimal(70), "open-70b"))


@given(owner=WORDS, family=WORDS, size=SIZES, unit=st.sampled_from("bB"), tail=st.lists(WORDS, max_size=2))
def test_a_size_between_separators_is_read(owner: str, family: str, size: Decimal, unit: str, tail: list[str]) -> None:
    written = f"{size.normalize():f}{unit}"
    model = "/".join([owner, "-".join([family, written, *tail])])
    read = size_from_id(model)
    assert read is not None and read[0] == size and read[1] == f"{written} read from the id"


@given(size=SIZES)
def test_the_bracket_is_the_smallest_at_or_above_the_size(size: Decimal) -> None:
    fits = [row for bracket, row in brackets() if size <= bracket]
    if not fits:
        with pytest.raises(UserError, match="more than the largest size bracket"):
            size_bracket(f"org/model-{size}B", {})
        return
    row, why = size_bracket(f"org/model-{size}B", {})
    assert row == fits[0] and f"for {size.normalize():f}B parameters" in why


@pytest.mark.parametrize(
    ("model", "size"),
    [
        ("Qwen/Qwen3-8B", Decimal(8)),
        ("Qwen/Qwen2.5-0.5B-Instruct", Decimal("0.5")),
        ("meta-llama/Llama-3.3-70b-instruct", Decimal(70)),
        ("Qwen/Qwen3-30B-A3B", Decimal(30)),  # A3B is the active parameters, not a size between separators
        ("HuggingFaceTB/SmolLM2-135M-Instruct", Decimal("0.135")),
        ("mistralai/Mixtral-8x7B-v0.1", Decimal(56)),  # every expert's parameters, the larger figure
        ("google/gemma-2-9b-it", Decimal(9)),
        ("/data/models/our-13b", Decimal(13)),  # a folder's last part
    ],
)
def test_sizes_as_model_ids_write_them(model: str, size: Decimal) -> None:
    read = size_from_id(model)
    assert read is not None and read[0] == size


@pytest.mark.parametrize("model", ["microsoft/phi-4", "gpt2", "meta-llama/Llama-3.1", "org/v2b-tokenizer-x"])
def test_an_id_that_says_no_size_says_none(model: str) -> None:
    assert size_from_id(model) is None


def test_params_b_wins_over_the_id() -> None:
    assert size_bracket("Qwen/Qwen3-8B", {"params_b": "32"})[0] == "open-70b"
