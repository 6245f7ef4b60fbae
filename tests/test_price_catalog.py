"""Tables in force: bundled, then the user's folder, then --pricing files, later rows winning."""

from datetime import date
from decimal import Decimal
from pathlib import Path

from advisor.pricing.catalog import load_catalog, row_status, stale_warning

from .conftest import FLAT_15

OVERRIDE = """provider = "openai"
currency = "USD"
as_of = 2026-11-15
source = "https://example.com/negotiated"

[models."gpt-4.1-mini"]
input = 0.30
cached_input = 0.10
output = 1.20
"""


def test_a_pricing_file_overrides_one_row_and_keeps_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "negotiated.toml"
    path.write_text(OVERRIDE)
    catalog = load_catalog([path], include_user=False)
    mini = catalog.find("gpt-4.1-mini")
    assert mini.row.input == Decimal("0.30")
    assert mini.table.as_of == date(2026, 11, 15) and mini.table.path == str(path)
    assert catalog.find("gpt-4.1").row.input == Decimal("2.00")  # untouched, still bundled


def test_user_config_folder_tables_are_loaded(isolated_config: Path) -> None:
    (isolated_config / "pricing").mkdir()
    (isolated_config / "pricing" / "acme.toml").write_text(FLAT_15)
    catalog = load_catalog()
    assert "acme" in catalog.providers
    assert catalog.find("flat15", "acme").row.input == 15


def test_later_pricing_files_win(tmp_path: Path) -> None:
    first, second = tmp_path / "a.toml", tmp_path / "b.toml"
    first.write_text(FLAT_15)
    second.write_text(FLAT_15.replace("input = 15\ncached", "input = 9\ncached", 1))
    assert load_catalog([first, second], include_user=False).find("flat15", "acme").row.input == 9


def test_stale_table_is_flagged_after_90_days(catalog) -> None:
    table = catalog.find("gpt-4.1").table
    assert stale_warning(table, table.as_of.replace(day=table.as_of.day)) is None
    assert "days old" in stale_warning(table, date(2026, 11, 22))


def test_row_status_reports_shutdown_and_job_cutoff(catalog) -> None:
    status = row_status(catalog.find("o4-mini"), date(2026, 11, 22))
    assert any("was shut down on 2026-10-23" in line for line in status)
    assert any("new fine-tuning jobs at openai end on 2027-01-06" in line for line in status)
    later = row_status(catalog.find("gpt-4.1"), date(2027, 2, 1))
    assert any("ended on 2027-01-06" in line for line in later)


def test_providers_offering_a_method_today(catalog) -> None:
    assert catalog.providers_offering("sft", "gpt-4.1-mini", date(2026, 9, 15)) == ["azure-openai", "openai"]
    # Azure's pages disagree on its gpt-4.1 family's retirement (2026-10-14 or 2027-04-14): the earlier decides
    assert catalog.providers_offering("sft", "gpt-4.1-mini", date(2026, 11, 22)) == ["openai"]
    assert catalog.providers_offering("sft", "gpt-4.1-mini", date(2027, 1, 5)) == ["openai"]
    assert catalog.providers_offering("sft", "gpt-4.1-mini", date(2027, 1, 6)) == []  # OpenAI's job creation ends
    # o4-mini is shut down at OpenAI (2026-10-23) and retired at Azure (2026-11-19)
    assert catalog.providers_offering("rft", "o4-mini", date(2026, 11, 18)) == ["azure-openai"]
    assert catalog.providers_offering("rft", "o4-mini", date(2026, 11, 22)) == []
    assert catalog.providers_offering("dpo", "gpt-4o", date(2026, 9, 15)) == ["azure-openai"]
    assert catalog.providers_offering("dpo", "gpt-4o", date(2026, 10, 1)) == []  # the earlier source: 2026-10-01
