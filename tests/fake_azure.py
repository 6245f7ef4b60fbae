"""A loopback fake of Azure OpenAI's files and fine-tuning API, for tests of the real `openai` SDK over real HTTP.

Started on 127.0.0.1 at a free port. It serves both API shapes of one resource: the versioned paths
(`/openai/files?api-version=...`, `/openai/fine_tuning/jobs?api-version=...`, which require `api-version`)
and the v1 paths (`/openai/v1/files`, `/openai/v1/fine_tuning/jobs`). Every request needs the resource's key
in the `api-key` header (a wrong or missing one is a 401, as Azure answers). Uploaded files start `pending`
and are `processed` once read; jobs move through Azure's statuses as they are read (pending, running, then
succeeded with trained tokens and an Azure-style fine-tuned model id). Faults on request: an HTTP status
(429 with Retry-After, 5xx, a final 4xx), a connection dropped after the request was carried out, a slow
answer, a malformed JSON body. The server plumbing is tests/fake_server.py's; the jobs are tests/fake_openai.py's
(FineTuningJobs: the same API).
"""

from __future__ import annotations

import json
import re
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlparse

from . import fake_server
from .fake_openai import FineTuningJobs, page

PROGRESSION = ("pending", "running", "running", "succeeded")
FINE_TUNABLE = {
    "gpt-4.1-2025-04-14",
    "gpt-4.1-mini-2025-04-14",
    "gpt-4.1-nano-2025-04-14",
    "gpt-4o-2024-08-06",
    "gpt-4o-mini-2024-07-18",
    "o4-mini-2025-04-16",
}
TRAINING_TYPES = {"globalstandard", "standard", "developertier"}  # Azure compares them case-insensitively
KEY_REFUSED = (
    "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an "
    "active subscription and use a correct regional API endpoint for your resource."
)


@dataclass
class Fault(fake_server.Fault):
    """`path` is matched against the path with its shape's prefix removed (/fine_tuning/jobs)."""

    code: str | None = None
    message: str | None = None
    retry_after: str | None = None
    delay: float = 0.0  # carry the request out, then wait before answering
    malformed: bool = False  # carry the request out, then answer with broken JSON


@dataclass
class Seen:
    """One request as the server received it."""

    method: str
    path: str  # the full path, e.g. /openai/v1/fine_tuning/jobs
    route: str  # the path without its shape's prefix, e.g. /fine_tuning/jobs
    shape: str  # "v1" or "versioned"
    query: dict[str, list[str]]
    headers: dict[str, str]


@dataclass
class FakeAzure(FineTuningJobs, fake_server.FakeService):
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    jobs: dict[str, dict[str, Any]] = field(default_factory=dict)
    reads: dict[str, int] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    create_bodies: list[dict[str, Any]] = field(default_factory=list)  # every POST /fine_tuning/jobs body
    progression: tuple[str, ...] = PROGRESSION
    endpoint: str = ""
    fault_type: ClassVar[type[fake_server.Fault]] = Fault
    id_digits: ClassVar[int] = 32
    organization: ClassVar[str | None] = None

    @property
    def requests(self) -> list[tuple[str, str]]:
        return [(seen.method, seen.route) for seen in self.seen]

    def creates(self) -> int:
        return self.requests.count(("POST", "/fine_tuning/jobs"))

    # --- the API ----------------------------------------------------------------------------------

    def upload(self, filename: str, purpose: str, data: bytes) -> dict[str, Any]:
        file = {
            "id": f"file-{uuid.uuid4().hex}",
            "object": "file",
            "bytes": len(data),
            "filename": filename,
            "purpose": purpose,
            "created_at": int(time.time()),
            "status": "pending",  # Azure imports the file before a job can use it
        }
        self.files[file["id"]] = file
        return file

    def read_file(self, file_id: str) -> dict[str, Any]:
        file = self.files[file_id]
        if file["status"] == "pending":
            file["status"] = "processed"
        return file

    def create(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        training = self.files.get(body.get("training_file", ""))
        if training is None:
            return 400, _error(f"invalid training_file: {body.get('training_file')}", "invalidPayload")
        if training["status"] != "processed":
            return 400, _error(f"file {training['id']} has not been processed yet", "fileNotProcessed")
        if body.get("model") not in FINE_TUNABLE:
            return 400, _error(f"The base model {body.get('model')} does not support fine-tuning.", "invalidPayload")
        if str(body.get("trainingType", "standard")).lower() not in TRAINING_TYPES:
            return 400, _error(f"unknown trainingType {body.get('trainingType')}", "invalidPayload")
        return 201, self.new_job(body, trainingType=body.get("trainingType"))

    def fine_tuned_model(self, job: dict[str, Any]) -> str:
        suffix = f"-{job['suffix']}" if job.get("suffix") else ""
        return f"{job['model']}.ft-{job['id'].removeprefix('ftjob-')}{suffix}"

    def event_messages(self, job: dict[str, Any]) -> list[str]:
        return ["Job enqueued. Waiting for jobs ahead to complete.", f"Job {job['status']}"]


def _error(message: str, code: str | None) -> dict[str, Any]:
    return {"error": {"message": message, "type": None, "param": None, "code": code}}


class Handler(fake_server.Handler):
    api: FakeAzure

    def _serve(self, method: str) -> None:
        url = urlparse(self.path)
        query = parse_qs(url.query)
        body = self._body()
        if url.path.startswith("/openai/v1/"):
            shape, route = "v1", url.path[len("/openai/v1") :]
        elif url.path.startswith("/openai/"):
            shape, route = "versioned", url.path[len("/openai") :]
        else:
            shape, route = "none", url.path
        self.api.seen.append(
            Seen(method, url.path, route, shape, query, {k.lower(): v for k, v in self.headers.items()})
        )
        if self.headers.get("api-key") != self.api.key:
            return self._send(401, {"error": {"code": "401", "message": KEY_REFUSED}})
        if shape == "none":
            return self._send(404, {"error": {"code": "404", "message": "Resource not found"}})
        if shape == "versioned" and not query.get("api-version"):
            return self._send(
                404, {"error": {"code": "404", "message": "Resource not found (no api-version was given)"}}
            )
        fault = self.api.fault_for(method, route)
        if fault and fault.status:
            headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
            message = fault.message or f"injected {fault.status}"
            return self._send(fault.status, _error(message, fault.code or str(fault.status)), headers)
        status, answer = self._route(method, route, query, body)
        if fault and fault.drop:
            return self._drop()
        if fault and fault.delay:
            time.sleep(fault.delay)
        if fault and fault.malformed:
            return self._send_raw(201, b'{"id": "ftjob-broken", "status": ')
        return self._send(status, answer)

    def _route(self, method: str, route: str, query: dict[str, list[str]], body: bytes) -> tuple[int, dict[str, Any]]:
        api = self.api
        if route == "/files" and method == "POST":
            fields = self._multipart(body)
            return 201, api.upload(fields["file"][0], fields["purpose"][1].decode(), fields["file"][1])
        if route == "/files" and method == "GET":
            purpose = query.get("purpose", [None])[0]
            return 200, page([f for f in api.files.values() if purpose in (None, f["purpose"])])
        file = re.fullmatch(r"/files/([\w-]+)", route)
        if file and file.group(1) in api.files and method == "GET":
            return 200, api.read_file(file.group(1))
        if route == "/fine_tuning/jobs" and method == "POST":
            api.create_bodies.append(json.loads(body))
            return api.create(json.loads(body))
        if route == "/fine_tuning/jobs" and method == "GET":
            newest = sorted(api.jobs.values(), key=lambda job: job["created_at"], reverse=True)
            return 200, page(newest[: int(query.get("limit", ["20"])[0])])
        answer = api.job_route(method, route)
        if answer is not None:
            return answer
        return 404, {"error": {"code": "404", "message": f"Resource not found: {method} {route}"}}


def serve(key: str) -> FakeAzure:
    api = FakeAzure(key)
    api.endpoint = f"http://127.0.0.1:{fake_server.start(api, Handler).server_port}"
    return api
