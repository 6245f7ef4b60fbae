"""advisor's Fireworks AI plugin: the provider (SFT, DPO, RFT and on-demand deployments through the
`fireworks-ai` SDK). Imports nothing heavy: the SDK loads when a job is launched or read.

Fireworks trains on OpenAI's chat format (and OpenAI's DPO shape), which advisor checks by default, so the
plugin registers no dataset format. Its price table is advisor's bundled pricing/fireworks.toml, whose rows
already carry Fireworks' `accounts/fireworks/models/...` ids as aliases, so no model-id format is needed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from advisor.plugin_api import hookimpl

if TYPE_CHECKING:
    from advisor.plugin_api import Provider


@hookimpl
def advisor_register_providers(register: Callable[[Provider], None]) -> None:
    from advisor_fireworks.provider import FireworksProvider

    register(FireworksProvider())
