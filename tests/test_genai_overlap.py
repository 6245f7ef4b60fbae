"""Inference prices from genai-prices: advisor's tables and genai-prices agree wherever both price a model,
or the table says why not (`override`); genai-prices' prices are the ones in force on the day asked for;
every model genai-prices knows is priced, and each figure names where it came from."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

import pytest

from advisor.pricing.catalog import Catalog, load_catalog
from advisor.pricing.genai import genai_tables, installed, read_tables
from advisor.pricing.tables import INFERENCE_FIELDS, ModelRow, PriceTable, changes_in_force


@pytest.fixture(scope="module")
def catalog() -> Iterator[Catalog]:
    """The tables advisor ships (bundled and its plugins'), with genai-prices."""
    from advisor.plugins import load_plugins

    yield load_catalog(include_user=False, plugin_tables=load_plugins().price_tables, today=date(2026, 12, 7))


def genai_row(catalog: Catalog, provider: str, name: str, row: ModelRow) -> ModelRow | None:
    """genai-prices' row for a table's row, found as the catalogue finds it."""
    names = [row.genai_model] if row.genai_model else [name, *row.aliases]
    for table in catalog.genai.tables:
        if table.provider == provider:
            for candidate, theirs in table.models.items():
                if {candidate, *theirs.aliases} & set(names):
                    return theirs
    return None


def in_force(row: ModelRow, day: date) -> dict[str, Decimal]:
    prices: dict[str, Decimal] = {}
    for change in changes_in_force(row.prices, day):
        prices |= change.given()
    return prices


def stated(row: ModelRow, table: PriceTable, day: date) -> dict[str, Decimal]:
    """The inference prices a table states itself for a row on `day` (its own fields, then its changes)."""
    prices = {field: getattr(row, field) for field in INFERENCE_FIELDS if getattr(row, field) is not None}
    return prices | {k: v for k, v in in_force(row, day).items() if k in INFERENCE_FIELDS}


def overlap(catalog: Catalog) -> list[tuple[str, str, ModelRow, PriceTable, ModelRow]]:
    found = []
    for table in catalog.tables:
        for name, row in table.models.items():
            theirs = genai_row(catalog, table.provider, name, row)
            if theirs is not None:
                found.append((table.provider, name, row, table, theirs))
    return found


class TestTablesAndGenaiPricesAgree:
    def test_the_models_in_both_are_listed(self, catalog) -> None:
        both = {f"{provider}:{name}" for provider, name, *_ in overlap(catalog)}
        # the fine-tunable OpenAI and Azure models, the models to move to, and the serverless Llama bases
        assert {"openai:gpt-4.1", "openai:gpt-6-luna", "azure-openai:gpt-4.1-mini"} <= both
        assert {"together:llama-3.1-8b-instruct", "fireworks:llama-v3p1-8b-instruct"} <= both

    def test_a_price_both_give_agrees_or_the_table_says_why_not(self, catalog) -> None:
        disagreements = []
        for provider, name, row, table, theirs in overlap(catalog):
            for day in sorted({table.as_of, date(2026, 12, 7), *(c.since for c in row.prices if c.since)}):
                mine, genai = stated(row, table, day), in_force(theirs, day)
                for field in sorted(set(mine) & set(genai)):
                    if mine[field] != genai[field] and row.override is None:
                        disagreements.append(f"{provider}:{name} {field} on {day}: {mine[field]} vs {genai[field]}")
        assert disagreements == []

    def test_fine_tuned_prices_agree_where_genai_prices_has_them(self, catalog) -> None:
        compared = []
        for table in catalog.tables:
            genai = {
                name: row
                for t in catalog.genai.tables
                if t.provider == table.provider
                for name, row in t.models.items()
            }
            for name, row in table.models.items():
                theirs = genai.get(f"ft:{name}") or genai.get(f"ft:{name}-")
                if row.fine_tuning is None or theirs is None or row.fine_tuning.token_prices == "base":
                    continue
                prices = in_force(theirs, table.as_of)
                assert (row.fine_tuning.input, row.fine_tuning.output) == (prices["input"], prices["output"]), name
                compared.append(name)
        assert {"gpt-4o", "gpt-4o-mini", "gpt-3.5-turbo"} <= set(compared)

    def test_an_override_needs_its_reason_and_wins(self, tmp_path) -> None:
        table = tmp_path / "negotiated.toml"
        table.write_text(
            'provider = "openai"\ncurrency = "USD"\nas_of = 2026-12-01\nsource = "https://contracts.example.com"\n'
            '[models."gpt-6-luna"]\nencoding = "o200k_base"\ninput = 0.05\noutput = 0.25\n'
            'override = "our negotiated discount (contract 2026-11)"\n'
        )
        catalog = load_catalog([table], include_user=False, today=date(2026, 12, 7))
        match = catalog.find("gpt-6-luna")
        assert (match.row.input, match.row.output, match.row.cached_input) == (Decimal("0.05"), Decimal("0.25"), None)
        assert match.source_of("input").cited == str(table)


class TestPricesInForce:
    def test_a_price_change_applies_from_its_day(self, catalog) -> None:
        # GPT-5.6 Sol's prices fell on 2026-08-21 ($5 / $30 -> $4 / $20)
        before = catalog.on(date(2026, 8, 20)).find("gpt-5.6-sol")
        after = catalog.on(date(2026, 8, 21)).find("gpt-5.6-sol")
        assert (before.row.input, before.row.output) == (5, 30)
        assert (after.row.input, after.row.output) == (4, 20)
        assert after.source_of("input").since == date(2026, 8, 21)

    def test_batch_prices_before_genai_prices_records_them_come_from_the_table(self, catalog) -> None:
        before = catalog.on(date(2026, 9, 1)).find("gpt-4.1")
        after = catalog.on(date(2026, 12, 7)).find("gpt-4.1")
        assert before.row.batch_input == after.row.batch_input == 1
        assert "(bundled) openai.toml" in before.source_of("batch_input").words()
        assert "genai-prices" in after.source_of("batch_input").words()

    def test_every_model_genai_prices_knows_is_priced(self, catalog) -> None:
        """`advisor pricing show gpt-5.5` works, and says where its price came from."""
        claimed = {row.genai_model for table in catalog.tables for row in table.models.values() if row.genai_model}
        for table in catalog.genai.tables:
            for name in table.models:
                if name in claimed:
                    continue  # its prices are a table row's, which names it (`genai_model`)
                if table.path.endswith("fallback)") or name.startswith("ft:") or ".ft-" in name:
                    continue  # another provider's prices, or a fine-tune's (its base row's fine_tuning)
                match = catalog.find_optional(name, table.provider)
                assert match is not None and match.row.input is not None, f"{table.provider}:{name}"

    def test_pricing_show_names_genai_prices(self, advisor) -> None:
        result = advisor("pricing", "show", "gpt-5.5", "--today", "2026-12-07")
        assert result.code == 0, result.err
        assert "$5.00 / $0.50 / $30.00" in result.out and "genai-prices 0.2.5 (openai)" in result.out


class TestReadOnce:
    def test_the_installed_version_is_found_without_importing_it(self) -> None:
        import sys

        sys.modules.pop("genai_prices", None)
        found = installed()
        assert found is not None and found[0] == "0.2.5" and "genai_prices" not in sys.modules

    def test_kept_tables_are_the_tables_read(self, tmp_path, monkeypatch) -> None:
        monkeypatch.setenv("ADVISOR_CACHE_DIR", str(tmp_path))
        first = genai_tables()  # read, and kept
        assert list(tmp_path.rglob("*.json"))
        again = genai_tables()  # from the kept copy
        assert (
            [t.models.keys() for t in again]
            == [t.models.keys() for t in first]
            == [t.models.keys() for t in read_tables()]
        )
