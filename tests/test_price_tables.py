"""The shipped price tables hold the facts file's figures; bad tables are refused with file, line
and field."""

from dataclasses import fields, is_dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.errors import UserError
from advisor.pricing.reading import bundled_tables, parse_table, read_table

D = Decimal


def row(catalog, model: str, provider: str = "openai"):
    return catalog.find(model, provider).row


# domain-facts.md section 2: training | FT input / cached / output | base input / cached / output
OPENAI_FINE_TUNING = {
    "gpt-4.1": ("25.00", "3.00", "0.75", "12.00", "2.00", "0.50", "8.00"),
    "gpt-4.1-mini": ("5.00", "0.80", "0.20", "3.20", "0.40", "0.10", "1.60"),
    "gpt-4.1-nano": ("1.50", "0.20", "0.05", "0.80", "0.10", "0.025", "0.40"),
    "gpt-4o": ("25.00", "3.75", "1.875", "15.00", "2.50", "1.25", "10.00"),
    "gpt-4o-mini": ("3.00", "0.30", "0.15", "1.20", "0.15", "0.075", "0.60"),
    "gpt-3.5-turbo": ("8.00", "3.00", None, "6.00", "0.50", None, "1.50"),
}
# batch tier of the fine-tuned models, as published
OPENAI_FT_BATCH = {
    "o4-mini": ("2.00", "0.50", "8.00"),
    "gpt-4.1": ("1.50", "0.50", "6.00"),
    "gpt-4.1-mini": ("0.40", "0.10", "1.60"),
    "gpt-4.1-nano": ("0.10", "0.025", "0.40"),
    "gpt-4o": ("2.225", "0.90", "12.50"),
    "gpt-4o-mini": ("0.15", "0.075", "0.60"),
    "gpt-3.5-turbo": ("1.50", None, "3.00"),
}
BASE_ONLY = {
    "gpt-5": ("1.25", "0.125", "10"),
    "gpt-5-mini": ("0.25", "0.025", "2"),
    "gpt-5-nano": ("0.05", "0.005", "0.40"),
    "gpt-5.4": ("2.50", "0.25", "15"),
    "gpt-5.4-mini": ("0.75", "0.075", "4.50"),
    "gpt-5.4-nano": ("0.20", "0.02", "1.25"),
}


def dec(value: str | None) -> Decimal | None:
    return None if value is None else D(value)


class TestOpenAITable:
    @pytest.mark.parametrize("model", sorted(OPENAI_FINE_TUNING))
    def test_fine_tuning_rows(self, catalog, model: str) -> None:
        training, ft_in, ft_cached, ft_out, base_in, base_cached, base_out = map(dec, OPENAI_FINE_TUNING[model])
        model_row = row(catalog, model)
        ft = model_row.fine_tuning
        assert (ft.training, ft.input, ft.cached_input, ft.output) == (training, ft_in, ft_cached, ft_out)
        assert (model_row.input, model_row.cached_input, model_row.output) == (base_in, base_cached, base_out)

    @pytest.mark.parametrize("model", sorted(OPENAI_FT_BATCH))
    def test_fine_tuned_batch_prices_as_published(self, catalog, model: str) -> None:
        ft = row(catalog, model).fine_tuning
        assert (ft.batch_input, ft.batch_cached_input, ft.batch_output) == tuple(map(dec, OPENAI_FT_BATCH[model]))

    def test_o4_mini_is_the_rft_base_billed_by_the_hour(self, catalog) -> None:
        o4 = row(catalog, "o4-mini-2025-04-16")
        assert (o4.input, o4.cached_input, o4.output) == (D("1.10"), D("0.275"), D("4.40"))
        assert o4.fine_tuning.methods == ["rft"]
        assert o4.fine_tuning.training_per_hour == D(100)
        assert (o4.fine_tuning.input, o4.fine_tuning.cached_input, o4.fine_tuning.output) == (D(4), D(1), D(16))
        sharing = o4.fine_tuning.data_sharing
        assert (sharing.input, sharing.cached_input, sharing.output) == (D(2), D("0.5"), D(8))

    @pytest.mark.parametrize("model", sorted(BASE_ONLY))
    def test_base_models_for_comparison(self, catalog, model: str) -> None:
        model_row = row(catalog, model)
        assert (model_row.input, model_row.cached_input, model_row.output) == tuple(map(D, BASE_ONLY[model]))
        assert model_row.fine_tuning is None

    def test_embeddings(self, catalog) -> None:
        assert row(catalog, "text-embedding-3-small").input == D("0.02")
        assert row(catalog, "text-embedding-3-large").input == D("0.13")
        assert row(catalog, "text-embedding-3-large").kind == "embedding"

    def test_fine_tuned_models_cost_more_per_token_than_their_base(self, catalog) -> None:
        """The seeds' claim that a fine-tune costs the same as its base is wrong."""
        for name, model_row, _ in catalog.rows("openai"):
            if model_row.fine_tuning:
                assert model_row.fine_tuning.input >= D("1.5") * model_row.input, name

    def test_wind_down_dates(self, catalog) -> None:
        for name, model_row, _ in catalog.rows("openai"):
            if model_row.fine_tuning:
                assert model_row.fine_tuning.new_jobs_until == date(2027, 1, 6), name
        assert row(catalog, "o4-mini").shutdown == date(2026, 10, 23)
        assert row(catalog, "gpt-4.1-nano").shutdown == date(2026, 10, 23)
        assert row(catalog, "gpt-4o").shutdown == date(2027, 1, 14)
        assert "deprecation notice of 2026-10-14" in row(catalog, "gpt-4o").shutdown_note
        assert row(catalog, "gpt-3.5-turbo").shutdown == date(2026, 10, 23)
        table = catalog.find("gpt-4.1").table
        assert [notice.since for notice in table.notices] == [date(2026, 5, 7), date(2026, 7, 2), date(2026, 10, 14)]

    def test_sft_rft_and_dpo_availability(self, catalog) -> None:
        assert row(catalog, "gpt-4.1").fine_tuning.methods == ["sft", "dpo"]
        assert "dpo" not in row(catalog, "gpt-4o").fine_tuning.methods


class TestAzureTable:
    def test_hosting_fee_on_every_fine_tune(self, catalog) -> None:
        for name, model_row, _ in catalog.rows("azure-openai"):
            if model_row.fine_tuning:
                assert model_row.fine_tuning.hosting_per_hour == D("1.70"), name

    def test_methods_per_facts(self, catalog) -> None:
        assert row(catalog, "gpt-4o", "azure-openai").fine_tuning.methods == ["sft", "dpo"]
        assert row(catalog, "o4-mini", "azure-openai").fine_tuning.methods == ["rft"]
        assert row(catalog, "o4-mini", "azure-openai").fine_tuning.auto_pause_usd == D(5000)


def test_every_bundled_table_has_its_header() -> None:
    for table in bundled_tables():
        assert table.currency == "USD" and table.source.startswith("https://") and table.as_of


def _decimals(value: object) -> list[Decimal]:
    """Every Decimal in a parsed table (its dataclasses, lists and dicts)."""
    if isinstance(value, Decimal):
        return [value]
    if is_dataclass(value):
        return [d for item in fields(value) for d in _decimals(getattr(value, item.name))]
    if isinstance(value, dict):
        return [d for item in value.values() for d in _decimals(item)]
    if isinstance(value, list | tuple):
        return [d for item in value for d in _decimals(item)]
    return []


GOOD = """provider = "acme"
currency = "USD"
as_of = 2026-11-01
source = "https://example.com"

[models.m1]
input = 1.0
output = 2.0

[models.m1.fine_tuning]
methods = ["sft"]
training = 3.0
input = 2.0
output = 4.0
"""


class TestMalformedTables:
    def test_good_table_parses_with_exact_decimals(self) -> None:
        table = parse_table(GOOD, "acme.toml")
        assert table.models["m1"].fine_tuning.training == D("3.0")

    def test_syntax_error_names_file_and_line(self) -> None:
        with pytest.raises(UserError, match=r"^acme\.toml:7: not valid TOML: Invalid value"):
            parse_table(GOOD.replace("input = 1.0", "input = = 1.0"), "acme.toml")

    def test_missing_header_field(self) -> None:
        with pytest.raises(UserError, match=r"acme\.toml: as_of is missing"):
            parse_table(GOOD.replace("as_of = 2026-11-01\n", ""), "acme.toml")

    def test_missing_field_points_at_its_table(self) -> None:
        with pytest.raises(UserError, match=r"acme\.toml:10: models\.m1\.fine_tuning: `training` .*required for sft"):
            parse_table(GOOD.replace("training = 3.0\n", ""), "acme.toml")

    def test_wrong_type_points_at_the_line(self) -> None:
        with pytest.raises(UserError, match=r"acme\.toml:8: models\.m1\.output: "):
            parse_table(GOOD.replace("output = 2.0", 'output = "two"'), "acme.toml")

    def test_negative_price_is_refused(self) -> None:
        with pytest.raises(UserError, match=r"acme\.toml:7: models\.m1\.input: .*greater than or equal to 0"):
            parse_table(GOOD.replace("input = 1.0", "input = -1.0"), "acme.toml")

    def test_misspelt_field_is_named(self) -> None:
        with pytest.raises(UserError, match=r"acme\.toml:8: models\.m1\.ouptut is not a known field"):
            parse_table(GOOD.replace("output = 2.0", "ouptut = 2.0"), "acme.toml")

    def test_unknown_method(self) -> None:
        with pytest.raises(
            UserError, match=r"acme\.toml:11: models\.m1\.fine_tuning\.methods: .*'sft', 'dpo' or 'rft'"
        ):
            parse_table(GOOD.replace('methods = ["sft"]', 'methods = ["ppo"]'), "acme.toml")

    def test_nesting_too_deep_is_a_clear_error(self) -> None:
        with pytest.raises(UserError, match="nested too deeply"):
            parse_table(GOOD + "x = " + "[" * 5000 + "]" * 5000 + "\n", "acme.toml")

    def test_duplicate_alias(self) -> None:
        text = GOOD + '\n[models.m2]\naliases = ["m1"]\ninput = 1\noutput = 1\n'
        with pytest.raises(UserError, match="used by both"):
            parse_table(text, "acme.toml")

    def test_non_utf8_file(self, tmp_path: Path) -> None:
        path = tmp_path / "bad.toml"
        path.write_bytes(GOOD.encode() + b"\n# caf\xe9\n")
        with pytest.raises(UserError, match=r"bad\.toml:16: not UTF-8"):
            read_table(path)

    def test_missing_file(self, tmp_path: Path) -> None:
        with pytest.raises(UserError, match=r"nope\.toml: no such file; check the path given to --pricing"):
            read_table(tmp_path / "nope.toml")

    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.data())
    def test_any_edit_of_a_table_loads_or_gives_a_located_error(self, data) -> None:
        lines = GOOD.splitlines()
        index = data.draw(st.integers(0, len(lines) - 1))
        lines[index] = data.draw(
            st.one_of(
                st.text(max_size=30),
                st.sampled_from(
                    [
                        "",
                        "[models.m1]",
                        "input = -1",
                        "as_of = 2026-13-01",
                        "methods = []",
                        "x = 1",
                        '"a.b" = 2',
                        "[[notices]]",
                    ]
                ),
            )
        )
        try:
            table = parse_table("\n".join(lines), "t.toml")
        except UserError as error:
            assert str(error).startswith("t.toml")
            return
        # a table that loads keeps the header lines not edited, its prices are amounts, and the copy
        # validated before (the cache) is the same table
        header = {0: ("provider", "acme"), 1: ("currency", "USD"), 2: ("as_of", date(2026, 11, 1))}
        for line, (key, value) in header.items():
            assert line == index or getattr(table, key) == value
        assert all(price.is_finite() and price >= 0 for price in _decimals(table))
        assert parse_table("\n".join(lines), "t.toml") == table
