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
