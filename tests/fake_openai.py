"""A loopback fake of OpenAI's files and fine-tuning API, for tests of the real SDK over real HTTP.

Started on 127.0.0.1 at a free port. It keeps files and jobs in memory, moves each job through a
realistic status progression as it is read (validating_files, queued, running, then succeeded), lists
its models (GET /v1/models, each with OpenAI's optional `shutdown_date`), and injects faults on request:
an HTTP status (429 with Retry-After, 500, 403 training_not_available), a connection dropped after the
request was carried out, a slow answer, a malformed JSON body. The server plumbing is
tests/fake_server.py's; the jobs (FineTuningJobs) are tests/fake_azure.py's too.
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlparse

from . import fake_server

PROGRESSION = ("validating_files", "queued", "running", "running", "succeeded")
FINE_TUNABLE = {"gpt-4.1-mini-2025-04-14", "gpt-4.1-2025-04-14", "gpt-4o-mini-2024-07-18", "o4-mini-2025-04-16"}


@dataclass
class Fault(fake_server.Fault):
    code: str | None = None
    retry_after: str | None = None
    delay: float = 0.0  # carry the request out, then wait before answering
    malformed: bool = False  # carry the request out, then answer with broken JSON


class FineTuningJobs:
    """OpenAI's fine-tuning jobs as a fake keeps them (Azure OpenAI serves the same API): made from a create
    body, moved one step along `progression` by each read, with their events; cancelled on request."""

    files: dict[str, dict[str, Any]]
    jobs: dict[str, dict[str, Any]]
    reads: dict[str, int]
    progression: tuple[str, ...]
    lock: threading.Lock
    id_digits: ClassVar[int] = 20  # of a new job's id
    organization: ClassVar[str | None] = "org-fake"

    def fine_tuned_model(self, job: dict[str, Any]) -> str:
        return f"ft:{job['model']}:fake-org:{job.get('suffix') or ''}:{job['id'][-8:]}"

    def event_messages(self, job: dict[str, Any]) -> list[str]:
        return ["Created fine-tuning job", f"Status: {job['status']}"]

    def new_job(self, body: dict[str, Any], **more: Any) -> dict[str, Any]:
        method = body.get("method", {})
        epochs = method.get(method.get("type", ""), {}).get("hyperparameters", {}).get("n_epochs", "auto")
        job = {
            "id": f"ftjob-{uuid.uuid4().hex[: self.id_digits]}",
            "object": "fine_tuning.job",
            "created_at": int(time.time()),
            "error": None,
            "fine_tuned_model": None,
            "finished_at": None,
            "model": body["model"],
            "organization_id": self.organization,
            "result_files": [],
            "seed": body.get("seed", 42),
            "status": self.progression[0],
            "trained_tokens": None,
            "training_file": body["training_file"],
            "validation_file": body.get("validation_file"),
            "metadata": body.get("metadata"),
            "method": method,
            "hyperparameters": {"n_epochs": epochs},
            "suffix": body.get("suffix"),
            **more,
        }
        self.jobs[job["id"]] = job
        return job

    def read(self, job_id: str) -> dict[str, Any]:
        """Each read moves the job one step along the progression, unless it has finished."""
        job = self.jobs[job_id]
        with self.lock:
            if job["status"] in ("cancelled", "failed", "succeeded"):
                return job
            count = self.reads[job_id] = self.reads.get(job_id, 0) + 1
            job["status"] = self.progression[min(count, len(self.progression) - 1)]
            if job["status"] == "succeeded":
                size = self.files[job["training_file"]]["bytes"]
                epochs = job["hyperparameters"]["n_epochs"]
                job["trained_tokens"] = size // 4 * (3 if epochs == "auto" else epochs)
                job["fine_tuned_model"] = self.fine_tuned_model(job)
                job["finished_at"] = int(time.time())
        return job

    def events(self, job_id: str) -> list[dict[str, Any]]:
        job = self.jobs[job_id]
        return [
            {
                "object": "fine_tuning.job.event",
                "id": f"ftevent-{n}",
                "created_at": job["created_at"] + n,
                "level": "info",
                "message": message,
                "type": "message",
            }
            for n, message in enumerate(self.event_messages(job))
        ]

    def job_route(self, method: str, path: str, prefix: str = "") -> tuple[int, dict[str, Any]] | None:
        """The answer to {prefix}/fine_tuning/jobs/{id}, its /cancel or its /events, or None for another path."""
        match = re.fullmatch(prefix + r"/fine_tuning/jobs/([\w-]+)(/cancel|/events)?", path)
        if not match or match.group(1) not in self.jobs:
            return None
        job_id, action = match.groups()
        if action == "/cancel" and method == "POST":
            self.jobs[job_id]["status"] = "cancelled"
            return 200, self.jobs[job_id]
        if action == "/events":
            return 200, page(self.events(job_id))
        return 200, self.read(job_id)


@dataclass
class FakeOpenAI(FineTuningJobs, fake_server.FakeService):
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    contents: dict[str, bytes] = field(default_factory=dict)  # file id -> the bytes uploaded
    jobs: dict[str, dict[str, Any]] = field(default_factory=dict)
    reads: dict[str, int] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)
    create_bodies: list[dict[str, Any]] = field(default_factory=list)  # every POST /fine_tuning/jobs body
    models: list[dict[str, Any]] = field(default_factory=lambda: [model("gpt-4.1-mini-2025-04-14")])  # GET /models
    progression: tuple[str, ...] = PROGRESSION
    base_url: str = ""
    fault_type: ClassVar[type[fake_server.Fault]] = Fault

    def creates(self) -> int:
        return sum(1 for method, path in self.requests if method == "POST" and path == "/v1/fine_tuning/jobs")

    # --- the API ----------------------------------------------------------------------------------

    def upload(self, filename: str, purpose: str, data: bytes) -> dict[str, Any]:
        file = {
            "id": f"file-{uuid.uuid4().hex[:20]}",
            "object": "file",
            "bytes": len(data),
            "filename": filename,
            "purpose": purpose,
            "created_at": int(time.time()),
            "status": "processed",
        }
        self.files[file["id"]] = file
        self.contents[file["id"]] = data
        return file

    def create(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if body.get("training_file") not in self.files:
            return 400, _error(f"invalid training_file: {body.get('training_file')}", "invalid_file")
        if body.get("model") not in FINE_TUNABLE:
            return 400, _error(f"model {body.get('model')} is not available for fine-tuning", "model_not_available")
        return 200, self.new_job(body, estimated_finish=None)


def model(model_id: str, shutdown_date: str | None = None, owned_by: str = "system") -> dict[str, Any]:
    """A model object as GET /v1/models lists it; `shutdown_date` (YYYY-MM-DD) only where one is announced."""
    found: dict[str, Any] = {"id": model_id, "object": "model", "created": 1744316542, "owned_by": owned_by}
    if shutdown_date is not None:
        found["shutdown_date"] = shutdown_date
    return found


def _error(message: str, code: str | None, kind: str = "invalid_request_error") -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": None, "code": code}}


def page(items: list[dict[str, Any]]) -> dict[str, Any]:
    """A list answer, all in one page."""
    return {"object": "list", "data": items, "has_more": False}


class Handler(fake_server.Handler):
    api: FakeOpenAI

    def _serve(self, method: str) -> None:
        url = urlparse(self.path)
        path = url.path
        body = self._body()
        self.api.requests.append((method, path))
        if self.headers.get("Authorization") != f"Bearer {self.api.key}":
            return self._send(401, _error("Incorrect API key provided", "invalid_api_key", "authentication_error"))
        fault = self.api.fault_for(method, path)
        if fault and fault.status:
            headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
            kind = "permission_error" if fault.status == 403 else "server_error"
            return self._send(fault.status, _error(f"injected {fault.status}", fault.code, kind), headers)
        status, answer = self._route(method, path, parse_qs(url.query), body)
        if fault and fault.drop:
            return self._drop()
        if fault and fault.delay:
            time.sleep(fault.delay)
        if fault and fault.malformed:
            return self._send_raw(200, b'{"id": "ftjob-broken", "status": ')
        return self._send(status, answer)

    def _route(self, method: str, path: str, query: dict[str, list[str]], body: bytes) -> tuple[int, dict[str, Any]]:
        api = self.api
        if path == "/v1/models" and method == "GET":
            return 200, page(api.models)
        if path == "/v1/files" and method == "POST":
            fields = self._multipart(body)
            return 200, api.upload(fields["file"][0], fields["purpose"][1].decode(), fields["file"][1])
        if path == "/v1/files" and method == "GET":
            purpose = query.get("purpose", [None])[0]
            return 200, page([f for f in api.files.values() if purpose in (None, f["purpose"])])
        if path == "/v1/fine_tuning/jobs" and method == "POST":
            api.create_bodies.append(json.loads(body))
            return api.create(json.loads(body))
        if path == "/v1/fine_tuning/jobs" and method == "GET":
            wanted = {
                key[len("metadata[") : -1]: values[0] for key, values in query.items() if key.startswith("metadata[")
            }
            found = [
                job
                for job in api.jobs.values()
                if all((job.get("metadata") or {}).get(k) == v for k, v in wanted.items())
            ]
            return 200, page(sorted(found, key=lambda job: job["created_at"], reverse=True))
        answer = api.job_route(method, path, "/v1")
        if answer is not None:
            return answer
        return 404, _error(f"no such route or object: {method} {path}", "not_found")


def serve(key: str) -> tuple[ThreadingHTTPServer, FakeOpenAI]:
    api = FakeOpenAI(key)
    server = fake_server.start(api, Handler)
    api.base_url = f"http://127.0.0.1:{server.server_port}/v1"
    return server, api
