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
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any, ClassVar, TypeVar

from advisor.providers.base import (
    Credential,
    Job,
    JobCreateUnknown,
    JobEvent,
    JobRequest,
    ProviderError,
    Status,
    Upload,
)
from advisor_azure_openai.deploy import AzureDeployments

RUN_ID_KEY = "advisor_run_id"
DEFAULT_API_VERSION = "v1"
MAX_UPLOAD_BYTES = 512 * 1024 * 1024
MAX_SUFFIX = 64
READ_RETRIES = 4
RATE_LIMIT_RETRIES = 3  # for requests that must not be repeated: a 429 means nothing was done
LONGEST_WAIT = 60.0
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
METHOD_TYPES = {"sft": "supervised", "dpo": "dpo", "rft": "reinforcement"}
FILE_PENDING = {"pending", "uploaded", "running"}
T = TypeVar("T")


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
    try:
        timeout = float(os.environ.get("ADVISOR_AZURE_TIMEOUT", "60"))
    except ValueError:
        raise ProviderError("ADVISOR_AZURE_TIMEOUT must be a number of seconds", final=True) from None
    return Connection(
        endpoint or "https://<resource>.openai.azure.com",
        os.environ.get("OPENAI_API_VERSION", "").strip() or DEFAULT_API_VERSION,
        os.environ.get("AZURE_OPENAI_API_KEY", ""),
        timeout,
    )


@cache
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
    return get_bearer_token_provider(DefaultAzureCredential(), ENTRA_SCOPE)  # type: ignore[no-any-return]


class AzureOpenAIProvider(AzureDeployments):
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

    # --- requests ---------------------------------------------------------------------------------

    def _method(self, request: JobRequest) -> dict[str, Any]:
        kind = METHOD_TYPES[request.method]
        settings: dict[str, Any] = {"hyperparameters": {"n_epochs": request.epochs}}
        if request.method == "dpo":
            settings["hyperparameters"]["beta"] = "auto"
        if request.method == "rft":
            settings["grader"] = request.grader
        return {"type": kind, kind: settings}

    def job_body(self, request: JobRequest) -> dict[str, Any]:
        """The body of POST /fine_tuning/jobs, without Azure's own fields (see extra_body)."""
        body: dict[str, Any] = {
            "model": request.model,
            "training_file": request.training_file,
            "method": self._method(request),
            "metadata": {RUN_ID_KEY: request.run_id},
        }
        for key in ("validation_file", "suffix", "seed"):
            if getattr(request, key) is not None:
                body[key] = getattr(request, key)
        return body

    def extra_body(self, request: JobRequest) -> dict[str, Any]:
        """Azure's fields the SDK does not model: the training tier, always sent so the job runs on the
        tier the estimate priced (the price table's first tier, global, when none is chosen)."""
        return {"trainingType": TRAINING_TYPES[str(request.settings.get("tier") or "global")]}

    def request_preview(self, uploads: list[Upload], request: JobRequest) -> list[str]:
        conn = connection(need_endpoint=False)
        lines = [
            f"POST {conn.url('/files')}  multipart: purpose=fine-tune, file={u.name} ({u.path}, {u.size:,} bytes, "
            f"sha256 {u.sha256[:16]}...)"
            for u in uploads
        ]
        lines.append(f"POST {conn.url('/fine_tuning/jobs')}  header api-key: <AZURE_OPENAI_API_KEY>")
        lines.append(json.dumps({**self.job_body(request), **self.extra_body(request)}, indent=2))
        return lines

    def preflight(self, request: JobRequest, uploads: list[Upload]) -> list[str]:
        problems = [
            f"{u.path} is {u.size:,} bytes; Azure OpenAI's upload limit is 512 MB"
            for u in uploads
            if u.size > MAX_UPLOAD_BYTES
        ]
        if request.suffix is not None and len(request.suffix) > MAX_SUFFIX:
            problems.append(f"--suffix is {len(request.suffix)} characters; Azure OpenAI allows {MAX_SUFFIX}")
        if isinstance(request.epochs, int) and not 1 <= request.epochs <= 50:
            problems.append("--epochs must be between 1 and 50 for Azure OpenAI")
        tier = request.settings.get("tier")
        if tier is not None and tier not in TRAINING_TYPES:
            problems.append(f"--tier {tier} is not an Azure training tier; use {', '.join(TRAINING_TYPES)}")
        if request.method == "rft" and request.validation_file is None:
            problems.append("Azure OpenAI RFT needs a validation file")
        return problems

    # --- the SDK ----------------------------------------------------------------------------------

    @property
    def _client(self) -> Any:
        """The SDK client for the current environment (endpoint, key, API version, timeout)."""
        conn = connection()
        return _client(conn.endpoint, conn.api_version, conn.key, conn.timeout)

    def _headers(self) -> dict[str, Any]:
        """Per-request headers: on the v1 paths with a key, no bearer header (the key is in `api-key`)."""
        conn = connection()
        if conn.v1 and conn.key:
            from openai import Omit

            return {"Authorization": Omit()}
        return {}

    def _once(self, send: Callable[[Any], T]) -> T:
        """Send a request that must not be carried out twice: the SDK's retries are off, and only a 429
        (which says nothing was done) is sent again, after the wait the server asks for."""
        import openai

        client = self._client.with_options(max_retries=0)
        for attempt in range(RATE_LIMIT_RETRIES + 1):
            try:
                return send(client)
            except openai.RateLimitError as exc:
                if attempt == RATE_LIMIT_RETRIES or getattr(exc, "code", None) == "insufficient_quota":
                    raise
                time.sleep(_retry_after(exc.response.headers, attempt))
        raise AssertionError("unreachable")

    def _redact(self, text: str) -> str:
        key = os.environ.get("AZURE_OPENAI_API_KEY", "")
        return text.replace(key, "[API key]") if key else text

    def _error(self, exc: Exception, doing: str) -> ProviderError:
        """A provider error a person can act on, on one line, without the key in it."""
        import openai

        if isinstance(exc, ProviderError):
            return exc
        message = _first_line(self._redact(_message(exc)))
        if isinstance(exc, openai.PermissionDeniedError) and getattr(exc, "code", None) == "training_not_available":
            return ProviderError(
                f"Azure OpenAI refused to {doing}: this resource can no longer create fine-tuning jobs "
                "(403 training_not_available)",
                final=True,
                code="training_not_available",
            )
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
            return ProviderError(
                f"Azure OpenAI rejected the request to {doing}: {message}", final=True, code=str(exc.status_code)
            )
        if isinstance(exc, openai.RateLimitError) and getattr(exc, "code", None) == "insufficient_quota":
            return ProviderError(
                f"Azure OpenAI refused to {doing}: the subscription's quota is used up (429 insufficient_quota)",
                final=True,
                hint="check the resource's quota in the Azure portal",
                code="insufficient_quota",
            )
        if isinstance(exc, openai.RateLimitError):
            return ProviderError(f"Azure OpenAI is rate limiting (429) while trying to {doing}", hint="try again later")
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
        return ProviderError(f"could not {doing}: {message}", hint="check the network and try again")

    def _unsure(self, exc: Exception) -> bool:
        """May the request have reached Azure and been carried out?"""
        import openai

        return isinstance(
            exc,
            openai.APIConnectionError
            | openai.InternalServerError
            | openai.APIResponseValidationError
            | json.JSONDecodeError,
        ) or (isinstance(exc, openai.APIStatusError) and exc.status_code >= 500)

    def upload(self, upload: Upload) -> str:
        def send(client: Any) -> Any:
            with upload.path.open("rb") as handle:  # opened for each attempt, so each sends the whole file
                return client.files.create(
                    file=(upload.name, handle), purpose="fine-tune", extra_headers=self._headers()
                )

        for attempt in (1, 2):
            try:
                file = self._once(send)
            except Exception as exc:
                if not self._unsure(exc):
                    raise self._error(exc, f"upload {upload.path}") from None
                found = self.find_upload(upload)
                if found:
                    return found
                if attempt == 2:
                    raise self._error(exc, f"upload {upload.path}") from None
                continue
            return self._processed(str(file.id), str(getattr(file, "status", "") or ""), upload)
        raise AssertionError("unreachable")

    def _processed(self, file_id: str, status: str, upload: Upload) -> str:
        """Wait until Azure has imported the file: a job made from a file still pending is refused."""
        try:
            limit = float(os.environ.get("ADVISOR_AZURE_FILE_WAIT", str(FILE_WAIT)))
        except ValueError:
            limit = FILE_WAIT
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
                hint=f"run `advisor dataset check {upload.path}`",
            )
        return file_id

    def find_upload(self, upload: Upload) -> str | None:
        try:
            for item in self._client.files.list(purpose="fine-tune", extra_headers=self._headers()):
                if item.filename == upload.name and item.bytes == upload.size and item.status != "error":
                    return str(item.id)
        except Exception as exc:
            raise self._error(exc, "list uploaded files") from None
        return None

    def create_job(self, request: JobRequest) -> Job:
        try:
            body, extra = self.job_body(request), self.extra_body(request)
            job = self._once(
                lambda client: client.fine_tuning.jobs.create(**body, extra_body=extra, extra_headers=self._headers())
            )
        except ProviderError:
            raise
        except Exception as exc:
            if self._unsure(exc):
                raise JobCreateUnknown(self._redact(f"{type(exc).__name__}: {_first_line(str(exc))}")) from None
            raise self._error(exc, "create the fine-tuning job") from None
        return self._job(job)

    def find_job(self, run_id: str) -> Job | None:
        # Recent jobs are read and their metadata checked here, rather than trusting a server-side
        # metadata filter that not every Azure API version documents; a job just made is among the newest.
        try:
            jobs = self._client.fine_tuning.jobs.list(limit=50, extra_headers=self._headers())
            for seen, job in enumerate(jobs, start=1):
                if (job.metadata or {}).get(RUN_ID_KEY) == run_id:
                    return self._job(job)
                if seen >= JOBS_SEARCHED:
                    break
        except Exception as exc:
            raise self._error(exc, "look up jobs") from None
        return None

    def get_job(self, job_id: str) -> Job:
        try:
            return self._job(self._client.fine_tuning.jobs.retrieve(job_id, extra_headers=self._headers()))
        except Exception as exc:
            raise self._error(exc, f"read job {job_id}") from None

    def list_events(self, job_id: str) -> list[JobEvent]:
        try:
            events = list(self._client.fine_tuning.jobs.list_events(job_id, limit=100, extra_headers=self._headers()))
        except Exception as exc:
            raise self._error(exc, f"read the events of job {job_id}") from None
        return sorted(
            (JobEvent(e.created_at, e.level, self._redact(e.message)) for e in events),
            key=lambda event: event.created_at,
        )

    def cancel_job(self, job_id: str) -> Job:
        try:
            return self._job(
                self._once(lambda client: client.fine_tuning.jobs.cancel(job_id, extra_headers=self._headers()))
            )
        except Exception as exc:
            raise self._error(exc, f"cancel job {job_id}") from None

    def map_status(self, provider_status: str) -> Status:
        return STATUSES.get(provider_status, "unknown")

    def _job(self, job: Any) -> Job:
        """advisor's view of a job as the API returned it; fields of an unexpected type count as missing."""
        data = job.model_dump() if hasattr(job, "model_dump") else dict(job)

        def field(name: str, kind: type[T], of: dict[str, Any] = data) -> T | None:
            value = of.get(name)
            return value if isinstance(value, kind) and not isinstance(value, bool) else None

        status = field("status", str) or ""
        error = field("error", dict) or {}
        message = field("message", str, error)
        return Job(
            id=str(data["id"]),
            status=self.map_status(status),
            provider_status=status,
            model=field("model", str) or "",
            run_id=field(RUN_ID_KEY, str, field("metadata", dict) or {}),
            fine_tuned_model=field("fine_tuned_model", str),
            trained_tokens=field("trained_tokens", int),
            created_at=field("created_at", int),
            finished_at=field("finished_at", int),
            error=self._redact(message) if message else None,
            raw=data,
        )


def _message(exc: Exception) -> str:
    """The service's own message where it sent one (Azure: {"error": {"message": ...}}), else the text."""
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and isinstance(inner.get("message"), str):
            return str(inner["message"])
    return str(exc)


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else "no details given"


def _retry_after(headers: Any, attempt: int) -> float:
    """The wait a 429 asks for (retry-after-ms or retry-after in seconds), else 1, 2, 4 ... seconds."""
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        try:
            return min(LONGEST_WAIT, max(0.0, float(headers.get(name)) * scale))
        except (TypeError, ValueError):
            continue
    return min(LONGEST_WAIT, 2.0**attempt)
