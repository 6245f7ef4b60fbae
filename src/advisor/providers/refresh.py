"""`advisor pricing refresh`: read each provider's model list through its plugin (`ReadsModelFacts`) and
keep what differs from the price tables as an overlay in the user's price folder.

One file per provider, `refresh-<provider>.toml`, replaced whole by each refresh (written to a temporary
file beside it, then renamed), and only over a file a refresh wrote (its first line says so): a file of
the user's is never overwritten. It holds only what the API says that the tables do not: a shutdown date
the tables lack or give differently (added beside theirs, so both are shown and the earlier decides),
and a list price that differs from the one in force (a dated price change from the day read). A price
read at an earlier refresh keeps the day it was first read while the API still lists it; when it
changes, the earlier price is closed on the day of the change, so `--today` still prices a past day as
it was. Without a provider's key nothing is read and nothing changes.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

from advisor.errors import ProviderError, UserError
from advisor.pricing.catalog import Catalog
from advisor.pricing.overlay import Overlay, is_overlay, rows_by_name
from advisor.pricing.overlay_text import overlay_text
from advisor.pricing.reading import parse_overlay
from advisor.pricing.tables import MAX_PRICE, DatedSource, PriceChange, price_keywords
from advisor.providers.base import Provider, credentials_of
from advisor.providers.lifecycle import PRICE_FIELDS, ModelFacts, ReadsModelFacts

MARK = "Written by `advisor pricing refresh`"  # the first line of every file a refresh writes
RefreshStatus = Literal["refreshed", "no key", "failed"]


def target_file(folder: Path, provider: str) -> Path:
    return folder / f"refresh-{provider}.toml"


def written_by_refresh(path: Path) -> bool:
    """Whether `path` is a file a refresh wrote (its first line says so)."""
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            return handle.readline().startswith(f"# {MARK}")
    except OSError:
        return False


def missing_keys(provider: Provider) -> list[str]:
    """The required credentials of `provider` that are not set (their names, never their values)."""
    return [c.name for c in credentials_of(provider) if c.required and not os.environ.get(c.name)]


def public_url(url: str) -> str:
    """`url` without a user, password or query, which may carry a secret: what a file or a message shows."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


@dataclass(frozen=True)
class DateFound:
    """A shutdown date the API gives that the tables lack (`table_dates` empty) or give differently."""

    model: str  # the price row's name
    api_model: str  # the API's id for it
    on: date
    table_dates: tuple[date, ...]
    decided: date  # the date in force once the overlay is read: the earliest


@dataclass(frozen=True)
class PriceFound:
    """A list price that differs from the price in force (`before`: None where the tables had none)."""

    model: str
    api_model: str
    field: str
    before: Decimal | None
    after: Decimal
    since: date


@dataclass(frozen=True)
class Plan:
    """What one provider's API said against the tables in force, and the overlay that keeps it."""

    provider: str
    urls: tuple[str, ...]
    read_at: datetime | None
    listed: int  # models the API listed
    in_tables: int  # of them, models a price row names (by name or alias)
    dates: list[DateFound]
    prices: list[PriceFound]
    confirmed: int  # dates the tables already give
    notes: list[str]  # what else the API said (a model deprecated without a date ...)
    entries: int  # models the overlay holds
    text: str  # the overlay file


@dataclass(frozen=True)
class RefreshOutcome:
    provider: str
    status: RefreshStatus
    message: str = ""  # why nothing was refreshed
    plan: Plan | None = None
    written: Path | None = None  # None: a dry run, or nothing refreshed


def refresh(
    provider: Provider,
    folder: Path,
    tables_without: Callable[[Path], Catalog],
    *,
    dry_run: bool = False,
) -> RefreshOutcome:
    """Read `provider`'s model list, compare it with the tables in force without its earlier refresh file
    (`tables_without(path)`), and write the new file (unless `dry_run`). Nothing is read without the
    provider's key, nothing is written when the read fails or a file of the user's holds the name."""
    target = target_file(folder, provider.name)
    missing = missing_keys(provider)
    if missing:
        return RefreshOutcome(
            provider.name, "no key", f"no key: set {', '.join(missing)}; nothing fetched, nothing changed"
        )
    if target.exists() and not written_by_refresh(target):
        return RefreshOutcome(
            provider.name,
            "failed",
            f"{target} was not written by advisor pricing refresh, so it is left as it is and nothing was fetched: "
            "rename it (any name is read the same) and refresh again",
        )
    if not isinstance(provider, ReadsModelFacts):
        return RefreshOutcome(provider.name, "failed", "its plugin cannot read the provider's model list")
    try:
        facts = provider.model_facts()
    except ProviderError as exc:
        hint = f"; {exc.hint}" if exc.hint else ""
        return RefreshOutcome(provider.name, "failed", f"{exc}{hint}; nothing written")
    previous, note = previous_overlay(target)
    plan = plan_refresh(provider.name, facts, tables_without(target), previous)
    if note:
        plan.notes.append(note)
    if dry_run:
        return RefreshOutcome(provider.name, "refreshed", plan=plan)
    try:
        write_file(target, plan.text)
    except OSError as exc:
        return RefreshOutcome(
            provider.name, "failed", f"cannot write {target} ({exc.strerror or exc}); nothing written"
        )
    return RefreshOutcome(provider.name, "refreshed", plan=plan, written=target)


def previous_overlay(target: Path) -> tuple[Overlay | None, str | None]:
    """The overlay an earlier refresh wrote, for its price history (None when there is none or it cannot
    be read, with a note saying so)."""
    if not target.exists():
        return None, None
    try:
        text = target.read_text(encoding="utf-8")
        if is_overlay(text):
            return parse_overlay(text, str(target)), None
    except (OSError, UnicodeDecodeError, UserError):
        pass
    return None, f"the earlier {target.name} could not be read: its price history is not carried over"


def plan_refresh(provider: str, facts: list[ModelFacts], catalog: Catalog, previous: Overlay | None) -> Plan:
    """The overlay that keeps what `facts` say beyond the tables in `catalog`, and what that changes."""
    names = rows_by_name(catalog.tables, provider)
    label = next((t.label for t in catalog.tables if t.provider == provider and t.label), provider)
    urls = tuple(dict.fromkeys(public_url(fact.url) for fact in facts))
    read_at = max((fact.read_at for fact in facts), default=None)
    day = read_at.astimezone().date() if read_at else date.today()
    entries: dict[str, dict[str, list[DatedSource] | list[PriceChange]]] = {}
    dates: list[DateFound] = []
    prices: list[PriceFound] = []
    confirmed = in_tables = 0
    for fact in facts:
        found = names.get(fact.model)
        if found is None:
            continue
        in_tables += 1
        name, row, _ = found
        entry: dict[str, list[DatedSource] | list[PriceChange]] = {}
        if fact.shutdown is not None:
            known = tuple(sorted({d for d in (row.shutdown, *(s.on for s in row.shutdown_sources)) if d}))
            if fact.shutdown in known:
                confirmed += 1
            else:
                url = public_url(fact.url)
                source = DatedSource(on=fact.shutdown, source=f"{label} model list: {fact.model}", url=url, as_of=day)
                entry["shutdown_sources"] = [source]
                dates.append(DateFound(name, fact.model, fact.shutdown, known, min((*known, fact.shutdown))))
        if fact.prices:
            earlier = previous.models.get(fact.model) if previous else None
            history, found_prices = _prices(fact, name, catalog, provider, earlier.fields if earlier else {}, day)
            if history:
                entry["prices"] = history
            prices += found_prices
        if entry:
            entries[fact.model] = entry
    text = overlay_text(
        comments=[
            f"{MARK} on {day} from {', '.join(urls) or 'no URL'}"
            + (f" (read {read_at.astimezone(UTC):%H:%M} UTC)." if read_at else "."),
            "Do not edit: the next refresh replaces this file. It holds what the API says that the other price",
            "tables do not (docs/pricing.md, Overlays); a table of your own goes beside it under another name.",
        ],
        provider=provider,
        as_of=day,
        source=", ".join(urls) or "no URL",
        notes=None,
        models=entries,
    )
    notes = [f"{fact.model}: {fact.note}" for fact in facts if fact.note]
    return Plan(provider, urls, read_at, len(facts), in_tables, dates, prices, confirmed, notes, len(entries), text)


def _prices(
    fact: ModelFacts, name: str, catalog: Catalog, provider: str, earlier: dict[str, Any], day: date
) -> tuple[list[PriceChange], list[PriceFound]]:
    """The dated price changes to keep for one model, and the listed prices that differ from those in force."""
    before = _prices_in_force(catalog, provider, name)
    listed = {
        key: value
        for key, value in fact.prices.items()
        if key in PRICE_FIELDS and value.is_finite() and 0 <= value <= MAX_PRICE  # what a table may hold
    }
    differing = {key: value for key, value in listed.items() if before.get(key) != value}
    history = price_history(earlier.get("prices", []), differing, day, public_url(fact.url))
    since = (history[-1].since if differing else None) or day
    found = [PriceFound(name, fact.model, key, before.get(key), value, since) for key, value in differing.items()]
    return history, found


def _prices_in_force(catalog: Catalog, provider: str, name: str) -> dict[str, Decimal | None]:
    """The row's inference prices in force (none where the row cannot be priced at all)."""
    try:
        match = catalog.find_optional(name, provider)
    except UserError:  # a row with no price anywhere: every listed price is new to it
        return {}
    return {key: getattr(match.row, key) for key in PRICE_FIELDS} if match else {}


def price_history(
    earlier: list[PriceChange], differing: dict[str, Decimal], day: date, source: str
) -> list[PriceChange]:
    """The dated price changes to keep: the closed ones of earlier refreshes, the open one still listed at
    the same prices (keeping the day it was first read), or else the open ones closed today and a new one
    from today."""
    closed = [change for change in earlier if change.until is not None]
    open_ = [change for change in earlier if change.until is None]
    if differing and len(open_) == 1 and open_[0].given() == differing:
        return [*closed, replace(open_[0], as_of=day)]
    ended = [replace(change, until=day) for change in open_ if change.since is None or change.since < day]
    new = [PriceChange(since=day, source=source, as_of=day, **price_keywords(differing))] if differing else []
    return [*closed, *ended, *new]


def write_file(path: Path, text: str) -> None:
    """Write `text` to a temporary file beside `path`, then rename it over `path`: a reader sees the old
    file or the new one, never half of one."""
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@dataclass
class Summary:
    """The outcomes of one `advisor pricing refresh`, and its exit status."""

    outcomes: list[RefreshOutcome] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """0: every provider asked was read; 1: a read or a write failed; 3: none failed, but a key was
        missing, so that provider was not refreshed."""
        statuses = {outcome.status for outcome in self.outcomes}
        return 1 if "failed" in statuses else 3 if "no key" in statuses else 0
