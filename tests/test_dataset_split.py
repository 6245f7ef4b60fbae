"""`advisor dataset split`: deterministic, streamed, never overwrites without --force."""

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from advisor.datasets.split import split_file, validation_size
from advisor.errors import UserError


def make(path: Path, count: int, rft: bool = False) -> Path:
    rows = []
    for i in range(count):
        messages = [{"role": "user", "content": f"q{i}"}]
        if not rft:
            messages.append({"role": "assistant", "content": f"a{i}"})
        rows.append(json.dumps({"messages": messages}))
    path.write_text("\n".join(rows) + "\n")
    return path


def read(path: Path) -> list[str]:
    return path.read_text().splitlines()


def test_split_writes_both_files_beside_the_input(tmp_path: Path) -> None:
    source = make(tmp_path / "data.jsonl", 100)
    result = split_file(str(source), "0.2", seed=7)
    assert (result.train, result.validation) == (80, 20)
    assert result.train_path == tmp_path / "data.train.jsonl"
    assert result.validation_path == tmp_path / "data.validation.jsonl"
    train, validation = read(result.train_path), read(result.validation_path)
    assert sorted(train + validation) == sorted(read(source))
    assert not set(train) & set(validation)


def test_same_seed_same_split_other_seed_other_split(tmp_path: Path) -> None:
    source = make(tmp_path / "data.jsonl", 100)
    first = read(split_file(str(source), "0.2", seed=1).validation_path)
    again = read(split_file(str(source), "0.2", seed=1, force=True).validation_path)
    other = read(split_file(str(source), "0.2", seed=2, force=True).validation_path)
    assert first == again and first != other


def test_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    source = make(tmp_path / "data.jsonl", 10)
    (tmp_path / "data.validation.jsonl").write_text("precious\n")
    with pytest.raises(UserError, match=r"already exist.*--force"):
        split_file(str(source), "0.2")
    assert (tmp_path / "data.validation.jsonl").read_text() == "precious\n"
    assert not (tmp_path / "data.train.jsonl").exists()


def test_a_count_instead_of_a_share(tmp_path: Path) -> None:
    result = split_file(str(make(tmp_path / "data.jsonl", 50)), "5")
    assert (result.train, result.validation) == (45, 5)


def test_blank_lines_crlf_and_bom_are_cleaned(tmp_path: Path) -> None:
    source = tmp_path / "data.jsonl"
    source.write_bytes(b'\xef\xbb\xbf{"a": 1}\r\n\r\n{"a": 2}\r\n{"a": 3}\n{"a": 4}')
    result = split_file(str(source), "0.5", seed=0)
    lines = read(result.train_path) + read(result.validation_path)
    assert sorted(lines) == ['{"a": 1}', '{"a": 2}', '{"a": 3}', '{"a": 4}']


def test_rft_validation_over_1000_is_flagged(tmp_path: Path) -> None:
    result = split_file(str(make(tmp_path / "rft.jsonl", 6000, rft=True)), "0.2")
    assert result.validation == 1200
    assert any("at most 1,000" in warning for warning in result.warnings)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("0", "share between 0 and 1"),
        ("1.5", "share between 0 and 1"),
        ("abc", "neither a share"),
        ("10", "leave some for training"),
    ],
)
def test_bad_validation_sizes(tmp_path: Path, spec: str, message: str) -> None:
    with pytest.raises(UserError, match=message):
        split_file(str(make(tmp_path / "data.jsonl", 10)), spec)


@given(st.integers(2, 10_000), st.decimals(min_value="0.001", max_value="0.999", places=3))
def test_a_share_always_leaves_both_sides_non_empty(examples: int, share) -> None:
    size = validation_size(str(share), examples)
    assert 1 <= size < examples


def test_the_split_a_dataset_check_suggests_runs_as_printed(tmp_path: Path, advisor, monkeypatch) -> None:
    """`dataset check` of an RFT file names the split that makes its validation file; pasted, it works."""
    import re
    import shlex

    monkeypatch.chdir(tmp_path)
    make(tmp_path / "rft prompts.jsonl", 40, rft=True)
    report = json.loads(advisor("dataset", "check", "rft prompts.jsonl", "--format", "json").out)
    (note,) = [n for n in report["notes"] if n.startswith("RFT also needs a validation file")]
    command = re.search(r"`(advisor dataset split [^`]+)`", note).group(1)
    assert shlex.split(command)[3] == "rft prompts.jsonl"  # the file checked, quoted for the shell
    result = advisor(*shlex.split(command)[1:])
    assert result.code == 0, result.err
    assert (
        len(read(tmp_path / "rft prompts.train.jsonl")) == 32
        and len(read(tmp_path / "rft prompts.validation.jsonl")) == 8
    )
