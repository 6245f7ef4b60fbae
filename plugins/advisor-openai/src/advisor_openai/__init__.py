"""advisor's OpenAI provider plugin. Imports nothing heavy: the SDK loads when a job is launched."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from advisor.plugin_api import hookimpl


@hookimpl
def advisor_register_providers(register: Callable[[Any], None]) -> None:
    from advisor_openai.provider import OpenAIProvider

    register(OpenAIProvider())
