"""Every command a recommendation prints runs as printed, from the folder the user is in (issue 24, item 5).

For each shipped example, with every installed provider plugin, `advisor recommend` is run from a folder
that is not the repository's root (the examples copied beside it, so that `dataset split` writes into the
copy), and each printed command is then run in order from that same folder: `dataset check` and `split`,
`recommend`, and each launch with its `--dry-run`. Each must exit 0. `--today` fixes the date the
recommendation was made for; nothing else is added.

Placeholders are filled in only where the command's comment names them (`# fill in TRAIN.jsonl: ...`):
the files are written under the names the command gives them (a valid file for the launch's method), and
SFT_MODEL, the model an SFT job has not produced yet, stands for the base model that job trains. `advisor
jobs watch JOB` is not run: only a launched job has an id. A `pip install` line is not run (no network):
it must come right before the launch of a provider that is not installed, which is then not run either.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
from pathlib import Path

import pytest

from advisor.plugins import load_plugins
from advisor.recommend.recommendation import PLACEHOLDERS

from .conftest import EXAMPLES

TODAY = "2026-12-01"
FILES = [
    *sorted((EXAMPLES / "scenarios").glob("*.toml")),
    EXAMPLES / "invoice-extraction" / "scenario.toml",
    EXAMPLES / "migration" / "scenario.toml",
]
FILL_IN = re.compile(r"#.*\bfill in (?P<named>.*)$")
GRADER = {
    "type": "string_check",
    "name": "exact answer",
    "input": "{{sample.output_text}}",
    "reference": "{{item.answer}}",
    "operation": "eq",
}


def example_id(path: Path) -> str:
    return path.parent.name if path.name == "scenario.toml" else path.stem


def named_placeholders(command: str) -> set[str]:
    """The placeholders a command's comment says to fill in."""
    found = FILL_IN.search(command)
    if found is None:
        return set()
    return {name for name in PLACEHOLDERS if re.search(rf"(?:^|; ){re.escape(name)}: ", found.group("named"))}


def placeholders_in(words: list[str]) -> set[str]:
    """The placeholder words a command holds (anything written like one: `TRAIN.jsonl`, `JOB`)."""
    return {word for word in words if word in PLACEHOLDERS or re.fullmatch(r"[A-Z][A-Z_]+(\.[a-z.]+)?", word)}


def training_lines(method: str, count: int = 50) -> list[dict[str, object]]:
    """`count` distinct, valid examples of `method`'s data."""
    rows: list[dict[str, object]] = []
    for n in range(count):
        question = f"What is {n} plus {n + 1}?"
        answer = str(2 * n + 1)
        if method == "sft":
            rows.append({"messages": [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]})
        elif method == "dpo":
            rows.append(
                {
                    "input": {"messages": [{"role": "user", "content": question}]},
                    "preferred_output": [{"role": "assistant", "content": answer}],
                    "non_preferred_output": [{"role": "assistant", "content": f"about {answer}0"}],
                }
            )
        else:  # rft: graded prompts, the answer the grader reads
            rows.append({"messages": [{"role": "user", "content": question}], "answer": answer})
    return rows


def write_jsonl(path: Path, rows: list[dict[str, object]]) -> None:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")


def fill_in(words: list[str], named: set[str], method: str, folder: Path, base: str | None) -> list[str]:
    """The command with its named placeholders filled in: files written where the command names them."""
    if "TRAIN.jsonl" in named and not (folder / "TRAIN.jsonl").exists():
        write_jsonl(folder / "TRAIN.jsonl", training_lines(method))
    if "PAIRS.jsonl" in named:
        write_jsonl(folder / "PAIRS.jsonl", training_lines("dpo"))
    if "GRADER.json" in named:
        (folder / "GRADER.json").write_text(json.dumps(GRADER), encoding="utf-8")
    if "SFT_MODEL" in named:
        assert base is not None, "an SFT_MODEL with no SFT launch before it"
        words = [base if word == "SFT_MODEL" else word for word in words]
    return words


def flag(words: list[str], name: str) -> str | None:
    return words[words.index(name) + 1] if name in words else None


@pytest.mark.parametrize("scenario", FILES, ids=example_id)
def test_every_printed_command_runs_as_printed(
    advisor, scenario: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ADVISOR_LOAD_PLUGINS", raising=False)
    run_as_printed(advisor, scenario, tmp_path, monkeypatch)


@pytest.mark.parametrize(
    ("plugins", "scenario", "methods"),
    [
        ("together", "scenarios/support-replies.toml", ["sft", "dpo"]),  # DPO on the model the SFT job makes
        ("local", "scenarios/math-word-problems.toml", ["rft"]),  # GRPO: max_completion_length required
        ("openai", "invoice-extraction/scenario.toml", ["sft"]),
    ],
)
def test_with_one_provider_plugin_installed(
    advisor, plugins: str, scenario: str, methods: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With one plugin only, the recommendation trains where that plugin launches, or installs the plugin
    it needs first."""
    monkeypatch.setenv("ADVISOR_LOAD_PLUGINS", plugins)
    launched = run_as_printed(advisor, EXAMPLES / scenario, tmp_path, monkeypatch)
    assert [method for provider, method in launched if provider == plugins] == methods


def run_as_printed(
    advisor, scenario: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> list[tuple[str | None, str | None]]:
    """Recommend `scenario` from a folder of its own and run every command printed; the (provider, method)
    of each launch that ran."""
    copy = tmp_path / "repo" / "examples"
    shutil.copytree(EXAMPLES, copy)
    here = tmp_path / "elsewhere"
    here.mkdir()
    monkeypatch.chdir(here)
    given = Path("..") / "repo" / "examples" / scenario.relative_to(EXAMPLES)
    report = advisor("recommend", str(given), "--format", "json", "--today", TODAY)
    assert report.code == 0, report.err
    commands: list[str] = json.loads(report.out)["commands"]
    installed = set(load_plugins().providers)
    launches = [shlex.split(c, comments=True) for c in commands if c.startswith("advisor launch")]
    method = next((flag(words, "--method") or "sft" for words in launches), "sft")
    base: str | None = None
    skip_next_launch = False
    ran: list[str] = []
    done: list[list[str]] = []
    for command in commands:
        words = shlex.split(command, comments=True)
        named = named_placeholders(command)
        assert placeholders_in(words) <= named, f"a placeholder its comment does not name: {command}"
        if words[0] == "pip":
            provider = words[-1].rsplit("advisor-", 1)[-1]
            assert provider not in installed, f"an install line for an installed provider: {command}"
            skip_next_launch = True
            continue
        assert words[0] == "advisor", command
        if words[1:3] == ["jobs", "watch"]:
            assert named == {"JOB"}
            continue
        if words[1] == "launch":
            provider = flag(words, "--provider")
            assert (provider in installed) != skip_next_launch, f"{provider}: installed {sorted(installed)}"
            if flag(words, "--method") == "sft":
                base = flag(words, "--model")
            if skip_next_launch:  # a provider that is not installed: its plugin comes first
                skip_next_launch = False
                continue
            assert "--dry-run" in words and "--epochs" in words  # Together has no automatic epoch count
        words = fill_in(words, named, method, here, base)
        dated = ["--today", TODAY] if words[1] in ("launch", "recommend", "estimate") else []
        if words[1:3] == ["dataset", "check"]:
            dated = ["--today", TODAY]
        result = advisor(*words[1:], *dated)
        assert result.code == 0, f"{command}\n{result.out}\n{result.err}"
        ran.append(words[1])
        if words[1] == "launch":
            done.append(words)
    assert not skip_next_launch
    if launches:
        assert ran.count("dataset") == 2  # checked and split before any launch
    return [(flag(words, "--provider"), flag(words, "--method")) for words in done]


def test_paths_are_relative_to_the_folder_the_commands_run_from(advisor, tmp_path: Path, monkeypatch) -> None:
    """`make demo` runs from the repository's root: the training file is named from there, not from the
    scenario's folder; from outside the folder it is absolute."""
    monkeypatch.setenv("ADVISOR_LOAD_PLUGINS", "")
    scenario = EXAMPLES / "invoice-extraction" / "scenario.toml"
    monkeypatch.chdir(EXAMPLES.parent)
    run = advisor("recommend", str(scenario.relative_to(EXAMPLES.parent)), "--format", "json", "--today", TODAY)
    commands = json.loads(run.out)["commands"]
    assert commands[0] == "advisor dataset check examples/invoice-extraction/train.jsonl"
    monkeypatch.chdir(tmp_path)
    run = advisor("recommend", str(scenario), "--format", "json", "--today", TODAY)
    commands = json.loads(run.out)["commands"]
    assert commands[0] == f"advisor dataset check {EXAMPLES / 'invoice-extraction' / 'train.jsonl'}"
    assert commands[-1] == f"advisor recommend {scenario} --format markdown  # this report"


def test_a_provider_that_is_not_installed_is_installed_first(advisor, monkeypatch) -> None:
    """With no provider plugin loaded, the launch is preceded by the line that installs its plugin: from
    the source folder when the command runs where it is (`./plugins/advisor-openai`)."""
    monkeypatch.setenv("ADVISOR_LOAD_PLUGINS", "")
    monkeypatch.chdir(EXAMPLES.parent)
    run = advisor("recommend", "examples/invoice-extraction/scenario.toml", "--format", "json", "--today", TODAY)
    commands = json.loads(run.out)["commands"]
    (launch,) = [n for n, c in enumerate(commands) if c.startswith("advisor launch")]
    provider = flag(shlex.split(commands[launch]), "--provider")
    assert commands[launch - 1] == (
        f"pip install ./plugins/advisor-{provider}  # the {provider} provider plugin is not installed"
    )
    assert (EXAMPLES.parent / "plugins" / f"advisor-{provider}" / "pyproject.toml").is_file()


def test_the_terminal_report_prints_each_command_on_one_line(advisor, monkeypatch) -> None:
    """Piped at 80 columns, a command longer than the width is still one line (a paste runs it whole)."""
    monkeypatch.setenv("ADVISOR_LOAD_PLUGINS", "")
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.chdir(EXAMPLES.parent)
    scenario = "examples/invoice-extraction/scenario.toml"
    commands = json.loads(advisor("recommend", scenario, "--format", "json", "--today", TODAY).out)["commands"]
    report = advisor("recommend", scenario, "--today", TODAY).out
    assert max(map(len, commands)) > 80
    assert [line.removeprefix("  $ ") for line in report.splitlines() if line.startswith("  $ ")] == commands
