"""`advisor jobs deploy`: deploy a finished job's fine-tuned model, where the provider needs a deployment
before a fine-tune serves (Azure OpenAI), stating the hosting cost per hour and per month first."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from advisor.cli.options import pricing_file_option

if TYPE_CHECKING:
    from pathlib import Path


@click.command("deploy")
@click.argument("job")
@click.option("--provider", help="Provider of a job that is not in the ledger.")
@click.option(
    "--tier",
    help="Deployment type, where the provider has several (Azure: standard, global-standard, developer); "
    "default: the provider's first.",
)
@click.option("--name", help="The deployment's name (default: made from the fine-tuned model id).")
@click.option("--capacity", type=click.IntRange(min=1), help="Capacity units (default: the provider's smallest).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation (for scripts).")
@pricing_file_option
def deploy(
    job: str,
    provider: str | None,
    tier: str | None,
    name: str | None,
    capacity: int | None,
    yes: bool,
    pricing_files: tuple[Path, ...],
) -> None:
    """Deploy a job's fine-tuned model so it serves. States the deployment type and its hosting cost per hour
    and per month from the price table, then asks; hosting is billed from then on. Where the provider's
    deployment SDK is not installed or not configured, prints the command that deploys it instead."""
    from advisor.cli.job_lookup import open_ledger, provider_for
    from advisor.plugins import catalog_with_plugins
    from advisor.providers.deploy import deployer, plan_deploy
    from advisor.providers.sync import record_status
    from advisor.render.deploy import print_deploy_command, print_deploy_plan, print_deployed

    ledger = open_ledger()
    try:
        plugin, run = provider_for(job, ledger, provider)
        deployer(plugin)  # a provider without the step is refused before anything is read
        current = plugin.get_job(run.job_id if run else job)
        if run is not None:
            record_status(ledger, run, current)
    finally:
        ledger.close()
    plan, cost = plan_deploy(
        plugin, catalog_with_plugins(pricing_files), current, tier=tier, name=name, capacity=capacity
    )
    print_deploy_plan(plan, cost)
    if not plan.ready:
        print_deploy_command(plan)
        return
    from advisor.safe_text import visible

    question = visible(f"Deploy {plan.model} as {plan.name} ({plan.tier})? Hosting is billed from then on")
    if not yes and not click.confirm("\n" + question, default=False):
        click.echo("not deployed", err=True)
        raise click.exceptions.Exit(1)
    print_deployed(deployer(plugin).deploy(plan))
