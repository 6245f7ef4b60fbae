"""A loopback fake of Together AI's files and fine-tuning API, for tests of the real `together` SDK over
real HTTP.

Started on 127.0.0.1 at a free port and reached through TOGETHER_BASE_URL. It keeps files and jobs in
memory and follows Together's protocol: an upload is a POST /v1/files answered with a 302 to an upload
URL, a PUT of the bytes there, then POST /v1/files/{id}/preprocess; the file is then checked on the
server (processing_status, validation_report); estimate-price answers with allowed_to_proceed against
the account's credit; jobs move pending, queued, running, completed as they are read; the weights
download honours Range requests; the model catalogue (GET /v2/supported-models) comes in pages of two.
Faults on request: an HTTP status (429 and 5xx with a short Retry-After), a connection dropped after the
request was carried out, a file the server's check rejects, too little credit, a job that fails, and a
download whose body is cut halfway, whose Range is ignored or whose bytes do not match its digest. The
fake counts a file's tokens as bytes / 4: its estimate differs from advisor's exact count, as a real
server's may. The server plumbing is tests/fake_server.py's.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import socket
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlparse

from . import fake_server

PROGRESSION = ("pending", "queued", "running", "running", "completed")
FINISHED = ("completed", "error", "cancelled")
# model -> (supports full training, price per 1M tokens by (method, type)) as the fake bills them
MODELS: dict[str, bool] = {
    "meta-llama/Meta-Llama-3.1-8B-Instruct-Reference": True,
    "meta-llama/Llama-3.3-70B-Instruct-Reference": False,
    "openai/gpt-oss-20b": False,
}
RATES = {("sft", "lora"): "0.48", ("sft", "full"): "0.54", ("dpo", "lora"): "1.20", ("dpo", "full"): "1.35"}
CREATE = "/v1/fine-tunes"
WEIGHTS_BYTES = 300_000


@dataclass
class Fault(fake_server.Fault):
    message: str = ""
    retry_after_ms: str | None = "10"  # short, so the SDK's retries take milliseconds
    cut: bool = False  # (downloads) send the headers and half the body, then close
    ignore_range: bool = False  # (downloads) answer a Range request with the whole file (200)
    corrupt: bool = False  # (downloads) the right size and digest header, one byte of the body changed


@dataclass
class FakeTogether(fake_server.FakeService):
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    contents: dict[str, bytes] = field(default_factory=dict)
    jobs: dict[str, dict[str, Any]] = field(default_factory=dict)
    reads: dict[str, int] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)
    headers_seen: list[str] = field(default_factory=list)  # every request's headers, as text
    create_bodies: list[dict[str, Any]] = field(default_factory=list)
    estimate_bodies: list[dict[str, Any]] = field(default_factory=list)
    ranges: list[str | None] = field(default_factory=list)  # the Range header of each download request
    credit: Decimal = Decimal("100")
    reject_files: str | None = None  # the server's file check fails every upload with this error
    fail_jobs: str | None = None  # jobs end in `error` with this message
    send_digest: bool = True  # downloads carry a Repr-Digest (sha-256) header
    progression: tuple[str, ...] = PROGRESSION
    supported_models: list[dict[str, Any]] = field(default_factory=list)  # GET /v2/supported-models
    page_size: int = 2  # models per page of that list, so that paging is exercised
    base_url: str = ""
    fault_type: ClassVar[type[fake_server.Fault]] = Fault

    def creates(self) -> int:
        return sum(1 for method, path in self.requests if (method, path) == ("POST", CREATE))

    @staticmethod
    def weights(job_id: str) -> bytes:
        """The job's deterministic "weights" archive."""
        block = hashlib.sha256(job_id.encode()).digest()
        return (block * (WEIGHTS_BYTES // len(block) + 1))[:WEIGHTS_BYTES]

    # --- the API ----------------------------------------------------------------------------------

    def new_file(self, name: str, purpose: str) -> dict[str, Any]:
        file = {
            "id": f"file-{uuid.uuid4()}",
            "object": "file",
            "bytes": 0,
            "created_at": int(time.time()),
            "filename": name,
            "FileType": "jsonl",
            "purpose": purpose,
            "processing_status": "PENDING",
        }
        self.files[file["id"]] = file
        return file

    def check_file(self, file_id: str) -> dict[str, Any]:
        """The server's file check, done when the file is first read after preprocessing."""
        file = self.files[file_id]
        if file["processing_status"] in ("PENDING", "QUEUED", "RUNNING"):
            problem = self.reject_files or _invalid_line(self.contents.get(file_id, b""))
            file["processing_status"] = "INVALID_FORMAT" if problem else "COMPLETED"
            file["validation_report"] = {"valid": not problem, "file_id": file_id}
            if problem:
                file["validation_report"].update(error=problem, error_type="INVALID_FORMAT")
        return file

    def estimate(self, body: dict[str, Any]) -> dict[str, Any]:
        file = self.files.get(body.get("training_file", ""))
        if file is None or self.check_file(file["id"])["processing_status"] != "COMPLETED":
            return {"estimation_available": False, "unavailable_reason": "train_file_invalid"}
        tokens = file["bytes"] // 4 * int(body.get("n_epochs", 1))
        kind = "full" if (body.get("training_type") or {}).get("type") == "Full" else "lora"
        price = Decimal(tokens) * Decimal(RATES[(body["training_method"]["method"], kind)]) / 1_000_000
        return {
            "estimation_available": True,
            "allowed_to_proceed": price <= self.credit,
            "estimated_total_price": float(round(price, 6)),
            "estimated_train_token_count": tokens,
            "estimated_eval_token_count": 0,
            "user_limit": float(self.credit),
        }

    def limits(self, model: str) -> tuple[int, dict[str, Any]]:
        if model not in MODELS:
            return 404, {"error": {"message": f"model {model} is not available for fine-tuning"}}
        full = MODELS[model]
        return 200, {
            "model_name": model,
            "default_gradient_accumulation_steps": 1,
            "lora_training": {
                "default_rank": 16,
                "max_batch_size": 32,
                "max_batch_size_dpo": 16,
                "max_rank": 64,
                "min_batch_size": 8,
                "target_modules": ["q_proj", "k_proj", "v_proj", "o_proj"],
            },
            "full_training": {"max_batch_size": 16, "max_batch_size_dpo": 8, "min_batch_size": 8} if full else None,
            "max_learning_rate": 1,
            "min_learning_rate": 0,
            "max_num_checkpoints": 10,
            "max_num_epochs": 20,
            "max_num_evals": 100,
            "max_seq_length_sft": 8192,
            "max_seq_length_dpo": 8192,
            "min_max_seq_length": 512,
            "merge_output_lora": True,
            "supports_full_training": full,
            "supports_reasoning": False,
            "supports_tools": True,
            "supports_vision": False,
        }

    def create(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        file = self.files.get(body.get("training_file", ""))
        if file is None or self.check_file(file["id"])["processing_status"] != "COMPLETED":
            return 400, {"error": {"message": f"invalid training_file: {body.get('training_file')}"}}
        if body.get("model") not in MODELS:
            return 400, {"error": {"message": f"model {body.get('model')} is not available for fine-tuning"}}
        now = _iso(time.time())
        suffix = body.get("suffix")
        job = {
            "id": f"ft-{uuid.uuid4()}",
            "status": self.progression[0],
            "user_id": "user-fake",
            "model": body["model"],
            "model_output_name": f"fakeuser/{body['model'].split('/')[-1]}-{suffix}",
            "suffix": suffix,
            "training_file": body["training_file"],
            "validation_file": body.get("validation_file") or None,
            "n_epochs": body.get("n_epochs", 1),
            "n_evals": body.get("n_evals", 0),
            "training_type": body.get("training_type"),
            "training_method": body.get("training_method"),
            "created_at": now,
            "updated_at": now,
            "token_count": None,
            "total_price": None,
            "events": [],
        }
        self.jobs[job["id"]] = job
        self.event(job, "info", "Fine tune request created")
        return 200, job

    def event(self, job: dict[str, Any], level: str, message: str) -> None:
        job["events"].append(
            {
                "object": "fine-tune-event",
                "created_at": _iso(time.time() + len(job["events"])),
                "level": level,
                "message": message,
                "type": "job_error" if level == "error" else "job_start",
            }
        )

    def read(self, job_id: str) -> dict[str, Any]:
        """Each read moves the job one step along the progression, unless it has finished."""
        job = self.jobs[job_id]
        with self.lock:
            if job["status"] in FINISHED:
                return job
            count = self.reads[job_id] = self.reads.get(job_id, 0) + 1
            status = self.progression[min(count, len(self.progression) - 1)]
            if status == "completed" and self.fail_jobs:
                status = "error"
                self.event(job, "error", self.fail_jobs)
            if status != job["status"]:
                self.event(job, "info", f"Job status: {status}")
            job["status"] = status
            job["updated_at"] = _iso(time.time())
            if status == "completed":
                size = self.files[job["training_file"]]["bytes"]
                job["token_count"] = size // 4 * int(job["n_epochs"])
        return job


def supported_model(
    name: str, pricing: dict[str, float] | None = None, status: str = "SUPPORTED_MODEL_STATUS_SUPPORTED"
) -> dict[str, Any]:
    """A model of Together's catalogue as GET /v2/supported-models lists it (`pricing` in USD per 1M tokens:
    input, output, cachedInput)."""
    found: dict[str, Any] = {
        "id": f"ml_{uuid.uuid5(uuid.NAMESPACE_URL, name).hex[:12]}",
        "name": name,
        "baseModel": "",
        "baseModelId": "",
        "capabilities": ["CAPABILITY_CHAT"],
        "createdAt": "2026-09-01T00:00:00Z",
        "updatedAt": "2026-11-30T00:00:00Z",
        "deploymentProfiles": [],
        "displayName": name.split("/")[-1],
        "displayType": "chat",
        "inputModalities": ["MODALITY_TEXT"],
        "outputModalities": ["MODALITY_TEXT"],
        "products": ["PRODUCT_SERVERLESS", "PRODUCT_FINE_TUNING"],
        "publisher": name.split("/")[0],
        "status": status,
    }
    if pricing is not None:
        found["pricing"] = pricing
    return found


def _invalid_line(data: bytes) -> str | None:
    """What Together's file check says about a JSONL file: the first line in no known format."""
    formats = ({"messages"}, {"prompt", "completion"}, {"input", "preferred_output", "non_preferred_output"})
    for number, line in enumerate(data.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            example = json.loads(line)
        except ValueError:
            return f"Line {number}: not valid JSON"
        if not isinstance(example, dict) or not any(keys <= example.keys() for keys in formats):
            return f"Line {number}: the example matches no supported format"
    return None


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat().replace("+00:00", "Z")


def _error(message: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": "invalid_request_error"}}


class Handler(fake_server.Handler):
    api: FakeTogether

    def do_PUT(self) -> None:
        self._serve("PUT")

    def _serve(self, method: str) -> None:
        url = urlparse(self.path)
        path = url.path
        body = self._body()
        api = self.api
        api.requests.append((method, path))
        api.headers_seen.append(str(self.headers))
        upload = re.fullmatch(r"/upload/([\w-]+)", path)
        if upload and method == "PUT":  # the presigned upload URL: no API key, as at a storage service
            file = api.files[upload.group(1)]
            api.contents[file["id"]] = body
            file["bytes"] = len(body)
            return self._send(200, {})
        if self.headers.get("Authorization") != f"Bearer {api.key}":
            return self._send(401, _error("Invalid API key provided"))
        fault = api.fault_for(method, path)
        if fault and fault.status:
            headers = {"retry-after-ms": fault.retry_after_ms} if fault.retry_after_ms else {}
            return self._send(fault.status, _error(fault.message or f"injected {fault.status}"), headers)
        if path == "/v1/finetune/download" and method == "GET":
            return self._download(parse_qs(url.query), fault)
        status, answer, headers = self._route(method, path, parse_qs(url.query), body)
        if fault and fault.drop:
            return self._drop()
        return self._send(status, answer, headers)

    def _route(
        self, method: str, path: str, query: dict[str, list[str]], body: bytes
    ) -> tuple[int, Any, dict[str, str] | None]:
        api = self.api
        if path == "/v2/supported-models" and method == "GET":
            start = int(query.get("after", ["0"])[0])
            end = start + api.page_size
            more = str(end) if end < len(api.supported_models) else None
            return 200, {"data": api.supported_models[start:end], "next_cursor": more}, None
        if path == "/v1/files" and method == "POST":
            fields = {name: value.decode() for name, (_, value) in self._multipart(body).items()}
            file = api.new_file(fields["file_name"], fields["purpose"])
            host = f"http://127.0.0.1:{api.server.server_port}"
            return 302, {}, {"Location": f"{host}/upload/{file['id']}", "X-Together-File-Id": file["id"]}
        if path == "/v1/files" and method == "GET":
            return 200, {"data": list(api.files.values())}, None
        match = re.fullmatch(r"/v1/files/([\w-]+)(/preprocess)?", path)
        if match and match.group(1) in api.files:
            if match.group(2):
                return 200, api.files[match.group(1)], None
            return 200, api.check_file(match.group(1)), None
        if path == "/v1/fine-tunes/estimate-price" and method == "POST":
            api.estimate_bodies.append(json.loads(body))
            return 200, api.estimate(json.loads(body)), None
        if path == "/v1/fine-tunes/models/limits":
            status, answer = api.limits(query.get("model_name", [""])[0])
            return status, answer, None
        if path == CREATE and method == "POST":
            api.create_bodies.append(json.loads(body))
            status, answer = api.create(json.loads(body))
            return status, answer, None
        if path == CREATE and method == "GET":
            return 200, {"data": sorted(api.jobs.values(), key=lambda job: job["created_at"])}, None
        match = re.fullmatch(r"/v1/fine-tunes/([\w-]+)(/cancel|/events)?", path)
        if match and match.group(1) in api.jobs:
            job_id, action = match.groups()
            job = api.jobs[job_id]
            if action == "/cancel" and method == "POST":
                if job["status"] not in FINISHED:
                    job["status"] = "cancelled"
                    api.event(job, "info", "Job cancelled by the user")
                return 200, job, None
            if action == "/events":
                return 200, {"data": job["events"]}, None
            return 200, api.read(job_id), None
        return 404, _error(f"no such route or object: {method} {path}"), None

    def _download(self, query: dict[str, list[str]], fault: Fault | None) -> None:
        api = self.api
        job = api.jobs.get(query.get("ft_id", [""])[0])
        if job is None or job["status"] != "completed":
            return self._send(400, _error("the job has no weights to download"))
        data = api.weights(job["id"])
        wanted = self.headers.get("Range")
        api.ranges.append(wanted)
        start = int(re.fullmatch(r"bytes=(\d+)-", wanted).group(1)) if wanted else 0  # type: ignore[union-attr]
        if fault and fault.ignore_range:
            start = 0
        headers = {"Content-Type": "application/x-tar"}
        if api.send_digest:
            headers["Repr-Digest"] = f"sha-256=:{base64.b64encode(hashlib.sha256(data).digest()).decode()}:"
        status = 200
        if start:
            status = 206
            headers["Content-Range"] = f"bytes {start}-{len(data) - 1}/{len(data)}"
        part = data[start:]
        if fault and fault.corrupt:
            part = part[:-1] + bytes([part[-1] ^ 0xFF])
        try:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(part)))
            self.end_headers()
            if fault and fault.cut:
                self.wfile.write(part[: len(part) // 2])
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return None
            self.wfile.write(part)
        except (BrokenPipeError, ConnectionResetError):
            pass
        return None


def serve(key: str) -> FakeTogether:
    api = FakeTogether(key)
    api.base_url = f"http://127.0.0.1:{fake_server.start(api, Handler).server_port}"
    return api
