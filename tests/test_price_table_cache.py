"""Validated price tables kept between runs (advisor.pricing.table_cache): a table read before is the
same table, read without TOML or pydantic; an edited table, a table at another path and a damaged entry
are validated again; a cache that cannot be written only costs the validation. conftest gives every
test an empty $ADVISOR_CACHE_DIR. (tests/test_cache_tampering.py tampers with entries on purpose.)"""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from advisor.errors import UserError
from advisor.parsing.plain_data import from_plain
from advisor.plugins import load_plugins
from advisor.pricing import table_cache
from advisor.pricing.reading import parse_table, read_table
from advisor.pricing.table_validation import validated_table
from advisor.pricing.tables import BUNDLED_PACKAGE_DIR, PriceTable

from .conftest import FLAT_15


def shipped_texts() -> list[tuple[str, str]]:
    """(text, path) of every bundled table."""
    from importlib.resources import files

    folder = files("advisor") / BUNDLED_PACKAGE_DIR
    return [
        (entry.read_text(encoding="utf-8"), f"(bundled) {entry.name}")
        for entry in folder.iterdir()
        if entry.name.endswith(".toml")
    ]


def entries(cache: Path) -> list[Path]:
    folder = cache / "price-tables"
    return sorted(folder.iterdir()) if folder.is_dir() else []


def test_a_table_read_again_is_the_table_validation_gives(isolated_cache: Path) -> None:
    texts = shipped_texts()
    assert len(texts) >= 3
    for text, path in texts:
        assert table_cache.load(text, path) is None
        first = parse_table(text, path)
        kept = table_cache.load(text, path)
        assert kept is not None and kept is not first
        assert kept == first == validated_table(text, path)
        assert parse_table(text, path) == first
    assert len(entries(isolated_cache)) == len(texts)


def test_the_plugins_tables_are_kept_too(isolated_cache: Path) -> None:
    plugin_tables = load_plugins().price_tables
    assert plugin_tables, "the installed plugins ship price tables"
    kept = [kept_table(entry) for entry in entries(isolated_cache)]
    assert all(table in kept for table in plugin_tables)


def kept_table(entry: Path) -> PriceTable:
    """An entry read by hand: a header line, then the table as plain JSON."""
    header, payload = entry.read_bytes().split(b"\n", 1)
    assert header.startswith(b"advisor-cache price-table/2 " + entry.stem.encode())
    plain = json.loads(payload)
    assert plain["kind"] == "PriceTable"
    return from_plain(PriceTable, plain["data"])


def test_an_edited_table_is_validated_again(tmp_path: Path) -> None:
    path = tmp_path / "acme.toml"
    path.write_text(FLAT_15)
    assert read_table(path).models["flat15"].input == 15
    path.write_text(FLAT_15.replace("[models.flat15]\ninput = 15", "[models.flat15]\ninput = -1"))
    with pytest.raises(UserError, match=r"acme\.toml:7: models\.flat15\.input: .*greater than or equal to 0"):
        read_table(path)
    path.write_text(FLAT_15.replace("training = 15", "training = 16"))
    assert read_table(path).models["flat15"].fine_tuning.training == 16  # type: ignore[union-attr]


def test_the_same_text_at_another_path_keeps_its_own_path(tmp_path: Path) -> None:
    assert parse_table(FLAT_15, "one.toml").path == "one.toml"
    assert parse_table(FLAT_15, "two.toml").path == "two.toml"


def test_a_damaged_entry_is_validated_again_and_rewritten(isolated_cache: Path) -> None:
    table = parse_table(FLAT_15, "acme.toml")
    [entry] = entries(isolated_cache)
    valid = entry.read_bytes()
    edited = valid.replace(b'"15"', b'"16"', 1)  # a price changed, its seal not
    assert edited != valid
    damages = (b"", b"not json", valid[:-20], edited, pickle.dumps(table), b"\x80\x05K\x01.")
    for damage in damages:  # the last two: the table and the int 1 as pickles (never unpickled)
        entry.write_bytes(damage)
        assert table_cache.load(FLAT_15, "acme.toml") is None
        assert parse_table(FLAT_15, "acme.toml") == table
        assert table_cache.load(FLAT_15, "acme.toml") == table


def test_a_cache_that_cannot_be_written_costs_only_the_validation(tmp_path: Path, monkeypatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("ADVISOR_CACHE_DIR", str(blocker / "cache"))  # under a file: no folder can be made
    assert parse_table(FLAT_15, "acme.toml").models["flat15"].output == 15
    assert table_cache.load(FLAT_15, "acme.toml") is None


def test_an_estimate_with_tables_validated_before_imports_no_pydantic(isolated_cache: Path) -> None:
    """The first run validates (pydantic); every later one reads the kept tables."""
    command = [
        sys.executable,
        "-X",
        "importtime",
        "-m",
        "advisor",
        *("estimate", "--model", "gpt-4.1", "--ft-model", "gpt-4.1-mini", "--requests", "2M"),
        *("--prompt-tokens", "1800", "--ft-prompt-tokens", "300", "--training-tokens", "2M", "--examples", "5000"),
        *("--today", "2026-12-01", "--format", "json"),
    ]

    def imported() -> set[str]:
        result = subprocess.run(command, capture_output=True, text=True, check=True)
        assert '"monthly_savings_usd"' in result.stdout
        return {line.split("|")[-1].strip().split(".")[0] for line in result.stderr.splitlines() if "|" in line}

    assert "pydantic" in imported()
    assert entries(isolated_cache)
    assert not {"pydantic", "tomllib", "tiktoken", "rich"} & imported()
