"""The recommendation on one screen: `recommend --brief` fits 80x24 for every shipped example; the full
terminal report shows the top five places to train unless `--all-places` (documents keep every place)."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from rich.cells import cell_len

from advisor.costs.money import format_usd

from .conftest import EXAMPLES, ROOT

EVERY_EXAMPLE = sorted(str(path.relative_to(ROOT)) for path in EXAMPLES.rglob("*.toml"))
INVOICE = str(EXAMPLES / "invoice-extraction" / "scenario.toml")
TODAY = ("--today", "2026-12-01")


@pytest.fixture
def eighty_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.chdir(ROOT)


class TestBrief:
    @pytest.mark.parametrize("path", EVERY_EXAMPLE)
    def test_every_example_fits_80_by_24_and_leads_with_the_answer(self, advisor, eighty_columns, path: str) -> None:
        run = advisor("recommend", path, *TODAY, "--brief")
        assert run.code == 0, run.err
        lines = run.out.splitlines()
        assert len(lines) <= 24, run.out
        assert max(map(cell_len, lines)) <= 80
        report = json.loads(advisor("recommend", path, *TODAY, "--format", "json").out, parse_float=Decimal)
        said = " ".join(run.out.split())
        assert lines[0] == f"Recommendation: {report['name']}"
        assert "Plan: " in said
        primary = report["recommendation"]["primary"]
        assert format_usd(Decimal(report["costs"][primary]["monthly_usd"])) in said
        for cost in report["costs"].values():  # every option costed, with its break-even volume
            assert format_usd(Decimal(cost["monthly_usd"])) in said
            if cost["break_even_requests_per_month"] is not None and cost["upfront_usd"]:
                assert f"{cost['break_even_requests_per_month']:,}" in said
        risks = [*report["caveats"], *report["warnings"]]
        if risks:
            assert "Risk: " in said or f"Risks: {len(risks)} in the full report" in said

    def test_it_shows_the_top_three_places_at_most(self, advisor, eighty_columns) -> None:
        run = advisor("recommend", INVOICE, *TODAY, "--brief")
        report = json.loads(advisor("recommend", INVOICE, *TODAY, "--format", "json").out)
        assert len(report["where_options"]) > 3
        numbered = [line.split()[0] for line in run.out.splitlines() if line.strip()[:2] in ("1.", "2.", "3.", "4.")]
        assert numbered == ["1.", "2.", "3."]

    def test_it_shows_the_first_risk(self, advisor, eighty_columns) -> None:
        report = json.loads(advisor("recommend", INVOICE, *TODAY, "--format", "json").out)
        run = advisor("recommend", INVOICE, *TODAY, "--brief")
        first = report["caveats"][0]
        assert " ".join(first.split()[-6:]) in " ".join(run.out.split())

    @pytest.mark.parametrize("output_format", ["json", "markdown"])
    def test_it_is_a_terminal_view_only(self, advisor, output_format: str) -> None:
        run = advisor("recommend", INVOICE, *TODAY, "--brief", "--format", output_format)
        assert run.code != 0 and "--brief" in run.err and "Traceback" not in run.err


class TestTopPlaces:
    def where_table(self, out: str) -> list[str]:
        section = out.split("Where to train (")[1].split("Cumulative cost")[0]
        return section.splitlines()

    def test_the_terminal_shows_the_top_five_and_says_how_many_more(self, advisor, wide_output) -> None:
        report = json.loads(advisor("recommend", INVOICE, *TODAY, "--format", "json").out)
        places = [f"{p['label']} {p['model']}" for p in report["where_options"]]
        assert len(places) > 5
        run = advisor("recommend", INVOICE, *TODAY)
        table = "\n".join(self.where_table(run.out))
        shown = [place for place in places if re.search(re.escape(place) + r"(?![\w.-])", table)]
        assert shown == places[:5]
        assert f"{len(places) - 5} more places: --all-places" in table

    def test_all_places_shows_every_place(self, advisor, wide_output) -> None:
        report = json.loads(advisor("recommend", INVOICE, *TODAY, "--format", "json").out)
        run = advisor("recommend", INVOICE, *TODAY, "--all-places")
        table = "\n".join(self.where_table(run.out))
        assert all(f"{p['label']} {p['model']}" in table for p in report["where_options"])
        assert "more places" not in table

    def test_a_document_keeps_every_place(self, advisor) -> None:
        report = json.loads(advisor("recommend", INVOICE, *TODAY, "--format", "json").out)
        text = advisor("recommend", INVOICE, *TODAY, "--format", "markdown").out
        section = text.split("### Where to train")[1].split("###")[0]
        rows = [line for line in section.splitlines() if line.startswith("| ") and not line.startswith("| Where")]
        assert len(rows) == len(report["where_options"])
