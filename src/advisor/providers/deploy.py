"""Deploying a fine-tuned model, where a provider serves a fine-tune only once it is deployed (Azure OpenAI).

An optional capability: a provider that can deploy implements `Deploys` as well as `Provider`. advisor
checks the job has finished, prices the deployment from the price table (the hourly hosting fee, or a
`deployments.<tier>` row such as Azure's Developer tier: no fee, deleted after 24 hours), and the CLI
states that cost before it asks. Where the provider cannot deploy by itself (its SDK is not installed or
not configured) the plan carries the command that does it by hand, and that is the answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Protocol, runtime_checkable

from advisor.costs.estimate import HOURS_PER_MONTH
from advisor.errors import UserError
from advisor.pricing.catalog import Catalog
from advisor.providers.base import Job, Provider
from advisor.safe_text import shell_command


@dataclass(frozen=True)
class DeployPlan:
    """What a deployment would create, as the provider names it."""

    provider: str
    job_id: str
    model: str  # the fine-tuned model to deploy
    base_model: str  # the model it was trained from (its price row)
    name: str  # the deployment's name
    tier: str  # advisor's word for the deployment type, e.g. standard, global-standard, developer
    sku: str  # the provider's own name for that type, e.g. GlobalStandard
    capacity: int
    command: str  # the shell command that makes the same deployment by hand
    ready: bool  # the provider can deploy it itself (its SDK is installed and configured)
    why_not: str | None = None  # why not, when it cannot


@runtime_checkable
class Deploys(Protocol):
    """A provider whose fine-tuned models serve only once deployed (docs/plugins.md, `advisor jobs deploy`)."""

    deploy_tiers: tuple[str, ...]  # the deployment types it offers; the first is the default

    def deploy_plan(self, job: Job, tier: str, name: str | None, capacity: int | None) -> DeployPlan:
        """The deployment of `job`'s fine-tuned model: names, SKU, capacity, the manual command, and whether
        the provider can make it itself. Sends nothing."""

    def deploy(self, plan: DeployPlan) -> str:
        """Make the deployment; return one line saying what now exists."""


@dataclass(frozen=True)
class HostingCost:
    """What keeping a deployment costs, from the price row (None where the table has no price)."""

    per_hour: Decimal | None
    hours_per_month: Decimal
    lifetime_hours: int | None  # the provider deletes the deployment after this long
    row: str  # e.g. "azure-openai:gpt-4.1-mini fine_tuning deployments.developer"
    as_of: date
    notes: str | None = None

    @property
    def hours_billed_per_month(self) -> Decimal:
        """Hours in a month the deployment can exist: a month, or its lifetime if shorter."""
        if self.lifetime_hours is None:
            return self.hours_per_month
        return min(self.hours_per_month, Decimal(self.lifetime_hours))

    @property
    def per_month(self) -> Decimal | None:
        return None if self.per_hour is None else self.per_hour * self.hours_billed_per_month


def deployer(provider: Provider) -> Deploys:
    """The provider as a `Deploys`, or a clear error for one whose models serve without a deploy step."""
    if not isinstance(provider, Deploys):
        raise UserError(
            f"provider {provider.name} has no deploy step",
            hint="its fine-tuned models serve as soon as the job succeeds: call them by the fine-tuned model id",
        )
    return provider


def hosting_cost(catalog: Catalog, provider: str, model: str, tier: str) -> HostingCost:
    """The hourly fee of deploying a fine-tune of `model` as `tier`: the row's `deployments.<tier>` when it
    has one (another way to deploy, e.g. with no fee and a lifetime), else its hosting fee."""
    match = catalog.find(model, provider)
    fine_tuning = match.row.fine_tuning
    row = f"{match.provider}:{match.name} fine_tuning"
    if fine_tuning is None:
        return HostingCost(None, HOURS_PER_MONTH, None, row, match.table.as_of, "the price table has no fine-tuning")
    deployment = fine_tuning.deployments.get(tier) or fine_tuning.deployments.get(tier.replace("-", "_"))
    if deployment is not None:
        return HostingCost(
            deployment.hosting_per_hour,
            HOURS_PER_MONTH,
            deployment.lifetime_hours,
            f"{row} deployments.{tier}",
            match.table.as_of,
            deployment.notes,
        )
    field = "hosting_per_minute" if fine_tuning.hosting_per_minute is not None else "hosting_per_hour"
    return HostingCost(
        fine_tuning.hosting_hourly(match.table.gpus), HOURS_PER_MONTH, None, f"{row} {field}", match.table.as_of
    )


def plan_deploy(
    provider: Provider,
    catalog: Catalog,
    job: Job,
    *,
    tier: str | None = None,
    name: str | None = None,
    capacity: int | None = None,
) -> tuple[DeployPlan, HostingCost]:
    """Everything `advisor jobs deploy` states before it asks: the deployment and what it costs."""
    target = deployer(provider)
    tiers = tuple(target.deploy_tiers)
    chosen = tier or tiers[0]
    if chosen not in tiers:
        raise UserError(f"--tier {chosen} is not a {provider.name} deployment type", hint=f"use {', '.join(tiers)}")
    if job.status != "succeeded" or not job.fine_tuned_model:
        raise UserError(
            f"job {job.id} has no fine-tuned model to deploy yet ({job.provider_status})",
            hint=f"deploy it once it has succeeded: `{shell_command('advisor', 'jobs', 'watch', job.id)}`",
        )
    plan = target.deploy_plan(job, chosen, name, capacity)
    return plan, hosting_cost(catalog, provider.name, job.model, chosen)
