"""Overlays (`overlay = true`): price files whose entries hold only the fields they change, merged field by
field into the rows of the tables read before them. Dates from another source stand beside the table's
(the earlier decides, the conflict is said), prices are dated changes, an entry that matches no row is a
warning, and merging is idempotent."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.errors import UserError
from advisor.plugins import catalog_with_plugins
from advisor.pricing.catalog import load_catalog
from advisor.pricing.overlay import Overlay, OverlayEntry, merge_row, with_overlays
from advisor.pricing.overlay_text import overlay_text
from advisor.pricing.reading import bundled_tables, parse_overlay, parse_table
from advisor.pricing.tables import DatedSource, ModelRow, PriceChange, PriceTable

from .conftest import FLAT_15

HEADER = """overlay = true
provider = "{provider}"
currency = "USD"
as_of = 2026-12-07
source = "https://api.example.com/v1/models"
"""
API_DATE = """
[models."gpt-4.1-mini-2025-04-14"]
shutdown_sources = [{ on = 2027-01-10, source = "OpenAI model list: gpt-4.1-mini-2025-04-14", url = "https://api.openai.com/v1/models", as_of = 2026-12-07 }]
"""  # noqa: E501
NEW_PRICE = """
[models."openai/gpt-oss-20b"]
prices = [{ since = 2026-12-07, source = "https://api.together.ai/v2/supported-models", as_of = 2026-12-07, input = 0.07, output = 0.25 }]
"""  # noqa: E501


def user_file(folder: Path, name: str, text: str) -> Path:
    (folder / "pricing").mkdir(exist_ok=True)
    path = folder / "pricing" / name
    path.write_text(text)
    return path


def overlay(provider: str, body: str) -> str:
    return HEADER.format(provider=provider) + body


def show(advisor, model: str, provider: str, today: str = "2026-12-07", *more: str):
    return advisor("pricing", "show", model, "--provider", provider, "--today", today, *more)


@pytest.mark.usefixtures("wide_output")
class TestReadingAnOverlay:
    def test_a_date_from_another_source_is_shown_beside_the_tables_and_the_earlier_decides(
        self, advisor, isolated_config
    ) -> None:
        path = user_file(isolated_config, "api-dates.toml", overlay("openai", API_DATE))
        result = show(advisor, "gpt-4.1-mini", "openai")
        assert result.code == 0, result.err
        assert (
            "sources disagree on the shutdown of openai:gpt-4.1-mini: 2027-01-14 (OpenAI deprecation notice of "
            "2026-10-14) or 2027-01-10 (OpenAI model list: gpt-4.1-mini-2025-04-14, read 2026-12-07); advisor "
            "decides on the earlier, 2027-01-10"
        ) in " ".join(result.out.split())
        # the date decided on is said with its own source, not with the table's note for the other date
        assert "shuts down on 2027-01-10 (OpenAI model list: gpt-4.1-mini-2025-04-14, " in result.out
        assert f"(bundled) openai.toml + {path}" in result.out  # the row says an overlay changed it

    def test_the_rest_of_the_row_is_the_tables(self, isolated_config) -> None:
        path = user_file(isolated_config, "api-dates.toml", overlay("openai", API_DATE))
        amended = load_catalog(today=date(2026, 12, 7)).find("gpt-4.1-mini", "openai")
        bundled = load_catalog(include_user=False, today=date(2026, 12, 7)).find("gpt-4.1-mini", "openai")
        assert amended.row.shutdown == date(2027, 1, 10) and bundled.row.shutdown == date(2027, 1, 14)
        dates = {"shutdown": None, "shutdown_note": None, "shutdown_sources": []}
        assert len(amended.row.shutdown_sources) == 1 and not bundled.row.shutdown_sources
        assert replace(amended.row, **dates) == replace(bundled.row, **dates)
        # every price keeps its source and date, cited as the table amended by the overlay
        assert {field: replace(source, cited="") for field, source in amended.sources.items()} == {
            field: replace(source, cited="") for field, source in bundled.sources.items()
        }
        assert {source.cited for source in amended.sources.values()} >= {f"(bundled) openai.toml + {path}"}
        assert load_catalog().find("gpt-4.1", "openai").table.path == "(bundled) openai.toml"  # other rows untouched

    def test_a_price_is_a_dated_change_from_the_day_read(self, advisor, isolated_config) -> None:
        user_file(isolated_config, "api-prices.toml", overlay("together", NEW_PRICE))
        before = show(advisor, "gpt-oss-20b", "together", "2026-12-06")
        after = show(advisor, "gpt-oss-20b", "together", "2026-12-07")
        assert "$0.05 / - / $0.20 per 1M" in before.out
        assert "$0.07 / - / $0.25 per 1M" in after.out
        match = catalog_with_plugins(today=date(2026, 12, 7)).find("gpt-oss-20b", "together")
        assert match.source_of("input").url == "https://api.together.ai/v2/supported-models"
        assert match.source_of("input").since == date(2026, 12, 7)

    def test_an_entry_that_matches_no_row_is_a_warning_and_the_rest_applies(self, advisor, isolated_config) -> None:
        body = API_DATE + '\n[models."gpt-99"]\nnotes = "not a model any table has"\n'
        path = user_file(isolated_config, "api-dates.toml", overlay("openai", body))
        result = show(advisor, "gpt-4.1-mini", "openai")
        assert result.code == 0
        assert f'warning: {path}:10: models."gpt-99" matches no openai row' in result.err
        assert "shuts down on 2027-01-10" in result.out

    def test_an_entry_that_is_a_whole_priced_row_adds_the_model(self, advisor, isolated_config) -> None:
        body = '\n[models."acme-new"]\ninput = 1.00\noutput = 2.00\nencoding = "o200k_base"\n'
        user_file(isolated_config, "more.toml", overlay("openai", body))
        result = show(advisor, "acme-new", "openai")
        assert result.code == 0, result.err
        assert "$1.00 / - / $2.00 per 1M" in result.out and result.err == ""

    def test_a_later_whole_row_replaces_the_amended_one(self, tmp_path, isolated_config) -> None:
        user_file(isolated_config, "api-dates.toml", overlay("openai", API_DATE))
        negotiated = tmp_path / "negotiated.toml"
        negotiated.write_text(
            'provider = "openai"\ncurrency = "USD"\nas_of = 2026-11-15\nsource = "contract"\n\n'
            '[models."gpt-4.1-mini"]\ninput = 0.30\noutput = 1.20\n'
        )
        row = load_catalog([negotiated], today=date(2026, 12, 7)).find("gpt-4.1-mini", "openai").row
        assert row.shutdown is None and row.input == Decimal("0.30")  # documented: a whole row replaces


class TestBadOverlays:
    def test_a_misspelt_field_names_the_file_line_and_field(self, advisor, isolated_config) -> None:
        path = user_file(isolated_config, "x.toml", overlay("openai", '\n[models."gpt-4.1"]\nshutdwn = 2027-01-01\n'))
        result = advisor("pricing", "list")
        assert result.code == 2
        assert f'{path}:8: models."gpt-4.1".shutdwn is not a known field' in result.err

    def test_a_bad_value_names_the_file_line_and_field(self, advisor, isolated_config) -> None:
        body = '\n[models."gpt-4.1"]\nshutdown_sources = [{ on = "soon", source = "a rumour" }]\n'
        path = user_file(isolated_config, "x.toml", overlay("openai", body))
        result = advisor("pricing", "list")
        assert result.code == 2 and f'{path}:8: models."gpt-4.1".shutdown_sources.on' in result.err
        assert "Traceback" not in result.err

    def test_a_header_field_is_required_as_in_a_table(self, advisor, isolated_config) -> None:
        path = user_file(isolated_config, "x.toml", overlay("openai", API_DATE).replace('currency = "USD"\n', ""))
        result = advisor("pricing", "list")
        assert result.code == 2 and f"{path}: currency is missing" in result.err

    def test_overlay_must_be_true(self, advisor, isolated_config) -> None:
        user_file(isolated_config, "x.toml", overlay("openai", API_DATE).replace("overlay = true", "overlay = false"))
        result = advisor("pricing", "list")
        assert result.code == 2 and "overlay: Input should be True" in result.err

    def test_a_merge_the_schema_refuses_is_an_error_naming_the_entry(self, advisor, isolated_config) -> None:
        path = user_file(isolated_config, "x.toml", overlay("openai", '\n[models."gpt-4.1"]\nreasoning = true\n'))
        result = advisor("pricing", "list")
        assert result.code == 2
        assert f'{path}:7: models."gpt-4.1": `reasoning_note` is required' in result.err

    def test_an_incomplete_fine_tuning_for_a_row_without_one_is_an_error(self, advisor, isolated_config) -> None:
        body = '\n[models."gpt-5.4"]\n[models."gpt-5.4".fine_tuning]\ntraining = 3.00\n'
        path = user_file(isolated_config, "x.toml", overlay("openai", body))
        result = advisor("pricing", "list")
        assert result.code == 2
        assert f'{path}:7: models."gpt-5.4".fine_tuning: the row has no fine_tuning to amend' in result.err


# --- the merge, for any row and any entry ------------------------------------------------------------------

DAYS = st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31))
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=20)
PRICE = st.decimals(min_value=0, max_value=1000, places=3, allow_nan=False, allow_infinity=False)
SOURCE = st.builds(DatedSource, on=DAYS, source=TEXT, url=st.none() | TEXT, as_of=st.none() | DAYS)
SOURCES = st.lists(SOURCE, max_size=3)
CHANGES = st.lists(
    st.builds(PriceChange, since=st.none() | DAYS, source=TEXT, as_of=st.none() | DAYS, input=PRICE, output=PRICE),
    max_size=3,
)
ROWS = [row for table in bundled_tables() for row in table.models.values() if row.fine_tuning is not None]
NAMES = sorted({alias for t in bundled_tables() for name, row in t.models.items() for alias in (name, *row.aliases)})
FINE_TUNING_FIELDS = st.fixed_dictionaries(
    {},
    optional={
        "new_jobs_sources": SOURCES,
        "serving_sources": SOURCES,
        "training_prices": st.dictionaries(st.sampled_from(["sft", "dpo", "sft.lora"]), PRICE, max_size=2),
        "notes": TEXT,
    },
)
ROW_FIELDS = st.fixed_dictionaries(
    {}, optional={"shutdown_sources": SOURCES, "prices": CHANGES, "shutdown": DAYS, "notes": TEXT}
)
ENTRIES = st.builds(
    lambda fields, fine_tuning: OverlayEntry(fields=fields, fine_tuning=fine_tuning or None),
    ROW_FIELDS,
    FINE_TUNING_FIELDS,
)


class TestMergeProperties:
    @given(st.sampled_from(ROWS))
    def test_an_entry_with_no_fields_changes_nothing(self, row: ModelRow) -> None:
        assert merge_row(row, OverlayEntry(fields={})) == row

    @settings(max_examples=200, deadline=None)
    @given(st.sampled_from(ROWS), ENTRIES)
    def test_merging_twice_is_merging_once(self, row: ModelRow, entry: OverlayEntry) -> None:
        once = merge_row(row, entry)
        assert merge_row(once, entry) == once

    @settings(max_examples=200, deadline=None)
    @given(st.sampled_from(ROWS), ENTRIES)
    def test_no_date_or_price_is_lost_and_the_table_keeps_its_own(self, row: ModelRow, entry: OverlayEntry) -> None:
        merged = merge_row(row, entry)
        for name in ("shutdown_sources", "prices"):
            kept = getattr(merged, name)
            assert kept[: len(getattr(row, name))] == getattr(row, name)  # the table's first, in order
            assert all(item in kept for item in entry.fields.get(name, []))
        assert merged.input == row.input and merged.aliases == row.aliases  # fields not given are the row's

    @settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.dictionaries(st.sampled_from(NAMES), st.builds(OverlayEntry, fields=ROW_FIELDS), max_size=4))
    def test_an_overlay_read_twice_gives_the_rows_it_gives_once(self, entries: dict[str, OverlayEntry]) -> None:
        tables = bundled_tables()
        day = date(2026, 12, 7)
        layer = Overlay(provider="openai", currency="USD", as_of=day, source="s", models=entries, path="o")
        once, _ = with_overlays([*tables, layer])
        twice, _ = with_overlays([*tables, layer, layer])
        assert rows(once) == rows(twice)
        empty = replace(layer, models={name: OverlayEntry(fields={}) for name in entries})
        assert with_overlays([*tables, empty])[0] == tables

    @settings(max_examples=100, deadline=None)
    @given(st.dictionaries(TEXT, st.fixed_dictionaries({}, optional={"shutdown_sources": SOURCES, "prices": CHANGES})))
    def test_what_refresh_writes_reads_back_as_written(self, models: dict) -> None:
        text = overlay_text(
            comments=["a comment"], provider="openai", as_of=date(2026, 12, 7), source="s", notes=None, models=models
        )
        read = parse_overlay(text, "refresh-openai.toml")
        assert {name: entry.fields for name, entry in read.models.items()} == {
            name: {field: items for field, items in entry.items() if items} for name, entry in models.items()
        }


def rows(tables: list[PriceTable]) -> dict[tuple[str, str], ModelRow]:
    """Each provider's rows as the catalog sees them: a later table's row winning."""
    found = {}
    for table in tables:
        for name, row in table.models.items():
            found[(table.provider, name)] = row
    return found


def test_a_table_is_still_a_table(isolated_config) -> None:
    """A file without `overlay` is read as before: a whole table replacing rows."""
    user_file(isolated_config, "acme.toml", FLAT_15)
    assert load_catalog().find("flat15", "acme").row.input == 15
    assert parse_table(FLAT_15, "acme.toml").models["flat15"].output == 15
    with pytest.raises(UserError):
        parse_overlay(FLAT_15, "acme.toml")  # no `overlay = true`: not an overlay
