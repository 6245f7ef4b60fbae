"""The layers, stated as contracts over every import in src/advisor (docs/architecture.md draws them).

    cli -> render -> engines (recommend, costs, datasets, providers) -> pricing, tokens -> parsing, helpers

Imports run down, never up, and the core never names a plugin: plugins depend on the core. Each module
is parsed with `ast`, so imports inside functions (where the CLI keeps its heavy ones) and under
TYPE_CHECKING count too, as does `importlib.import_module("...")` with a literal name.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from .conftest import ROOT

SOURCE = ROOT / "src" / "advisor"

CLI = ("advisor.cli", "advisor.__main__")  # `python -m advisor` is the command line's entry point
RENDER = ("advisor.render",)
ENGINES = ("advisor.recommend", "advisor.costs", "advisor.datasets", "advisor.providers", "advisor.plugins")
LOWER = (
    "advisor.pricing",
    "advisor.tokens",
    "advisor.parsing",
    "advisor.methods",
    "advisor.errors",
    "advisor.cache_folder",
    "advisor.safe_text",
)


@dataclass(frozen=True)
class Import:
    module: str  # the importing module
    path: Path
    line: int
    target: str  # the module imported, or `package.name` for each name of a `from package import name`

    def __str__(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}: {self.module} imports {self.target}"


def module_name(path: Path, root: Path = SOURCE) -> str:
    parts = (root.name, *path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_in(source: str, module: str, path: Path, is_package: bool = False) -> list[Import]:
    """Every import in a module's source, wherever it stands in the file."""
    found = []
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source, str(path))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolved against the importing module's package
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                origin = ".".join([*base, node.module] if node.module else base)
            else:
                origin = node.module or ""
            # `from advisor import cli` imports advisor.cli: count the names as modules as well
            targets = [origin, *(f"{origin}.{alias.name}" for alias in node.names if alias.name != "*")]
        elif (
            isinstance(node, ast.Call)
            and (
                (isinstance(node.func, ast.Attribute) and node.func.attr == "import_module")
                or (isinstance(node.func, ast.Name) and node.func.id == "import_module")
            )
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            targets = [node.args[0].value]
        found += [Import(module, path, node.lineno, target) for target in targets]
    return found


def all_imports() -> list[Import]:
    found = []
    for path in sorted(SOURCE.rglob("*.py")):
        found += imports_in(path.read_text(encoding="utf-8"), module_name(path), path, path.name == "__init__.py")
    return found


IMPORTS = all_imports()


def within(name: str, layers: tuple[str, ...]) -> bool:
    return any(name == layer or name.startswith(layer + ".") for layer in layers)


def violations(
    importers: tuple[str, ...] | None,
    forbidden: tuple[str, ...],
    exempt: tuple[str, ...] = (),
    imports: list[Import] = IMPORTS,
) -> list[str]:
    """Imports of `forbidden` by modules in `importers` (None: every module not in `exempt`)."""
    return [
        str(found)
        for found in imports
        if (within(found.module, importers) if importers else not within(found.module, exempt))
        and within(found.target, forbidden)
    ]


def plugin_imports(imports: list[Import] = IMPORTS) -> list[str]:
    return sorted({str(found) for found in imports if found.target.split(".")[0].startswith("advisor_")})


def test_the_modules_and_layers_are_all_there() -> None:
    modules = {found.module for found in IMPORTS}
    assert len(modules) > 50, "the source tree was not found"
    for layer in (*CLI, *RENDER, *ENGINES, *LOWER):
        assert any(within(module, (layer,)) for module in modules), f"{layer} is gone: update the contracts"


def assert_none(found: list[str]) -> None:
    assert not found, "imports against the layers (docs/architecture.md):\n" + "\n".join(found)


def test_the_core_never_imports_the_cli_or_render() -> None:
    assert_none(violations(None, (*CLI, *RENDER), exempt=(*CLI, *RENDER)))


def test_render_never_imports_the_cli() -> None:
    assert_none(violations(RENDER, CLI))


def test_nothing_imports_a_plugin() -> None:
    """Plugins (advisor_openai and every advisor_* distribution) are found through entry points only."""
    assert_none(plugin_imports())


def test_the_lower_layers_never_import_the_engines() -> None:
    assert_none(violations(LOWER, ENGINES))


class TestTheContractsCanFail:
    """The collector sees imports wherever they stand, so a violation cannot hide from the tests above."""

    BAD = """
from __future__ import annotations
from typing import TYPE_CHECKING
if TYPE_CHECKING:
    from advisor.render.jobs import print_jobs
def command():
    import advisor.cli.options
    from advisor import cli
    from .. import render
    from ..providers import launch
    importlib.import_module("advisor_openai")
"""

    def imports(self) -> list[Import]:
        return imports_in(self.BAD, "advisor.pricing.catalog", SOURCE / "pricing" / "catalog.py")

    def test_every_kind_of_import_is_seen(self) -> None:
        assert {
            "advisor.render.jobs.print_jobs",
            "advisor.cli.options",
            "advisor.cli",
            "advisor.render",
            "advisor.providers.launch",
            "advisor_openai",
        } <= {found.target for found in self.imports()}

    def test_each_contract_reports_them(self) -> None:
        imports = self.imports()
        assert len(violations(None, (*CLI, *RENDER), exempt=(*CLI, *RENDER), imports=imports)) == 5
        assert violations(LOWER, ENGINES, imports=imports) == [
            "src/advisor/pricing/catalog.py:10: advisor.pricing.catalog imports advisor.providers",
            "src/advisor/pricing/catalog.py:10: advisor.pricing.catalog imports advisor.providers.launch",
        ]
        assert len(plugin_imports(imports)) == 1

    def test_module_names_follow_the_files(self) -> None:
        assert module_name(SOURCE / "render" / "__init__.py") == "advisor.render"
        assert module_name(SOURCE / "providers" / "sync.py") == "advisor.providers.sync"
