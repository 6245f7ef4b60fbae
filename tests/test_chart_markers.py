"""The cumulative-cost chart marks the moments a reader signs on: when the recommendation pays back, when
today's model stops, when the recommended option's model stops serving; each inside the horizon, labelled."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from advisor.render.charts import Marker, Series, svg

from .conftest import EXAMPLES

TODAY = date(2026, 12, 1)


def dashed(text: str) -> list[float]:
    return [float(x) for x in re.findall(r'<line x1="([\d.]+)" x2="\1" [^>]*stroke-dasharray', text)]


class TestMarkersOnTheChart:
    def test_each_marker_inside_the_horizon_is_a_labelled_dashed_line_at_its_month(self) -> None:
        line = Series("Today", [Decimal(m * 100) for m in range(13)])
        drawn = svg([line], "t", [Marker(Decimal(0), "start"), Marker(Decimal("1.5"), "gpt-4.1 stops 2027-01-14"),
                                  Marker(Decimal(12), "end"), Marker(Decimal(13), "after the horizon")])  # fmt: skip
        left, plot_w = 80, 720 - 80 - 200
        assert dashed(drawn) == [left, round(left + plot_w * 1.5 / 12, 1), left + plot_w]
        assert "gpt-4.1 stops 2027-01-14" in drawn and "after the horizon" not in drawn

    def test_a_label_is_escaped(self) -> None:
        drawn = svg([Series("x", [Decimal(0), Decimal(1)])], "t", [Marker(Decimal(1), "<script>")])
        assert "<script>" not in drawn and "&lt;script&gt;" in drawn

    def test_no_markers_draws_no_dashed_line(self) -> None:
        assert dashed(svg([Series("x", [Decimal(0), Decimal(1)])], "t")) == []


class TestTheRecommendationsChart:
    def test_the_invoice_example_marks_its_payback_and_gpt_4_1s_shutdown(self) -> None:
        import advisor
        from advisor.render.recommendation import chart_svg, markers, option_name

        result = advisor.recommend(advisor.load_scenario(str(EXAMPLES / "invoice-extraction" / "scenario.toml")), TODAY)
        rec = result.recommendation
        primary = rec.costs[rec.recommendation.primary]
        found = {marker.label: marker.month for marker in markers(rec)}
        assert found[f"{option_name(rec, primary.strategy)} pays back"] == primary.payback_months
        stop = next(label for label in found if label.endswith("stops 2027-01-14"))
        assert "gpt-4.1" in stop and found[stop] == rec.today_ends.months
        assert len(dashed(chart_svg(rec))) == len(found)

    def test_an_option_with_nothing_up_front_marks_no_payback(self) -> None:
        import advisor
        from advisor.render.recommendation import markers

        result = advisor.recommend(advisor.load_scenario(str(EXAMPLES / "scenarios" / "target-met.toml")), TODAY)
        rec = result.recommendation
        assert rec.costs[rec.recommendation.primary].upfront_usd == 0
        assert not any(marker.label.endswith("pays back") for marker in markers(rec))
