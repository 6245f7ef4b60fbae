"""Where to train: every (provider, model) in the price tables that offers a method, whether a job can
start there on a given day and until when, until when its fine-tunes serve, what it costs, and the
order they rank in.

A place is *viable* when a job can start today and the fine-tune serves long enough to pay back what it
cost up front. When the team is moving a fine-tune that is going away (`must_serve`), payback against
it means nothing: a place is viable when it serves through the horizon. Viable places rank first, then
those that serve through the whole horizon; among them the base model the team names comes first (its
quality is the one they measured), then the most money kept over the requested horizon (the months
after a fine-tune stops serving are priced at today's setup, which the team falls back to), then the
preferred provider. Costing each place is left to the caller (`cost`), so `estimate` and `recommend`
rank with their own figures.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Literal

from advisor.costs.comparison import PricedOption
from advisor.costs.figures import months
from advisor.costs.money import format_usd
from advisor.errors import UserError
from advisor.methods import Method
from advisor.pricing.catalog import Catalog, ModelMatch, jobs_end, serving_end, training_blockers
from advisor.pricing.model_ids import parse_model_id, strip_snapshot
from advisor.pricing.row_counting import row_counting

OpenWeights = Literal["allowed", "required", "no"]


@dataclass(frozen=True)
class PlaceFilter:
    """What the team allows: the method, the day, which providers, open weights, the base it names."""

    method: Method
    today: date
    providers: tuple[str, ...] = ()  # empty: every provider in the tables
    open_weights: OpenWeights = "allowed"
    base: str | None = None  # the base model the team names (models.fine_tune_base)
    preferred: str | None = None  # the provider it prefers (models.provider)
    must_serve: Decimal | None = None  # a move: viable places serve this many months (the horizon)


@dataclass(slots=True, kw_only=True)
class Place:
    """One place a job could run, with its dates and figures (the `where_options` JSON contract)."""

    provider: str
    label: str  # the provider as it writes its name (the table's `label`): OpenAI, Azure OpenAI
    model: str
    method: Method
    available: bool
    why_not: list[str]
    jobs_until: date | None
    serving_until: date | None
    training_usd: Decimal | None = None
    monthly_usd: Decimal | None = None
    upfront_usd: Decimal | None = None
    horizon_months: Decimal | None = None
    net_usd: Decimal | None = None
    payback_months: Decimal | None = None
    open_weights: bool = False
    named_base: bool = False  # the base model the team names
    tokens_exact: bool = True
    viable: bool = False  # can start today and serves until it pays back (or through the horizon, for a move)


def same_base(match: ModelMatch, base: str | None) -> bool:
    if not base:
        return False
    wanted = strip_snapshot(parse_model_id(base).base)
    return wanted in {match.name, *(strip_snapshot(alias) for alias in match.row.aliases)}


def candidates(
    catalog: Catalog, wanted: PlaceFilter, only: Callable[[ModelMatch], bool] | None = None
) -> list[tuple[ModelMatch, list[str]]]:
    """Every row that offers the method (and passes `only`), with why it cannot be used (empty when a
    job can start today)."""
    found = []
    for provider in catalog.providers:
        for name, row, _ in catalog.rows(provider):
            if row.fine_tuning is None or wanted.method not in row.fine_tuning.methods:
                continue
            match = catalog.find(name, provider)
            if only is not None and not only(match):
                continue
            why = training_blockers(match, wanted.method, wanted.today)
            if wanted.providers and provider not in wanted.providers:
                why.append(f"not among the providers allowed (models.providers: {', '.join(wanted.providers)})")
            if wanted.open_weights == "required" and not row.open_weights:
                why.append("its weights cannot be downloaded (models.open_weights = required)")
            if wanted.open_weights == "no" and row.open_weights:
                why.append("an open-weights model (models.open_weights = no)")
            found.append((match, why))
    return found


def rank_places(
    catalog: Catalog,
    wanted: PlaceFilter,
    cost: Callable[[ModelMatch], PricedOption],
    only: Callable[[ModelMatch], bool] | None = None,
) -> list[Place]:
    """Every place for `wanted.method`, costed with `cost`, best first; each not chosen says why."""
    places = []
    for match, why in candidates(catalog, wanted, only):
        place = Place(
            provider=match.provider,
            label=match.table.label or match.provider,
            model=match.name,
            method=wanted.method,
            available=not why,
            why_not=list(why),
            jobs_until=jobs_end(match),
            serving_until=serving_end(match),
            open_weights=match.row.open_weights,
            named_base=same_base(match, wanted.base),
            tokens_exact=_tokens_exact(match),
        )
        try:
            figures = cost(match)
        except UserError as error:
            place.why_not.append(f"cannot be priced: {error}")
            place.available = False
        else:
            place = replace(
                place,
                training_usd=figures.training_usd,
                monthly_usd=figures.monthly_usd,
                upfront_usd=figures.upfront_usd,
                horizon_months=figures.horizon_months,
                net_usd=figures.net_savings_usd,
                payback_months=figures.payback_months,
            )
            if wanted.must_serve is None:
                place.viable = place.available and figures.payback_months is not None
                if place.available and figures.payback_months is None:
                    place.why_not.append(_no_payback(place, wanted.today, figures.payback_note))
            else:
                place.viable = place.available and figures.horizon_months >= wanted.must_serve
                if place.available and not place.viable:
                    place.why_not.append(_no_payback(place, wanted.today, "it does not serve through the horizon"))
        places.append(place)
    # the requested horizon as the callers cut it: the longest any place serves (one with no end reaches it)
    horizon = max((p.horizon_months for p in places if p.horizon_months is not None), default=Decimal(0))
    places.sort(key=lambda p: _rank_key(p, wanted.preferred, horizon))
    best = next((p for p in places if p.available), None)
    for place in places:
        if place is not best and place.available and place.viable:
            place.why_not.append(_ranked_below(place, best))
    return places


@dataclass(frozen=True)
class Availability:
    """Why the preferred provider cannot start a `method` job today, and which providers can (in rank order)."""

    method: Method
    blockers: tuple[str, ...]
    offered_by: tuple[str, ...]


def availability(wanted: PlaceFilter, places: Sequence[Place]) -> Availability | None:
    """None when the preferred provider can start the job today; else why not, and who can."""
    mine = [p for p in places if p.provider == wanted.preferred]
    if any(p.available for p in mine):
        return None
    blockers = tuple(dict.fromkeys(w for p in mine for w in p.why_not)) or (
        f"{wanted.preferred} does not offer {wanted.method}",
    )
    return Availability(wanted.method, blockers, tuple(dict.fromkeys(p.provider for p in places if p.available)))


def _tokens_exact(match: ModelMatch) -> bool:
    """Whether the place's counts are its model's own: the row's tokenizer is installed and exact
    (advisor.pricing.row_counting), not a stated stand-in."""
    counting = row_counting(match.row)
    return counting is not None and counting.exact


def chosen(places: Sequence[Place]) -> Place | None:
    """The place to recommend: the first that can start a job today (ranked first among those)."""
    return next((p for p in places if p.available), None)


def _rank_key(place: Place, preferred: str | None, horizon: Decimal) -> tuple[object, ...]:
    no_money = Decimal("-1e30")
    serves_through = place.horizon_months is not None and place.horizon_months >= horizon
    return (
        not place.available,
        not place.viable,
        not serves_through,  # a fine-tune that stops serving inside the horizon leaves the team to move again
        not place.named_base,
        -(place.net_usd if place.net_usd is not None else no_money),
        place.provider != preferred,
        place.provider,
        place.model,
    )


def _no_payback(place: Place, today: date, note: str) -> str:
    label = place.label
    if place.serving_until is not None:
        days = (place.serving_until - today).days
        jobs = (
            f"new jobs end {place.jobs_until} and "
            if place.jobs_until and place.jobs_until < place.serving_until
            else ""
        )
        return f"{label}: {jobs}the fine-tune stops serving {place.serving_until}, {days} days; {note}"
    return f"{label}: {note}"


def _ranked_below(place: Place, best: Place | None) -> str:
    if best is None or best.net_usd is None or place.net_usd is None:
        return "ranked below the chosen place"
    if best.named_base and not place.named_base:
        return "another base model than the one the scenario names (measure its quality first)"
    return (
        f"{place.label} {place.model} keeps {format_usd(place.net_usd)} over the horizon against "
        f"{format_usd(best.net_usd)} at "
        f"{best.label} {best.model}"
        + (f" (payback {months(place.payback_months)})" if place.payback_months is not None else "")
    )
