"""Deploying an Azure OpenAI fine-tune: a fine-tuned model serves only once deployed, and hosting is billed
per hour from then on (the Developer type: no fee, deleted after 24 hours).

Deployments are made through Azure Resource Manager with its official SDK (azure-mgmt-cognitiveservices and
azure-identity, the `[deploy]` extra), which needs AZURE_SUBSCRIPTION_ID, AZURE_RESOURCE_GROUP and the
resource's name (AZURE_OPENAI_RESOURCE, else read from AZURE_OPENAI_ENDPOINT's host). Without the extra or
that configuration, the plan carries the `az cognitiveservices account deployment create` command that makes
the same deployment, and that is the answer.
"""

from __future__ import annotations

import os
import re
from typing import Any
from urllib.parse import urlparse

from advisor.plugin_api import DeployPlan, Job, ProviderError, shell_word

# advisor's deployment types -> Azure's SKU names for a fine-tuned model
SKUS = {"standard": "Standard", "global-standard": "GlobalStandard", "developer": "DeveloperTier"}
DEFAULT_CAPACITY = 1  # capacity units (thousands of tokens a minute for the Standard types)
MODEL_VERSION = "1"  # a fine-tuned model has one version
RESOURCE_HOSTS = (".openai.azure.com", ".cognitiveservices.azure.com", ".services.ai.azure.com")


def resource_name() -> str | None:
    """AZURE_OPENAI_RESOURCE, else the resource's name in AZURE_OPENAI_ENDPOINT's host."""
    named = os.environ.get("AZURE_OPENAI_RESOURCE", "").strip()
    if named:
        return named
    host = urlparse(os.environ.get("AZURE_OPENAI_ENDPOINT", "").strip()).hostname or ""
    for suffix in RESOURCE_HOSTS:
        if host.endswith(suffix) and host[: -len(suffix)]:
            return host[: -len(suffix)]
    return None


def deployment_name(model: str) -> str:
    """A deployment name Azure accepts (letters, digits, - _ .; up to 64), made from the model id."""
    return re.sub(r"[^A-Za-z0-9._-]", "-", model)[:64].strip("-.") or "fine-tune"


def _shell(value: str | None, variable: str) -> str:
    """A value for the command line, or the variable it comes from when it is not set yet."""
    return shell_word(value) if value else f'"${variable}"'


class AzureDeployments:
    """The `Deploys` capability of the Azure OpenAI provider."""

    deploy_tiers = tuple(SKUS)

    def deploy_plan(self, job: Job, tier: str, name: str | None, capacity: int | None) -> DeployPlan:
        model = str(job.fine_tuned_model)
        name = name or deployment_name(model)
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{1,63}", name):
            raise ProviderError(
                f"--name {name!r} is not a valid Azure deployment name",
                final=True,
                hint="use 2 to 64 letters, digits, '-', '_' or '.', starting with a letter or digit",
            )
        sku, units = SKUS[tier], capacity or DEFAULT_CAPACITY
        group, resource = os.environ.get("AZURE_RESOURCE_GROUP", "").strip(), resource_name()
        command = " ".join(
            [
                "az cognitiveservices account deployment create",
                f"--resource-group {_shell(group, 'AZURE_RESOURCE_GROUP')}",
                f"--name {_shell(resource, 'AZURE_OPENAI_RESOURCE')}",
                f"--deployment-name {shell_word(name)}",
                f"--model-name {shell_word(model)}",
                f"--model-version {MODEL_VERSION}",
                "--model-format OpenAI",
                f"--sku-name {sku}",
                f"--sku-capacity {units}",
            ]
        )
        return DeployPlan(
            provider="azure-openai",
            job_id=job.id,
            model=model,
            base_model=job.model,
            name=name,
            tier=tier,
            sku=sku,
            capacity=units,
            command=command,
            ready=(why := _why_not_ready(group, resource)) is None,
            why_not=why,
        )

    def deploy(self, plan: DeployPlan) -> str:
        """Create the deployment through Azure Resource Manager and wait until it is provisioned."""
        from azure.core.exceptions import ClientAuthenticationError, HttpResponseError
        from azure.identity import DefaultAzureCredential
        from azure.mgmt.cognitiveservices import CognitiveServicesManagementClient
        from azure.mgmt.cognitiveservices.models import Deployment, DeploymentModel, DeploymentProperties, Sku

        group, resource = os.environ["AZURE_RESOURCE_GROUP"].strip(), str(resource_name())
        options: dict[str, Any] = {}
        if os.environ.get("AZURE_RESOURCE_MANAGER_URL"):  # a sovereign cloud's Resource Manager
            options["base_url"] = os.environ["AZURE_RESOURCE_MANAGER_URL"]
        try:
            client = CognitiveServicesManagementClient(
                DefaultAzureCredential(), os.environ["AZURE_SUBSCRIPTION_ID"].strip(), **options
            )
            poller = client.deployments.begin_create_or_update(
                group,
                resource,
                plan.name,
                Deployment(
                    sku=Sku(name=plan.sku, capacity=plan.capacity),
                    properties=DeploymentProperties(
                        model=DeploymentModel(format="OpenAI", name=plan.model, version=MODEL_VERSION)
                    ),
                ),
            )
            made = poller.result()
        except ClientAuthenticationError as exc:
            raise ProviderError(
                f"could not sign in to Azure Resource Manager: {_first_line(exc.message)}",
                final=True,
                hint=f"sign in (`az login`, a managed identity, AZURE_CLIENT_ID ...), or run: {plan.command}",
            ) from None
        except HttpResponseError as exc:
            raise ProviderError(
                f"Azure Resource Manager refused the deployment {plan.name} ({exc.status_code}): "
                f"{_first_line(exc.message)}",
                final=True,
                hint="check AZURE_SUBSCRIPTION_ID, AZURE_RESOURCE_GROUP, the resource name, your role "
                "(Cognitive Services Contributor) and the quota of the SKU",
            ) from None
        state = getattr(getattr(made, "properties", None), "provisioning_state", None) or "requested"
        return f"deployment {plan.name} of {plan.model} on {resource} ({plan.sku}, capacity {plan.capacity}): {state}"


def _why_not_ready(group: str, resource: str | None) -> str | None:
    try:
        import azure.identity
        import azure.mgmt.cognitiveservices  # noqa: F401
    except ImportError:
        return "the [deploy] extra is not installed (pip install 'advisor-azure-openai[deploy]')"
    missing = [
        variable
        for variable, value in (
            ("AZURE_SUBSCRIPTION_ID", os.environ.get("AZURE_SUBSCRIPTION_ID", "").strip()),
            ("AZURE_RESOURCE_GROUP", group),
            ("AZURE_OPENAI_RESOURCE", resource),
        )
        if not value
    ]
    if missing:
        return f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not set"
    return None


def _first_line(text: str | None) -> str:
    text = (text or "").strip()
    return text.splitlines()[0] if text else "no details given"
