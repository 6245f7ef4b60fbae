"""The hooks a plugin can implement (pluggy, project name `advisor`, entry-point group `advisor`).

Every hook is documented in docs/plugins.md; a test checks that none is missing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pluggy

hookspec = pluggy.HookspecMarker("advisor")
hookimpl = pluggy.HookimplMarker("advisor")


@hookspec
def advisor_register_providers(register: Callable[[Any], None]) -> None:
    """Register training providers: call `register(provider)` once for each (see advisor.providers.base.Provider)."""


@hookspec
def advisor_register_commands(cli: Any) -> None:
    """Add commands to the `advisor` command line: `cli` is its click group."""
