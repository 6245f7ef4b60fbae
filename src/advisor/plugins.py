"""Loading plugins: pluggy over the `advisor` entry-point group.

A plugin that fails to import or to register is reported as a warning and skipped; the command line
keeps working. ADVISOR_LOAD_PLUGINS (comma-separated entry-point or distribution names) restricts which
are loaded; set it empty to load none. Plugins are loaded only by the commands that need them, so
`advisor --help` stays fast.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cache
from types import ModuleType
from typing import Any

import click
import pluggy

from advisor import hookspecs

ENTRY_POINT_GROUP = "advisor"


@dataclass
class PluginInfo:
    name: str  # the entry point's name
    distribution: str
    version: str
    providers: list[Any] = field(default_factory=list)
    commands: dict[str, click.Command] = field(default_factory=dict)


@dataclass
class Plugins:
    manager: pluggy.PluginManager
    loaded: list[PluginInfo]
    warnings: list[str]

    @property
    def providers(self) -> dict[str, tuple[Any, PluginInfo]]:
        return {provider.name: (provider, info) for info in self.loaded for provider in info.providers}

    @property
    def commands(self) -> dict[str, click.Command]:
        return {name: command for info in self.loaded for name, command in info.commands.items()}


def _wanted() -> set[str] | None:
    setting = os.environ.get("ADVISOR_LOAD_PLUGINS")
    if setting is None:
        return None
    return {name.strip() for name in setting.split(",") if name.strip()}


def _call(manager: pluggy.PluginManager, module: ModuleType, hook: str, **kwargs: Any) -> None:
    """Call one plugin's implementation of a hook, so what it registers is known to be its own."""
    for implementation in getattr(manager.hook, hook).get_hookimpls():
        if implementation.plugin is module:
            implementation.function(**kwargs)


def _register(manager: pluggy.PluginManager, module: ModuleType, info: PluginInfo) -> list[str]:
    """Collect a plugin's providers and commands; return warnings about what it got wrong."""
    from advisor.providers.base import Provider

    registered: list[Any] = []
    group = click.Group()
    _call(manager, module, "advisor_register_providers", register=registered.append)
    _call(manager, module, "advisor_register_commands", cli=group)
    warnings = []
    for provider in registered:
        if isinstance(provider, Provider):
            info.providers.append(provider)
        else:
            warnings.append(f"plugin {info.name!r} registered {provider!r}, which is not a Provider (docs/plugins.md)")
    info.commands.update(group.commands)
    return warnings


@cache
def load_plugins() -> Plugins:
    """Every installed plugin that loads (once per process)."""
    from importlib.metadata import entry_points

    manager = pluggy.PluginManager("advisor")
    manager.add_hookspecs(hookspecs)
    wanted = _wanted()
    loaded, warnings = [], []
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        info = PluginInfo(entry.name, entry.dist.name if entry.dist else "?", entry.dist.version if entry.dist else "?")
        if wanted is not None and info.name not in wanted and info.distribution not in wanted:
            continue
        label = f"plugin {info.name!r} ({info.distribution} {info.version})"
        try:  # a broken plugin must not take the command line down with it
            module = entry.load()
        except Exception as exc:
            warnings.append(f"{label} failed to load: {type(exc).__name__}: {exc}")
            continue
        try:
            manager.register(module, name=entry.name)
            warnings += _register(manager, module, info)
        except Exception as exc:
            warnings.append(f"{label} failed to register: {type(exc).__name__}: {exc}")
            if manager.is_registered(module):
                manager.unregister(module)
            continue
        loaded.append(info)
    return Plugins(manager, loaded, warnings)


def provider_named(name: str) -> Any:
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
