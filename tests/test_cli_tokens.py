"""`advisor tokens`: per file and total, text, chat and JSONL, stdin, JSON output."""

import io
import json
from pathlib import Path

from .conftest import EXAMPLES


def test_per_file_and_total_as_json(advisor) -> None:
    files = [str(EXAMPLES / "invoice-extraction" / name) for name in ("prompt.json", "train.jsonl")]
    data = json.loads(advisor("tokens", "--model", "gpt-4.1", "--format", "json", *files).out)
    assert data["encoding"] == "o200k_base"
    assert [f["kind"] for f in data["files"]] == ["chat", "jsonl"]
    assert data["files"][1]["items"] == 400
    assert data["total_tokens"] == sum(f["tokens"] for f in data["files"])


def test_stdin(advisor, monkeypatch) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"hello world")))
    data = json.loads(advisor("tokens", "--encoding", "cl100k_base", "--format", "json").out)
    assert data["files"][0] == {
        "file": "-",
        "kind": "text",
        "items": 1,
        "tokens": 2,
        "mean_tokens": 2.0,
        "min_tokens": 2,
        "max_tokens": 2,
    }


def test_fine_tuned_id_uses_its_bases_tokenizer(advisor, tmp_path: Path) -> None:
    path = tmp_path / "p.txt"
    path.write_text("tokenizers differ")
    o200k = json.loads(
        advisor("tokens", "--model", "ft:gpt-4.1-2025-04-14:acme:x:1", "--format", "json", str(path)).out
    )
    cl100k = json.loads(advisor("tokens", "--model", "gpt-4", "--format", "json", str(path)).out)
    assert (o200k["encoding"], cl100k["encoding"]) == ("o200k_base", "cl100k_base")


def test_table_output(advisor) -> None:
    run = advisor("tokens", "--model", "gpt-4o", str(EXAMPLES / "invoice-extraction" / "prompt.json"))
    assert run.code == 0 and "1,739" in run.out


def test_unknown_model_suggests_and_mentions_encoding(advisor, tmp_path: Path) -> None:
    run = advisor("tokens", "--model", "claude-3", str(tmp_path))
    assert run.code == 2 and "--encoding" in run.err


def test_needs_a_tokenizer(advisor) -> None:
    run = advisor("tokens", "x.txt")
    assert run.code == 2 and "--model" in run.err
