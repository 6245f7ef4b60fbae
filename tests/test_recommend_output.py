"""`advisor recommend`: snapshot tests of the Markdown and JSON for every shipped scenario, the JSON
contract, and the command line.

A missing or different snapshot fails. After an intended change, regenerate them explicitly with
`python -m pytest tests/test_recommend_output.py --update-snapshots` (the option is defined in
tests/conftest.py), review the diff of tests/snapshots/ and commit it."""

import json
from pathlib import Path

import pytest

from .conftest import EXAMPLES

SNAPSHOTS = Path(__file__).parent / "snapshots"
FILES = [
    *sorted((EXAMPLES / "scenarios").glob("*.toml")),
    EXAMPLES / "invoice-extraction" / "scenario.toml",
    EXAMPLES / "migration" / "scenario.toml",
]
TODAY = "2026-12-01"  # a month and a week before OpenAI's fine-tuning ends


@pytest.fixture(autouse=True)
def bundled_tables_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Snapshots price with advisor's own tables: installing a provider plugin must not change them."""
    monkeypatch.setenv("ADVISOR_LOAD_PLUGINS", "")


def snapshot_name(path: Path) -> str:
    return path.parent.name if path.name == "scenario.toml" else path.stem


def matches_snapshot(name: str, text: str, update: bool, folder: Path = SNAPSHOTS) -> None:
    """`text` is the snapshot `name`; with `update` (--update-snapshots) it becomes the snapshot."""
    path = folder / name
    if update:
        path.write_text(text, encoding="utf-8")
        return
    assert path.exists(), f"no snapshot {name}: run pytest with --update-snapshots, review it and commit it"
    assert text == path.read_text(encoding="utf-8"), f"{name} changed: review, then pytest --update-snapshots"


@pytest.fixture
def update_snapshots(pytestconfig: pytest.Config) -> bool:
    return bool(pytestconfig.getoption("update_snapshots", default=False))


@pytest.mark.parametrize("scenario", FILES, ids=snapshot_name)
def test_markdown_snapshot(advisor, scenario: Path, monkeypatch, update_snapshots: bool) -> None:
    monkeypatch.chdir(EXAMPLES.parent)  # stable relative paths in the report
    run = advisor("recommend", str(scenario.relative_to(EXAMPLES.parent)), "--format", "markdown", "--today", TODAY)
    assert run.code == 0, run.err
    matches_snapshot(f"{snapshot_name(scenario)}.md", run.out, update_snapshots)


@pytest.mark.parametrize("scenario", FILES, ids=snapshot_name)
def test_json_snapshot(advisor, scenario: Path, monkeypatch, update_snapshots: bool) -> None:
    monkeypatch.chdir(EXAMPLES.parent)
    run = advisor("recommend", str(scenario.relative_to(EXAMPLES.parent)), "--format", "json", "--today", TODAY)
    assert run.code == 0, run.err
    matches_snapshot(f"{snapshot_name(scenario)}.json", run.out, update_snapshots)


def test_a_missing_snapshot_fails_and_is_not_written(tmp_path: Path) -> None:
    with pytest.raises(AssertionError, match=r"no snapshot new\.md"):
        matches_snapshot("new.md", "text", update=False, folder=tmp_path)
    assert not (tmp_path / "new.md").exists()
    matches_snapshot("new.md", "text", update=True, folder=tmp_path)
    matches_snapshot("new.md", "text", update=False, folder=tmp_path)
    with pytest.raises(AssertionError, match="changed"):
        matches_snapshot("new.md", "other", update=False, folder=tmp_path)


def test_json_contract(advisor) -> None:
    data = json.loads(
        advisor(
            "recommend",
            str(EXAMPLES / "scenarios" / "clinical-notes.toml"),
            "--format",
            "json",
            "--today",
            "2026-11-22",
        ).out
    )
    choice = data["recommendation"]
    assert choice["primary"] == "rag+sft" and choice["plan"] == ["rag", "sft"]
    assert isinstance(choice["alternatives"], list)
    assert all(set(item) == {"strategy", "why"} for item in choice["not_recommended"])
    assert all(set(item) == {"rule", "says", "source"} for item in data["reasons"])
    assert isinstance(data["caveats"], list)
    for cost in data["costs"].values():
        assert {"monthly_usd", "training_usd", "payback_months"} <= cost.keys()
    assert "payback_months" in data


def test_markdown_is_a_whole_proposal_section(advisor) -> None:
    text = advisor(
        "recommend",
        str(EXAMPLES / "scenarios" / "support-replies.toml"),
        "--format",
        "markdown",
        "--today",
        "2026-11-22",
    ).out
    for heading in (
        "## Recommendation:",
        "### Why",
        "### Cost of each option",
        "### Cumulative cost",
        "```mermaid",
        "xychart-beta",
        "### Risks",
        "### Next steps",
        "### Assumptions",
    ):
        assert heading in text
    assert text.splitlines()[2].startswith("**") and text.splitlines()[2].endswith("**")


def test_terminal_report_has_the_chart(advisor) -> None:
    run = advisor("recommend", str(EXAMPLES / "scenarios" / "marketing-copy.toml"), "--today", "2026-11-22")
    assert run.code == 0
    assert "Recommendation: Marketing copy" in run.out and "Cumulative cost" in run.out and "months" in run.out
    assert "● Today (prompting" in run.out


def test_output_file_with_chart_beside_it_and_no_overwrite(advisor, tmp_path: Path) -> None:
    target = tmp_path / "proposal.md"
    scenario = str(EXAMPLES / "scenarios" / "marketing-copy.toml")
    run = advisor("recommend", scenario, "--format", "markdown", "--output", str(target), "--today", "2026-11-22")
    assert run.code == 0
    chart = tmp_path / "proposal.payback.svg"
    assert chart.read_text().startswith("<svg") and "SFT (recommended)" in chart.read_text()
    assert "![Cumulative cost over 12 months](proposal.payback.svg)" in target.read_text()
    target.write_text("my edits")
    again = advisor("recommend", scenario, "--format", "markdown", "--output", str(target))
    assert again.code == 2 and "--force" in again.err and target.read_text() == "my edits"
    forced = advisor("recommend", scenario, "--format", "markdown", "--output", str(target), "--force")
    assert forced.code == 0 and target.read_text().startswith("## Recommendation")


def test_bad_scenario_is_one_line_and_status_2(advisor, tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    path.write_text('[task]\nkind = "poem"\n')
    run = advisor("recommend", str(path))
    assert run.code == 2 and len(run.err.strip().splitlines()) == 1
    assert f"{path}:2: task.kind: 'poem' is not allowed; use one of" in run.err


@pytest.mark.parametrize("scenario", FILES, ids=snapshot_name)
def test_every_example_trains_where_a_job_can_start_today_and_serves_until_payback(
    advisor, scenario: Path, monkeypatch
) -> None:
    """On 2026-12-01, with every installed provider plugin's places too, the recommended place can start
    the job that day and serves at least until the fine-tune has paid back."""
    from datetime import date, timedelta

    monkeypatch.delenv("ADVISOR_LOAD_PLUGINS")
    run = advisor("recommend", str(scenario), "--format", "json", "--today", TODAY)
    assert run.code == 0, run.err
    rec = json.loads(run.out)
    where = rec["where"]
    if where is None:
        assert rec["recommendation"]["primary"] in ("prompt", "rag")
        return
    (place,) = [p for p in rec["where_options"] if (p["provider"], p["model"]) == (where["provider"], where["model"])]
    assert place["available"] and not any("shut down" in why or "stopped" in why for why in place["why_not"])
    assert where["jobs_until"] is None or where["jobs_until"] >= TODAY
    if where["payback_months"] is None:  # chosen for quality: it serves through the horizon
        assert where["horizon_months"] == rec["horizon_months"]
    elif where["serving_until"] is not None:
        paid_back = date.fromisoformat(TODAY) + timedelta(days=where["payback_months"] * 730 / 24)
        assert date.fromisoformat(where["serving_until"]) >= paid_back


def test_a_folders_summary_names_each_place_as_its_provider_writes_it(advisor) -> None:
    """The summary of several features reads like the reports under it: `OpenAI gpt-4.1-mini` (where a RAG or
    prompting plan runs), never the id `openai:gpt-4.1-mini`."""
    result = advisor("recommend", str(EXAMPLES / "scenarios"), "--today", TODAY, "--format", "markdown")
    assert result.code == 0, result.err
    summary = result.out.split("## Summary", 1)[1].split("\n## ", 1)[0]
    rows = [line.split(" | ") for line in summary.splitlines() if line.startswith("| ") and "---" not in line][1:]
    places = [row[2] for row in rows]
    assert places and not [place for place in places if ":" in place], places
    assert "OpenAI gpt-4.1-mini" in places
