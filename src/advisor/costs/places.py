"""`advisor estimate` at several places: the same traffic and training data priced for one fine-tune base
at each provider that trains it, ranked as the where-to-train rules rank them (advisor.costs.where)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from advisor.costs.comparison import PricedOption
from advisor.costs.estimate import Estimate, EstimateRequest, estimate
from advisor.costs.where import Place, PlaceFilter, rank_places, same_base
from advisor.pricing.catalog import Catalog, ModelMatch


@dataclass(frozen=True, slots=True)
class PlaceEstimate:
    """One place with its estimate (None when it could not be priced; `place.why_not` says why)."""

    place: Place
    estimate: Estimate | None


def estimate_places(
    request: EstimateRequest,
    catalog: Catalog,
    providers: Sequence[str],
    request_for: Callable[[ModelMatch], EstimateRequest] | None = None,
) -> list[PlaceEstimate]:
    """`request`'s fine-tune base at each of `providers` that prices it, best first; `request_for` gives
    the request for a place (its files counted as its row counts: advisor.costs.inputs.place_requests)."""
    base = request.ft_model or request.model
    wanted = PlaceFilter(request.method, request.today, base=base, preferred=request.provider)
    estimates: dict[tuple[str, str], Estimate] = {}

    def cost(match: ModelMatch) -> PricedOption:
        if request_for is not None:
            place_request = request_for(match)
        else:
            place_request = replace(request, ft_model=match.name, ft_provider=match.provider)
        result = estimate(place_request, catalog)
        estimates[match.provider, match.name] = result
        return result.priced

    places = rank_places(
        catalog, wanted, cost, only=lambda match: match.provider in providers and same_base(match, base)
    )
    return [PlaceEstimate(p, estimates.get((p.provider, p.model))) for p in places]
