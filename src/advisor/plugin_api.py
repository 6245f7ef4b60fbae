"""The one module a plugin imports from advisor: what a plugin may rely on, and nothing else.

Everything else under `advisor` is internal and may change between versions; what is named here changes
only with a note in docs/plugins.md, which documents every name (tests/test_docs.py checks it, and
tests/test_plugin_api.py fails when a plugin imports any other advisor module).

Importing this module costs only pluggy's hook marker: every other name is imported when a plugin first
asks for it (PEP 562), because plugins are loaded by a flags-only `advisor estimate`, whose start-up is
measured (benchmarks/startup.py).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from advisor.hookspecs import hookimpl

if TYPE_CHECKING:
    from advisor.costs.training import auto_epochs
    from advisor.datasets.formats import DatasetFormat, FormatProblem
    from advisor.datasets.grader import GraderCheck, GraderProblem
    from advisor.datasets.rules import OPENAI_RULES, DataRules, SecondOpinion
    from advisor.errors import JobCreateUnknown, ProviderError, UserError
    from advisor.methods import Method
    from advisor.parsing.environment import seconds_from_env
    from advisor.plugins import price_row
    from advisor.pricing.catalog import ModelMatch
    from advisor.pricing.model_ids import ModelId, ModelIdFormat
    from advisor.providers.base import (
        FINISHED,
        MAX_GPUS_PER_NODE,
        MAX_NODES,
        Credential,
        DeclaresCredentials,
        GpuPrice,
        Job,
        JobEvent,
        JobRequest,
        PricesGpus,
        Provider,
        Quote,
        Quotes,
        ScoresRftItself,
        SizesModels,
        Status,
        TakesSettings,
        Upload,
    )
    from advisor.providers.deploy import DeployPlan, Deploys
    from advisor.providers.download import Download, DownloadCut, Downloads
    from advisor.providers.ledger import ledger_path
    from advisor.providers.lifecycle import ModelFacts, ReadsModelFacts
    from advisor.providers.retry import retry_after, send_once
    from advisor.providers.sdk import LIST_RETRIES, READ_RETRIES, SDKProvider, typed
    from advisor.safe_text import shell_command, shell_word
    from advisor.tokens.tokenizer import TokenizerSpec

# each name and the module it comes from, imported on first use
_WHERE = {
    "auto_epochs": "advisor.costs.training",
    "DatasetFormat": "advisor.datasets.formats",
    "FormatProblem": "advisor.datasets.formats",
    "GraderCheck": "advisor.datasets.grader",
    "GraderProblem": "advisor.datasets.grader",
    "DataRules": "advisor.datasets.rules",
    "OPENAI_RULES": "advisor.datasets.rules",
    "SecondOpinion": "advisor.datasets.rules",
    "JobCreateUnknown": "advisor.errors",
    "ProviderError": "advisor.errors",
    "UserError": "advisor.errors",
    "Method": "advisor.methods",
    "seconds_from_env": "advisor.parsing.environment",
    "price_row": "advisor.plugins",
    "ModelMatch": "advisor.pricing.catalog",
    "ModelId": "advisor.pricing.model_ids",
    "ModelIdFormat": "advisor.pricing.model_ids",
    "FINISHED": "advisor.providers.base",
    "MAX_GPUS_PER_NODE": "advisor.providers.base",
    "MAX_NODES": "advisor.providers.base",
    "Credential": "advisor.providers.base",
    "DeclaresCredentials": "advisor.providers.base",
    "GpuPrice": "advisor.providers.base",
    "Job": "advisor.providers.base",
    "JobEvent": "advisor.providers.base",
    "JobRequest": "advisor.providers.base",
    "PricesGpus": "advisor.providers.base",
    "Provider": "advisor.providers.base",
    "Quote": "advisor.providers.base",
    "Quotes": "advisor.providers.base",
    "ScoresRftItself": "advisor.providers.base",
    "SizesModels": "advisor.providers.base",
    "Status": "advisor.providers.base",
    "TakesSettings": "advisor.providers.base",
    "Upload": "advisor.providers.base",
    "DeployPlan": "advisor.providers.deploy",
    "Deploys": "advisor.providers.deploy",
    "Download": "advisor.providers.download",
    "DownloadCut": "advisor.providers.download",
    "Downloads": "advisor.providers.download",
    "ledger_path": "advisor.providers.ledger",
    "ModelFacts": "advisor.providers.lifecycle",
    "ReadsModelFacts": "advisor.providers.lifecycle",
    "retry_after": "advisor.providers.retry",
    "send_once": "advisor.providers.retry",
    "LIST_RETRIES": "advisor.providers.sdk",
    "READ_RETRIES": "advisor.providers.sdk",
    "SDKProvider": "advisor.providers.sdk",
    "typed": "advisor.providers.sdk",
    "shell_command": "advisor.safe_text",
    "shell_word": "advisor.safe_text",
    "TokenizerSpec": "advisor.tokens.tokenizer",
}

__all__ = [
    "FINISHED",
    "LIST_RETRIES",
    "MAX_GPUS_PER_NODE",
    "MAX_NODES",
    "OPENAI_RULES",
    "READ_RETRIES",
    "Credential",
    "DataRules",
    "DatasetFormat",
    "DeclaresCredentials",
    "DeployPlan",
    "Deploys",
    "Download",
    "DownloadCut",
    "Downloads",
    "FormatProblem",
    "GpuPrice",
    "GraderCheck",
    "GraderProblem",
    "Job",
    "JobCreateUnknown",
    "JobEvent",
    "JobRequest",
    "Method",
    "ModelFacts",
    "ModelId",
    "ModelIdFormat",
    "ModelMatch",
    "PricesGpus",
    "Provider",
    "ProviderError",
    "Quote",
    "Quotes",
    "ReadsModelFacts",
    "SDKProvider",
    "ScoresRftItself",
    "SecondOpinion",
    "SizesModels",
    "Status",
    "TakesSettings",
    "TokenizerSpec",
    "Upload",
    "UserError",
    "auto_epochs",
    "hookimpl",
    "ledger_path",
    "price_row",
    "retry_after",
    "seconds_from_env",
    "send_once",
    "shell_command",
    "shell_word",
    "typed",
]


def __getattr__(name: str) -> Any:
    """A name of the API, imported from its module now (and kept here, so the next use costs nothing)."""
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module 'advisor.plugin_api' has no attribute {name!r} (docs/plugins.md lists them)")
    value = getattr(import_module(where), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
