"""Scenario files: the contract keys, stated defaults, and errors that name the key and what is allowed."""

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.errors import UserError
from advisor.recommend.scenario import load_scenario, parse_scenario, scenario_toml

from .conftest import EXAMPLES

ISSUE_EXAMPLE = (EXAMPLES / "invoice-extraction" / "scenario.toml").read_text()
MINIMAL = """name = "Ticket triage"
[task]
kind = "classification"
failures = ["consistency"]
"""


def test_the_issue_example_parses_with_every_key(tmp_path: Path) -> None:
    loaded = parse_scenario(ISSUE_EXAMPLE, "scenario.toml")
    scenario = loaded.scenario
    assert (scenario.task.kind, scenario.task.failures, scenario.task.baseline_score) == (
        "extraction",
        ["consistency"],
        0.82,
    )
    assert scenario.traffic.prompt_file == "prompt.json" and scenario.models.ft_prompt_file == "ft-prompt.json"
    assert scenario.costs.setup_usd == 2000
    assert "costs.horizon_months = 12" in loaded.defaults


def test_missing_keys_get_stated_defaults() -> None:
    loaded = parse_scenario(MINIMAL, "s.toml")
    assert loaded.scenario.traffic.requests_per_month == 10_000
    assert "stage = 'production'" in loaded.defaults
    assert "traffic.requests_per_month = 10,000" in loaded.defaults
    assert (
        "models.fine_tune_base = the current model where it can be tuned; otherwise the best base at each provider"
        in loaded.defaults
    )
    assert not any(item.startswith("task.kind") for item in loaded.defaults)


def test_json_with_the_same_keys() -> None:
    loaded = parse_scenario('{"name": "x", "task": {"kind": "qa", "failures": ["knowledge"]}}', "s.json")
    assert loaded.scenario.task.kind == "qa"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            MINIMAL.replace('kind = "classification"', 'kind = "classifcation"'),
            r"s\.toml:3: task\.kind: 'classifcation' is not allowed; use one of classification, extraction, ",
        ),
        (
            MINIMAL.replace('failures = ["consistency"]', 'failures = ["speed"]'),
            r"s\.toml:4: task\.failures\[0\]: 'speed' is not allowed; use one of knowledge, format-syntax",
        ),
        (
            MINIMAL + "hass_eval_set = true\n",
            r"s\.toml:5: task\.hass_eval_set is not a known key; keys in \[task\]: kind",
        ),
        (
            MINIMAL + '[traffic]\nrequests_per_month = "lots"\n',
            r"s\.toml:6: traffic\.requests_per_month: expected a number, not the text .lots.",
        ),
        (
            MINIMAL + "[traffic]\nrequests_per_month = 0\n",
            r"s\.toml:6: traffic\.requests_per_month: must be more than 0, not 0",
        ),
        (MINIMAL + "baseline_score = 1.5\n", r"task\.baseline_score: must be at most 1, not 1\.5"),
        (
            MINIMAL + '[traffic]\nprompt_tokens = 10\nprompt_file = "p.txt"\n',
            r"traffic: give prompt_tokens or prompt_file",
        ),
        ("colour = 'blue'\n", r"s\.toml:1: colour is not a known key; keys in the top level: name, stage"),
        ("[task\n", r"s\.toml:1: not valid TOML"),
    ],
)
def test_bad_scenarios_name_the_line_the_key_and_what_is_allowed(text: str, message: str) -> None:
    with pytest.raises(UserError, match=message):
        parse_scenario(text, "s.toml")


def test_json_errors_point_at_the_line() -> None:
    text = '{\n  "name": "x",\n  "task": {\n    "kind": "poetry"\n  }\n}'
    with pytest.raises(UserError, match=r"s\.json:4: task\.kind: 'poetry' is not allowed"):
        parse_scenario(text, "s.json")


def test_missing_and_non_utf8_files(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="no such file"):
        load_scenario(str(tmp_path / "none.toml"))
    bad = tmp_path / "bad.toml"
    bad.write_bytes(b'name = "caf\xe9"\n')
    with pytest.raises(UserError, match=r"bad\.toml:1: not UTF-8"):
        load_scenario(str(bad))


def test_a_saved_scenario_reads_back_the_same() -> None:
    scenario = parse_scenario(ISSUE_EXAMPLE, "s.toml").scenario
    again = parse_scenario(scenario_toml(scenario), "again.toml")
    assert again.scenario == scenario and again.defaults == []


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_edit_of_a_scenario_parses_or_gives_a_located_error(data) -> None:
    lines = ISSUE_EXAMPLE.splitlines()
    index = data.draw(st.integers(0, len(lines) - 1))
    lines[index] = data.draw(
        st.one_of(
            st.text(max_size=40),
            st.sampled_from(
                [
                    "",
                    "[task]",
                    "kind = 3",
                    'volatility = "hourly"',
                    "failures = []",
                    "requests_per_month = -1",
                    "x = 1",
                    "[models]",
                    "baseline_score = 2",
                    'grader = "vibes"',
                ]
            ),
        )
    )
    try:
        loaded = parse_scenario("\n".join(lines), "s.toml")
    except UserError as error:
        assert str(error).startswith("s.toml")
        return
    # what was read is what is kept: written out and read again, the scenario is the same
    assert parse_scenario(scenario_toml(loaded.scenario), "again.toml").scenario == loaded.scenario


class TestRetiredKeys:
    """A key that no longer means anything (RETIRED_KEYS) still loads, is ignored, and is named in a warning
    with its file and line, so that a file that worked before keeps working (docs/recommendations.md)."""

    DISTILL = (EXAMPLES / "scenarios" / "latency-distill.toml").read_text()
    OLD = DISTILL.replace("output_tokens = 10\n", "output_tokens = 10\nlatency_p95_ms = 1200\n")
    WARNING = (
        "traffic.latency_p95_ms is ignored: no rule reads it (a latency problem is "
        '`task.failures = ["latency"]`); remove it (a later release will refuse it)'
    )

    def test_it_loads_as_the_file_without_it_and_says_where_it_is(self) -> None:
        old, new = parse_scenario(self.OLD, "old.toml"), parse_scenario(self.DISTILL, "old.toml")
        line = self.OLD.splitlines().index("latency_p95_ms = 1200") + 1
        assert (old.scenario, old.defaults) == (new.scenario, new.defaults)
        assert old.notices == [f"old.toml:{line}: {self.WARNING}"] and new.notices == []

    @pytest.mark.parametrize("value", ["-1", '"fast"', "[800]", "1e400"])
    def test_any_value_is_ignored_in_toml_and_json(self, value: str) -> None:
        toml = parse_scenario(f"{MINIMAL}[traffic]\nlatency_p95_ms = {value}\n", "s.toml")
        assert toml.notices == [f"s.toml:6: {self.WARNING}"]
        json = parse_scenario('{"name": "x",\n "traffic": {"latency_p95_ms": ' + value + "}}", "s.json")
        assert json.notices == [f"s.json:2: {self.WARNING}"]
        assert json.scenario == parse_scenario('{"name": "x"}', "s.json").scenario

    def test_recommend_warns_on_stderr_and_reports_as_without_it(self, advisor, tmp_path: Path) -> None:
        (tmp_path / "old").mkdir()
        (tmp_path / "new").mkdir()
        old, new = tmp_path / "old" / "s.toml", tmp_path / "new" / "s.toml"
        old.write_text(self.OLD)
        new.write_text(self.DISTILL)
        line = self.OLD.splitlines().index("latency_p95_ms = 1200") + 1
        for format in ("markdown", "json"):
            was, now = (
                advisor("recommend", str(path), "--format", format, "--today", "2026-12-07") for path in (old, new)
            )
            assert (was.code, now.code, now.err) == (0, 0, "")
            assert was.err == f"warning: {old}:{line}: {self.WARNING}\n"
            assert was.out == now.out.replace(str(new), str(old))
        many = advisor("recommend", str(old), str(new), "--format", "json", "--today", "2026-12-07")
        assert many.code == 0 and many.err == f"warning: {old}:{line}: {self.WARNING}\n"

    def test_an_interview_from_such_a_file_warns_and_saves_the_scenario_without_it(
        self, advisor, monkeypatch, tmp_path: Path
    ) -> None:
        import io

        start, saved = tmp_path / "old.toml", tmp_path / "saved.toml"
        start.write_text(self.OLD)
        monkeypatch.setattr("sys.stdin", io.StringIO("\n" * 30))
        run = advisor("interview", "--today", "2026-12-07", "--from", str(start), "--save", str(saved))
        assert run.code == 0, run.err
        line = self.OLD.splitlines().index("latency_p95_ms = 1200") + 1
        assert f"warning: {start}:{line}: {self.WARNING} (the scenario written leaves it out)" in run.err
        assert "latency_p95_ms" not in saved.read_text()
        assert parse_scenario(saved.read_text(), str(saved)).notices == []
