"""Finding the installed plugins without importlib.metadata on every command: the `advisor` entry points are
kept in the cache folder, sealed with sys.path and its folders' times, and found again when a distribution
is installed or removed (which changes its folder's time) or sys.path changes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from advisor.installed_plugins import FoundEntry, entry_points

GROUP = "advisor-test-group"


def distribution(root: Path, name: str, value: str, group: str = GROUP) -> None:
    info = root / f"{name}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[{group}]\n{name} = {value}\n")


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "site"
    root.mkdir()
    monkeypatch.syspath_prepend(str(root))
    return root


class TestFindingThem:
    def test_a_distribution_installed_after_the_list_was_kept_is_found(self, site: Path) -> None:
        assert entry_points(GROUP) == []
        distribution(site, "late", "json:dumps")
        (found,) = entry_points(GROUP)
        assert found == FoundEntry("late", "json:dumps", "late", "1.0")

    def test_a_distribution_removed_is_no_longer_listed(self, site: Path) -> None:
        distribution(site, "gone", "json")
        assert [entry.name for entry in entry_points(GROUP)] == ["gone"]
        for path in sorted((site / "gone-1.0.dist-info").iterdir()):
            path.unlink()
        (site / "gone-1.0.dist-info").rmdir()
        assert entry_points(GROUP) == []

    def test_a_kept_copy_that_does_not_read_is_found_again(self, site: Path) -> None:
        from advisor.cache_folder import cache_folder

        distribution(site, "kept", "json")
        entry_points(GROUP)
        (copy,) = (cache_folder("entry-points")).glob("*.json")
        copy.write_bytes(copy.read_bytes()[:-3])  # its seal no longer matches
        assert [entry.name for entry in entry_points(GROUP)] == ["kept"]

    def test_the_second_command_does_not_import_importlib_metadata(self, tmp_path: Path) -> None:
        code = (
            "import sys; from advisor.installed_plugins import entry_points; found = entry_points('advisor'); "
            "print(len(found), 'importlib.metadata' in sys.modules)"
        )
        env = {**os.environ, "ADVISOR_CACHE_DIR": str(tmp_path / "cache")}
        work = tmp_path / "work"  # on sys.path (`python -c`), so not where the cache is written
        work.mkdir()

        def run() -> list[str]:
            done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=work)
            assert done.returncode == 0, done.stderr
            return done.stdout.split()

        first, second = run(), run()
        assert first[1] == "True" and second[1] == "False"
        assert first[0] == second[0] and int(first[0]) >= 1, "the bundled plugins' entry points, both times"


class TestLoadingOne:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            ("json", "json"),
            ("json:dumps", "dumps"),
            ("os.path:join", "join"),
            ("json : JSONDecoder.decode [x]", "decode"),
        ],
    )
    def test_the_value_names_a_module_or_an_attribute_in_it(self, value: str, expected: str) -> None:
        loaded = FoundEntry("x", value, "x", "1").load()
        assert getattr(loaded, "__name__", None) == expected

    def test_a_value_that_is_not_one_is_refused(self) -> None:
        with pytest.raises(ValueError, match="is not an entry point's value"):
            FoundEntry("x", "not a module!", "x", "1").load()
