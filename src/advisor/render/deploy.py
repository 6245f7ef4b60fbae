"""`advisor jobs deploy` as terminal output: the deployment, its hosting cost, and what to run or what was made."""

from __future__ import annotations

from typing import TYPE_CHECKING

from advisor.costs.money import format_usd
from advisor.render.console import line

if TYPE_CHECKING:
    from advisor.providers.deploy import DeployPlan, HostingCost


def print_deploy_plan(plan: DeployPlan, cost: HostingCost) -> None:
    """What the deployment is, and what hosting it costs (per hour and per month, or its lifetime)."""
    line(f"Deploy {plan.model} (job {plan.job_id}) at {plan.provider}")
    line(f"  deployment      {plan.name}")
    line(f"  tier            {plan.tier} (SKU {plan.sku}, capacity {plan.capacity})")
    if cost.per_hour is None or cost.per_month is None:
        line(f"  hosting         unknown: the price table has no hosting price ({cost.row})")
    elif cost.lifetime_hours is not None:
        fee = "no hosting fee" if cost.per_hour == 0 else f"{format_usd(cost.per_hour)} an hour"
        line(
            f"  hosting         {fee} ({format_usd(cost.per_month)} a month); "
            f"deleted by {plan.provider} {cost.lifetime_hours} hours after it is made"
        )
    else:
        line(
            f"  hosting         {format_usd(cost.per_hour)} an hour, {format_usd(cost.per_month)} a month "
            f"({cost.hours_billed_per_month.normalize():,f} hours), billed while deployed, with or without traffic"
        )
    line(f"  price row       {cost.row} (as_of {cost.as_of})")
    if cost.notes:
        line(f"  note: {cost.notes}")
    line("  tokens served are billed on top, at the fine-tuned model's prices (`advisor pricing show`)")


def print_deploy_command(plan: DeployPlan) -> None:
    """The command that makes the deployment by hand, when the provider cannot make it itself."""
    line()
    line(f"advisor cannot deploy it itself: {plan.why_not}. To deploy it, run:")
    line()
    line(f"  {plan.command}")


def print_deployed(what: str) -> None:
    line()
    line(f"Deployed: {what}")
