"""Issue 16 and the stream-reading parts of issue 15: `advisor tokens` on the dataset scanner, endless
and enormous inputs, FIFOs and pipes, one JSONL reader (U+2028 is not a line end), long strings in
bounded memory, the prompt-token cache, and `recommend` on many scenario files."""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest

from advisor.tokens.files import count_source, example_tokens
from advisor.tokens.long_text import UNCUT_LIMIT, BoundedEncoder, hard_cuts
from advisor.tokens.tokenizer import get_encoding

ADVISOR = str(Path(sys.executable).with_name("advisor"))
REPO = Path(__file__).resolve().parent.parent
O200K = get_encoding("o200k_base")
SEPARATORS = "a\u2028b\u2029c\u0085d\x0ce\rf"  # valid inside JSON strings; not line ends in JSONL


def _limit_memory() -> None:  # the old code read /dev/zero until MemoryError; never let a test take the machine
    resource.setrlimit(resource.RLIMIT_AS, (3 * 2**30, 3 * 2**30))


def run(*args: str, stdin: bytes | None = None, env: dict[str, str] | None = None, timeout: float = 120):
    return subprocess.run(
        [ADVISOR, *args],
        input=stdin,
        capture_output=True,
        timeout=timeout,
        preexec_fn=_limit_memory,
        env={**os.environ, **(env or {})},
    )


def chat(text: str) -> dict:
    return {"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": text}]}


def write_jsonl(path: Path, count: int) -> int:
    """A JSONL file of `count` examples; returns their tokens counted one by one."""
    total = 0
    with path.open("w", encoding="utf-8") as handle:
        for n in range(count):
            example = chat(f"Question {n}: where is order A-{n * 7}? " * (1 + n % 40))
            example["messages"].append({"role": "assistant", "content": f"It ships on day {n % 9}."})
            handle.write(json.dumps(example) + "\n")
            total += example_tokens(O200K, example)
    return total


class TestEndlessAndStreams:
    @pytest.mark.parametrize("command", [("tokens", "--encoding", "o200k_base"), ("dataset", "check")])
    def test_dev_zero_gets_a_limit_not_memory_error(self, command: tuple[str, ...]) -> None:
        result = run(*command, "/dev/zero")
        err = result.stderr.decode()
        assert result.returncode == 2, err
        assert "/dev/zero" in err and "MiB" in err and "limit" in err
        assert "Traceback" not in err and "MemoryError" not in err

    @pytest.mark.parametrize("command", [("tokens", "--encoding", "o200k_base"), ("dataset", "check")])
    def test_fifo_without_writer_does_not_block(self, tmp_path: Path, command: tuple[str, ...]) -> None:
        fifo = tmp_path / "in.fifo"
        os.mkfifo(fifo)
        result = run(*command, str(fifo), env={"ADVISOR_STREAM_WAIT": "0.5"}, timeout=30)
        err = result.stderr.decode()
        assert result.returncode == 2 and "no writer" in err and str(fifo) in err, err

    def test_dataset_check_reads_a_pipe_as_a_stream(self, tmp_path: Path) -> None:
        path = tmp_path / "train.jsonl"
        write_jsonl(path, 60)
        with path.open("a") as handle:
            handle.write(path.read_text().splitlines()[0] + "\n")  # one duplicate, found without re-reading
        as_file = json.loads(run("dataset", "check", str(path), "--model", "gpt-4.1-mini", "--format", "json").stdout)
        piped = run(
            "dataset", "check", "/dev/stdin", "--model", "gpt-4.1-mini", "--format", "json", stdin=path.read_bytes()
        )
        as_pipe = json.loads(piped.stdout)
        assert as_pipe["valid_examples"] == as_file["valid_examples"] == 61
        assert as_pipe["tokens"] == as_file["tokens"]
        assert [p["code"] for p in as_pipe["problems"]] == [p["code"] for p in as_file["problems"]]
        assert "duplicate" in [p["code"] for p in as_pipe["problems"]]

    def test_a_blob_with_nowhere_to_cut_is_counted_in_slices_and_reported(self, tmp_path: Path) -> None:
        path = tmp_path / "blob.jsonl"
        blob = "x" * (UNCUT_LIMIT + 100_000)  # one "word": tiktoken alone takes about 50 bytes a character
        example = {"messages": [{"role": "user", "content": blob}, {"role": "assistant", "content": "A blob."}]}
        path.write_text(json.dumps(example) + "\n")
        result = run("dataset", "check", str(path), "--model", "gpt-4.1", "--format", "json")
        report = json.loads(result.stdout)
        [problem] = [p for p in report["problems"] if p["code"] == "count-approximate"]
        assert problem["line"] == 1 and "counted in 2 slices" in problem["message"]
        assert report["tokens"]["total"] > 500_000
        assert abs(report["tokens"]["total"] - example_tokens(O200K, example)) <= 3

    def test_a_long_line_in_a_regular_file_is_refused_with_the_limit(self, tmp_path: Path) -> None:
        from advisor.parsing import jsonl

        path = tmp_path / "long.jsonl"
        path.write_bytes(b'{"messages": []}\n' + b"x" * (jsonl.MAX_LINE_BYTES + jsonl.BLOCK_BYTES + 10))
        result = run("dataset", "check", str(path))
        assert result.returncode == 2 and "limit on one JSONL line" in result.stderr.decode()


class TestOneJsonlReader:
    def test_unicode_line_separators_inside_strings_are_valid(self, tmp_path: Path) -> None:
        path = tmp_path / "sep.jsonl"
        path.write_text(json.dumps(chat(SEPARATORS), ensure_ascii=False) + "\n", encoding="utf-8")
        tally = count_source(str(path), "o200k_base")
        assert (tally.items, tally.tokens) == (1, example_tokens(O200K, chat(SEPARATORS)))

    def test_prompt_file_and_scenario_prompt_file_accept_them(self, advisor, tmp_path: Path) -> None:
        prompt = tmp_path / "prompts.jsonl"
        prompt.write_text(json.dumps(chat(SEPARATORS), ensure_ascii=False) + "\n", encoding="utf-8")
        result = advisor(
            "estimate", "--model", "gpt-4.1", "--ft-model", "gpt-4.1-mini", "--requests", "1000",
            "--prompt-file", str(prompt), "--output-tokens", "10", "--training-tokens", "1000",
            "--examples", "10", "--format", "json", "--today", "2026-12-01",
        )  # fmt: skip
        assert result.code == 0, result.err
        scenario = tmp_path / "scenario.toml"
        text = (REPO / "examples" / "invoice-extraction" / "scenario.toml").read_text()
        text = re.sub(r"(?m)^cached_prompt_tokens = .*$", "cached_prompt_tokens = 0", text)
        scenario.write_text(text.replace('prompt_file = "prompt.json"', 'prompt_file = "prompts.jsonl"'))
        for name in ("ft-prompt.json", "train.jsonl"):  # the other files it names
            shutil.copy(REPO / "examples" / "invoice-extraction" / name, tmp_path)
        assert advisor("recommend", str(scenario), "--format", "json", "--today", "2026-12-01").code == 0

    def test_jsonl_on_every_core_gives_the_same_counts(self, tmp_path: Path) -> None:
        from advisor.tokens.workers import SMALL_FILE

        path = tmp_path / "big.jsonl"
        total = write_jsonl(path, 9000)
        assert path.stat().st_size > SMALL_FILE  # the parallel path
        result = json.loads(run("tokens", "--encoding", "o200k_base", str(path), "--format", "json").stdout)
        assert result["total_tokens"] == total and result["files"][0]["items"] == 9000
        serial = count_source(str(path), "o200k_base", jobs=1)
        assert serial.tokens == total

    def test_a_bad_line_is_named_by_its_line_in_the_whole_file(self, tmp_path: Path) -> None:
        path = tmp_path / "bad.jsonl"
        write_jsonl(path, 9000)
        with path.open("a") as handle:
            handle.write("{broken\n")
        result = run("tokens", "--encoding", "o200k_base", str(path))
        assert result.returncode == 2 and f"{path}:9001: not valid JSON" in result.stderr.decode()


class TestLongStrings:
    def test_sliced_counting_is_exact(self) -> None:
        import random

        rng = random.Random(7)
        words = ["the", "A", "Zürich", "  ", "\n", "\n\n", "x", "42", "!", ".\n", "'s", " ", "\t", "WORLD", "é", "\r\n"]
        exact = 0
        for encoding in ("o200k_base", "cl100k_base"):
            tiktoken_encoding = get_encoding(encoding)
            bounded = BoundedEncoder(tiktoken_encoding, long_text=40)
            for _ in range(500):
                text = "".join(rng.choice(words) for _ in range(rng.randint(1, 150)))
                tokens, whole = list(bounded.encode_ordinary(text)), tiktoken_encoding.encode_ordinary(text)
                if hard_cuts(text, 40):  # nowhere safe to cut for 4 x 40 characters: cut anyway, counted close
                    assert abs(len(tokens) - len(whole)) <= 3 * hard_cuts(text, 40)
                else:
                    assert tokens == whole
                    exact += len(text) > 40
        assert exact > 400

    def test_a_long_string_takes_four_bytes_a_token(self) -> None:
        text = "Order A-113 ships from Oslo on Monday.\n" * 100_000  # 3.9M characters, about 1M tokens
        tracemalloc.start()
        tokens = len(BoundedEncoder(O200K).encode_ordinary(text))
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert tokens == len(O200K.encode_ordinary(text))
        assert peak < 20 * 2**20  # a list of 1M ints alone is over 35 MB


class TestPromptTokenCache:
    def estimate(self, prompt: Path, cache: Path, *python: str) -> subprocess.CompletedProcess:
        args = [
            "estimate",
            "--model",
            "gpt-4.1",
            "--ft-model",
            "gpt-4.1-mini",
            "--requests",
            "1000",
            "--output-tokens",
            "10",
            "--training-tokens",
            "1000",
            "--examples",
            "10",
            "--format",
            "json",
            "--today",
            "2026-12-01",
        ]
        command = [sys.executable, *python, "-m", "advisor", *args, "--prompt-file", str(prompt)]
        return subprocess.run(
            command, capture_output=True, text=True, env={**os.environ, "ADVISOR_CACHE_DIR": str(cache)}
        )

    def test_second_run_loads_no_tokenizer_and_changes_are_counted(self, tmp_path: Path) -> None:
        prompt, cache = tmp_path / "prompt.txt", tmp_path / "cache"
        prompt.write_text("Extract the invoice number and the total. " * 50)
        first = self.estimate(prompt, cache, "-X", "importtime")
        assert first.returncode == 0 and "tiktoken" in first.stderr
        second = self.estimate(prompt, cache, "-X", "importtime")
        assert second.returncode == 0 and "tiktoken" not in second.stderr
        assert json.loads(second.stdout) == json.loads(first.stdout)
        prompt.write_text("Shorter now.")
        changed = self.estimate(prompt, cache)
        assert json.loads(changed.stdout) != json.loads(first.stdout)
        for entry in (cache / "token-counts").glob("*.json"):
            entry.write_text("{not json")
        rebuilt = self.estimate(prompt, cache, "-X", "importtime")
        assert rebuilt.returncode == 0 and "tiktoken" in rebuilt.stderr
        assert json.loads(rebuilt.stdout) == json.loads(changed.stdout)
        assert "tiktoken" not in self.estimate(prompt, cache, "-X", "importtime").stderr


class TestManyScenarios:
    def scenarios(self, tmp_path: Path, count: int) -> Path:
        folder = tmp_path / "scenarios"
        folder.mkdir()
        examples = sorted((REPO / "examples" / "scenarios").glob("*.toml"))
        for n in range(count):
            shutil.copy(examples[n % len(examples)], folder / f"s{n:03d}.toml")
        return folder

    def test_a_folder_gives_a_json_list_and_a_bad_file_names_itself(self, advisor, tmp_path: Path) -> None:
        folder = self.scenarios(tmp_path, 40)  # enough to share out to the workers
        (folder / "zz-bad.toml").write_text("[traffic\n")
        result = advisor("recommend", str(folder), "--format", "json", "--today", "2026-12-01")
        assert result.code == 2
        items = json.loads(result.out)
        assert len(items) == 41 and all("name" in item for item in items[:40])
        assert items[40]["source"].endswith("zz-bad.toml") and "TOML" in items[40]["error"]
        assert "zz-bad.toml" in result.err and "1 of 41" in result.err
        one = json.loads(
            advisor("recommend", str(folder / "s001.toml"), "--format", "json", "--today", "2026-12-01").out
        )
        assert items[1] == one

    def test_markdown_document_with_a_summary_table(self, advisor, tmp_path: Path) -> None:
        folder = self.scenarios(tmp_path, 3)
        out = tmp_path / "proposal.md"
        result = advisor("recommend", *sorted(map(str, folder.iterdir())), "--format", "markdown", "--output", str(out))
        assert result.code == 0, result.err
        text = out.read_text()
        assert "| Feature | Strategy | Where | Monthly today | Monthly after | Payback |" in text
        assert text.count("## Recommendation: ") == 3
        assert len(list(tmp_path.glob("proposal.*.payback.svg"))) == 3
