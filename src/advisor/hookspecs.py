"""The hooks a plugin can implement (pluggy, project name `advisor`, entry-point group `advisor`).

Every hook receives a `register` callback (or the click group), so a plugin says what it adds and
advisor knows which plugin added it. pluggy passes each implementation only the arguments it declares,
so a hook can gain an argument without breaking existing plugins. docs/plugins.md documents every hook
and its arguments; a test checks that none is missing. advisor's own price tables and model-id formats
come through these hooks too, from its default plugin (advisor.default_plugin). Plugins import `hookimpl`
from advisor.plugin_api.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

    import click

    from advisor.datasets.formats import DatasetFormat
    from advisor.datasets.grader import GraderCheck
    from advisor.datasets.rules import DataRules
    from advisor.pricing.model_ids import ModelIdFormat
    from advisor.providers.base import Provider
    from advisor.tokens.tokenizer import TokenizerSpec

hookspec = pluggy.HookspecMarker("advisor")
hookimpl = pluggy.HookimplMarker("advisor")


@hookspec
def advisor_register_providers(register: Callable[[Provider], None]) -> None:
    """Register training providers: call `register(provider)` once for each."""


@hookspec
def advisor_register_commands(cli: click.Group) -> None:
    """Add commands to the `advisor` command line: `cli` is its click group."""


@hookspec
def advisor_register_price_tables(register: Callable[[Traversable], None]) -> None:
    """Ship price tables: call `register(path)` for each TOML table (a Path or an importlib.resources file)."""


@hookspec
def advisor_register_tokenizers(register: Callable[[TokenizerSpec], None]) -> None:
    """Ship tokenizers for the plugin's models: call `register(TokenizerSpec(...))` for each."""


@hookspec
def advisor_register_dataset_formats(register: Callable[[DatasetFormat | DataRules], None]) -> None:
    """Ship training-data formats the plugin's provider accepts beyond OpenAI's chat format, and the
    provider's data rules (`DataRules`: examples, roles, weights, images, tools; OpenAI's when none)."""


@hookspec
def advisor_register_grader_checks(register: Callable[[GraderCheck], None]) -> None:
    """Check RFT graders (`--grader`) against the plugin's provider's own rules, e.g. its SDK's types: call
    `register(GraderCheck(...))` for each. Every check installed applies, in `dataset check --grader` and
    in `launch`, before anything is sent."""


@hookspec
def advisor_register_model_ids(register: Callable[[ModelIdFormat], None]) -> None:
    """Teach advisor how the plugin's provider writes model ids that are not a price row's name (a fine-tune's
    id, a prefix naming the provider): call `register(ModelIdFormat(...))` for each, so they resolve to the
    base model's row."""
