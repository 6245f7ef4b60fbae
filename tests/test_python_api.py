"""The Python API is the command line's: `import advisor` gives recommend, estimate, tokens and dataset check
as functions whose results write exactly the text the commands print, whose keyword arguments are checked
as the flags are (same defaults, same words), whose errors are the commands' errors, and which load nothing
heavy until used. docs/python-api.md's examples run and print what the page shows."""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import re
import subprocess
import sys
from decimal import Decimal
from importlib.metadata import version
from pathlib import Path

import click
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import advisor
from advisor import AdvisorError, api

from .conftest import ROOT

SCENARIO = "examples/scenarios/support-replies.toml"
PROMPT = "examples/invoice-extraction/prompt.json"
TRAINING = "examples/invoice-extraction/train.jsonl"
TODAY = "2026-12-01"
CLI = str(Path(sys.executable).with_name("advisor"))

# today's model at a price of our own, replacing the bundled gpt-4.1 row (docs/pricing.md: overrides)
NEGOTIATED = """\
provider = "openai"
currency = "USD"
as_of = 2026-12-01
source = "https://contracts.example.com/openai-2026"

[models."gpt-4.1"]
encoding = "o200k_base"
input = 1.00
output = 4.00
"""

ESTIMATE_FLAGS = {
    "model": "gpt-4.1",
    "ft_model": "gpt-4.1-mini",
    "requests": "2M",
    "prompt_tokens": "1800",
    "cached_tokens": "1500",
    "ft_prompt_tokens": "300",
    "output_tokens": "120",
    "training_tokens": "150000",
    "examples": "400",
    "setup_cost": "2000",
}


def flags(values: dict[str, str]) -> list[str]:
    return [part for key, value in values.items() for part in (f"--{key.replace('_', '-')}", value)]


def run(*command: str) -> subprocess.CompletedProcess[str]:
    """A fresh interpreter in the repository's folder (the examples' paths are relative to it)."""
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)


def python(code: str) -> subprocess.CompletedProcess[str]:
    return run(sys.executable, "-c", code)


@pytest.fixture
def in_repository(monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(ROOT)
    return ROOT


@pytest.fixture
def negotiated(tmp_path: Path) -> Path:
    path = tmp_path / "negotiated.toml"
    path.write_text(NEGOTIATED)
    return path


class TestTheSameTextAsTheCommandLine:
    """Each function's `to_json()` is its command's `--format json` output, from two fresh processes in one
    folder, neither given a date: the API's default day is the command's."""

    def test_recommend(self) -> None:
        code = f"import advisor; print(advisor.recommend(advisor.load_scenario({SCENARIO!r})).to_json())"
        from_python, from_cli = python(code), run(CLI, "recommend", SCENARIO, "--format", "json")
        assert from_python.returncode == from_cli.returncode == 0, from_python.stderr + from_cli.stderr
        assert from_python.stdout == from_cli.stdout
        assert json.loads(from_python.stdout)["recommendation"]["primary"] == "dpo"

    def test_a_flags_only_estimate(self) -> None:
        keywords = ", ".join(f"{key}={value!r}" for key, value in ESTIMATE_FLAGS.items())
        from_python = python(f"import advisor; print(advisor.estimate({keywords}).to_json())")
        from_cli = run(CLI, "estimate", *flags(ESTIMATE_FLAGS), "--format", "json")
        assert from_python.returncode == from_cli.returncode == 0, from_python.stderr + from_cli.stderr
        assert from_python.stdout == from_cli.stdout
        assert json.loads(from_python.stdout)["requests_per_month"] == 2_000_000

    def test_tokens(self) -> None:
        code = f"import advisor; print(advisor.count_tokens({PROMPT!r}, {TRAINING!r}, model='gpt-4.1').to_json())"
        from_python = python(code)
        from_cli = run(CLI, "tokens", PROMPT, TRAINING, "--model", "gpt-4.1", "--format", "json")
        assert from_python.returncode == from_cli.returncode == 0, from_python.stderr + from_cli.stderr
        assert from_python.stdout == from_cli.stdout
        assert json.loads(from_python.stdout)["total_tokens"] == 1739 + 146130

    def test_dataset_check(self) -> None:
        code = f"import advisor; print(advisor.check_dataset({TRAINING!r}, model='gpt-4.1-mini').to_json())"
        from_python = python(code)
        from_cli = run(CLI, "dataset", "check", TRAINING, "--model", "gpt-4.1-mini", "--format", "json")
        assert from_python.returncode == from_cli.returncode == 0, from_python.stderr + from_cli.stderr
        assert from_python.stdout == from_cli.stdout
        assert json.loads(from_python.stdout)["examples"] == 400

    def test_markdown_is_the_command_s_markdown(self, advisor, in_repository: Path) -> None:
        rec = api.recommend(api.load_scenario(SCENARIO), today=TODAY)
        assert rec.to_markdown() == advisor("recommend", SCENARIO, "--today", TODAY, "--format", "markdown").out
        estimate = api.estimate(**ESTIMATE_FLAGS, today=TODAY)
        shown = advisor("estimate", *flags(ESTIMATE_FLAGS), "--today", TODAY, "--format", "markdown").out
        assert estimate.to_markdown() == shown
        assert shown.startswith("### Cost estimate: gpt-4.1 today vs fine-tuned gpt-4.1-mini (SFT)")

    def test_places_compared_are_the_command_s(self, advisor) -> None:
        values = {key: value for key, value in ESTIMATE_FLAGS.items() if key != "cached_tokens"}
        compared = api.estimate(**values, provider="all", today=TODAY)
        assert isinstance(compared, api.PlaceComparison)
        command = ["estimate", *flags(values), "--provider", "all", "--today", TODAY]
        assert compared.to_json() + "\n" == advisor(*command, "--format", "json").out
        assert compared.to_markdown() == advisor(*command, "--format", "markdown").out
        assert compared.best is not None and compared.best.place.provider == "openai"
        today = json.loads(compared.to_json())["today"]  # today's setup, priced once for every place
        assert today["uncached_prompt_tokens"] == 1800 and today["row"] == "openai:gpt-4.1 standard"
        several = api.estimate(**values, provider=["openai", "azure-openai"], today=TODAY)
        assert several.to_json() == compared.to_json()  # the two places that train gpt-4.1-mini

    def test_the_terminal_table_is_the_command_s(self, advisor, in_repository: Path) -> None:
        counted = api.count_tokens(PROMPT, TRAINING, model="gpt-4.1", today=TODAY)
        shown = io.StringIO()
        counted.show(file=shown)
        assert shown.getvalue() == advisor("tokens", PROMPT, TRAINING, "--model", "gpt-4.1", "--today", TODAY).out


class TestPricesOfYourOwn:
    """`pricing=` lays price tables over advisor's exactly as `--pricing FILE` does."""

    def test_recommend_with_a_negotiated_price(self, advisor, negotiated: Path, in_repository: Path) -> None:
        scenario = api.load_scenario(SCENARIO)
        bundled = api.recommend(scenario, today=TODAY)
        ours = api.recommend(scenario, today=TODAY, pricing=negotiated)
        cli = advisor("recommend", SCENARIO, "--today", TODAY, "--pricing", str(negotiated), "--format", "json")
        assert ours.to_json() + "\n" == cli.out
        assert bundled.recommendation.today_monthly_usd == Decimal(950)
        # 250,000 requests x (1,800 prompt tokens at $1.00 + 250 output tokens at $4.00 per 1M)
        assert ours.recommendation.today_monthly_usd == 250_000 * (1800 * Decimal(1) + 250 * Decimal(4)) / 10**6
        assert str(negotiated) in ours.to_json() and str(negotiated) not in bundled.to_json()  # named as the source

    def test_estimate_with_a_negotiated_price(self, advisor, negotiated: Path) -> None:
        bundled = api.estimate(**ESTIMATE_FLAGS, today=TODAY)
        ours = api.estimate(**ESTIMATE_FLAGS, today=TODAY, pricing=[str(negotiated)])
        cli = advisor("estimate", *flags(ESTIMATE_FLAGS), "--today", TODAY, "--pricing", str(negotiated), "--format",
                      "json")  # fmt: skip
        assert isinstance(ours, api.EstimateResult) and isinstance(bundled, api.EstimateResult)
        assert ours.to_json() + "\n" == cli.out
        assert ours.estimate.baseline_monthly_usd < bundled.estimate.baseline_monthly_usd
        assert api.estimate(**ESTIMATE_FLAGS, today=TODAY, pricing=negotiated).to_json() == ours.to_json()


class TestChecksAndErrors:
    """Keyword arguments pass or fail as the flags do, in the flags' words; bad input raises AdvisorError with
    the message the command prints."""

    @pytest.mark.parametrize(
        ("keyword", "value"),
        [
            ("requests", "0"),
            ("requests", "1.2345k"),
            ("requests", "10" * 30),
            ("prompt_tokens", "-5"),
            ("method", "ppo"),
            ("horizon", "0"),
            ("horizon", "121"),
            ("rft_hours", "0"),
            ("retrain_every", "0"),
            ("epochs", "99"),
            ("epochs", "three"),
            ("cache_hit_rate", "-1"),
            ("setup_cost", "lots"),
            ("training_cost", "nan"),
            ("today", "2026-13-01"),
        ],
    )
    def test_a_refused_keyword_says_what_the_flag_says(self, advisor, keyword: str, value: str) -> None:
        values = {**ESTIMATE_FLAGS, keyword: value}
        cli = advisor("estimate", *flags(values))
        assert cli.code == 2
        said = re.fullmatch(rf"advisor estimate: error: Invalid value for '--{keyword.replace('_', '-')}': (.*) "
                            r"\(see `advisor estimate --help`\)\n", cli.err)  # fmt: skip
        assert said, cli.err
        with pytest.raises(AdvisorError) as raised:
            api.estimate(**values)
        assert str(raised.value) == f"Invalid value for {keyword!r}: {said.group(1)}"

    @given(st.one_of(st.text(max_size=14), st.integers(-3, 10**13).map(str), st.decimals(-1, 10**13).map(str)))
    @example("1.5M")
    @example("0")
    def test_a_count_or_an_amount_passes_or_fails_as_its_flag_does(self, text: str) -> None:
        from advisor.api import arguments
        from advisor.cli.options import AMOUNT, COUNT, POSITIVE_AMOUNT

        cases = [
            (COUNT, lambda: arguments.count("n", text)),
            (AMOUNT, lambda: arguments.amount("n", text)),
            (POSITIVE_AMOUNT, lambda: arguments.amount("n", text, positive=True)),
        ]
        for flag, keyword in cases:
            try:
                expected: object = flag.convert(text, None, None)
            except click.BadParameter as error:
                expected = f"Invalid value for 'n': {error.message}"
            try:
                got: object = keyword()
            except AdvisorError as error:
                got = str(error)
            assert got == expected

    def test_numbers_may_be_written_as_python_numbers(self) -> None:
        as_text = api.estimate(**ESTIMATE_FLAGS, cache_hit_rate="0.8", today=TODAY).to_json()
        values = {**ESTIMATE_FLAGS, "requests": 2_000_000, "prompt_tokens": 1800, "setup_cost": Decimal(2000)}
        assert api.estimate(**values, cache_hit_rate=Decimal("0.8"), today=TODAY).to_json() == as_text
        assert api.estimate(**values, cache_hit_rate=0.8, today=TODAY).to_json() == as_text  # read as written
        with pytest.raises(AdvisorError, match="Invalid value for 'requests': expected a number, not True"):
            api.estimate(**{**values, "requests": True})
        with pytest.raises(AdvisorError, match="Invalid value for 'provider'"):
            api.estimate(**values, provider=[])

    def test_a_missing_scenario_is_named(self, advisor, in_repository: Path) -> None:
        missing = "examples/scenarios/no-such-file.toml"
        with pytest.raises(AdvisorError) as raised:
            api.load_scenario(missing)
        assert str(raised.value) == f"{missing}: no such file; check the path"
        assert advisor("recommend", missing).err == f"advisor: error: {raised.value}\n"

    def test_a_bad_scenario_value_is_located_as_the_command_locates_it(self, advisor, tmp_path: Path) -> None:
        bad = tmp_path / "bad.toml"
        bad.write_text('name = "x"\n\n[traffic]\nrequests_per_month = "lots"\n')
        with pytest.raises(AdvisorError) as raised:
            api.load_scenario(bad)
        assert str(raised.value).startswith(f"{bad}:4: traffic.requests_per_month:")
        assert advisor("recommend", str(bad)).err == f"advisor: error: {raised.value}\n"

    def test_another_horizon_is_checked_as_the_scenario_key(self, in_repository: Path) -> None:
        scenario = api.load_scenario(SCENARIO)
        longer = api.recommend(scenario, today=TODAY, horizon_months=36)
        usual = api.recommend(scenario, today=TODAY)
        assert (usual.recommendation.horizon_months, longer.recommendation.horizon_months) == (12, 36)
        assert longer.recommendation.costs["dpo"].total_usd != usual.recommendation.costs["dpo"].total_usd
        for months, why in ((0, "must be more than 0, not 0"), (121, "must be at most 120, not 121"),
                            (True, "expected a number, not true")):  # fmt: skip
            with pytest.raises(AdvisorError) as raised:
                api.recommend(scenario, today=TODAY, horizon_months=months)
            assert str(raised.value).startswith(f"horizon_months: {why}; give a whole number of months from 1 to 120")

    def test_tokens_without_a_tokenizer_is_the_command_s_error(self, advisor, in_repository: Path) -> None:
        with pytest.raises(AdvisorError) as raised:
            api.count_tokens(PROMPT)
        assert advisor("tokens", PROMPT).err == f"advisor: error: {raised.value}\n"
        with pytest.raises(AdvisorError, match="Invalid value for 'as_': 'csv' is not one of"):
            api.count_tokens(PROMPT, model="gpt-4.1", as_="csv")

    def test_a_file_with_errors_is_a_result_not_an_exception(self, advisor, tmp_path: Path) -> None:
        data = tmp_path / "train.jsonl"
        data.write_text('{"messages": [{"role": "user", "content": "hi"}]}\nnot json\n')
        check = api.check_dataset(data, model="gpt-4.1-mini", today=TODAY)
        assert not check.ok and check.errors >= 2
        cli = advisor("dataset", "check", str(data), "--model", "gpt-4.1-mini", "--today", TODAY, "--format", "json")
        assert cli.code == 1 and cli.out == check.to_json() + "\n"
        with pytest.raises(AdvisorError, match=r"Invalid value for 'jobs': 0 is not in the range 1<=x<=256\."):
            api.check_dataset(data, jobs=0)


class TestImportingIsCheap:
    """`import advisor` loads no heavy module, and each function only what its command loads."""

    HEAVY = ("pydantic", "tiktoken", "openai", "rich")

    def loaded(self, code: str) -> set[str]:
        result = python(f"{code}\nimport sys; print('modules:', *sorted(sys.modules))")
        assert result.returncode == 0, result.stderr
        return {name.split(".")[0] for name in result.stdout.rpartition("modules:")[2].split()}

    def test_import_advisor_loads_nothing_heavy(self) -> None:
        modules = self.loaded("import advisor; assert advisor.__version__")
        assert not modules & set(self.HEAVY)
        assert "click" not in modules  # the API is not even imported until a name of it is used

    def test_a_flags_only_estimate_loads_no_tokenizer_and_no_pydantic(self) -> None:
        """Once the price tables are cached (the first run validates them, with pydantic), as the command."""
        keywords = ", ".join(f"{key}={value!r}" for key, value in ESTIMATE_FLAGS.items())
        self.loaded(f"import advisor; advisor.estimate({keywords}).to_json()")
        modules = self.loaded(f"import advisor; advisor.estimate({keywords}).to_json()")
        assert "advisor" in modules and not modules & {"pydantic", "tiktoken", "openai"}
        cli = self.loaded(
            f"from advisor.cli import main; main(['estimate', *{flags(ESTIMATE_FLAGS)!r}, '--format', 'json'])"
        )
        assert not cli & {"pydantic", "tiktoken", "openai"}

    def test_the_names_are_advisor_api_s(self) -> None:
        assert advisor.__version__ == version("advisor")
        assert set(advisor.__all__) - {"__version__"} == set(api.__all__) <= set(dir(advisor))
        for name in api.__all__:
            assert getattr(advisor, name) is getattr(api, name)
        assert advisor.AdvisorError is __import__("advisor.errors").errors.UserError
        with pytest.raises(AttributeError, match="no attribute 'nothing'"):
            advisor.nothing  # noqa: B018

    def test_advisor_recommend_stays_the_function_when_the_engine_package_loads(self) -> None:
        """The engines' package advisor.recommend shares the name: importing it, before or after, leaves
        advisor.recommend the API's function."""
        code = (
            "import advisor.recommend.scenario\nimport advisor\n"
            "from advisor.recommend.recommendation import recommend as engine\n"
            "assert advisor.recommend is advisor.api.recommend and callable(advisor.recommend)\n"
            "assert engine.__module__ == 'advisor.recommend.recommendation'"
        )
        result = python(code)
        assert result.returncode == 0, result.stderr


class TestResults:
    """Frozen values that show themselves in a notebook."""

    def test_results_are_frozen(self, in_repository: Path) -> None:
        counted = api.count_tokens(PROMPT, model="gpt-4.1", today=TODAY)
        with pytest.raises(dataclasses.FrozenInstanceError):
            counted.model = "gpt-4.1-mini"  # type: ignore[misc]  # the assignment refused is the test

    def test_a_notebook_shows_markdown_where_the_command_has_it(self, in_repository: Path) -> None:
        rec = api.recommend(api.load_scenario(SCENARIO), today=TODAY)
        assert rec._repr_markdown_() == rec.to_markdown()
        estimate = api.estimate(**ESTIMATE_FLAGS, today=TODAY)
        assert estimate._repr_markdown_() == estimate.to_markdown()

    def test_a_notebook_shows_the_table_where_it_has_none(self, tmp_path: Path) -> None:
        odd = tmp_path / "<b>prompt&.txt"
        odd.write_text("Hello, world")
        shown = api.count_tokens(odd, model="gpt-4.1", today=TODAY)._repr_html_()
        assert shown.startswith("<pre>") and shown.endswith("</pre>")
        assert "&lt;b&gt;prompt&amp;.txt" in shown and "<b>" not in shown  # the name as written, escaped
        check = api.check_dataset(ROOT / TRAINING, model="gpt-4.1-mini", today=TODAY)._repr_html_()
        words = " ".join(check.split())  # the table folds long paths: where it folds depends on the folder
        assert "no errors" in words and "Training cost" in words


PAGE = (ROOT / "docs" / "python-api.md").read_text()
EXAMPLES = re.findall(r"```python\n(.*?)```\n\n```text\n(.*?)```", PAGE, flags=re.S)


def test_the_page_documents_every_function_with_an_example() -> None:
    assert len(EXAMPLES) == len(re.findall(r"```python\n", PAGE)) >= 7
    for name in ("load_scenario", "recommend", "estimate", "count_tokens", "check_dataset", "AdvisorError"):
        assert any(f"advisor.{name}(" in code or f"advisor.{name} " in code for code, _ in EXAMPLES), name


@pytest.mark.parametrize(("code", "shown"), EXAMPLES, ids=[f"example-{n}" for n in range(1, len(EXAMPLES) + 1)])
def test_each_example_on_the_page_prints_what_the_page_shows(code: str, shown: str, in_repository: Path) -> None:
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, "docs/python-api.md", "exec"), {})
    assert printed.getvalue() == shown
