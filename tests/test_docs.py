"""The documentation shows what the tool really does: README commands reproduce their output, and the
Python example in docs/cost-model.md runs."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

README = (ROOT / "README.md").read_text()
COMMANDS = re.findall(r"```\n\$ (advisor (?:[^\n]*\\\n)*[^\n]*)\n(.*?)```", README, flags=re.S)


def test_readme_has_the_quick_start_and_three_examples() -> None:
    quick_start = README.split("## Quick start")[1].split("##")[0]
    assert "make demo" in quick_start and "make test" in quick_start
    assert len(COMMANDS) == 3


@pytest.mark.parametrize(("command", "shown"), COMMANDS, ids=[c.split()[1] for c, _ in COMMANDS])
def test_readme_command_prints_what_the_readme_shows(command: str, shown: str, tmp_path: Path) -> None:
    advisor = Path(sys.executable).with_name("advisor")
    line = re.sub(r"\\\n\s*", "", command).replace("advisor", str(advisor), 1)
    env = {**os.environ, "COLUMNS": "100", "ADVISOR_CONFIG_DIR": str(tmp_path)}
    result = subprocess.run(line, shell=True, cwd=ROOT, capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    assert [row.rstrip() for row in result.stdout.rstrip().splitlines()] == shown.rstrip().split("\n")


def test_cost_model_python_example_runs() -> None:
    code = re.search(r"```python\n(.*?)```", (ROOT / "docs" / "cost-model.md").read_text(), flags=re.S).group(1)
    namespace: dict[str, object] = {}
    exec(compile(code, "docs/cost-model.md", "exec"), namespace)
    assert namespace["result"].training_usd == 30  # 2M tokens x 3 epochs at $5 per 1M


def test_every_dataset_check_is_documented(tmp_path: Path) -> None:
    from advisor.price_catalog import load_catalog

    from .test_dataset_check import CORPUS, check, write

    documented = (ROOT / "docs" / "datasets.md").read_text()
    catalog = load_catalog(include_user=False)
    codes = {"over-limit", "rft-too-many", "grader-field-missing"}
    for case in CORPUS:
        report = check(write(tmp_path / f"{case.name}.jsonl", case.lines), catalog, method=case.method)
        codes |= {problem.code for problem in report.problems}
    missing = sorted(
        code for code in codes if f"`{code}`" not in documented and f"`-{code.split('-')[-1]}`" not in documented
    )
    assert not missing, f"docs/datasets.md does not describe: {missing}"


def test_every_rule_and_scenario_key_is_documented() -> None:
    from advisor.recommend.rules import RULES
    from advisor.scenario import SECTIONS

    documented = (ROOT / "docs" / "recommendations.md").read_text()
    missing = [rule.id for rule in RULES if f"`{rule.id}`" not in documented]
    missing += [
        f"{section}.{key}"
        for section, model in SECTIONS.items()
        for key in model.model_fields
        if f"{section}.{key}" not in documented
    ]
    assert not missing, f"docs/recommendations.md does not describe: {missing}"
