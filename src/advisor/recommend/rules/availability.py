"""Availability, once every option is costed: when the scenario's provider cannot start the training
job on this model today, say so and name the providers in the price tables that can."""

from __future__ import annotations

from advisor.recommend.rules.base import Context, Rule, rule


@rule(
    "availability.provider",
    "availability",
    when="the provider cannot start the job on this model today",
    then="say so, and name the providers in the price tables that can",
    sources=("openai-pricing",),
    applies=lambda ctx: (ctx.decision.method or ctx.decision.primary) in ctx.availability,
)
def unavailable(ctx: Context) -> str:
    d = ctx.decision
    method = d.method or d.primary
    offer = ctx.availability[method]
    blockers, elsewhere = offer.blockers, offer.offered_by
    provider = ctx.label(ctx.facts.scenario.models.provider)
    if elsewhere:
        places = ", ".join(ctx.label(p) for p in elsewhere)
        d.caveats.append(
            f"{provider} cannot start this job today ({'; '.join(blockers)}); "
            f"{places} can, and the costs shown use {ctx.label(elsewhere[0])}"
        )
        verb = "offers" if len(elsewhere) == 1 else "offer"
        return f"{method.upper()} is not available at {provider} today; {places} {verb} it"
    d.caveats.append(
        f"No provider in the price tables can start a {method} job on this model today ({'; '.join(blockers)})"
    )
    return f"no provider can run {method.upper()} on this model today"


RULES: tuple[Rule, ...] = (unavailable,)
