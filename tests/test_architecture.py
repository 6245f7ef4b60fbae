"""The layers, stated as contracts over every import in src/advisor (docs/architecture.md draws them).

    cli -> render -> engines (recommend, costs, datasets, providers) -> pricing, tokens -> parsing, helpers

Imports run down, never up, and the core never names a plugin: plugins depend on the core. Inside the
engines the order is (bottom to top) money and the catalog, costs, datasets, recommend and providers side
by side, the plugin machinery (STACK). No module reaches itself through its imports, in the core or in
any plugin. Each module is parsed with `ast`, so imports inside functions (where the CLI keeps its heavy
ones) and under TYPE_CHECKING count too, as does `importlib.import_module("...")` with a literal name.
"""

from __future__ import annotations

import ast
from collections import deque
from dataclasses import dataclass
from pathlib import Path

import pytest

from .conftest import ROOT

SOURCE = ROOT / "src" / "advisor"

CLI = ("advisor.cli", "advisor.__main__")  # `python -m advisor` is the command line's entry point
RENDER = ("advisor.render",)
API = ("advisor.api",)
DOCUMENTS = ("advisor.documents",)  # between render and cli: it renders blocks for `advisor doc`
WEB = ("advisor.web",)
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
    names_follow: bool = False  # `package` of a `from package import name, ...`: each name is a target too

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
            names = [f"{origin}.{alias.name}" for alias in node.names if alias.name != "*"]
            found.append(Import(module, path, node.lineno, origin, names_follow=bool(names)))
            targets = names
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
    for layer in (*CLI, *WEB, *API, *RENDER, *DOCUMENTS, *ENGINES, *LOWER):
        assert any(within(module, (layer,)) for module in modules), f"{layer} is gone: update the contracts"


def assert_none(found: list[str]) -> None:
    assert not found, "imports against the layers (docs/architecture.md):\n" + "\n".join(found)


def test_the_core_never_imports_the_cli_or_render() -> None:
    assert_none(violations(None, (*CLI, *RENDER, *WEB), exempt=(*CLI, *API, *RENDER, *DOCUMENTS, *WEB)))


def test_only_the_cli_imports_the_api_and_the_package_hands_it_out() -> None:
    found = violations(None, API, exempt=(*CLI, *API))
    assert_none([line for line in found if not line.split(": ", 1)[1].startswith("advisor imports advisor.api")])


def test_render_never_imports_the_cli() -> None:
    assert_none(violations(RENDER, CLI))


def test_only_advisor_serve_imports_the_web_layer_and_its_server() -> None:
    """Starlette and uvicorn (the optional `web` extra) stay inside advisor.web, which only `advisor serve`
    imports: every other command runs without them installed."""
    assert_none(violations(None, ("starlette", "uvicorn"), exempt=WEB))
    assert_none(violations(None, WEB, exempt=(*WEB, "advisor.cli.serve_cmd")))


def test_nothing_imports_a_plugin() -> None:
    """Plugins (advisor_openai and every advisor_* distribution) are found through entry points only."""
    assert_none(plugin_imports())


def test_the_lower_layers_never_import_the_engines() -> None:
    assert_none(violations(LOWER, ENGINES))


# The whole stack, bottom to top: a module imports only its own group and the levels below it. Groups on
# one level sit side by side and import neither the other (money is arithmetic, the catalog is prices;
# a recommendation needs no provider and a provider no recommendation). Each group is the modules named
# by its prefixes; a module belongs to the group of its longest matching prefix (advisor.costs.money is
# money, advisor.costs.estimate costs), `advisor` alone (the package, its __version__) to the helpers.
HELPERS = ("advisor.parsing", "advisor.methods", "advisor.errors", "advisor.cache_folder", "advisor.safe_text")
PLUGIN_MACHINERY = (
    "advisor.plugins",
    "advisor.hookspecs",
    "advisor.plugin_api",
    "advisor.default_plugin",
    "advisor.installed_plugins",
)
STACK: tuple[tuple[tuple[str, tuple[str, ...]], ...], ...] = (
    (("helpers", ("advisor", *HELPERS)),),
    (("tokens", ("advisor.tokens",)),),
    (("pricing", ("advisor.pricing",)), ("money", ("advisor.costs.money",))),  # money and the catalog
    (("costs", ("advisor.costs",)),),
    (("datasets", ("advisor.datasets",)),),
    (("recommend", ("advisor.recommend",)), ("providers", ("advisor.providers",))),
    (("plugins", PLUGIN_MACHINERY),),
    (("render", RENDER),),
    (("documents", DOCUMENTS),),  # a document's blocks, rendered (advisor doc)
    (("api", API),),
    (("web", WEB),),  # `advisor serve`: engines and render behind HTTP; only the CLI imports it
    (("cli", CLI),),
)
# The package's own __init__ hands out advisor.api's names when first asked for (its __getattr__, PEP 562;
# under TYPE_CHECKING for type checkers): the one import up the stack, run after the package has loaded, so
# it is no circle at run time (advisor.plugins reads advisor.__version__ from the same package). It also
# loads the engines' package advisor.recommend itself (a docstring, no module under it), so that the name
# advisor.recommend stays the API's function (src/advisor/__init__.py says why).
FACADE = ("advisor", API, "advisor.recommend")


def through_the_facade(item: Import) -> bool:
    return item.module == FACADE[0] and (within(item.target, FACADE[1]) or item.target == FACADE[2])


@dataclass(frozen=True)
class Place:
    level: int
    group: str
    prefix: str


def place(name: str) -> Place | None:
    """The level and group of a module (or of `module.name`): its longest matching prefix's."""
    found = [
        Place(level, group, prefix)
        for level, groups in enumerate(STACK)
        for group, prefixes in groups
        for prefix in prefixes
        if within(name, (prefix,))
    ]
    return max(found, key=lambda found: len(found.prefix), default=None)


def against_the_stack(imports: list[Import] = IMPORTS) -> list[str]:
    """Each import of a group above the importer's level, or of another group on its level, with the rule."""
    found = []
    for item in imports:
        importer, imported = place(item.module), place(item.target)
        if importer is None or imported is None or imported.group == importer.group or through_the_facade(item):
            continue
        if imported.level > importer.level:
            found.append(f"{item}: {importer.group} may not import {imported.group}, which sits above it")
        elif imported.level == importer.level:
            found.append(f"{item}: {importer.group} may not import {imported.group}, which sits beside it")
    return found


def test_every_module_has_its_place_in_the_stack() -> None:
    """A new package gets a level in STACK (and in docs/architecture.md), not the helpers' by default."""
    modules = {found.module for found in IMPORTS} - {"advisor"}
    unplaced = sorted(module for module in modules if getattr(place(module), "prefix", "advisor") == "advisor")
    assert not unplaced, "modules with no place in STACK (tests/test_architecture.py):\n" + "\n".join(unplaced)


def test_imports_run_down_the_stack() -> None:
    """money and the catalog, then costs, datasets, recommend beside providers, the plugin machinery."""
    assert_none(against_the_stack())


# The import graph: a module -> the modules it imports. `from package import name` is an edge to
# package.name when that is a module, else to the package (its __init__, which counts as the module
# `package`); a package's __init__ that Python runs before any module of it is not an edge of its own, so
# `from advisor_local import configs` inside advisor_local.provider is no circle through advisor_local.
Graph = dict[str, dict[str, Import]]


def module_graph(root: Path) -> Graph:
    modules = {module_name(path, root): path for path in sorted(root.rglob("*.py"))}
    imports = []
    for name, path in modules.items():
        imports += imports_in(path.read_text(encoding="utf-8"), name, path, path.name == "__init__.py")
    return graph_of(imports, set(modules))


def graph_of(imports: list[Import], modules: set[str]) -> Graph:
    graph: Graph = {name: {} for name in modules}
    for found in imports:
        if found.names_follow or through_the_facade(found):
            continue  # the names stand as targets of their own; the facade imports when asked, not on loading
        parts = found.target.split(".")
        while parts and ".".join(parts) not in modules:
            parts.pop()
        target = ".".join(parts)
        if target and target != found.module and found.module in graph:
            graph[found.module].setdefault(target, found)  # the first import of it, for the message
    return graph


def circles(graph: Graph) -> list[str]:
    """Each set of modules that reach each other (a strongly connected component, Tarjan's), as one of its
    shortest circles: each import on a line with its file and line."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return [shortest_circle(graph, component) for component in sorted(components)]


def shortest_circle(graph: Graph, component: list[str]) -> str:
    start, members = component[0], set(component)
    came_from: dict[str, Import] = {}
    queue = deque([start])
    while queue:  # breadth first, within the component, back to the start
        node = queue.popleft()
        for target, found in sorted(graph[node].items()):
            if target in members and target not in came_from:
                came_from[target] = found
                queue.append(target)
        if start in came_from:
            break
    chain, node = [], start
    while True:
        found = came_from[node]
        chain.append(f"  {found}")
        node = found.module
        if node == start:
            break
    return f"{len(component)} modules reach each other ({', '.join(component)}):\n" + "\n".join(reversed(chain))


def assert_no_circles(graph: Graph) -> None:
    found = circles(graph)
    assert not found, "import circles:\n" + "\n".join(found)


def test_no_module_of_the_core_imports_itself_through_others() -> None:
    graph = module_graph(SOURCE)
    assert len(graph) > 100 and sum(map(len, graph.values())) > 300, "the import graph was not read"
    assert_no_circles(graph)


PLUGINS = sorted((ROOT / "plugins").glob("*/src/advisor_*"))


@pytest.mark.parametrize("package", PLUGINS, ids=[package.name for package in PLUGINS])
def test_no_module_of_a_plugin_imports_itself_through_others(package: Path) -> None:
    assert_no_circles(module_graph(package))


def test_every_plugin_is_checked_for_circles() -> None:
    assert {package.name for package in PLUGINS} >= {"advisor_openai", "advisor_together", "advisor_local"}


# One rule for data types (docs/architecture.md, "Typed values"): frozen dataclasses inside the core, whose
# fields carry their ranges (parsing/constraints.py: Check); pydantic only where data enters (a file) or
# leaves (JSON). These are the modules that may import it, and why.
PYDANTIC_AT_THE_EDGES = {
    "advisor.parsing.constraints": "Check, read by pydantic when a file is validated into a dataclass",
    "advisor.pricing.table_validation": "a price table's TOML (bundled, a plugin's, the user's)",
    "advisor.pricing.overlay_validation": "an overlay's TOML",
    "advisor.recommend.scenario": "a scenario file",
    "advisor.recommend.what_if": "a scenario with values set from the command line or the web view",
    "advisor.cli.interview_cmd": "the interview's answers, saved as a scenario",
    "advisor.recommend.recommendation": "the recommendation, as JSON",
    "advisor.recommend.costing": "StrategyCost, each option's figures in the recommendation's JSON",
    "advisor.datasets.report": "the dataset report, as JSON",
}


def pydantic_inside(imports: list[Import] = IMPORTS) -> list[str]:
    return [
        str(item)
        for item in imports
        if item.target.split(".")[0] in ("pydantic", "pydantic_core") and item.module not in PYDANTIC_AT_THE_EDGES
    ]


def test_pydantic_is_imported_only_where_data_enters_or_leaves() -> None:
    found = pydantic_inside()
    assert not found, "pydantic inside the core (a frozen dataclass with Check belongs there):\n" + "\n".join(found)


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


class TestTheOrderAndCirclesCanFail:
    """The stack and the circle finder report what they are meant to, naming each import."""

    def imports(self, module: str, source: str) -> list[Import]:
        path = SOURCE.joinpath(*module.split(".")[1:]).with_suffix(".py")
        return imports_in(source, module, path)

    def test_an_import_up_or_beside_is_reported_with_its_rule(self) -> None:
        found = against_the_stack(
            [
                *self.imports("advisor.costs.inputs", "def f():\n    from advisor.datasets.scan import scan_file\n"),
                *self.imports("advisor.recommend.costing", "from advisor.providers import base\n"),
                *self.imports("advisor.costs.money", "from advisor.pricing.tables import MAX_PRICE\n"),
                *self.imports("advisor.providers.sync", "import advisor.plugin_api\n"),
                *self.imports("advisor.costs.estimate", "from advisor.costs.money import format_usd\n"),
                *self.imports("advisor.datasets.report", "from advisor.costs import training\n"),
            ]
        )
        assert found == [
            "src/advisor/costs/inputs.py:2: advisor.costs.inputs imports advisor.datasets.scan: costs may not "
            "import datasets, which sits above it",
            "src/advisor/costs/inputs.py:2: advisor.costs.inputs imports advisor.datasets.scan.scan_file: costs "
            "may not import datasets, which sits above it",
            "src/advisor/recommend/costing.py:1: advisor.recommend.costing imports advisor.providers: recommend "
            "may not import providers, which sits beside it",
            "src/advisor/recommend/costing.py:1: advisor.recommend.costing imports advisor.providers.base: "
            "recommend may not import providers, which sits beside it",
            "src/advisor/costs/money.py:1: advisor.costs.money imports advisor.pricing.tables: money may not "
            "import pricing, which sits beside it",
            "src/advisor/costs/money.py:1: advisor.costs.money imports advisor.pricing.tables.MAX_PRICE: money "
            "may not import pricing, which sits beside it",
            "src/advisor/providers/sync.py:1: advisor.providers.sync imports advisor.plugin_api: providers may "
            "not import plugins, which sits above it",
        ]

    def test_each_module_is_placed_by_its_longest_prefix(self) -> None:
        assert place("advisor.newthing.module") == Place(0, "helpers", "advisor")
        assert place("advisor.plugin_api") == Place(6, "plugins", "advisor.plugin_api")
        assert place("advisor.costs.money.Money") == Place(2, "money", "advisor.costs.money")

    def test_only_the_package_itself_imports_the_api_from_below(self) -> None:
        """The facade is the package's __init__ and nothing else: a helper or an engine importing the API is
        reported, and so is the circle it closes."""
        facade = imports_in(
            "def __getattr__(n):\n    from advisor import api\n", "advisor", SOURCE / "__init__.py", is_package=True
        )
        assert against_the_stack(facade) == []
        engine = self.imports("advisor.plugins", "def f():\n    from advisor import api\n")
        assert against_the_stack(engine) == [
            "src/advisor/plugins.py:2: advisor.plugins imports advisor.api: plugins may not import api, which sits "
            "above it"
        ]
        back = self.imports("advisor.api", "from advisor.plugins import load_plugins\n")
        assert circles(graph_of([*engine, *back], {"advisor.plugins", "advisor.api"})) == [
            "2 modules reach each other (advisor.api, advisor.plugins):\n"
            "  src/advisor/api.py:1: advisor.api imports advisor.plugins.load_plugins\n"
            "  src/advisor/plugins.py:2: advisor.plugins imports advisor.api"
        ]

    def test_a_circle_is_reported_as_its_chain_of_imports(self) -> None:
        imports = [
            *self.imports("advisor.a", "from advisor.b import thing\n"),
            *self.imports("advisor.b", "\n\ndef f():\n    import advisor.c\n"),
            *self.imports(
                "advisor.c", "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from advisor import a\n"
            ),
            *self.imports("advisor.d", "import advisor.a\n"),  # reaches the circle, is not in it
        ]
        assert circles(graph_of(imports, {"advisor.a", "advisor.b", "advisor.c", "advisor.d"})) == [
            "3 modules reach each other (advisor.a, advisor.b, advisor.c):\n"
            "  src/advisor/a.py:1: advisor.a imports advisor.b.thing\n"
            "  src/advisor/b.py:4: advisor.b imports advisor.c\n"
            "  src/advisor/c.py:3: advisor.c imports advisor.a"
        ]

    def test_a_package_and_its_modules(self) -> None:
        """`from package import module` needs the module, not the package; a name from the package's
        __init__ needs the package, and that is a circle when the __init__ imports the module back."""
        modules = {"advisor.p", "advisor.p.one", "advisor.p.two"}
        package = imports_in("from advisor.p import one\n", "advisor.p", SOURCE / "p" / "__init__.py", True)
        module_only = self.imports("advisor.p.one", "from advisor.p import two\n")
        assert circles(graph_of([*package, *module_only], modules)) == []
        name_of_init = self.imports("advisor.p.one", "from . import HELPER\n")
        assert circles(graph_of([*package, *name_of_init], modules)) == [
            "2 modules reach each other (advisor.p, advisor.p.one):\n"
            "  src/advisor/p/__init__.py:1: advisor.p imports advisor.p.one\n"
            "  src/advisor/p/one.py:1: advisor.p.one imports advisor.p.HELPER"
        ]

    def test_pydantic_inside_the_core_is_reported(self) -> None:
        inside = self.imports("advisor.costs.estimate", "def f():\n    from pydantic import TypeAdapter\n")
        at_an_edge = self.imports("advisor.recommend.scenario", "from pydantic import BaseModel\n")
        assert pydantic_inside([*inside, *at_an_edge]) == [
            "src/advisor/costs/estimate.py:2: advisor.costs.estimate imports pydantic",
            "src/advisor/costs/estimate.py:2: advisor.costs.estimate imports pydantic.TypeAdapter",
        ]
