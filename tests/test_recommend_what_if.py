"""What-if in the CLI: `recommend --set KEY=VALUE` is the recommendation of the scenario with that value
(and says so in its assumptions); `recommend --sweep KEY=V1,V2,...` is one row a value and the values
between which the answer flips; every report shows each option's break-even volume."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from advisor.errors import UserError
from advisor.recommend.sweep import parse_sweep, split_values

from .conftest import EXAMPLES
from .test_terminal_width import widest

INVOICE = str(EXAMPLES / "invoice-extraction" / "scenario.toml")
CLASSIFIER = str(EXAMPLES / "scenarios" / "classifier-distill.toml")
TODAY = ("--today", "2026-12-01")


def as_json(run_out: str) -> dict:  # type: ignore[type-arg]  # reason: a JSON document of any shape
    return json.loads(run_out, parse_float=Decimal)


def copy_with(tmp_path: Path, source: str, line: str, replacement: str) -> str:
    """The scenario file with one line written otherwise, beside its prompt files (they are read relative)."""
    text = Path(source).read_text(encoding="utf-8")
    assert line in text
    target = Path(source).with_name(f".what-if-{tmp_path.name}.toml")
    target.write_text(text.replace(line, replacement), encoding="utf-8")
    return str(target)


@pytest.fixture
def edited(tmp_path: Path):
    made: list[Path] = []

    def edit(source: str, line: str, replacement: str) -> str:
        path = copy_with(tmp_path, source, line, replacement)
        made.append(Path(path))
        return path

    yield edit
    for path in made:
        path.unlink()


class TestSettingAValue:
    def test_a_set_value_gives_the_recommendation_of_a_file_with_that_value(self, advisor, edited) -> None:
        set_run = advisor("recommend", INVOICE, *TODAY, "--format", "json", "--set", "traffic.requests_per_month=300k")
        assert set_run.code == 0, set_run.err
        copy = edited(INVOICE, "requests_per_month = 2000000", "requests_per_month = 300000")
        file_run = advisor("recommend", copy, *TODAY, "--format", "json")
        assert file_run.code == 0, file_run.err
        with_set, with_file = as_json(set_run.out), as_json(file_run.out)
        assert with_set["costs"] == with_file["costs"]
        assert with_set["recommendation"] == with_file["recommendation"]
        assert with_set["costs"] != as_json(advisor("recommend", INVOICE, *TODAY, "--format", "json").out)["costs"]

    def test_the_assumptions_say_what_was_set_and_what_the_file_has(self, advisor) -> None:
        run = advisor("recommend", INVOICE, *TODAY, "--format", "markdown", "--set", "traffic.requests_per_month=300k",
                      "--set", "costs.horizon_months=24")  # fmt: skip
        assert run.code == 0, run.err
        assumptions = run.out.split("### Assumptions")[1].split("###")[0]
        assert (
            "traffic.requests_per_month = 300,000 (set by --set traffic.requests_per_month=300k; "
            "scenario.toml has 2,000,000)" in assumptions
        )
        assert "costs.horizon_months = 24 (set by --set costs.horizon_months=24; not in scenario.toml)" in assumptions
        assert "costs.horizon_months = 12" not in assumptions, "a key set is no longer listed as a default"
        assert "### Cost of each option (24 months" in run.out
        this_report = next(line for line in run.out.splitlines() if line.endswith("# this report"))
        assert (
            "--set traffic.requests_per_month=300k --set costs.horizon_months=24 --format markdown" in this_report
        ), "the report's own command makes the same report"

    def test_the_terminal_report_lists_the_setting_too(self, advisor) -> None:
        run = advisor("recommend", INVOICE, *TODAY, "--set", "traffic.output_tokens=50")
        assert run.code == 0, run.err
        assert "traffic.output_tokens = 50 (set by --set traffic.output_tokens=50;" in " ".join(run.out.split())

    @pytest.mark.parametrize(
        ("setting", "says"),
        [
            ("traffic.requests_per_month=0", "must be more than 0"),
            ("traffic.requests=3", "is not a known key"),
            ("nonsense", "is not KEY=VALUE"),
        ],
    )
    def test_a_bad_setting_is_a_clear_error_naming_it(self, advisor, setting: str, says: str) -> None:
        run = advisor("recommend", INVOICE, *TODAY, "--set", setting)
        assert run.code != 0
        assert says in run.err and "--set" in run.err
        assert "Traceback" not in run.err

    def test_a_setting_applies_to_every_file_of_a_folder(self, advisor) -> None:
        run = advisor("recommend", str(EXAMPLES / "scenarios"), *TODAY, "--format", "json",
                      "--set", "costs.horizon_months=6")  # fmt: skip
        assert run.code == 0, run.err
        reports = [item for item in as_json(run.out) if "horizon_months" in item]
        assert len(reports) == len(list((EXAMPLES / "scenarios").glob("*.toml")))
        assert all(report["horizon_months"] == 6 for report in reports)


class TestSweeping:
    def test_one_row_a_value_in_the_order_given_each_the_recommendation_of_that_setting(self, advisor) -> None:
        values = ["3M", "300k", "1M"]
        run = advisor("recommend", INVOICE, *TODAY, "--format", "json",
                      "--sweep", f"traffic.requests_per_month={','.join(values)}")  # fmt: skip
        assert run.code == 0, run.err
        rows = as_json(run.out)["rows"]
        assert [row["value"] for row in rows] == [3_000_000, 300_000, 1_000_000]
        for value, row in zip(values, rows, strict=True):
            setting = f"traffic.requests_per_month={value}"
            alone = as_json(advisor("recommend", INVOICE, *TODAY, "--format", "json", "--set", setting).out)
            primary = alone["recommendation"]["primary"]
            assert row["primary"] == primary
            assert row["monthly_usd"] == alone["costs"][primary]["monthly_usd"]
            assert row["recommendation"]["costs"] == alone["costs"]

    def test_the_flips_are_the_neighbouring_values_whose_answer_differs(self, advisor) -> None:
        run = advisor("recommend", CLASSIFIER, *TODAY, "--format", "json",
                      "--sweep", "traffic.requests_per_month=10k,100k,1M,10M,30M")  # fmt: skip
        assert run.code == 0, run.err
        document = as_json(run.out)
        rows = document["rows"]
        expected = [
            [a["value"], b["value"]]
            for a, b in pairwise(rows)
            if (a["primary_name"], a["place"]) != (b["primary_name"], b["place"])
        ]
        assert [flip["between"] for flip in document["flips"]] == expected
        assert expected, "a classifier at 10k and at 30M requests a month is not served the same way"

    def test_a_flip_is_said_in_words_with_both_values(self, advisor) -> None:
        run = advisor("recommend", CLASSIFIER, *TODAY, "--sweep", "traffic.requests_per_month=1M,10M")
        assert run.code == 0, run.err
        said = " ".join(run.out.split())
        flip = r"Between 1,000,000 and 10,000,000 requests a month the recommendation flips from \S+ to "
        assert re.search(flip, said)
        assert widest(run.out) <= 80

    def test_no_flip_is_said_too(self, advisor) -> None:
        run = advisor("recommend", CLASSIFIER, *TODAY, "--sweep", "traffic.requests_per_month=1M,1.1M")
        assert run.code == 0, run.err
        assert "the same for every value of traffic.requests_per_month" in " ".join(run.out.split())

    def test_markdown_is_a_table_and_the_flips(self, advisor) -> None:
        run = advisor("recommend", CLASSIFIER, *TODAY, "--format", "markdown",
                      "--sweep", "traffic.requests_per_month=1M,10M")  # fmt: skip
        assert run.code == 0, run.err
        assert "| Value | Recommendation | Place or base | Per month | Payback |" in run.out
        assert "| 1,000,000 |" in run.out and "| 10,000,000 |" in run.out
        assert "- Between 1,000,000 and 10,000,000 requests a month" in run.out

    def test_set_values_hold_for_every_row_and_are_said(self, advisor) -> None:
        run = advisor("recommend", CLASSIFIER, *TODAY, "--format", "json", "--set", "costs.horizon_months=24",
                      "--sweep", "traffic.requests_per_month=1M,10M")  # fmt: skip
        assert run.code == 0, run.err
        document = as_json(run.out)
        assert document["settings"] == [
            "costs.horizon_months = 24 (set by --set costs.horizon_months=24; not in classifier-distill.toml)"
        ]
        for row in document["rows"]:
            assert row["recommendation"]["horizon_months"] == 24
            texts = [item["text"] for item in row["recommendation"]["assumptions"]]
            assert any("set by --sweep traffic.requests_per_month=" in text for text in texts)
        # the swept value is not undone by the --set one (both apply to the file at once)
        assert document["rows"][0]["monthly_usd"] != document["rows"][1]["monthly_usd"]

    def test_two_sweeps_are_refused_with_what_to_do(self, advisor) -> None:
        run = advisor("recommend", INVOICE, *TODAY, "--sweep", "traffic.requests_per_month=1M,2M",
                      "--sweep", "costs.horizon_months=6,12")  # fmt: skip
        assert run.code != 0
        assert "one key at a time" in run.err and "--set" in run.err and "Traceback" not in run.err

    def test_a_key_both_set_and_swept_is_refused(self, advisor) -> None:
        run = advisor("recommend", INVOICE, *TODAY, "--set", "traffic.requests_per_month=5M",
                      "--sweep", "traffic.requests_per_month=1M,2M")  # fmt: skip
        assert run.code != 0 and "both set and swept" in run.err

    def test_a_bad_value_is_named_as_the_sweep(self, advisor) -> None:
        run = advisor("recommend", INVOICE, *TODAY, "--sweep", "traffic.requests_per_month=1M,0")
        assert run.code != 0
        assert "--sweep traffic.requests_per_month=0" in run.err and "must be more than 0" in run.err


class TestParsingASweep:
    def test_commas_inside_brackets_and_quotes_belong_to_the_value(self) -> None:
        assert split_values('["format", "tone"],[]') == ['["format", "tone"]', "[]"]
        assert split_values('"a, b",c') == ['"a, b"', "c"]
        values = parse_sweep('task.failures=["format", "tone"],[]')
        assert [value.value for value in values] == [["format", "tone"], []]

    @pytest.mark.parametrize("text", ["traffic.requests_per_month", "=1,2", "traffic.requests_per_month=1,,2"])
    def test_a_malformed_sweep_is_refused(self, text: str) -> None:
        with pytest.raises(UserError) as caught:
            parse_sweep(text)
        assert "--sweep" in str(caught.value)

    @given(st.lists(st.integers(min_value=1, max_value=10**9), min_size=1, max_size=8))
    def test_counts_come_back_in_order(self, counts: list[int]) -> None:
        values = parse_sweep("traffic.requests_per_month=" + ",".join(map(str, counts)))
        assert [value.value for value in values] == counts


class TestBreakEven:
    def test_the_terminal_says_each_options_break_even_volume(self, advisor) -> None:
        report = as_json(advisor("recommend", INVOICE, *TODAY, "--format", "json").out)
        run = advisor("recommend", INVOICE, *TODAY)
        said = " ".join(run.out.split())
        primary = report["recommendation"]["primary"]
        volume = report["costs"][primary]["break_even_requests_per_month"]
        assert volume is not None
        assert f"Break-even volume over 12 months: SFT ★ from {volume:,} requests a month" in said

    def test_markdown_has_a_break_even_column_matching_the_json(self, advisor) -> None:
        report = as_json(advisor("recommend", CLASSIFIER, *TODAY, "--format", "json").out)
        text = advisor("recommend", CLASSIFIER, *TODAY, "--format", "markdown").out
        table = text.split("### Cost of each option")[1].split("\n\n")[2]
        header, _, *rows = table.splitlines()
        column = header.split("|").index(" Break-even (requests a month) ")
        cells = [row.split("|")[column].strip() for row in rows]
        expected = []
        for name, cost in report["costs"].items():
            volume = cost["break_even_requests_per_month"]
            nothing_to_earn = name in ("prompt", "switch") and not cost["upfront_usd"]
            expected.append("-" if nothing_to_earn else "never" if volume is None else f"{volume:,}")
        assert cells == expected

    def test_at_the_break_even_volume_the_option_keeps_its_cost_and_one_request_less_it_does_not(self, advisor) -> None:
        report = as_json(advisor("recommend", INVOICE, *TODAY, "--format", "json").out)
        cost = report["costs"]["sft"]
        volume = cost["break_even_requests_per_month"]

        def net_at(requests: int) -> Decimal:
            run = advisor("recommend", INVOICE, *TODAY, "--format", "json",
                          "--set", f"traffic.requests_per_month={requests}")  # fmt: skip
            at = as_json(run.out)["costs"]["sft"]
            assert (at["provider"], at["model"]) == (cost["provider"], cost["model"]), "priced at the same place"
            return Decimal(at["net_savings_usd"])

        assert net_at(volume) >= 0 > net_at(volume - 1)
