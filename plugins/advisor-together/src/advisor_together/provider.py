"""Together AI fine-tuning through the official `together` SDK.

Launch: `files.upload(check=True)` (the SDK's local check), then Together's own file check on the server
(the file's `processing_status`, waited for), then `fine_tuning.estimate_price` (advisor's `quote_job`:
shown beside advisor's estimate; `allowed_to_proceed: false` stops the launch), then one POST
/v1/fine-tunes. Together jobs carry no metadata: the run id travels in the `suffix`, which Together puts
in the output model's name, and a job whose create answer was lost is found by listing jobs and matching
the suffix.

The create request is built by the SDK's own `create_finetune_request` (the body `fine_tuning.create`
sends) and posted once with the SDK's retries off: `fine_tuning.create` itself would also run a model-
limits read and a price estimate inside the same call, under the same no-retry setting. Reads (jobs,
events, files, estimates, downloads) are retried by the SDK on 429 (honouring Retry-After), 5xx and
connection errors. The API key never appears in a message: error texts are redacted before they leave.
The plumbing shared with every SDK-backed provider (the client, sending once, recovering a lost answer,
errors in words, statuses) is advisor's SDKProvider; this module keeps what is Together's.
"""

from __future__ import annotations

import base64
import json
import math
import os
import re
import tempfile
import time
import tomllib
from collections.abc import Hashable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from functools import cache
from importlib.resources import files
from pathlib import Path
from types import ModuleType
from typing import Any, ClassVar

from advisor.plugin_api import (
    LIST_RETRIES,
    READ_RETRIES,
    Credential,
    Download,
    DownloadCut,
    Job,
    JobEvent,
    JobRequest,
    ModelFacts,
    ProviderError,
    Quote,
    SDKProvider,
    Status,
    Upload,
    UserError,
    seconds_from_env,
    shell_command,
    typed,
)

DEFAULT_BASE_URL = "https://api.together.ai"
MAX_SUFFIX = 40  # Together's limit on `suffix`
RUN_ID = re.compile(r"adv-[0-9a-f]{16}")
RUN_ID_LENGTH = len("adv-") + 16
MAX_UPLOAD_BYTES = int(50.1 * 2**30)  # the SDK's MAX_FILE_SIZE_GB
FILE_CHECK_POLL = (0.2, 0.5, 1.0, 2.0, 5.0)  # seconds between reads of a file's processing status
CHECKPOINTS = ("merged", "adapter", "model_output_path")
STATUSES: dict[str, Status] = {
    "pending": "queued",
    "queued": "queued",
    "running": "running",
    "compressing": "running",  # training is over; the weights are being packed and uploaded
    "uploading": "running",
    "cancel_requested": "running",
    "cancelled": "cancelled",
    "error": "failed",
    "completed": "succeeded",
}


@cache
def _table_models() -> dict[str, tuple[str, tuple[str, ...]]]:
    """Every name and alias of the plugin's price table -> (the model id Together's API takes, which is the
    row's first alias with a "/"; the training types the table prices), so `--model llama-3.1-8b-instruct`
    sends Together's own name."""
    table = tomllib.loads((files(__package__) / "together.toml").read_text(encoding="utf-8"))
    names: dict[str, tuple[str, tuple[str, ...]]] = {}
    for name, row in table["models"].items():
        api_id = next((alias for alias in row.get("aliases", []) if "/" in alias), name)
        kinds = tuple(row.get("fine_tuning", {}).get("training_types", ()))
        for written in (name, *row.get("aliases", [])):
            names[written] = (api_id, kinds)
    return names


def api_model(model: str) -> str:
    """The id Together takes for a model advisor knows; a model it does not know is sent as written."""
    return _table_models().get(model, (model, ()))[0]


def _number_problems(settings: dict[str, Any]) -> list[str]:
    """n_evals a whole number from 0, learning_rate a finite number above 0: NaN, inf or a negative rate
    must never reach the request body (json.dumps writes NaN, which is not JSON)."""
    problems = []
    evals, rate = settings.get("n_evals"), settings.get("learning_rate")
    if evals is not None:
        try:
            if int(evals) < 0:
                problems.append(f"--set n_evals={evals} must be 0 or more")
        except (TypeError, ValueError):
            problems.append(f"--set n_evals={evals} is not a whole number")
    if rate is not None:
        try:
            number = float(rate)
        except (TypeError, ValueError):
            problems.append(f"--set learning_rate={rate} is not a number")
        else:
            if not math.isfinite(number) or number <= 0:
                problems.append(
                    f"--set learning_rate={rate} must be a finite number above 0 (Together's default 0.00001)"
                )
    return problems


def job_suffix(request: JobRequest) -> str:
    """The suffix sent: the user's, then the run id (always last, so a lost job is found by it)."""
    return f"{request.suffix}-{request.run_id}" if request.suffix else request.run_id


class TogetherProvider(SDKProvider):
    name = "together"
    methods = ("sft", "dpo")
    credentials = (
        Credential("TOGETHER_API_KEY", "the API key jobs are created with"),
        Credential("TOGETHER_BASE_URL", "another API endpoint (a proxy, a test server)", required=False, secret=False),
    )
    label = "Together"
    key_variable = "TOGETHER_API_KEY"
    timeout_variable = "ADVISOR_TOGETHER_TIMEOUT"
    key_refused_because = (
        "the key is wrong or revoked, or the account cannot fine-tune (a used-up free trial is refused this way too)"
    )
    key_check = "the account's billing"
    passed_through = (ProviderError, UserError)
    one_line = True  # the SDK's texts span lines
    statuses: ClassVar[dict[str, Status]] = STATUSES
    settings: ClassVar[dict[str, str]] = {
        "training_type": "lora (the default) or full (--training-type)",
        "n_evals": "evaluations on the validation file during training (billed: evaluations x validation tokens)",
        "learning_rate": "the peak learning rate (Together's default 0.00001)",
    }

    # --- requests ---------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return os.environ.get("TOGETHER_BASE_URL", DEFAULT_BASE_URL).rstrip("/")

    def job_params(self, request: JobRequest) -> dict[str, Any]:
        """The arguments of the SDK's create_finetune_request for this job (also what --dry-run shows)."""
        settings = request.settings
        params: dict[str, Any] = {
            "model": api_model(request.model),
            "training_file": request.training_file,
            "n_epochs": request.epochs,
            "training_method": request.method,
            "lora": settings.get("training_type", "lora") != "full",
            "suffix": job_suffix(request),
        }
        if request.method == "sft":
            params["train_on_inputs"] = "auto"  # Together's default, set so the SDK does not warn about it
        if request.validation_file:
            params["validation_file"] = request.validation_file
        if settings.get("n_evals") is not None:
            params["n_evals"] = int(settings["n_evals"])
        if settings.get("learning_rate") is not None:
            params["learning_rate"] = float(settings["learning_rate"])
        if request.seed is not None:
            params["random_seed"] = request.seed
        return params

    def estimate_params(self, request: JobRequest) -> dict[str, Any]:
        """The body of POST /v1/fine-tunes/estimate-price for this job."""
        params: dict[str, Any] = {
            "training_file": request.training_file,
            "model": api_model(request.model),
            "n_epochs": request.epochs,
            "n_evals": int(request.settings.get("n_evals") or 0),
            "training_method": {"method": "sft", "train_on_inputs": "auto"}
            if request.method == "sft"
            else {"method": "dpo"},
        }
        if request.settings.get("training_type") == "full":
            params["training_type"] = {"type": "Full"}  # omitted: Together's default, LoRA at the model's rank
        if request.validation_file:
            params["validation_file"] = request.validation_file
        return params

    def request_preview(self, uploads: list[Upload], request: JobRequest) -> list[str]:
        base = self.base_url
        lines = []
        for u in uploads:
            lines += [
                f"POST {base}/v1/files  purpose=fine-tune, file_name={u.name} ({u.path}, {u.size:,} bytes, "
                f"sha256 {u.sha256[:16]}...), then PUT the file to the upload URL Together answers",
                f"POST {base}/v1/files/<id of {u.name}>/preprocess, then GET {base}/v1/files/<id> until "
                "Together's file check has passed",
            ]
        lines += [
            f"POST {base}/v1/fine-tunes/estimate-price  (shown beside advisor's estimate before you confirm)",
            json.dumps(self.estimate_params(request), indent=2),
            f"GET {base}/v1/fine-tunes/models/limits?model_name={api_model(request.model)}  (the LoRA rank)",
            f"POST {base}/v1/fine-tunes  (the SDK's create_finetune_request with these arguments, sent once)",
            json.dumps(self.job_params(request), indent=2),
        ]
        return lines

    def check_environment(self) -> None:
        super().check_environment()
        seconds_from_env("ADVISOR_TOGETHER_FILE_CHECK_SECONDS", 600.0, most=86400.0)

    def preflight(self, request: JobRequest, uploads: list[Upload]) -> list[str]:
        self.check_environment()  # a bad timeout or wait stops the launch before anything is sent
        problems = [
            f"{u.path} is {u.size:,} bytes; Together takes files up to 50.1 GB"
            for u in uploads
            if u.size > MAX_UPLOAD_BYTES
        ]
        room = MAX_SUFFIX - RUN_ID_LENGTH - 1  # (a preview's run id is a placeholder: the real one's length)
        if request.suffix is not None and len(request.suffix) > room:
            problems.append(
                f"--suffix is {len(request.suffix)} characters; with the run id advisor adds to find the job "
                f"again, Together's 40 leave {room}"
            )
        if request.epochs == "auto":
            problems.append(
                "Together has no automatic epoch count (its API defaults to 1): give --epochs N "
                "(the estimate above assumed the cookbook's rule)"
            )
        kind = request.settings.get("training_type")
        offered = _table_models().get(request.model, (request.model, ()))[1]
        if kind not in (None, "lora", "full"):
            problems.append(f"Together trains LoRA or full, not {kind}: use --training-type lora or full")
        elif kind and offered and kind not in offered:
            problems.append(
                f"the Together table prices only {', '.join(offered)} training for {request.model}: "
                f"use --training-type {offered[0]}"
            )
        problems += _number_problems(request.settings)
        if request.settings.get("n_evals") and request.validation_file is None:
            problems.append("--set n_evals needs a --validation-file to evaluate on")
        return problems

    # --- the SDK ----------------------------------------------------------------------------------

    def sdk(self) -> ModuleType:
        import together

        return together

    @classmethod
    def new_client(cls, *settings: Any) -> Any:
        import together

        key, base_url, timeout = settings
        return together.Together(api_key=key, base_url=base_url, max_retries=READ_RETRIES, timeout=timeout)

    def client_settings(self) -> tuple[Hashable, ...]:
        """The key, the base URL and the timeout (read first)."""
        timeout = self.timeout()
        return self.api_key(), self.base_url, timeout

    def _error_text(self, exc: Exception) -> str:
        return self._redact(_message(exc))

    def _unsure_text(self, exc: Exception) -> str:
        return _message(exc)

    def _service_error(self, exc: Exception, doing: str, message: str) -> ProviderError | None:
        if getattr(exc, "status_code", None) == 402:
            return ProviderError(
                f"Together refused to {doing}: the account's credit is used up (402)",
                final=True,
                hint="add credit in Together's billing settings",
                code="insufficient_credit",
            )
        return None

    def _rejects(self, exc: Exception) -> bool:
        """Any other 4xx but a 429: Together refused the request itself."""
        together = self.sdk()
        status = getattr(exc, "status_code", None)
        return (
            isinstance(exc, together.APIStatusError)
            and not isinstance(exc, together.RateLimitError)
            and status is not None
            and 400 <= status < 500
        )

    def _failed(self, exc: Exception, doing: str, message: str) -> ProviderError | None:
        """The SDK's own checks (a ValueError) are final; what is not the network says its type."""
        import httpx

        together = self.sdk()
        if isinstance(exc, ValueError) and not isinstance(exc, json.JSONDecodeError):
            return ProviderError(f"the together SDK refused to {doing}: {message}", final=True)
        if isinstance(exc, together.APIError | httpx.HTTPError | OSError | json.JSONDecodeError):
            return None  # the network: "could not", and what to check
        return ProviderError(f"could not {doing}: {type(exc).__name__}: {message}")

    def _unsure(self, exc: Exception) -> bool:
        """May the request have reached Together and been carried out? (The SDK's file upload also lets
        httpx's transport errors through.)"""
        import httpx

        return super()._unsure(exc) or isinstance(exc, httpx.TransportError)

    # --- files ------------------------------------------------------------------------------------

    def upload(self, upload: Upload) -> str:
        """Upload under the run's file name (the SDK sends the local file's name, so a link to the file is
        made under that name), then wait for Together's file check."""
        with tempfile.TemporaryDirectory(prefix="advisor-together-") as folder:
            named = Path(folder) / upload.name
            try:
                named.symlink_to(upload.path.resolve())
            except OSError:  # no symlinks here (some Windows set-ups): a copy works the same
                named.write_bytes(upload.path.read_bytes())

            def send() -> str:
                try:  # the SDK's retries stay on: a lost answer is recovered by the file's name
                    return str(self._client.files.upload(file=named, purpose="fine-tune", check=True).id)
                except Exception as exc:
                    if _is_file_type_error(exc):
                        raise ProviderError(
                            f"the together SDK's file check refused {upload.path}: {self._redact(_message(exc))}",
                            final=True,
                            code="invalid_file",
                        ) from None
                    raise

            file_id = self._upload_or_find(upload, send)
        self._wait_for_file_check(file_id, upload)
        return file_id

    def _wait_for_file_check(self, file_id: str, upload: Upload) -> None:
        """Together validates an uploaded file on its side: wait for the verdict, refuse a file it rejects."""
        limit = time.monotonic() + seconds_from_env("ADVISOR_TOGETHER_FILE_CHECK_SECONDS", 600.0, most=86400.0)
        for attempt in range(10**6):
            item = self._read(f"read the check of {upload.name}", lambda c: c.files.retrieve(file_id))
            status = getattr(item, "processing_status", None)
            report = getattr(item, "validation_report", None)
            if status in (None, "COMPLETED") and (report is None or report.valid is not False):
                return
            if status in ("FAILED", "INVALID_FORMAT") or (report is not None and report.valid is False):
                why = self._redact(str(getattr(report, "error", None) or status))
                raise ProviderError(
                    f"Together's file check refused {upload.path} ({status}): {why}",
                    final=True,
                    hint="fix the file ("
                    f"`{shell_command('advisor', 'dataset', 'check', upload.path, '--provider', 'together')}` "
                    "checks it offline)",
                    code="invalid_file",
                )
            if time.monotonic() > limit:
                raise ProviderError(
                    f"Together has not finished checking {upload.path} ({status})",
                    hint="run the same `advisor launch` again later: the uploaded file is reused",
                )
            time.sleep(FILE_CHECK_POLL[min(attempt, len(FILE_CHECK_POLL) - 1)])

    def find_upload(self, upload: Upload) -> str | None:
        found = self._read("list uploaded files", lambda c: c.files.list())
        for item in getattr(found, "data", None) or []:
            if item.filename == upload.name and item.bytes == upload.size:
                return str(item.id)
        return None

    # --- the job ----------------------------------------------------------------------------------

    def quote_job(self, request: JobRequest) -> Quote:
        """Together's own price estimate, after its file check; `allowed_to_proceed` false stops the launch."""
        answer = self._read(
            "estimate the job's price", lambda c: c.fine_tuning.estimate_price(**self.estimate_params(request))
        )
        data = answer.to_dict(mode="json") if hasattr(answer, "to_dict") else dict(answer)
        if data.get("estimation_available") is False:
            reason = str(data.get("unavailable_reason") or "no reason given")
            refused = reason in ("train_file_invalid", "eval_file_invalid")
            return Quote(
                None,
                allowed=not refused,
                note=f"Together's file check refused the file ({reason})"
                if refused
                else f"Together gives no estimate ({reason})",
            )
        usd = _decimal(data.get("estimated_total_price"))
        limit = _decimal(data.get("user_limit"))
        train = _int(data.get("estimated_train_token_count"))
        evals = _int(data.get("estimated_eval_token_count"))
        counted = f"{train:,} training tokens" if train is not None else "training tokens not stated"
        if evals:
            counted += f" + {evals:,} evaluation tokens"
        if data.get("allowed_to_proceed") is False:
            above = f" (credit limit ${limit})" if limit is not None else ""
            return Quote(
                usd,
                allowed=False,
                note=f"its estimate ${usd} is more than the account's credit{above}; add credit in Together's "
                "billing settings",
                train_tokens=train,
                eval_tokens=evals,
                limit_usd=limit,
            )
        return Quote(usd, allowed=True, note=counted, train_tokens=train, eval_tokens=evals, limit_usd=limit)

    def create_job(self, request: JobRequest) -> Job:
        from together.lib.resources.fine_tuning import create_finetune_request

        model = api_model(request.model)
        limits = self._read(
            f"read Together's limits for {model}", lambda c: c.fine_tuning.model_limits(model_name=model)
        )
        try:
            body, _, _ = create_finetune_request(model_limits=limits, **self.job_params(request))
        except ValueError as exc:  # the SDK's own rules (full training not offered for the model ...)
            raise ProviderError(f"Together does not take this job: {self._redact(str(exc))}", final=True) from None
        payload = body.model_dump(exclude_none=True)

        def send(client: Any) -> dict[str, Any]:
            created = client.post("/v1/fine-tunes", body=payload, cast_to=object)
            if not isinstance(created, dict) or not isinstance(created.get("id"), str):
                raise json.JSONDecodeError("the answer is not a job", str(created)[:80], 0)
            return created

        return self._job(self._create_once(send))

    def find_job(self, run_id: str) -> Job | None:
        """Together has no metadata and no filter: list the jobs and match the run id at the suffix's end."""
        listed = self._read("look up jobs", lambda c: c.fine_tuning.list())
        for item in getattr(listed, "data", None) or []:
            job = self._job(item)
            if job.run_id == run_id:
                return job
        return None

    def get_job(self, job_id: str) -> Job:
        return self._job(self._read(f"read job {job_id}", lambda c: c.fine_tuning.retrieve(job_id)))

    def list_events(self, job_id: str) -> list[JobEvent]:
        listed = self._read(f"read the events of job {job_id}", lambda c: c.fine_tuning.list_events(job_id))
        events = [
            JobEvent(_timestamp(e.created_at) or 0, str(e.level or "info"), self._redact(str(e.message)))
            for e in getattr(listed, "data", None) or []
        ]
        return sorted(events, key=lambda event: event.created_at)

    def cancel_job(self, job_id: str) -> Job:
        # cancelling twice does no harm, so the SDK's retries stay on
        return self._job(self._read(f"cancel job {job_id}", lambda c: c.fine_tuning.cancel(job_id)))

    # --- model lifecycle (advisor pricing refresh) -------------------------------------------------

    def model_facts(self) -> list[ModelFacts]:
        """Every model of Together's catalogue (the SDK's `models.list_supported`, GET /v2/supported-models,
        every page), by the name its API takes, with its serverless `pricing` (USD per 1M tokens). The
        catalogue gives no shutdown dates; a model it marks deprecated is noted. A price of 0 is read as
        "no serverless price", not as free: a free model's price belongs in a table row with its source."""
        url = f"{self.base_url}/v2/supported-models"
        listed = self._read("list Together's models", lambda c: list(c.models.list_supported()), retries=LIST_RETRIES)
        read_at = datetime.now(UTC)
        facts = []
        for model in listed:
            pricing = getattr(model, "pricing", None)
            prices = {
                field: price
                for field in ("input", "cached_input", "output")
                if (price := _decimal(getattr(pricing, field, None))) is not None and price.is_finite() and price > 0
            }
            deprecated = getattr(model, "status", None) == "SUPPORTED_MODEL_STATUS_DEPRECATED"
            note = "Together's catalogue marks it deprecated, without a date" if deprecated else None
            name = getattr(model, "name", None) or str(model.id)
            facts.append(ModelFacts(str(name), url, read_at, prices=prices, note=note))
        return facts

    def _job(self, job: Any) -> Job:
        """advisor's view of a job as the API returned it; fields of an unexpected type count as missing."""
        data: dict[str, Any] = job.to_dict(mode="json") if hasattr(job, "to_dict") else dict(job)
        status = typed(data, "status", str) or ""
        output = typed(data, "model_output_name", str)
        found = RUN_ID.search(typed(data, "suffix", str) or output or "")
        finished = self.map_status(status) in ("succeeded", "failed", "cancelled")
        return Job(
            id=str(data["id"]),
            status=self.map_status(status),
            provider_status=status,
            model=typed(data, "model", str) or "",
            run_id=found.group(0) if found else None,
            fine_tuned_model=output if status == "completed" else None,
            # Together's token_count is the tokens processed, all epochs (what it bills: docs' pricing page)
            trained_tokens=typed(data, "token_count", int),
            created_at=_timestamp(data.get("created_at")),
            finished_at=_timestamp(data.get("updated_at")) if finished else None,
            error=self._redact(why) if status == "error" and (why := _job_error(data)) else None,
            raw=data,
        )

    # --- weights ----------------------------------------------------------------------------------

    @contextmanager
    def open_download(self, job_id: str, checkpoint: str | None, offset: int) -> Iterator[Download]:
        """GET /v1/finetune/download from byte `offset` (a Range request), for advisor's safe download loop."""
        import httpx

        if checkpoint is not None and checkpoint not in CHECKPOINTS:
            raise ProviderError(
                f"Together has no checkpoint {checkpoint!r}", final=True, hint=f"use one of {', '.join(CHECKPOINTS)}"
            )
        job = self.get_job(job_id)
        if job.status != "succeeded":
            raise ProviderError(
                f"job {job_id} is {job.provider_status}: Together hands out weights of completed jobs only",
                final=True,
                hint=shell_command("advisor", "jobs", "watch", job_id),
            )
        kind = checkpoint or ("model_output_path" if _full(job.raw) else "merged")
        headers = {"Range": f"bytes={offset}-"} if offset else None
        with ExitStack() as stack:
            try:  # only opening is mapped here: what the caller raises while reading passes through untouched
                response = stack.enter_context(
                    self._client.fine_tuning.with_streaming_response.content(
                        ft_id=job_id, checkpoint=kind, extra_headers=headers
                    )
                )
            except Exception as exc:
                status = getattr(exc, "status_code", None)
                if status in (400, 404):
                    raise ProviderError(
                        f"Together has no {kind} weights for job {job_id} ({status})",
                        final=True,
                        hint="LoRA jobs have merged and adapter; full jobs have model_output_path",
                    ) from None
                if isinstance(exc, httpx.TransportError):
                    raise DownloadCut(self._redact(f"{type(exc).__name__}: {exc}")) from None
                raise self._error(exc, f"download the {kind} weights of {job_id}") from None
            start, total = _span(response.headers, response.status_code, offset)
            name = _disposition_name(response.headers.get("content-disposition")) or (
                f"{str(job.raw.get('model_output_name') or job_id).rsplit('/', 1)[-1]}-{kind}"
                + (".tar.gz" if "x-tar" in response.headers.get("content-type", "") else ".tar.zst")
            )

            def chunks() -> Iterator[bytes]:
                try:
                    yield from response.iter_bytes()  # as they arrive: a cut keeps what came
                except (httpx.TransportError, httpx.StreamError) as exc:
                    raise DownloadCut(self._redact(f"{type(exc).__name__}: {exc}")) from None

            yield Download(name, total, start, chunks(), _sha256(response.headers))


def _message(exc: Exception) -> str:
    """What the server said, else the exception's text."""
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        error = body.get("error")
        text = error.get("message") if isinstance(error, dict) else error or body.get("message")
        if isinstance(text, str) and text:
            return text
    return str(exc)


def _is_file_type_error(exc: Exception) -> bool:
    return type(exc).__name__ == "FileTypeError"  # together.lib's class; its import path is not public


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return None


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _timestamp(value: Any) -> int | None:
    """Seconds since the epoch, from an ISO-8601 time (Together) or a number."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, str):
        try:
            return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp())
        except ValueError:
            return None
    return None


def _job_error(data: dict[str, Any]) -> str | None:
    """Why a job failed: its `error` field, else the last error event."""
    if isinstance(error := data.get("error"), str):
        return error
    events = [e for e in data.get("events") or [] if isinstance(e, dict) and "error" in str(e.get("level", ""))]
    return str(events[-1].get("message")) if events else None


def _full(data: dict[str, Any]) -> bool:
    kind = data.get("training_type")
    return isinstance(kind, dict) and kind.get("type") == "Full"


def _span(headers: Any, status: int, asked: int) -> tuple[int, int | None]:
    """(the byte the body starts at, the whole file's size) from a 200 or a 206 answer."""
    if status == 206:
        match = re.fullmatch(r"bytes (\d+)-\d+/(\d+|\*)", headers.get("content-range", "").strip())
        if match:
            return int(match.group(1)), None if match.group(2) == "*" else int(match.group(2))
        return asked, None
    length = headers.get("content-length")
    return 0, int(length) if length and length.isdigit() else None


def _disposition_name(value: str | None) -> str | None:
    match = re.search(r'filename="?([^";]+)"?', value or "")
    return match.group(1) if match else None


def _sha256(headers: Any) -> str | None:
    """The file's sha256 from an RFC 9530 `Repr-Digest` (or the older `Digest`) header, when sent."""
    for name in ("repr-digest", "digest"):
        match = re.search(r"sha-256=:?([A-Za-z0-9+/=]+):?", headers.get(name, ""), re.IGNORECASE)
        if match:
            try:
                return base64.b64decode(match.group(1)).hex()
            except ValueError:
                return None
    return None
