"""OpenAI fine-tuning through the official SDK: files.create(purpose="fine-tune"), then
fine_tuning.jobs.create(method={"type": ...}) tagged with the run id in `metadata`.

Reads (status, lists, events) are retried by the SDK with backoff on 429 (honouring Retry-After),
5xx and connection errors. Creating a job is never retried: the SDK's retries are off for it, and an
answer that is lost is reported as JobCreateUnknown so advisor can look the job up by its run id.
The API key never appears in a message: every error text is redacted before it leaves this module. The
plumbing shared with every SDK-backed provider (the client, sending once, recovering a lost answer, errors
in words, statuses) is advisor's SDKProvider; this module keeps what is OpenAI's.

The Azure OpenAI plugin subclasses OpenAIProvider (same SDK, same API shapes): what differs between the
two services is in the class attributes and the small methods marked "Azure overrides".
"""

from __future__ import annotations

import json
import os
from collections.abc import Hashable
from datetime import UTC, date, datetime
from types import ModuleType
from typing import Any, ClassVar

from advisor.plugin_api import (
    LIST_RETRIES,
    READ_RETRIES,
    Credential,
    Job,
    JobEvent,
    JobRequest,
    ModelFacts,
    ProviderError,
    SDKProvider,
    Status,
    Upload,
    typed,
)

RUN_ID_KEY = "advisor_run_id"
MAX_UPLOAD_BYTES = 512 * 1024 * 1024
MAX_SUFFIX = 64
JOBS_SEARCHED = 100  # jobs looked through for a run id, after the server's metadata filter
DEFAULT_BASE_URL = "https://api.openai.com/v1"
STATUSES: dict[str, Status] = {
    "validating_files": "validating",
    "queued": "queued",
    "running": "running",
    "pausing": "paused",
    "paused": "paused",
    "succeeded": "succeeded",
    "failed": "failed",
    "cancelled": "cancelled",
    "cancelling": "running",
}
METHOD_TYPES = {"sft": "supervised", "dpo": "dpo", "rft": "reinforcement"}


class OpenAIProvider(SDKProvider):
    name = "openai"
    methods = ("sft", "dpo", "rft")
    credentials: tuple[Credential, ...] = (
        Credential("OPENAI_API_KEY", "the API key jobs are created with"),
        Credential("OPENAI_BASE_URL", "another API endpoint (a proxy, a test server)", required=False, secret=False),
    )
    # the words and names that differ between OpenAI and Azure OpenAI, which subclasses this provider
    label = "OpenAI"  # the service, as messages name it
    account = "organisation"  # what training_not_available shuts out
    quota_account = "organisation"  # whose quota a 429 insufficient_quota has used up
    quota_hint = "check billing and limits in the OpenAI dashboard"
    key_variable = "OPENAI_API_KEY"  # the key redacted from every text
    timeout_variable = "ADVISOR_OPENAI_TIMEOUT"
    key_refused_because = "the key is wrong, revoked, or lacks access to fine-tuning"
    key_check = "the project's permissions"
    create_preview_note = ""  # shown after the create request's URL in a dry run
    statuses: ClassVar[dict[str, Status]] = STATUSES
    jobs_searched = JOBS_SEARCHED

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
        """The body of POST /fine_tuning/jobs."""
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
        """Fields of the create request the SDK does not model (sent through its `extra_body`): none here.
        Azure overrides."""
        return {}

    def preview_url(self, path: str) -> str:
        """The URL of an API path, as a dry run shows it. Azure overrides."""
        return os.environ.get("OPENAI_BASE_URL", DEFAULT_BASE_URL).rstrip("/") + path

    def request_preview(self, uploads: list[Upload], request: JobRequest) -> list[str]:
        lines = [
            f"POST {self.preview_url('/files')}  multipart: purpose=fine-tune, file={u.name} ({u.path}, "
            f"{u.size:,} bytes, sha256 {u.sha256[:16]}...)"
            for u in uploads
        ]
        lines.append(f"POST {self.preview_url('/fine_tuning/jobs')}{self.create_preview_note}")
        lines.append(json.dumps({**self.job_body(request), **self.extra_body(request)}, indent=2))
        return lines

    def setting_problems(self, request: JobRequest) -> list[str]:
        """Problems with the provider's own settings (`--set`): OpenAI takes none. Azure overrides."""
        return []

    def preflight(self, request: JobRequest, uploads: list[Upload]) -> list[str]:
        self.check_environment()  # a bad timeout stops the launch before anything is sent
        problems = [
            f"{u.path} is {u.size:,} bytes; {self.label}'s upload limit is 512 MB"
            for u in uploads
            if u.size > MAX_UPLOAD_BYTES
        ]
        if request.suffix is not None and len(request.suffix) > MAX_SUFFIX:
            problems.append(f"--suffix is {len(request.suffix)} characters; {self.label} allows {MAX_SUFFIX}")
        if isinstance(request.epochs, int) and not 1 <= request.epochs <= 50:
            problems.append(f"--epochs must be between 1 and 50 for {self.label}")
        problems += self.setting_problems(request)
        if request.method == "rft" and request.validation_file is None:
            problems.append(f"{self.label} RFT needs a validation file")
        return problems

    # --- the SDK ----------------------------------------------------------------------------------

    def sdk(self) -> ModuleType:
        import openai

        return openai

    @classmethod
    def new_client(cls, *settings: Any) -> Any:
        import openai

        key, base_url, timeout = settings
        return openai.OpenAI(api_key=key, base_url=base_url, max_retries=READ_RETRIES, timeout=timeout)

    def client_settings(self) -> tuple[Hashable, ...]:
        """The key, the base URL and the timeout. Azure overrides."""
        key = self.api_key()
        return key, os.environ.get("OPENAI_BASE_URL"), self.timeout()

    def _options(self) -> dict[str, Any]:
        """Per-request options passed to every SDK call: none here. Azure overrides (its api-key header)."""
        return {}

    def _waiting_cannot_help(self, exc: Exception) -> bool:
        return getattr(exc, "code", None) == "insufficient_quota"

    def _line(self, text: str) -> str:
        """Exception text as messages carry it: whole here. Azure overrides (its first line)."""
        return text

    def _unsure_text(self, exc: Exception) -> str:
        return self._line(str(exc))

    def _service_error(self, exc: Exception, doing: str, message: str) -> ProviderError | None:
        """An organisation shut out of fine-tuning (403 training_not_available), a used-up quota (429
        insufficient_quota): retrying cannot help."""
        openai = self.sdk()
        if isinstance(exc, openai.PermissionDeniedError) and getattr(exc, "code", None) == "training_not_available":
            return ProviderError(
                f"{self.label} refused to {doing}: this {self.account} can no longer create fine-tuning jobs "
                "(403 training_not_available)",
                final=True,
                code="training_not_available",
            )
        if isinstance(exc, openai.RateLimitError) and getattr(exc, "code", None) == "insufficient_quota":
            return ProviderError(
                f"{self.label} refused to {doing}: the {self.quota_account}'s quota is used up "
                "(429 insufficient_quota)",
                final=True,
                hint=self.quota_hint,
                code="insufficient_quota",
            )
        return None

    def upload(self, upload: Upload) -> str:
        def send(client: Any) -> Any:
            with upload.path.open("rb") as handle:  # opened for each attempt, so each sends the whole file
                return client.files.create(file=(upload.name, handle), purpose="fine-tune", **self._options())

        return self._upload_or_find(upload, lambda: self._uploaded(self._once(send), upload))

    def _uploaded(self, file: Any, upload: Upload) -> str:
        """The id of a file just uploaded, once the service can use it. Azure overrides (it waits)."""
        return str(file.id)

    def _reusable(self, file: Any) -> bool:
        """May a file uploaded earlier be used again? Azure overrides (not one it failed to import)."""
        return True

    def find_upload(self, upload: Upload) -> str | None:
        def find(client: Any) -> str | None:
            for item in client.files.list(purpose="fine-tune", **self._options()):
                if item.filename == upload.name and item.bytes == upload.size and self._reusable(item):
                    return str(item.id)
            return None

        return self._read("list uploaded files", find)

    def create_job(self, request: JobRequest) -> Job:
        def send(client: Any) -> Any:
            extra = self.extra_body(request)
            more = {"extra_body": extra} if extra else {}
            return client.fine_tuning.jobs.create(**self.job_body(request), **more, **self._options())

        return self._job(self._create_once(send))

    def _job_filter(self, run_id: str) -> dict[str, Any]:
        """How jobs are listed to find a run's: filtered on the server by metadata. Azure overrides."""
        return {"metadata": {RUN_ID_KEY: run_id}, "limit": 20}

    def find_job(self, run_id: str) -> Job | None:
        def find(client: Any) -> Job | None:
            jobs = client.fine_tuning.jobs.list(**self._job_filter(run_id), **self._options())
            for seen, job in enumerate(jobs, start=1):
                if (job.metadata or {}).get(RUN_ID_KEY) == run_id:  # any server filter, checked again here
                    return self._job(job)
                if seen >= self.jobs_searched:
                    break
            return None

        return self._read("look up jobs", find)

    def get_job(self, job_id: str) -> Job:
        return self._read(
            f"read job {job_id}", lambda client: self._job(client.fine_tuning.jobs.retrieve(job_id, **self._options()))
        )

    def list_events(self, job_id: str) -> list[JobEvent]:
        events = self._read(
            f"read the events of job {job_id}",
            lambda client: list(client.fine_tuning.jobs.list_events(job_id, limit=100, **self._options())),
        )
        return sorted(
            (JobEvent(e.created_at, e.level, self._redact(e.message)) for e in events),
            key=lambda event: event.created_at,
        )

    def cancel_job(self, job_id: str) -> Job:
        try:
            return self._job(self._once(lambda client: client.fine_tuning.jobs.cancel(job_id, **self._options())))
        except Exception as exc:
            raise self._error(exc, f"cancel job {job_id}") from None

    # --- model lifecycle (advisor pricing refresh) -------------------------------------------------

    def model_facts(self) -> list[ModelFacts]:
        """Every model GET /models lists, with the `shutdown_date` (YYYY-MM-DD) OpenAI gives some of them
        (the SDK's Model type: optional, null when no shutdown is announced)."""
        url = self.preview_url("/models")
        listed = self._read(
            "list the models", lambda client: list(client.models.list(**self._options())), retries=LIST_RETRIES
        )
        read_at = datetime.now(UTC)
        facts = []
        for model in listed:
            written = getattr(model, "shutdown_date", None)
            try:
                shutdown = date.fromisoformat(written) if isinstance(written, str) else None
                note = None
            except ValueError:
                shutdown, note = None, f"its shutdown_date {written!r} is not a date: ignored"
            facts.append(ModelFacts(str(model.id), url, read_at, shutdown=shutdown, note=note))
        return facts

    def _job(self, job: Any) -> Job:
        """advisor's view of a job as the API returned it; fields of an unexpected type count as missing."""
        data: dict[str, Any] = job.model_dump() if hasattr(job, "model_dump") else dict(job)
        status = typed(data, "status", str) or ""
        error = typed(data, "error", dict) or {}
        message = typed(error, "message", str)
        return Job(
            id=str(data["id"]),
            status=self.map_status(status),
            provider_status=status,
            model=typed(data, "model", str) or "",
            run_id=typed(typed(data, "metadata", dict) or {}, RUN_ID_KEY, str),
            fine_tuned_model=typed(data, "fine_tuned_model", str),
            trained_tokens=typed(data, "trained_tokens", int),
            created_at=typed(data, "created_at", int),
            finished_at=typed(data, "finished_at", int),
            error=self._redact(message) if message else None,
            raw=data,
        )
