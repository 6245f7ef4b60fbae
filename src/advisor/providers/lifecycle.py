"""Model lifecycle facts a provider's own API gives: shutdown dates, list prices, as read at run time.

An optional capability: a provider that can read them implements `ReadsModelFacts` as well as
`Provider`. `advisor pricing refresh` asks it (providers/refresh.py) and writes what differs from the
price tables as an overlay in the user's price folder (docs/pricing.md), each fact with the URL it was
read from and when, so a table's date and the API's stand side by side and the earlier decides.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol, runtime_checkable

PRICE_FIELDS = ("input", "cached_input", "output")  # the inference prices an API may list, USD per 1M tokens


@dataclass(frozen=True)
class ModelFacts:
    """What a provider's API says about one model, as read."""

    model: str  # the provider's own id, as its API writes it (a price row's name or alias)
    url: str  # where it was read
    read_at: datetime  # when (timezone-aware)
    shutdown: date | None = None  # the day the model stops serving, when the API gives one
    prices: dict[str, Decimal] = field(default_factory=dict)  # of PRICE_FIELDS, USD per 1M tokens
    note: str | None = None  # what else the API says that has no field (deprecated without a date ...)


@runtime_checkable
class ReadsModelFacts(Protocol):
    """A provider whose API lists its models with dates or prices (docs/plugins.md, `model_facts`)."""

    def model_facts(self) -> list[ModelFacts]:
        """Every model the API lists, with the facts it gives. Reads only; raise ProviderError when the
        API cannot be read (no key, refused, a server error, a timeout)."""
