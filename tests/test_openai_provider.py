"""The OpenAI plugin's own pieces: request bodies, status mapping, reading jobs and Retry-After."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from advisor.providers.base import FINISHED, Job, JobRequest
from advisor.providers.retry import LONGEST_WAIT
from advisor.providers.retry import retry_after as _retry_after
from advisor_openai.provider import STATUSES, OpenAIProvider

from .strategies import json_values

PROVIDER = OpenAIProvider()
ADVISOR_STATUSES = {"validating", "queued", "running", "paused", "succeeded", "failed", "cancelled", "unknown"}

requests = st.builds(
    JobRequest,
    run_id=st.from_regex(r"adv-[0-9a-f]{16}", fullmatch=True),
    method=st.sampled_from(["sft", "dpo", "rft"]),
    model=st.sampled_from(["gpt-4.1-mini-2025-04-14", "o4-mini-2025-04-16"]),
    training_file=st.from_regex(r"file-[a-z0-9]{8}", fullmatch=True),
    validation_file=st.none() | st.just("file-valid"),
    grader=st.none() | st.just({"type": "string_check"}),
    suffix=st.none() | st.text(max_size=64),
    epochs=st.just("auto") | st.integers(1, 50),
    seed=st.none() | st.integers(0, 2**31),
)


class TestJobBody:
    @given(requests)
    def test_every_body_carries_the_run_id_and_its_method(self, request: JobRequest) -> None:
        body = PROVIDER.job_body(request)
        kind = {"sft": "supervised", "dpo": "dpo", "rft": "reinforcement"}[request.method]
        assert body["metadata"] == {"advisor_run_id": request.run_id}
        assert body["method"]["type"] == kind and set(body["method"]) == {"type", kind}
        assert body["method"][kind]["hyperparameters"]["n_epochs"] == request.epochs
        assert ("grader" in body["method"][kind]) == (request.method == "rft")
        assert "hyperparameters" not in body  # top-level hyperparameters are deprecated
        for optional in ("validation_file", "suffix", "seed"):
            assert body.get(optional) == getattr(request, optional)


class TestStatuses:
    def test_every_documented_status_is_mapped(self) -> None:
        documented = {"validating_files", "queued", "running", "succeeded", "failed", "cancelled", "pausing", "paused"}
        assert documented <= set(STATUSES)
        assert {PROVIDER.map_status(s) for s in ("succeeded", "failed", "cancelled")} == FINISHED

    @given(st.text())
    def test_any_status_maps_onto_advisors(self, status: str) -> None:
        assert PROVIDER.map_status(status) in ADVISOR_STATUSES
        if status not in STATUSES:
            assert PROVIDER.map_status(status) == "unknown"  # statuses are open-ended: never guessed


class TestReadingJobs:
    @given(st.dictionaries(st.sampled_from([*list(Job.__dataclass_fields__), "metadata", "status"]), json_values()))
    def test_any_job_json_reads_without_error(self, fields: dict) -> None:
        job = PROVIDER._job({**fields, "id": "ftjob-1"})
        assert job.id == "ftjob-1" and job.status in ADVISOR_STATUSES
        assert job.trained_tokens is None or isinstance(job.trained_tokens, int)

    def test_a_finished_job_is_read_in_full(self) -> None:
        job = PROVIDER._job(
            {
                "id": "ftjob-2",
                "status": "succeeded",
                "model": "gpt-4.1-mini-2025-04-14",
                "metadata": {"advisor_run_id": "adv-1"},
                "fine_tuned_model": "ft:gpt-4.1-mini-2025-04-14:org::abc",
                "trained_tokens": 12345,
                "error": None,
            }
        )
        assert (job.status, job.run_id, job.trained_tokens) == ("succeeded", "adv-1", 12345)


class TestRetryAfter:
    @given(st.dictionaries(st.sampled_from(["retry-after", "retry-after-ms", "other"]), st.text()), st.integers(0, 10))
    def test_any_headers_give_a_bounded_wait(self, headers: dict, attempt: int) -> None:
        assert 0 <= _retry_after(headers, attempt) <= LONGEST_WAIT

    @given(st.floats(0, LONGEST_WAIT))
    def test_seconds_and_milliseconds_are_honoured(self, seconds: float) -> None:
        assert _retry_after({"retry-after": str(seconds)}, 0) == seconds
        assert abs(_retry_after({"retry-after-ms": str(seconds * 1000)}, 0) - seconds) < 1e-9

    def test_without_a_header_the_wait_doubles(self) -> None:
        assert [_retry_after({}, attempt) for attempt in range(8)] == [1, 2, 4, 8, 16, 32, 60, 60]
