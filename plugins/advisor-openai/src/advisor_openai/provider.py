"""OpenAI fine-tuning through the official SDK: files.create(purpose="fine-tune"), then
fine_tuning.jobs.create(method={"type": ...}) tagged with the run id in `metadata`.

Reads (status, lists, events) are retried by the SDK with backoff on 429 (honouring Retry-After),
5xx and connection errors. Creating a job is never retried: the SDK's retries are off for it, and an
answer that is lost is reported as JobCreateUnknown so advisor can look the job up by its run id.
The API key never appears in a message: every error text is redacted before it leaves this module.

The Azure OpenAI plugin subclasses OpenAIProvider (same SDK, same API shapes): what differs between the
two services is in the class attributes and the small methods marked "Azure overrides".
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import cache
from typing import Any, ClassVar, TypeVar

from advisor.errors import UserError
from advisor.parsing.environment import seconds_from_env
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
from advisor.providers.lifecycle import ModelFacts
from advisor.providers.retry import send_once

RUN_ID_KEY = "advisor_run_id"
MAX_UPLOAD_BYTES = 512 * 1024 * 1024
MAX_SUFFIX = 64
READ_RETRIES = 4
JOBS_SEARCHED = 100  # jobs looked through for a run id, after the server's metadata filter
LIST_RETRIES = 2  # the model list (advisor pricing refresh): a refresh that fails changes nothing
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
T = TypeVar("T")


@cache
def _client(key: str, base_url: str | None, timeout: float) -> Any:
    import openai

    return openai.OpenAI(api_key=key, base_url=base_url, max_retries=READ_RETRIES, timeout=timeout)


class OpenAIProvider:
    name = "openai"
    methods = ("sft", "dpo", "rft")
    credentials = (
        Credential("OPENAI_API_KEY", "the API key jobs are created with"),
        Credential("OPENAI_BASE_URL", "another API endpoint (a proxy, a test server)", required=False, secret=False),
    )
    # the words and names that differ between OpenAI and Azure OpenAI, which subclasses this provider
    label = "OpenAI"  # the service, as messages name it
    account = "organisation"  # what training_not_available shuts out
    quota_account = "organisation"  # whose quota a 429 insufficient_quota has used up
    quota_hint = "check billing and limits in the OpenAI dashboard"
    key_variable = "OPENAI_API_KEY"  # the key redacted from every text
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

    def check_environment(self) -> None:
        """Read the numbers this provider takes from the environment; a bad one is a UserError. Azure extends."""
        seconds_from_env("ADVISOR_OPENAI_TIMEOUT", 60.0, most=3600.0, positive=True)

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

    @property
    def _client(self) -> Any:
        """The SDK client for the current environment (key, base URL, timeout)."""
        key = os.environ.get("OPENAI_API_KEY", "")
        if not key:
            raise ProviderError(
                "no OpenAI API key: set OPENAI_API_KEY", final=True, hint="--dry-run shows the requests without a key"
            )
        timeout = seconds_from_env("ADVISOR_OPENAI_TIMEOUT", 60.0, most=3600.0, positive=True)
        return _client(key, os.environ.get("OPENAI_BASE_URL"), timeout)

    def _options(self) -> dict[str, Any]:
        """Per-request options passed to every SDK call: none here. Azure overrides (its api-key header)."""
        return {}

    def _once(self, send: Callable[[Any], T]) -> T:
        """Send a request that must not be carried out twice: the SDK's retries are off, and only a 429
        (which says nothing was done) is sent again, after the wait the server asks for."""
        import openai

        client = self._client.with_options(max_retries=0)
        return send_once(
            lambda: send(client), openai.RateLimitError, lambda exc: getattr(exc, "code", None) == "insufficient_quota"
        )

    def _redact(self, text: str) -> str:
        key = os.environ.get(self.key_variable, "")
        return text.replace(key, "[API key]") if key else text

    def _line(self, text: str) -> str:
        """Exception text as messages carry it: whole here. Azure overrides (its first line)."""
        return text

    def _error_text(self, exc: Exception) -> str:
        """What an exception says, redacted. Azure overrides (the service's own message, one line)."""
        return self._redact(str(exc))

    def _error(self, exc: Exception, doing: str) -> ProviderError | UserError:
        """A provider error a person can act on, without the key in it (a bad setting stays the user's error)."""
        import openai

        if isinstance(exc, UserError):
            return exc
        message = self._error_text(exc)
        if isinstance(exc, openai.PermissionDeniedError) and getattr(exc, "code", None) == "training_not_available":
            return ProviderError(
                f"{self.label} refused to {doing}: this {self.account} can no longer create fine-tuning jobs "
                "(403 training_not_available)",
                final=True,
                code="training_not_available",
            )
        refused = self._refused(exc, doing, message)
        if refused is not None:
            return refused
        if isinstance(exc, openai.RateLimitError) and getattr(exc, "code", None) == "insufficient_quota":
            return ProviderError(
                f"{self.label} refused to {doing}: the {self.quota_account}'s quota is used up "
                "(429 insufficient_quota)",
                final=True,
                hint=self.quota_hint,
                code="insufficient_quota",
            )
        if isinstance(exc, openai.RateLimitError):
            return ProviderError(f"{self.label} is rate limiting (429) while trying to {doing}", hint="try again later")
        failed = self._failed(exc, doing, message)
        if failed is not None:
            return failed
        return ProviderError(f"could not {doing}: {message}", hint="check the network and try again")

    def _refused(self, exc: Exception, doing: str, message: str) -> ProviderError | None:
        """The error for a refused key or request (401, 403, 404, 400, 422), else None. Azure overrides."""
        import openai

        if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
            status = exc.status_code
            return ProviderError(
                f"OpenAI refused the API key while trying to {doing} ({status}): the key is wrong, "
                "revoked, or lacks access to fine-tuning",
                final=True,
                hint="check OPENAI_API_KEY and the project's permissions (the key is not shown)",
                code=str(status),
            )
        if isinstance(exc, openai.BadRequestError | openai.NotFoundError | openai.UnprocessableEntityError):
            return self._rejected(exc, doing, message)
        return None

    def _rejected(self, exc: Any, doing: str, message: str) -> ProviderError:
        return ProviderError(
            f"{self.label} rejected the request to {doing}: {message}", final=True, code=str(exc.status_code)
        )

    def _failed(self, exc: Exception, doing: str, message: str) -> ProviderError | None:
        """The error for a failing service or network, when there is more to say than "could not": nothing
        here. Azure overrides."""
        return None

    def _unsure(self, exc: Exception) -> bool:
        """May the request have reached the service and been carried out?"""
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
                return client.files.create(file=(upload.name, handle), purpose="fine-tune", **self._options())

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
            return self._uploaded(file, upload)
        raise AssertionError("unreachable")

    def _uploaded(self, file: Any, upload: Upload) -> str:
        """The id of a file just uploaded, once the service can use it. Azure overrides (it waits)."""
        return str(file.id)

    def _reusable(self, file: Any) -> bool:
        """May a file uploaded earlier be used again? Azure overrides (not one it failed to import)."""
        return True

    def find_upload(self, upload: Upload) -> str | None:
        try:
            for item in self._client.files.list(purpose="fine-tune", **self._options()):
                if item.filename == upload.name and item.bytes == upload.size and self._reusable(item):
                    return str(item.id)
        except Exception as exc:
            raise self._error(exc, "list uploaded files") from None
        return None

    def create_job(self, request: JobRequest) -> Job:
        try:
            body, extra = self.job_body(request), self.extra_body(request)
            more = {"extra_body": extra} if extra else {}
            job = self._once(lambda client: client.fine_tuning.jobs.create(**body, **more, **self._options()))
        except Exception as exc:
            if self._unsure(exc):
                raise JobCreateUnknown(self._redact(f"{type(exc).__name__}: {self._line(str(exc))}")) from None
            raise self._error(exc, "create the fine-tuning job") from None
        return self._job(job)

    def _job_filter(self, run_id: str) -> dict[str, Any]:
        """How jobs are listed to find a run's: filtered on the server by metadata. Azure overrides."""
        return {"metadata": {RUN_ID_KEY: run_id}, "limit": 20}

    def find_job(self, run_id: str) -> Job | None:
        try:
            jobs = self._client.fine_tuning.jobs.list(**self._job_filter(run_id), **self._options())
            for seen, job in enumerate(jobs, start=1):
                if (job.metadata or {}).get(RUN_ID_KEY) == run_id:  # any server filter, checked again here
                    return self._job(job)
                if seen >= self.jobs_searched:
                    break
        except Exception as exc:
            raise self._error(exc, "look up jobs") from None
        return None

    def get_job(self, job_id: str) -> Job:
        try:
            return self._job(self._client.fine_tuning.jobs.retrieve(job_id, **self._options()))
        except Exception as exc:
            raise self._error(exc, f"read job {job_id}") from None

    def list_events(self, job_id: str) -> list[JobEvent]:
        try:
            events = list(self._client.fine_tuning.jobs.list_events(job_id, limit=100, **self._options()))
        except Exception as exc:
            raise self._error(exc, f"read the events of job {job_id}") from None
        return sorted(
            (JobEvent(e.created_at, e.level, self._redact(e.message)) for e in events),
            key=lambda event: event.created_at,
        )

    def cancel_job(self, job_id: str) -> Job:
        try:
            return self._job(self._once(lambda client: client.fine_tuning.jobs.cancel(job_id, **self._options())))
        except Exception as exc:
            raise self._error(exc, f"cancel job {job_id}") from None

    def map_status(self, provider_status: str) -> Status:
        return self.statuses.get(provider_status, "unknown")

    # --- model lifecycle (advisor pricing refresh) -------------------------------------------------

    def model_facts(self) -> list[ModelFacts]:
        """Every model GET /models lists, with the `shutdown_date` (YYYY-MM-DD) OpenAI gives some of them
        (the SDK's Model type: optional, null when no shutdown is announced)."""
        url = self.preview_url("/models")
        try:
            listed = list(self._client.with_options(max_retries=LIST_RETRIES).models.list(**self._options()))
        except Exception as exc:
            raise self._error(exc, "list the models") from None
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
