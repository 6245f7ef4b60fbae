"""The leader process of a multi-core scan (advisor.tokens.workers): it drops the Python copy of the
vocabulary before forking the workers and freezes its objects, and a file checked through it gives
exactly the report one process gives."""

from __future__ import annotations

import json
import multiprocessing
import random
from pathlib import Path

import pytest

from advisor.datasets.check import check_dataset
from advisor.tokens.tokenizer import get_encoding
from advisor.tokens.workers import SMALL_FILE, BlockRunner, _shed_vocabularies

from .conftest import TODAY

TEXTS = ["héllo, wörld", "<|endoftext|> plain text", "INVOICE 2024001 total $1,234.50", "日本語 🙂" * 20]


def _counts_after_shedding(conn) -> None:  # runs in a forked child, as the leader does
    _shed_vocabularies(("o200k_base", "cl100k_base"))
    counted = [
        len(get_encoding(name).encode_ordinary(text)) for name in ("o200k_base", "cl100k_base") for text in TEXTS
    ]
    conn.send((counted, len(get_encoding("o200k_base")._mergeable_ranks)))
    conn.close()


def test_a_leader_without_the_vocabulary_dict_counts_the_same() -> None:
    expected = [
        len(get_encoding(name).encode_ordinary(text)) for name in ("o200k_base", "cl100k_base") for text in TEXTS
    ]
    context = multiprocessing.get_context("fork")
    ours, theirs = context.Pipe()
    child = context.Process(target=_counts_after_shedding, args=(theirs,))
    child.start()
    counted, left = ours.recv()
    child.join()
    assert counted == expected and left == 0
    assert len(get_encoding("o200k_base")._mergeable_ranks) > 199_000  # this process keeps its own


def _line(rng: random.Random, number: int) -> str:
    words = ["invoice", "late", "Oslo", "refund", "naïve", "2026", "mail jo@example.com", "+47 912 34 567", "  "]
    user = " ".join(rng.choice(words) for _ in range(rng.randint(5, 300)))
    answer = rng.choice(["yes", "no", "", "...", " ".join(rng.choice(words) for _ in range(rng.randint(1, 40)))])
    messages = [{"role": "user", "content": user}, {"role": "assistant", "content": answer}]
    if number % 3:
        messages.insert(0, {"role": "system", "content": rng.choice(["Be brief.", "Answer in JSON.", "Be  brief."])})
    example: dict = {"messages": messages}
    if number % 17 == 0:
        example["tools"] = [{"type": "function", "function": {"name": "f", "parameters": {}}}]
    if number % 101 == 0:
        return "{broken"
    return json.dumps(example, ensure_ascii=number % 2 == 0)


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="the leader needs fork")
def test_a_file_checked_through_the_leader_gives_the_one_process_report(tmp_path: Path, catalog) -> None:
    rng = random.Random(16)
    lines = [_line(rng, number) for number in range(6_000)]
    lines += lines[:200]  # exact duplicates across blocks
    path = tmp_path / "big.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert path.stat().st_size >= SMALL_FILE
    with BlockRunner(str(path), jobs=2) as runner:
        assert runner._leader is not None, "the scan must go through a leader process"
        forked = check_dataset(str(path), catalog, TODAY, models=["gpt-4.1-mini"], runner=runner, formats=())
    alone = check_dataset(str(path), catalog, TODAY, models=["gpt-4.1-mini"], jobs=1, formats=())
    assert forked.model_dump() == alone.model_dump()
    assert forked.tokens is not None and forked.valid_examples > 5_000
    assert {problem.code for problem in forked.problems} >= {"duplicate", "not-json", "personal-data-email"}


def _size_and_head(data: bytes) -> tuple[int, bytes]:
    return len(data), data[:12]


def _what_the_worker_sees(settings: object, block) -> tuple[int, int, object, tuple[int, bytes]]:
    with open(str(settings), "rb") as handle:
        handle.seek(block.start)
        data = handle.read(block.end - block.start)
    return block.start, block.end, getattr(block, "prepared", None), _size_and_head(data)


def _slow_shed(names: tuple[str, ...]) -> None:  # a leader that takes its time to load
    import time

    time.sleep(0.5)


def _lines(count: int) -> str:
    return "".join(
        f'{{"messages": [{{"role": "user", "content": "line {n} {"x" * (n % 300)}"}}]}}\n' for n in range(count)
    )


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="the leader needs fork")
def test_blocks_prepared_while_the_leader_loads_reach_the_workers(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "big.jsonl"
    path.write_text(_lines(30_000), encoding="utf-8")
    assert path.stat().st_size >= SMALL_FILE
    monkeypatch.setattr("advisor.tokens.workers._shed_vocabularies", _slow_shed)  # inherited by the leader
    with BlockRunner(str(path), jobs=2) as runner:
        seen = list(
            runner.map(_what_the_worker_sees, str(path), ("o200k_base",), block_bytes=1 << 19, prepare=_size_and_head)
        )
    with BlockRunner(str(path), jobs=1) as alone:
        plain = list(alone.map(_what_the_worker_sees, str(path), ("o200k_base",), block_bytes=1 << 19))
    assert [row[:2] for row in seen] == [row[:2] for row in plain]  # the same blocks, in order
    assert seen[-1][1] == path.stat().st_size
    prepared = [row for row in seen if row[2] is not None]
    assert prepared, "the command had half a second to prepare blocks"
    assert prepared == seen[: len(prepared)], "the first blocks, in order"
    assert all(row[2] == row[3] for row in prepared)  # what the worker would have worked out itself


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="the leader needs fork")
def test_a_check_with_prepared_blocks_gives_the_one_process_report(tmp_path: Path, catalog, monkeypatch) -> None:
    rng = random.Random(17)
    path = tmp_path / "big.jsonl"
    path.write_text("\n".join(_line(rng, number) for number in range(6_000)) + "\n", encoding="utf-8")
    assert path.stat().st_size >= SMALL_FILE
    monkeypatch.setattr("advisor.tokens.workers._shed_vocabularies", _slow_shed)
    with BlockRunner(str(path), jobs=2) as runner:
        assert runner._leader is not None
        forked = check_dataset(str(path), catalog, TODAY, models=["gpt-4.1-mini"], runner=runner, formats=())
    alone = check_dataset(str(path), catalog, TODAY, models=["gpt-4.1-mini"], jobs=1, formats=())
    assert forked.model_dump() == alone.model_dump()
    assert any(problem.code.startswith("personal-data-") for problem in forked.problems)


def _answered(count: int) -> str:
    return "".join(
        json.dumps(
            {
                "messages": [
                    {"role": "user", "content": f"line {n} " + "word " * (n % 200)},
                    {"role": "assistant", "content": f"answer {n % 7}"},
                ]
            }
        )
        + "\n"
        for n in range(count)
    )


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="the leader needs fork")
def test_a_plugins_tokenizer_reaches_a_leader_forked_before_the_plugins_loaded(advisor, tmp_path: Path) -> None:
    """The command forks its leader before it loads plugins; the Together plugin's Llama 3 tokenizer
    (every model is priced when no --model is given) must still count there."""
    path = tmp_path / "big.jsonl"
    path.write_text(_answered(25_000), encoding="utf-8")
    assert path.stat().st_size >= SMALL_FILE
    forked = advisor("dataset", "check", str(path), "--format", "json", "--jobs", "2")
    alone = advisor("dataset", "check", str(path), "--format", "json", "--jobs", "1")
    assert forked.code == alone.code == 0, forked.err
    assert forked.out == alone.out and '"llama3"' in forked.out


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="the leader needs fork")
def test_a_damaged_vocabulary_in_the_leader_is_one_clear_error(tmp_path: Path) -> None:
    from advisor.errors import UserError
    from advisor.tokens.tokenizer import TokenizerSpec, set_plugin_tokenizers
    from advisor.tokens.workers import encoders

    vocabulary = tmp_path / "damaged.tiktoken"
    vocabulary.write_bytes(b"YQ== 0\n")
    set_plugin_tokenizers([TokenizerSpec("damaged", str(vocabulary), "0" * 64, r"\S+")])
    path = tmp_path / "big.jsonl"
    path.write_text(_lines(60_000), encoding="utf-8")
    assert path.stat().st_size >= SMALL_FILE
    with BlockRunner(str(path), jobs=2, encodings=("damaged",)) as runner, pytest.raises(UserError) as raised:
        list(runner.map(_what_the_worker_sees, str(path), ("damaged",), block_bytes=1 << 19))
    assert "damaged.tiktoken is damaged" in raised.value.message
    encoders.cache_clear()


def _leader_dies(names: tuple[str, ...]) -> None:  # the leader is killed while it loads (out of memory)
    import os

    os._exit(137)


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="the leader needs fork")
@pytest.mark.parametrize("prepare", [None, _size_and_head])
def test_a_leader_that_dies_is_one_clear_error(tmp_path: Path, monkeypatch, prepare) -> None:
    from advisor.errors import UserError

    path = tmp_path / "big.jsonl"
    path.write_text(_lines(30_000), encoding="utf-8")
    monkeypatch.setattr("advisor.tokens.workers._shed_vocabularies", _leader_dies)  # inherited by the leader
    with BlockRunner(str(path), jobs=2) as runner, pytest.raises(UserError) as raised:
        list(runner.map(_what_the_worker_sees, str(path), ("o200k_base",), block_bytes=1 << 19, prepare=prepare))
    assert "ended before the scan was done" in raised.value.message and raised.value.where == str(path)
