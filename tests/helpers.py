"""Helpers the provider tests share (test_launch.py, test_jobs.py, test_azure_provider.py,
test_together_provider.py): the job ledger as a list, the ledger checked against a fake server, the key
searched for in every output and file, JSONL files and the data sets they are made from.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from advisor.providers.ledger import Ledger, Run

# data sets and a grader the OpenAI-shaped launches share (OpenAI, Azure OpenAI)
DPO_ROWS = [
    {
        "input": {"messages": [{"role": "user", "content": f"Reply to ticket {i}"}]},
        "preferred_output": [{"role": "assistant", "content": f"Thanks, ticket {i} is fixed."}],
        "non_preferred_output": [{"role": "assistant", "content": f"Ticket {i}: read the manual."}],
    }
    for i in range(60)
]
RFT_ROWS = [{"messages": [{"role": "user", "content": f"What is {i} + {i}?"}], "answer": str(2 * i)} for i in range(60)]
EXACT_GRADER = {
    "type": "string_check",
    "name": "exact",
    "operation": "eq",
    "input": "{{ sample.output_text }}",
    "reference": "{{ item.answer }}",
}


def ledger_runs() -> list[Run]:
    ledger = Ledger()
    try:
        return ledger.runs()
    finally:
        ledger.close()


def assert_ledger_matches(tagged: dict[str, str]) -> None:
    """Each server job (job id -> the run id it carries) is in the ledger under that run id, and no run has
    two jobs."""
    assert len(set(tagged.values())) == len(tagged), "two jobs for one run"
    assert {run.job_id: run.run_id for run in ledger_runs() if run.job_id} == tagged


def assert_ledger_matches_server(api: Any) -> None:
    """The same for a fake whose jobs are tagged with the run id in `metadata` (OpenAI, Azure OpenAI)."""
    assert_ledger_matches({job_id: job["metadata"]["advisor_run_id"] for job_id, job in api.jobs.items()})


def assert_key_nowhere(key: str, outputs: list[Any], data_dir: Path) -> None:
    """The key is in no command's output and no file advisor wrote (the ledger among them)."""
    for output in outputs:
        assert key not in output.out + output.err
    files = [path for path in data_dir.rglob("*") if path.is_file()]
    assert any(path.name.startswith("ledger.sqlite3") for path in files)
    for path in files:
        assert key.encode() not in path.read_bytes(), path


def write_jsonl(path: Path, rows: list[Any]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


def kill_run_processes(runs: Path) -> None:
    """Stop every training process group a local run folder records (a test's processes never outlive it)."""
    import contextlib
    import os
    import signal

    for job in runs.glob("*/job.json"):
        pid = json.loads(job.read_text()).get("pid")
        if pid:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
