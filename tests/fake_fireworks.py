"""A loopback fake of Fireworks AI's control plane (/v1/accounts/{account_id}/...), for tests of the real
`fireworks-ai` SDK over real HTTP.

Started on 127.0.0.1 at a free port and reached through FIREWORKS_BASE_URL. It keeps datasets, jobs and
deployments in memory and answers in Fireworks' shapes (camelCase fields, `{"code", "message"}` errors,
`nextPageToken` pages): a dataset is created (`datasetId`, 409 when it exists), its file posted to
`:upload` (multipart) and READY on the next read, with Fireworks' own token count (bytes / 4, unlike
advisor's exact count, as a real server's may differ); a job is created in its method's collection, its id
from the `...JobId` query parameter (409 when it exists), and moves CREATING, RUNNING, RUNNING, COMPLETED
as it is read; `:cancel` cancels it; deployments are created. Faults on request: an HTTP status (429 with
a short Retry-After, 5xx), and a connection dropped after the request was carried out. Lists come two to
a page, so that paging is exercised. The server plumbing is tests/fake_server.py's.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlparse

from . import fake_server

PROGRESSION = ("JOB_STATE_CREATING", "JOB_STATE_RUNNING", "JOB_STATE_RUNNING", "JOB_STATE_COMPLETED")
FINISHED = ("JOB_STATE_COMPLETED", "JOB_STATE_FAILED", "JOB_STATE_CANCELLED")
COLLECTIONS = {
    "supervisedFineTuningJobs": "supervisedFineTuningJobId",
    "dpoJobs": "dpoJobId",
    "reinforcementFineTuningJobs": "reinforcementFineTuningJobId",
}
PAGE = 2


@dataclass
class Fault(fake_server.Fault):
    retry_after: str | None = "0"  # seconds; short, so the SDK's retries take no time


@dataclass
class FakeFireworks(fake_server.FakeService):
    account: str = "acme-ml"
    datasets: dict[str, dict[str, Any]] = field(default_factory=dict)
    contents: dict[str, bytes] = field(default_factory=dict)
    jobs: dict[str, dict[str, Any]] = field(default_factory=dict)  # by resource name
    deployments: dict[str, dict[str, Any]] = field(default_factory=dict)
    reads: dict[str, int] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)
    bodies: list[tuple[str, str, Any]] = field(default_factory=list)  # (method, path, JSON body) of every POST
    headers_seen: list[str] = field(default_factory=list)
    fail_jobs: str | None = None  # jobs end FAILED with this status message
    base_url: str = ""
    fault_type: ClassVar[type[fake_server.Fault]] = Fault

    def creates(self, collection: str = "supervisedFineTuningJobs") -> int:
        return sum(1 for method, path in self.requests if method == "POST" and path == self.path(collection))

    def path(self, collection: str) -> str:
        return f"/v1/accounts/{self.account}/{collection}"

    # --- the API ----------------------------------------------------------------------------------

    def create_job(self, collection: str, job_id: str | None, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        dataset = body.get("dataset", "")
        if dataset.rsplit("/", 1)[-1] not in self.datasets or not dataset.startswith(f"accounts/{self.account}/"):
            return 400, _error(3, f"dataset {dataset} not found")
        name = f"accounts/{self.account}/{collection}/{job_id or uuid.uuid4().hex[:12]}"
        if name in self.jobs:
            return 409, _error(6, f"{name} already exists")
        now = _iso(time.time())
        job = {**body, "name": name, "state": PROGRESSION[0], "createTime": now, "updateTime": now}
        job["status"] = {"code": "OK", "message": ""}
        self.jobs[name] = job
        return 200, job

    def read(self, name: str) -> dict[str, Any]:
        """Each read moves the job one step along the progression, unless it has finished."""
        job = self.jobs[name]
        with self.lock:
            if job["state"] in FINISHED:
                return job
            count = self.reads[name] = self.reads.get(name, 0) + 1
            state = PROGRESSION[min(count, len(PROGRESSION) - 1)]
            job["jobProgress"] = {"percent": min(100, 34 * count), "epoch": 0}
            if state == "JOB_STATE_COMPLETED" and self.fail_jobs:
                state = "JOB_STATE_FAILED"
                job["status"] = {"code": "INTERNAL", "message": self.fail_jobs}
            job["state"] = state
            job["updateTime"] = _iso(time.time())
            if state in FINISHED:
                job["completedTime"] = job["updateTime"]
        return job


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat().replace("+00:00", "Z")


def _error(code: int, message: str) -> dict[str, Any]:
    return {"code": code, "message": message}


class Handler(fake_server.Handler):
    api: FakeFireworks

    def _serve(self, method: str) -> None:
        url = urlparse(self.path)
        path, query = url.path, parse_qs(url.query)
        body = self._body()
        api = self.api
        api.requests.append((method, path))
        api.headers_seen.append(str(self.headers))
        if self.headers.get("Authorization") != f"Bearer {api.key}":
            return self._send(401, _error(16, "unauthenticated: invalid API key"))
        fault = api.fault_for(method, path)
        if fault and fault.status:
            headers = {"retry-after": fault.retry_after} if fault.retry_after else {}
            return self._send(fault.status, _error(14, f"injected {fault.status}"), headers)
        if method == "POST" and "multipart" not in self.headers.get("Content-Type", ""):
            api.bodies.append((method, path, json.loads(body or b"{}")))
        status, answer = self._route(method, path, query, body)
        if fault and fault.drop:
            return self._drop()
        return self._send(status, answer)

    def _route(self, method: str, path: str, query: dict[str, list[str]], body: bytes) -> tuple[int, Any]:
        api = self.api
        prefix = f"/v1/accounts/{api.account}"
        if not path.startswith(prefix + "/"):
            return 403, _error(7, f"permission denied on {path}")
        rest = path[len(prefix) + 1 :]
        if rest == "datasets" and method == "POST":
            data = json.loads(body)
            dataset_id = data["datasetId"]
            if dataset_id in api.datasets:
                return 409, _error(6, f"dataset {dataset_id} already exists")
            dataset = {
                **data.get("dataset", {}),
                "name": f"accounts/{api.account}/datasets/{dataset_id}",
                "state": "UPLOADING",
                "createTime": _iso(time.time()),
            }
            api.datasets[dataset_id] = dataset
            return 200, dataset
        match = re.fullmatch(r"datasets/([a-z0-9-]+)(:upload)?", rest)
        if match and match.group(1) in api.datasets:
            dataset = api.datasets[match.group(1)]
            if match.group(2) and method == "POST":
                (_, data) = self._multipart(body)["file"]
                api.contents[match.group(1)] = data
                dataset["exampleCount"] = str(data.count(b"\n"))
                return 200, {}
            if match.group(1) in api.contents:  # read after its file arrived: Fireworks has read it
                dataset["state"] = "READY"
                dataset["estimatedTokenCount"] = str(len(api.contents[match.group(1)]) // 4)
            return 200, dataset
        if rest in COLLECTIONS and method == "POST":
            job_id = query.get(COLLECTIONS[rest], [None])[0]
            return api.create_job(rest, job_id, json.loads(body))
        if rest in COLLECTIONS and method == "GET":
            jobs = [job for name, job in api.jobs.items() if name.split("/")[2] == rest]
            start = int(query.get("pageToken", ["0"])[0])
            page: dict[str, Any] = {rest: jobs[start : start + PAGE]}
            if start + PAGE < len(jobs):
                page["nextPageToken"] = str(start + PAGE)
            return 200, page
        match = re.fullmatch(r"(\w+)/([a-z0-9-]+)(:cancel)?", rest)
        if match and match.group(1) in COLLECTIONS:
            name = f"accounts/{api.account}/{match.group(1)}/{match.group(2)}"
            if name not in api.jobs:
                return 404, _error(5, f"{name} not found")
            if match.group(3) and method == "POST":
                job = api.jobs[name]
                if job["state"] not in FINISHED:
                    job["state"] = "JOB_STATE_CANCELLED"
                return 200, {}
            return 200, api.read(name)
        if rest == "deployments" and method == "POST":
            data = json.loads(body)
            deployment_id = query.get("deploymentId", [uuid.uuid4().hex[:8]])[0]
            name = f"accounts/{api.account}/deployments/{deployment_id}"
            if name in api.deployments:
                return 409, _error(6, f"{name} already exists")
            api.deployments[name] = {**data, "name": name, "state": "CREATING"}
            return 200, api.deployments[name]
        match = re.fullmatch(r"deployments/([a-z0-9-]+)", rest)
        if match:
            name = f"accounts/{api.account}/deployments/{match.group(1)}"
            return (200, api.deployments[name]) if name in api.deployments else (404, _error(5, f"{name} not found"))
        return 404, _error(5, f"no such route or object: {method} {path}")


def serve(key: str) -> FakeFireworks:
    api = FakeFireworks(key)
    api.base_url = f"http://127.0.0.1:{fake_server.start(api, Handler).server_port}"
    return api
