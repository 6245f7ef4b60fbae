"""The suite runs against the installed wheel, and the wheel carries its data."""

from importlib.resources import files
from pathlib import Path

import advisor

from .conftest import ROOT


def test_tests_run_against_the_installed_package_not_the_source_tree() -> None:
    assert ROOT / "src" not in Path(advisor.__file__).resolve().parents


def test_wheel_ships_every_price_table() -> None:
    shipped = sorted(entry.name for entry in (files("advisor") / "pricing_tables").iterdir())
    assert shipped == sorted(path.name for path in (ROOT / "pricing").glob("*.toml"))


def test_wheel_ships_the_tokenizer_vocabularies() -> None:
    folder = files("advisor") / "data" / "tiktoken"
    assert {entry.name for entry in folder.iterdir()} >= {"o200k_base.tiktoken", "cl100k_base.tiktoken"}
