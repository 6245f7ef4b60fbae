"""`advisor pricing list` and `advisor pricing show`."""

import json
from pathlib import Path

import pytest


def test_list_every_provider(advisor) -> None:
    rows = json.loads(advisor("pricing", "list", "--format", "json").out)
    # advisor's own tables (installed provider plugins may add theirs)
    assert {row["provider"] for row in rows} >= {"openai", "azure-openai", "fireworks"}
    assert any(row["model"] == "o4-mini" and row["fine_tuning"]["training_per_hour"] == 100 for row in rows)


def test_list_one_provider_and_user_tables(advisor, flat15: Path) -> None:
    rows = json.loads(
        advisor("pricing", "list", "--provider", "acme", "--pricing", str(flat15), "--format", "json").out
    )
    assert [row["model"] for row in rows] == ["flat15"]


@pytest.mark.usefixtures("wide_output")
def test_list_table_shows_dates(advisor) -> None:
    run = advisor("pricing", "list", "--provider", "openai", "--today", "2026-11-22")
    assert run.code == 0 and "2026-10-23 (past)" in run.out and "new fine-tuning jobs end on 2027-01-06" in run.out


def test_show_resolves_a_fine_tuned_checkpoint_id(advisor) -> None:
    run = advisor(
        "pricing",
        "show",
        "ft:gpt-4.1-mini-2025-04-14:acme:inv:abc:ckpt-step-10",
        "--provider",
        "openai",
        "--format",
        "json",
        "--today",
        "2026-11-22",
    )
    (row,) = json.loads(run.out)
    assert row["model"] == "gpt-4.1-mini" and row["fine_tuned_id"] is True
    assert row["fine_tuning"]["input"] == 0.8


def test_show_without_provider_lists_every_provider_that_prices_it(advisor) -> None:
    rows = json.loads(advisor("pricing", "show", "gpt-4o", "--format", "json").out)
    assert [row["provider"] for row in rows] == ["azure-openai", "openai"]


def test_show_table_warns_about_shutdown(advisor) -> None:
    run = advisor("pricing", "show", "o4-mini", "--provider", "openai", "--today", "2026-11-22")
    assert "was shut down on 2026-10-23" in run.out and "$100.00 per hour" in run.out


def test_unknown_provider(advisor) -> None:
    run = advisor("pricing", "list", "--provider", "nope")
    assert run.code == 2 and "no price table for provider 'nope'; known: azure-openai, fireworks" in run.err


def test_where_a_method_can_run_on_a_day(advisor) -> None:
    rows = json.loads(advisor("pricing", "list", "--method", "rft", "--today", "2026-12-01", "--format", "json").out)
    can = [(row["provider"], row["model"]) for row in rows if row["can_start"]]
    assert ("fireworks", "llama-v3p1-8b-instruct") in can and ("openai", "o4-mini") not in can
    gone = next(row for row in rows if (row["provider"], row["model"]) == ("azure-openai", "o4-mini"))
    assert gone["why_not"] == ["azure-openai:o4-mini was shut down on 2026-11-19"]
    earlier = json.loads(advisor("pricing", "list", "--method", "rft", "--today", "2026-11-01", "--format", "json").out)
    assert any(row["provider"] == "azure-openai" and row["can_start"] for row in earlier)
