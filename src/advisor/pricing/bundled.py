"""The price tables shipped inside advisor's wheel (the repository's pricing/ folder): where they are and how
they are cited. advisor's default plugin registers them through the same hook as a plugin's tables
(advisor.default_plugin), and a catalog made without plugins reads them directly (reading.bundled_tables)."""

from __future__ import annotations

from importlib.resources import files
from typing import TYPE_CHECKING

from advisor.errors import UserError
from advisor.pricing.tables import BUNDLED_PACKAGE_DIR

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable


def bundled_table_files() -> list[Traversable]:
    """The table files, in file-name order."""
    folder = files("advisor") / BUNDLED_PACKAGE_DIR
    if not folder.is_dir():
        raise UserError(
            f"the bundled price tables are missing from {folder}",
            hint="reinstall advisor with `pip install .` (not an editable install)",
        )
    return sorted((entry for entry in folder.iterdir() if entry.name.endswith(".toml")), key=lambda e: e.name)


def bundled_label(name: str) -> str:
    """How a bundled table is cited in every figure's source, and keyed in the table cache."""
    return f"(bundled) {name}"
