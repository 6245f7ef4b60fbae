"""Loading plugins: pluggy over the `advisor` entry-point group.

Hooks are called through the plugin manager, one plugin at a time (a subset caller), so each
implementation receives only the arguments it declares and what it registers is known to be its own.
A plugin that fails to import or register, a hook name that matches no hook (a misspelling), a
registered object of the wrong kind or a price table that does not parse is reported as a warning
naming the plugin, and the command line keeps working. ADVISOR_LOAD_PLUGINS (comma-separated
entry-point or distribution names) restricts which are loaded; set it empty to load none. Plugins
are loaded only by the commands that need them, so `advisor --help` stays fast.

advisor's own price tables and model-id formats come through the same hooks, from its default plugin
(advisor.default_plugin), registered first and always: what it registers is part of advisor, so a problem
with it is an error, not a warning.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import click
import pluggy

from advisor import default_plugin, hookspecs

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

    from advisor.datasets.formats import DatasetFormat
    from advisor.datasets.grader import GraderCheck
    from advisor.datasets.rules import DataRules
    from advisor.pricing.catalog import Catalog, ModelMatch
    from advisor.pricing.model_ids import ModelIdFormat
    from advisor.pricing.tables import PriceTable
    from advisor.providers.base import Provider
    from advisor.tokens.tokenizer import TokenizerSpec

ENTRY_POINT_GROUP = "advisor"
HOOKS = tuple(name for name in vars(hookspecs) if name.startswith("advisor_"))


@dataclass
class PluginInfo:
    name: str  # the entry point's name
    distribution: str
    version: str
    module: ModuleType | None = field(default=None, repr=False)
    providers: list[Provider] = field(default_factory=list)
    commands: dict[str, click.Command] = field(default_factory=dict)
    price_tables: list[PriceTable] = field(default_factory=list)
    tokenizers: list[TokenizerSpec] = field(default_factory=list)
    dataset_formats: list[DatasetFormat | DataRules] = field(default_factory=list)
    grader_checks: list[GraderCheck] = field(default_factory=list)
    model_id_formats: list[ModelIdFormat] = field(default_factory=list)
    builtin: bool = False  # advisor's default plugin

    @property
    def label(self) -> str:
        return f"plugin {self.name!r} ({self.distribution} {self.version})"

    @property
    def table_label(self) -> str:
        """What the plugin's tables are cited with: `(advisor-together) together.toml`, `(bundled) openai.toml`."""
        return "bundled" if self.builtin else self.distribution


@dataclass
class Plugins:
    """The loaded plugins. Providers, dataset formats and grader checks are asked for only when first needed:
    building them imports the provider and format modules, which a cost estimate does not use."""

    manager: pluggy.PluginManager
    loaded: list[PluginInfo]  # the installed plugins
    _warnings: list[str]
    core: PluginInfo  # advisor's default plugin: its own price tables and model-id formats
    _asked: set[str] = field(default_factory=set, init=False, repr=False)  # hooks called for every plugin

    @property
    def warnings(self) -> list[str]:
        """Every problem with every plugin (its providers and formats asked for first, so none is missed)."""
        self._ask_providers()
        self._ask_formats()
        self._ask_grader_checks()
        return self._warnings

    @property
    def providers(self) -> dict[str, tuple[Provider, PluginInfo]]:
        self._ask_providers()
        return {provider.name: (provider, info) for info in self.loaded for provider in info.providers}

    def _ask_providers(self) -> None:
        from advisor.providers.base import Provider

        self._ask("advisor_register_providers", Provider, "providers", "a Provider")

    def _ask(self, hook: str, kind: type | tuple[type, ...], into: str, what: str) -> None:
        """Call `hook` of every plugin once, keeping what each registers in its PluginInfo's `into` list."""
        if hook in self._asked:
            return
        self._asked.add(hook)
        for info in self.loaded:
            assert info.module is not None
            try:
                registered = _call(self.manager, info.module, hook)
            except Exception as exc:
                self._warnings.append(f"{info.label} failed to register its {into.replace('_', ' ')}: "
                                      f"{type(exc).__name__}: {exc}")  # fmt: skip
                continue
            self._warnings += _keep(registered, kind, getattr(info, into), info, what)

    @property
    def commands(self) -> dict[str, click.Command]:
        return {name: command for info in self.loaded for name, command in info.commands.items()}

    @property
    def price_tables(self) -> list[PriceTable]:
        """Every registered table: advisor's own, then each plugin's."""
        return [table for info in (self.core, *self.loaded) for table in info.price_tables]

    @property
    def model_id_formats(self) -> list[ModelIdFormat]:
        """Every registered model-id format, in the order they are tried: advisor's own, then each plugin's."""
        return [fmt for info in (self.core, *self.loaded) for fmt in info.model_id_formats]

    @property
    def dataset_formats(self) -> list[DatasetFormat | DataRules]:
        """Every plugin's data formats and its providers' data rules (both come through one hook)."""
        self._ask_formats()
        return [fmt for info in self.loaded for fmt in info.dataset_formats]

    def _ask_formats(self) -> None:
        from advisor.datasets.formats import DatasetFormat
        from advisor.datasets.rules import DataRules

        self._ask(
            "advisor_register_dataset_formats",
            (DatasetFormat, DataRules),
            "dataset_formats",
            "a DatasetFormat or DataRules",
        )

    @property
    def grader_checks(self) -> list[GraderCheck]:
        """Every plugin's checks of RFT graders (the OpenAI plugin's: openai-python's types)."""
        self._ask_grader_checks()
        return [check for info in self.loaded for check in info.grader_checks]

    def _ask_grader_checks(self) -> None:
        from advisor.datasets.grader import GraderCheck

        self._ask("advisor_register_grader_checks", GraderCheck, "grader_checks", "a GraderCheck")


def _wanted() -> set[str] | None:
    setting = os.environ.get("ADVISOR_LOAD_PLUGINS")
    if setting is None:
        return None
    return {name.strip() for name in setting.split(",") if name.strip()}


def _unknown_hooks(manager: pluggy.PluginManager, module: ModuleType) -> list[str]:
    """The plugin's implementations whose name matches no hook (what check_pending() reports), with a
    suggestion: a misspelt hook would otherwise never be called, without a word."""
    found = []
    for name in dir(manager.hook):
        caller = getattr(manager.hook, name)
        if not isinstance(caller, pluggy.HookCaller) or caller.has_spec():
            continue
        if any(impl.plugin is module for impl in caller.get_hookimpls()):
            close = difflib.get_close_matches(name, HOOKS, n=1)
            found.append(f"{name} is not an advisor hook" + (f" (did you mean {close[0]}?)" if close else ""))
    return found


def _call(manager: pluggy.PluginManager, module: ModuleType, hook: str) -> list[Any]:
    """What this plugin alone registers through `hook`."""
    others = [plugin for plugin in manager.get_plugins() if plugin is not module]
    registered: list[Any] = []
    manager.subset_hook_caller(hook, remove_plugins=others)(register=registered.append)
    return registered


def _keep(
    registered: list[Any], kind: type | tuple[type, ...], into: list[Any], info: PluginInfo, what: str
) -> list[str]:
    """Keep the registered objects of the right kind; a warning for each other one."""
    warnings = []
    for item in registered:
        if isinstance(item, kind):
            into.append(item)
        else:
            warnings.append(f"{info.label} registered {item!r}, which is not {what} (docs/plugins.md)")
    return warnings


def _collect(manager: pluggy.PluginManager, module: ModuleType, info: PluginInfo) -> list[str]:
    """Call the hooks a command may need at once for this plugin alone (providers, dataset formats and grader
    checks come later, when asked for: Plugins.providers, Plugins.dataset_formats, Plugins.grader_checks);
    keep what it registers; return warnings about it."""
    from advisor.pricing.model_ids import ModelIdFormat
    from advisor.tokens.tokenizer import TokenizerSpec

    others = [plugin for plugin in manager.get_plugins() if plugin is not module]
    group = click.Group()
    manager.subset_hook_caller("advisor_register_commands", remove_plugins=others)(cli=group)
    info.commands.update(group.commands)

    warnings = [f"{info.label}: {problem}" for problem in _unknown_hooks(manager, module)]
    tokenizers = _call(manager, module, "advisor_register_tokenizers")
    warnings += _keep(tokenizers, TokenizerSpec, info.tokenizers, info, "a TokenizerSpec")
    formats = _call(manager, module, "advisor_register_model_ids")
    warnings += _keep(formats, ModelIdFormat, info.model_id_formats, info, "a ModelIdFormat")
    for source in _call(manager, module, "advisor_register_price_tables"):
        table, problem = _read_plugin_table(source, info)
        if table is not None:
            info.price_tables.append(table)
        else:
            warnings.append(problem)
    return warnings


def _read_plugin_table(source: Traversable | Path, info: PluginInfo) -> tuple[PriceTable | None, str]:
    """The table, or None and why not (for advisor's own tables, the error itself: they are part of it)."""
    from advisor.errors import UserError
    from advisor.parsing.file_text import decode_utf8
    from advisor.pricing.reading import parse_table

    name = getattr(source, "name", str(source))
    label = f"({info.table_label}) {name}"
    if info.builtin:
        return parse_table(source.read_text(encoding="utf-8"), label), ""
    try:
        return parse_table(decode_utf8(source.read_bytes(), label), label), ""
    except (OSError, AttributeError) as exc:
        return None, f"{info.label}: cannot read its price table {name}: {exc}"
    except UserError as exc:
        return None, f"{info.label}: its price table is not valid and is left out: {exc}"


@cache
def load_plugins() -> Plugins:
    """Every installed plugin that loads (once per process)."""
    from advisor import __version__
    from advisor.installed_plugins import entry_points
    from advisor.pricing.model_ids import set_model_id_formats
    from advisor.tokens.tokenizer import set_plugin_tokenizers

    manager = pluggy.PluginManager("advisor")
    manager.add_hookspecs(hookspecs)
    core = PluginInfo(default_plugin.NAME, "advisor", __version__, module=default_plugin, builtin=True)
    manager.register(default_plugin, name=core.name)
    warnings = _collect(manager, default_plugin, core)  # advisor's own: a problem raises, as any error of advisor's
    wanted = _wanted()
    loaded: list[PluginInfo] = []
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        info = PluginInfo(entry.name, entry.distribution, entry.version)
        if wanted is not None and info.name not in wanted and info.distribution not in wanted:
            continue
        try:  # a broken plugin must not take the command line down with it
            module = entry.load()
        except Exception as exc:
            warnings.append(f"{info.label} failed to load: {type(exc).__name__}: {exc}")
            continue
        info.module = module
        try:
            manager.register(module, name=entry.name)
            warnings += _collect(manager, module, info)
            set_plugin_tokenizers([spec for plugin in [*loaded, info] for spec in plugin.tokenizers])
        except Exception as exc:
            warnings.append(f"{info.label} failed to register: {type(exc).__name__}: {exc}")
            if manager.is_registered(module):
                manager.unregister(module)
            continue
        loaded.append(info)
    set_plugin_tokenizers([spec for plugin in loaded for spec in plugin.tokenizers])
    plugins = Plugins(manager, loaded, warnings, core)
    set_model_id_formats(plugins.model_id_formats)
    return plugins


def catalog_with_plugins(extra_files: Sequence[str | Path] = (), today: date | None = None) -> Catalog:
    """The price tables in force on `today` as a command sees them: bundled, then the installed plugins'
    tables, then the user's folder, then each `--pricing` file (advisor.pricing.catalog.load_catalog given
    the plugins' tables). An overlay entry that was left out is a warning on stderr, whatever the command."""
    from advisor.pricing.catalog import load_catalog as load
    from advisor.safe_text import visible

    catalog = load(extra_files, plugin_tables=load_plugins().price_tables, today=today)
    for warning in catalog.warnings:
        click.echo(f"warning: {visible(warning)}", err=True)  # a table's own words, on one line
    return catalog


def price_row(model: str, provider: str, today: date | None = None) -> ModelMatch | None:
    """A model's row as every estimate reads it (advisor's tables, the installed plugins', the user's
    folder), for a plugin that names or prices what it sends from the same row; None when no table lists
    it at `provider`."""
    from advisor.pricing.catalog import load_catalog

    return load_catalog(plugin_tables=load_plugins().price_tables, today=today).find_optional(model, provider)


def provider_named(name: str) -> Provider:
    from advisor.errors import UserError

    plugins = load_plugins()
    if name in plugins.providers:
        return plugins.providers[name][0]
    known = ", ".join(sorted(plugins.providers)) or "none installed"
    problems = f" ({'; '.join(plugins.warnings)})" if plugins.warnings else ""
    raise UserError(
        f"no provider plugin called {name!r}{problems}",
        hint=f"installed: {known}; see `advisor providers` and docs/plugins.md",
    )
