"""The documentation shows what the tool really does: README commands reproduce their output, and the
Python example in docs/cost-model.md runs."""

import inspect
import json
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
    from advisor.pricing.catalog import load_catalog

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
    from advisor.recommend.scenario import RETIRED_KEYS, SECTIONS

    documented = (ROOT / "docs" / "recommendations.md").read_text()
    missing = [rule.id for rule in RULES if f"`{rule.id}`" not in documented]
    missing += [
        f"{section}.{key}"
        for section, model in SECTIONS.items()
        for key in model.model_fields
        if f"{section}.{key}" not in documented
    ]
    missing += [f"{section}.{key}" for section, key in RETIRED_KEYS if f"| `{section}.{key}` |" not in documented]
    assert not missing, f"docs/recommendations.md does not describe: {missing}"


PLUGINS_DOC = (ROOT / "docs" / "plugins.md").read_text()


def test_every_hook_and_provider_member_is_documented() -> None:
    from advisor import hookspecs
    from advisor.providers.base import Provider

    hooks = [name for name in vars(hookspecs) if name.startswith("advisor_")]
    members = [*Provider.__annotations__, *(name for name in vars(Provider) if not name.startswith("_"))]
    assert hooks and "create_job" in members
    missing = [name for name in hooks if f"| `{name}` |" not in PLUGINS_DOC]
    # each hook's arguments too, as its table row names them (a renamed argument breaks plugins)
    for name in hooks:
        row = next((line for line in PLUGINS_DOC.splitlines() if line.startswith(f"| `{name}` |")), "")
        missing += [
            f"{name}({arg})" for arg in inspect.signature(getattr(hookspecs, name)).parameters if f"`{arg}`" not in row
        ]
    members += ["credentials", "settings"]  # optional members (capabilities: DeclaresCredentials, TakesSettings)
    missing += [name for name in members if not re.search(rf"^`{name}(\(|`)", PLUGINS_DOC, flags=re.M)]
    assert not missing, f"docs/plugins.md does not describe: {missing}"


def test_the_tutorial_plugin_installs_and_launches_a_dry_run(advisor, tmp_path: Path, monkeypatch) -> None:
    """The Acme provider on docs/plugins.md, installed as a real plugin, does what the page says."""
    from .test_plugins import install_fake_plugin

    table = re.search(r"```toml\n# plugins/advisor-acme/src/advisor_acme/acme.toml\n(.*?)```", PLUGINS_DOC, re.S)
    (tmp_path / "acme.toml").write_text(table.group(1))  # beside the module, as the page lays it out
    source = re.search(r"```python\n(.*?)```", PLUGINS_DOC, flags=re.S).group(1)
    install_fake_plugin(tmp_path, monkeypatch, "advisor_acme", source)
    listing = json.loads(advisor("providers", "--format", "json").out)
    (acme,) = [row for row in listing["providers"] if row["provider"] == "acme"]
    assert acme["methods"] == ["sft", "dpo"] and listing["warnings"] == []
    assert [m["model"] for m in acme["trains"]] == ["acme-small", "acme-small"]  # its own table, no --pricing
    rows = [
        {"messages": [{"role": "user", "content": f"q{i}"}, {"role": "assistant", "content": f"a{i}"}]}
        for i in range(60)
    ]
    train = tmp_path / "train.jsonl"
    train.write_text("".join(json.dumps(row) + "\n" for row in rows))
    launch = ["launch", "--provider", "acme", "--method", "sft", "--model", "acme-small", "--training-file", str(train)]
    result = advisor(*launch, "--dry-run")
    assert result.code == 0, result.err
    assert "PUT https://api.acme.example/v1/files?name=<run id>-training.jsonl" in result.out
    assert '"tag": "<run id>"' in result.out
    assert "(acme:acme-small fine_tuning training, as_of 2026-11-01)" in result.out  # priced from its own table
    refused = advisor(*launch, "--suffix", "v1", "--dry-run")
    assert refused.code == 1 and "Acme does not name models: drop --suffix" in refused.err
