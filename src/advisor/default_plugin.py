"""advisor's own default plugin: the price tables shipped in the wheel and the model-id formats of the
providers they price (OpenAI's `ft:` ids, Azure OpenAI's `.ft-` ids), registered through the same hooks as
any plugin's, so that what comes from advisor and from plugins goes one way (datasette's way: the core's
features built as default plugins). advisor.plugins registers it first, whatever ADVISOR_LOAD_PLUGINS says,
and its tables are cited as "(bundled) <file>".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from advisor.hookspecs import hookimpl

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

    from advisor.pricing.model_ids import ModelIdFormat

NAME = "advisor"  # the plugin's name, as warnings and listings would give it


@hookimpl
def advisor_register_price_tables(register: Callable[[Traversable], None]) -> None:
    from advisor.pricing.bundled import bundled_table_files

    for file in bundled_table_files():
        register(file)


@hookimpl
def advisor_register_model_ids(register: Callable[[ModelIdFormat], None]) -> None:
    from advisor.pricing.model_ids import BUNDLED_FORMATS

    for fmt in BUNDLED_FORMATS:
        register(fmt)
