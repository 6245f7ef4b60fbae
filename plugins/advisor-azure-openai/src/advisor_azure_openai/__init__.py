"""advisor's Azure OpenAI provider plugin. Imports nothing heavy: the SDK loads when a job is launched."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from advisor.plugin_api import hookimpl

if TYPE_CHECKING:
    from advisor.plugin_api import Provider


@hookimpl
def advisor_register_providers(register: Callable[[Provider], None]) -> None:
    from advisor_azure_openai.provider import AzureOpenAIProvider

    register(AzureOpenAIProvider())
