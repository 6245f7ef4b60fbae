"""Azure OpenAI fine-tuning through the official `openai` SDK's Azure support.

Two API shapes, chosen by OPENAI_API_VERSION: "v1" (the default) uses `OpenAI(base_url=f"{endpoint}/openai/v1/")`
and the `{endpoint}/openai/v1/...` paths; a dated version (e.g. 2025-04-01-preview) uses `AzureOpenAI` and the
`{endpoint}/openai/...?api-version=...` paths. Either way an API key goes in the `api-key` header (never as a
bearer token); without a key, Microsoft Entra ID tokens are used when the `[entra]` extra (azure-identity) is
installed.

The job is tagged with the run id in `metadata` and created with the training tier in Azure's `trainingType`
field (sent through the SDK's `extra_body`, since the SDK does not know it). The ledger's guarantees are the
OpenAI plugin's: reads are retried by the SDK on 429 (honouring Retry-After), 5xx and connection errors;
creating a job is sent once (only a 429, which says nothing was done, is sent again), and a lost answer is
reported as JobCreateUnknown so advisor finds the job by its run id. The key never leaves this module: every
error text is redacted.

All of that is the OpenAI plugin's code: AzureOpenAIProvider subclasses advisor_openai's OpenAIProvider and
overrides only what Azure does differently (the client, the api-key header, the tier, file processing,
the job lookup, its statuses and its error wording).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, ClassVar

from advisor.plugin_api import (
    READ_RETRIES,
    Credential,
    JobRequest,
    ProviderError,
    Status,
    Upload,
    UserError,
    seconds_from_env,
    shell_command,
)
from advisor_azure_openai.deploy import AzureDeployments, _first_line
from advisor_openai.provider import OpenAIProvider

DEFAULT_API_VERSION = "v1"
FILE_WAIT = 300.0  # seconds to wait for Azure to process an uploaded file (ADVISOR_AZURE_FILE_WAIT)
JOBS_SEARCHED = 200  # recent jobs looked through for a run id
ENTRA_SCOPE = "https://cognitiveservices.azure.com/.default"
# advisor's tier names -> Azure's `trainingType` values (Microsoft's fine-tuning how-to, read 2026-10)
TRAINING_TYPES = {"global": "globalstandard", "standard": "standard", "developer": "developerTier"}
STATUSES: dict[str, Status] = {
    "validating_files": "validating",
    "created": "queued",
    "pending": "queued",  # older API versions' word for queued
    "notRunning": "queued",
    "queued": "queued",
    "running": "running",
    "cancelling": "running",
    "pausing": "paused",
    "paused": "paused",  # RFT's $5,000 auto-pause lands here
    "succeeded": "succeeded",
    "failed": "failed",
    "cancelled": "cancelled",
    "canceled": "cancelled",
}
FILE_PENDING = {"pending", "uploaded", "running"}


@dataclass(frozen=True)
class Connection:
    """Where and how to reach Azure, from the environment (the key is held, never shown)."""

    endpoint: str
    api_version: str
    key: str
    timeout: float

    @property
    def v1(self) -> bool:
        return self.api_version == "v1"

    @property
    def base(self) -> str:
        """The URL prefix requests go to, as shown in a dry run."""
        return f"{self.endpoint}/openai/v1" if self.v1 else f"{self.endpoint}/openai"

    def url(self, path: str) -> str:
        return f"{self.base}{path}" + ("" if self.v1 else f"?api-version={self.api_version}")


def connection(need_endpoint: bool = True) -> Connection:
    endpoint = os.environ.get("AZURE_OPENAI_ENDPOINT", "").strip().rstrip("/")
    if endpoint.endswith("/openai/v1"):  # the v1 base URL given as the endpoint: keep the resource's root
        endpoint = endpoint[: -len("/openai/v1")]
    if need_endpoint and not endpoint:
        raise ProviderError(
            "no Azure OpenAI endpoint: set AZURE_OPENAI_ENDPOINT (https://<resource>.openai.azure.com)",
            final=True,
            hint="--dry-run shows the requests without one",
        )
    timeout = seconds_from_env("ADVISOR_AZURE_TIMEOUT", 60.0, most=3600.0, positive=True)
    return Connection(
        endpoint or "https://<resource>.openai.azure.com",
        os.environ.get("OPENAI_API_VERSION", "").strip() or DEFAULT_API_VERSION,
        os.environ.get("AZURE_OPENAI_API_KEY", ""),
        timeout,
    )


def _client(endpoint: str, api_version: str, key: str, timeout: float) -> Any:
    """The SDK client for one connection; with no key, one that signs in with Entra ID."""
    import openai

    token = None if key else _entra_token_provider()
    if api_version == "v1":
        if key:  # the key goes in `api-key`; each request omits the bearer header (see _headers)
            return openai.OpenAI(
                api_key=key,
                base_url=f"{endpoint}/openai/v1/",
                default_headers={"api-key": key},
                max_retries=READ_RETRIES,
                timeout=timeout,
            )
        return openai.OpenAI(
            api_key=token, base_url=f"{endpoint}/openai/v1/", max_retries=READ_RETRIES, timeout=timeout
        )
    return openai.AzureOpenAI(
        azure_endpoint=endpoint,
        api_version=api_version,
        api_key=key or None,
        azure_ad_token_provider=token,
        max_retries=READ_RETRIES,
        timeout=timeout,
    )


def _entra_token_provider() -> Callable[[], str]:
    try:
        from azure.identity import DefaultAzureCredential, get_bearer_token_provider
    except ImportError:
        raise ProviderError(
            "no Azure OpenAI credentials: set AZURE_OPENAI_API_KEY, or install advisor-azure-openai[entra] "
            "to sign in with Microsoft Entra ID",
            final=True,
            hint="--dry-run shows the requests without credentials",
        ) from None
    token = get_bearer_token_provider(DefaultAzureCredential(), ENTRA_SCOPE)
    return token  # type: ignore[no-any-return]  # azure-identity is an optional extra: untyped when not installed


class AzureOpenAIProvider(AzureDeployments, OpenAIProvider):
    name = "azure-openai"
    methods = ("sft", "dpo", "rft")
    credentials = (
        Credential(
            "AZURE_OPENAI_ENDPOINT", "the resource's endpoint, https://<resource>.openai.azure.com", secret=False
        ),
        Credential(
            "AZURE_OPENAI_API_KEY",
            "the resource's key, sent in the api-key header (without it: Entra ID through the [entra] extra)",
            required=False,
        ),
        Credential(
            "OPENAI_API_VERSION",
            f"'v1' for the /openai/v1/ paths (default {DEFAULT_API_VERSION}), or a dated version for "
            "the /openai/...?api-version= paths",
            required=False,
            secret=False,
        ),
    )
    settings: ClassVar[dict[str, str]] = {
        "tier": "training tier: global (the default), standard (regional) or developer (half of global, "
        "pre-emptible, no SLA); sent as Azure's trainingType",
    }
    label = "Azure OpenAI"
    account = "resource"
    quota_account = "subscription"
    quota_hint = "check the resource's quota in the Azure portal"
    key_variable = "AZURE_OPENAI_API_KEY"
    timeout_variable = "ADVISOR_AZURE_TIMEOUT"
    passed_through = (ProviderError, UserError)  # no endpoint, no credentials, a bad setting: already in words
    create_preview_note = "  header api-key: <AZURE_OPENAI_API_KEY>"
    statuses: ClassVar[dict[str, Status]] = STATUSES
    jobs_searched = JOBS_SEARCHED
    # Azure's model list has its own shape (`deprecation` times, `lifecycle_status`), not OpenAI's
    # `shutdown_date`: not read yet, so `advisor pricing refresh` does not ask this provider
    model_facts = None  # type: ignore[assignment]  # None switches off the capability it inherits (docs/plugins.md)

    # --- requests ---------------------------------------------------------------------------------

    def extra_body(self, request: JobRequest) -> dict[str, Any]:
        """Azure's fields the SDK does not model, sent beside job_body's: the training tier, always sent so the
        job runs on the tier the estimate priced (the price table's first tier, global, when none is chosen)."""
        return {"trainingType": TRAINING_TYPES[str(request.settings.get("tier") or "global")]}

    def preview_url(self, path: str) -> str:
        return connection(need_endpoint=False).url(path)

    def check_environment(self) -> None:
        super().check_environment()
        seconds_from_env("ADVISOR_AZURE_FILE_WAIT", FILE_WAIT, most=86400.0)

    def setting_problems(self, request: JobRequest) -> list[str]:
        tier = request.settings.get("tier")
        if tier is not None and tier not in TRAINING_TYPES:
            return [f"--tier {tier} is not an Azure training tier; use {', '.join(TRAINING_TYPES)}"]
        return []

    # --- the SDK ----------------------------------------------------------------------------------

    @classmethod
    def new_client(cls, *settings: Any) -> Any:
        return _client(*settings)

    def client_settings(self) -> tuple[Hashable, ...]:
        """The endpoint, the API version, the key (none: Entra ID) and the timeout."""
        conn = connection()
        return conn.endpoint, conn.api_version, conn.key, conn.timeout

    def _options(self) -> dict[str, Any]:
        return {"extra_headers": self._headers()}

    def _headers(self) -> dict[str, Any]:
        """Per-request headers: on the v1 paths with a key, no bearer header (the key is in `api-key`)."""
        conn = connection()
        if conn.v1 and conn.key:
            from openai import Omit

            return {"Authorization": Omit()}
        return {}

    def _line(self, text: str) -> str:
        return _first_line(text)

    def _error_text(self, exc: Exception) -> str:
        return _first_line(self._redact(_message(exc)))

    def _refused(self, exc: Exception, doing: str, message: str) -> ProviderError | None:
        import openai

        if isinstance(exc, openai.AuthenticationError):
            return ProviderError(
                f"Azure OpenAI refused the credentials while trying to {doing} (401): the key is wrong or "
                "belongs to another resource, or the Entra ID token was refused",
                final=True,
                hint="check AZURE_OPENAI_API_KEY against AZURE_OPENAI_ENDPOINT's resource (the key is not shown)",
                code="401",
            )
        if isinstance(exc, openai.PermissionDeniedError):
            return ProviderError(
                f"Azure OpenAI refused to {doing} (403): {message}",
                final=True,
                hint="fine-tuning needs the Cognitive Services OpenAI Contributor role (Entra ID) and a region "
                "that offers it",
                code="403",
            )
        if isinstance(exc, openai.NotFoundError):
            return ProviderError(
                f"Azure OpenAI answered 404 while trying to {doing}: {message}",
                final=True,
                hint="check AZURE_OPENAI_ENDPOINT, OPENAI_API_VERSION (v1 or a dated version the resource "
                "supports) and the id",
                code="404",
            )
        if isinstance(exc, openai.BadRequestError | openai.UnprocessableEntityError | openai.ConflictError):
            return self._rejected(exc, doing, message)
        return None

    def _failed(self, exc: Exception, doing: str, message: str) -> ProviderError | None:
        import openai

        if isinstance(exc, openai.APIStatusError):
            return ProviderError(
                f"Azure OpenAI answered {exc.status_code} while trying to {doing}: {message}",
                hint="the service is failing; try again later",
            )
        if isinstance(exc, openai.APIConnectionError):
            return ProviderError(
                f"could not reach Azure OpenAI to {doing} ({type(exc).__name__})",
                hint="check AZURE_OPENAI_ENDPOINT and the network",
            )
        if type(exc).__module__.startswith("azure."):  # azure-identity could not get a token
            return ProviderError(
                f"could not sign in to Azure with Entra ID to {doing}: {message}",
                final=True,
                hint="set AZURE_OPENAI_API_KEY, or sign in (`az login`, a managed identity, AZURE_CLIENT_ID ...)",
            )
        return None

    # --- files and jobs ---------------------------------------------------------------------------

    def _uploaded(self, file: Any, upload: Upload) -> str:
        return self._processed(str(file.id), str(getattr(file, "status", "") or ""), upload)

    def _processed(self, file_id: str, status: str, upload: Upload) -> str:
        """Wait until Azure has imported the file: a job made from a file still pending is refused."""
        limit = seconds_from_env("ADVISOR_AZURE_FILE_WAIT", FILE_WAIT, most=86400.0)
        deadline, delay = time.monotonic() + limit, 0.2
        while status in FILE_PENDING:
            if time.monotonic() >= deadline:
                raise ProviderError(
                    f"Azure is still processing {upload.path} ({file_id}, {status}) after {limit:.0f} s",
                    hint="run the same `advisor launch` again later: the uploaded file is found and used again",
                )
            time.sleep(delay)
            delay = min(5.0, delay * 2)
            try:
                file = self._client.files.retrieve(file_id, extra_headers=self._headers())
            except Exception as exc:
                raise self._error(exc, f"read the status of uploaded file {file_id}") from None
            status = str(getattr(file, "status", "") or "")
        if status == "error":
            details = _first_line(str(getattr(file, "status_details", "") or "no details given"))
            raise ProviderError(
                f"Azure could not import {upload.path} ({file_id}): {details}",
                final=True,
                hint=f"run `{shell_command('advisor', 'dataset', 'check', upload.path)}`",
            )
        return file_id

    def _reusable(self, file: Any) -> bool:
        return bool(file.status != "error")

    def _job_filter(self, run_id: str) -> dict[str, Any]:
        # Recent jobs are read and their metadata checked, rather than trusting a server-side
        # metadata filter that not every Azure API version documents; a job just made is among the newest.
        return {"limit": 50}


def _message(exc: Exception) -> str:
    """The service's own message where it sent one (Azure: {"error": {"message": ...}}), else the text."""
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and isinstance(inner.get("message"), str):
            return str(inner["message"])
    return str(exc)
