"""advisor's provider for the team's own GPUs: TRL (`trl sft|dpo|grpo`) launched through accelerate.

Importing this module is cheap: the provider, and nothing of the training stack (torch, transformers,
trl, accelerate), loads when advisor asks for it; the training stack never loads in advisor's process.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.resources import files
from typing import TYPE_CHECKING

from advisor.plugin_api import hookimpl

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

    from advisor.plugin_api import Provider


@hookimpl
def advisor_register_providers(register: Callable[[Provider], None]) -> None:
    from advisor_local.provider import LocalProvider

    register(LocalProvider())


@hookimpl
def advisor_register_price_tables(register: Callable[[Traversable], None]) -> None:
    register(files(__package__) / "local.toml")
