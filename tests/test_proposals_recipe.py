"""The CI recipe of examples/proposals/ and docs/proposals.md: the scheduled workflow's own shell steps run
on a copy of the sample proposal (check; when stale, update and the pull request's body), and the sample
is current as shipped.

The steps run as the workflow writes them, in bash, with the real `advisor` on the PATH; only the date is
pinned (each advisor command gets `--today`) and the git push and `gh pr create` step is not run."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from .conftest import EXAMPLES, ROOT

RECIPE = EXAMPLES / "proposals"
WORKFLOW = RECIPE / "refresh-proposals.yml"
SAMPLE = RECIPE / "proposal.md"
TODAY = "2026-12-07"  # the day the sample was rendered on


@pytest.fixture(autouse=True)
def bundled_tables_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """The sample is rendered with advisor's own tables: the workflow installs advisor alone (`pip install .`)."""
    monkeypatch.setenv("ADVISOR_LOAD_PLUGINS", "")


def workflow() -> dict[str, Any]:
    loaded = yaml.safe_load(WORKFLOW.read_text())
    assert isinstance(loaded, dict)
    return loaded


def steps() -> dict[str, dict[str, Any]]:
    return {step["name"]: step for step in workflow()["jobs"]["refresh"]["steps"] if "name" in step}


def advisor_commands(script: str) -> list[str]:
    return re.findall(r"^\s*(advisor doc \w+ [^|>\n]*?)\s*(?:[|>].*)?$", script, flags=re.M)


class TestTheWorkflow:
    def test_runs_on_a_schedule_and_by_hand_with_the_rights_a_pull_request_needs(self) -> None:
        flow = workflow()
        triggers = flow[True]  # YAML 1.1 reads the key `on` as true
        assert triggers["schedule"][0]["cron"] and "workflow_dispatch" in triggers
        assert flow["permissions"] == {"contents": "write", "pull-requests": "write"}

    def test_checks_then_updates_the_documents_it_names_and_opens_a_pull_request(self) -> None:
        named = steps()
        assert advisor_commands(named["Check the proposals"]["run"]) == ["advisor doc check $PROPOSALS"]
        update = named["Update the stale blocks"]
        assert update["if"] == "steps.check.outputs.status == '1'"
        assert advisor_commands(update["run"]) == ["advisor doc update $PROPOSALS"]
        pull_request = named["Open a pull request"]
        assert pull_request["if"] == "steps.check.outputs.status == '1'"
        assert "gh pr create" in pull_request["run"] and '--body-file "$RUNNER_TEMP/pr-body.md"' in pull_request["run"]
        assert workflow()["env"]["PROPOSALS"] == str(SAMPLE.relative_to(ROOT))

    def test_the_docs_show_the_workflow_as_shipped(self) -> None:
        docs = (ROOT / "docs" / "proposals.md").read_text()
        shown = re.search(r"^```yaml\n(.*?)^```$", docs, flags=re.S | re.M)
        assert shown is not None and shown.group(1) == WORKFLOW.read_text()


def run_step(name: str, folder: Path, temp: Path, today: str = TODAY) -> subprocess.CompletedProcess[str]:
    """A step's script in bash, as the runner runs it (`bash -e`), in a copy of the repository's examples."""
    advisor = Path(sys.executable).with_name("advisor")
    pinned = f'advisor() {{ "{advisor}" "$@" --today {today}; }}\n'
    env = {
        **os.environ,
        "PROPOSALS": workflow()["env"]["PROPOSALS"],
        "RUNNER_TEMP": str(temp),
        "GITHUB_OUTPUT": str(temp / "github_output"),
        "ADVISOR_LOAD_PLUGINS": "",
    }
    script = pinned + steps()[name]["run"]
    return subprocess.run(["bash", "-e", "-c", script], cwd=folder, env=env, capture_output=True, text=True)


@pytest.fixture
def repository(tmp_path: Path) -> Path:
    """The examples where the workflow finds them, in a folder of their own."""
    shutil.copytree(EXAMPLES, tmp_path / "repo" / "examples")
    (tmp_path / "runner").mkdir()
    return tmp_path / "repo"


class TestTheWorkflowsSteps:
    def test_a_current_sample_passes_the_check_and_nothing_else_runs(self, repository: Path, tmp_path: Path) -> None:
        check = run_step("Check the proposals", repository, tmp_path / "runner")
        assert check.returncode == 0, check.stdout + check.stderr
        assert (tmp_path / "runner" / "github_output").read_text() == "status=0\n"
        assert check.stdout.count(": current") == 4

    def test_a_stale_sample_is_updated_and_the_pull_requests_body_says_why(
        self, repository: Path, tmp_path: Path
    ) -> None:
        runner = tmp_path / "runner"
        scenario = repository / "examples" / "scenarios" / "classifier-distill.toml"
        scenario.write_text(
            scenario.read_text().replace("requests_per_month = 3000000", "requests_per_month = 3500000")
        )
        sample = repository / "examples" / "proposals" / "proposal.md"
        before = sample.read_bytes()
        check = run_step("Check the proposals", repository, runner)
        assert check.returncode == 0, check.stderr  # status 1 is not a failure of the job: it is reported
        assert (runner / "github_output").read_text() == "status=1\n"
        assert sample.read_bytes() == before
        update = run_step("Update the stale blocks", repository, runner)
        assert update.returncode == 0, update.stderr
        body = (runner / "pr-body.md").read_text()
        listed, diff = body.split("<details>")
        reasons = [line for line in listed.splitlines() if line.startswith("- ")]
        where = "- examples/proposals/proposal.md:{} {} (../scenarios/classifier-distill.toml): updated: "
        lines = before.decode().splitlines()
        begins = {  # the line of each block on the classifier scenario, as the sample has it
            section: next(n for n, line in enumerate(lines, 1) if "classifier-distill" in line and section in line)
            for section in ("where", "chart")
        }
        assert reasons == [
            where.format(begins["where"], "where") + "figures changed: scenario changed",
            where.format(begins["chart"], "chart") + "figures changed: scenario changed",
        ]
        assert "+<!-- advisor:provenance" in diff  # the check's diff, folded away under details
        assert sample.read_bytes() != before
        again = run_step("Check the proposals", repository, runner)
        assert again.returncode == 0 and (runner / "github_output").read_text().endswith("status=0\n")

    def test_a_bad_block_fails_the_job(self, repository: Path, tmp_path: Path) -> None:
        sample = repository / "examples" / "proposals" / "proposal.md"
        sample.write_text(sample.read_text().replace("<!-- advisor:end -->", "", 1))
        check = run_step("Check the proposals", repository, tmp_path / "runner")
        assert check.returncode != 0
        assert check.stderr == (
            "advisor: error: examples/proposals/proposal.md:24: advisor:begin inside the block begun on line 13; "
            "end that block with <!-- advisor:end --> first; blocks do not nest\n"
        )


def test_the_sample_is_current_as_shipped(advisor, update_snapshots: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    """Like the snapshots: after an intended change to the report, `pytest --update-snapshots` renders the
    sample again (review its diff)."""
    monkeypatch.chdir(ROOT)
    path = str(SAMPLE.relative_to(ROOT))
    if update_snapshots:
        assert advisor("doc", "update", path, "--today", TODAY).code == 0
    run = advisor("doc", "check", path, "--today", TODAY)
    assert run.code == 0, f"{run.out}{run.err}\nrun pytest --update-snapshots, review and commit the sample"


@pytest.fixture
def update_snapshots(pytestconfig: pytest.Config) -> bool:
    return bool(pytestconfig.getoption("update_snapshots", default=False))
