"""`advisor pricing refresh`: the providers' own model lists read through the real SDKs over real HTTP
(loopback fakes: tests/fake_openai.py, tests/fake_together.py), what differs from the price tables kept
as an overlay in the user's price folder, and nothing read or written without a key, after a failed
read, or over a file of the user's."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from advisor.pricing.reading import parse_overlay
from advisor.pricing.tables import PriceChange
from advisor.providers.lifecycle import ModelFacts, ReadsModelFacts
from advisor.providers.refresh import MARK, price_history, public_url
from advisor_azure_openai.provider import AzureOpenAIProvider
from advisor_openai.provider import OpenAIProvider
from advisor_together.provider import TogetherProvider

from .conftest import FLAT_15
from .fake_openai import FakeOpenAI, model
from .fake_together import FakeTogether, supported_model

TODAY = date.today()  # a refresh records the day it read the API: the machine's
DAY = date(2026, 12, 7)  # the day shutdowns are judged on, where a test reads them back
MODELS = [
    model("gpt-4.1-mini-2025-04-14", "2027-01-10"),  # the tables say 2027-01-14: both are kept
    model("gpt-5.4-2026-03-05", "2027-06-30"),  # the tables have no date: a new one
    model("gpt-4o-2024-08-06", "2027-01-14"),  # the tables agree: nothing to keep
    model("ft:gpt-4o-mini-2024-07-18:acme::abc123", "2027-01-14"),  # a fine-tune: no price row names it
    model("dall-e-3"),  # no date announced
]
CATALOGUE = [
    supported_model("openai/gpt-oss-20b", {"input": 0.07, "output": 0.25}),  # the table: $0.05 / $0.20
    supported_model("meta-llama/Meta-Llama-3.1-8B-Instruct-Reference", status="SUPPORTED_MODEL_STATUS_DEPRECATED"),
    supported_model("Qwen/Qwen3-Next-80B", {"input": 0.15, "output": 1.5}),  # no price row
    supported_model("acme/free-for-now", {"input": 0, "output": 0}),  # 0 is "no serverless price", not free
    supported_model("zai-org/GLM-5", {"input": 1.4, "output": 4.4, "cachedInput": 0.3}),
]


@pytest.fixture
def folder(isolated_config: Path) -> Path:
    return isolated_config / "pricing"


@pytest.fixture
def with_dates(openai_api: FakeOpenAI) -> FakeOpenAI:
    openai_api.models = list(MODELS)
    return openai_api


@pytest.fixture
def with_prices(together_api: FakeTogether) -> FakeTogether:
    together_api.supported_models = list(CATALOGUE)
    return together_api


def refresh(advisor, *args: str):
    return advisor("pricing", "refresh", *args)


def show(advisor, model_name: str, provider: str, day: date = TODAY):
    return advisor("pricing", "show", model_name, "--provider", provider, "--today", day.isoformat())


@pytest.mark.usefixtures("wide_output")
class TestDatesFromOpenAI:
    def test_new_and_conflicting_dates_are_written_and_said(self, advisor, with_dates, folder) -> None:
        result = refresh(advisor, "--provider", "openai")
        assert result.code == 0, result.err
        assert f"openai: read {with_dates.base_url}/models at " in result.out
        assert "5 models listed, 3 of them in the price tables" in result.out
        assert (
            "dates differ: openai:gpt-4.1-mini shuts down on 2027-01-10 by the API (gpt-4.1-mini-2025-04-14), "
            "on 2027-01-14 by the tables: both are kept, and advisor decides on the earlier, 2027-01-10"
        ) in result.out
        new = "new date: openai:gpt-5.4 shuts down on 2027-06-30 (gpt-5.4-2026-03-05; the tables had none)"
        assert new in result.out
        assert "1 shutdown date(s) the tables already give" in result.out
        assert ("GET", "/v1/models") in with_dates.requests
        written = parse_overlay((folder / "refresh-openai.toml").read_text(), "refresh-openai.toml")
        assert written.as_of == TODAY and written.source == f"{with_dates.base_url}/models"
        assert sorted(written.models) == ["gpt-4.1-mini-2025-04-14", "gpt-5.4-2026-03-05"]  # only what differs
        (source,) = written.models["gpt-4.1-mini-2025-04-14"].fields["shutdown_sources"]
        assert (source.on, source.as_of, source.url) == (date(2027, 1, 10), TODAY, f"{with_dates.base_url}/models")

    def test_pricing_show_then_names_both_dates_and_decides_on_the_earlier(self, advisor, with_dates) -> None:
        assert refresh(advisor, "--provider", "openai").code == 0
        mini = " ".join(show(advisor, "gpt-4.1-mini", "openai", DAY).out.split())
        assert "sources disagree on the shutdown of openai:gpt-4.1-mini: 2027-01-14 (OpenAI deprecation notice" in mini
        assert f"2027-01-10 (OpenAI model list: gpt-4.1-mini-2025-04-14, read {TODAY}); advisor decides on" in mini
        assert "openai:gpt-4.1-mini shuts down on 2027-01-10 (OpenAI model list" in mini
        new = " ".join(show(advisor, "gpt-5.4", "openai", DAY).out.split())
        assert "openai:gpt-5.4 shuts down on 2027-06-30 (OpenAI model list: gpt-5.4-2026-03-05" in new
        assert "sources disagree" not in new  # one date: nothing to decide

    def test_a_date_the_api_later_drops_is_dropped_from_the_file(self, advisor, with_dates, folder) -> None:
        assert refresh(advisor, "--provider", "openai").code == 0
        with_dates.models = [model("gpt-4.1-mini-2025-04-14")]  # the API no longer gives a date
        result = refresh(advisor, "--provider", "openai")
        assert result.code == 0 and "nothing differs from the price tables" in result.out
        assert parse_overlay((folder / "refresh-openai.toml").read_text(), "x").models == {}
        assert "shuts down on 2027-01-14" in show(advisor, "gpt-4.1-mini", "openai", DAY).out

    def test_refreshing_again_replaces_the_file_with_the_same_facts(self, advisor, with_dates, folder) -> None:
        assert refresh(advisor, "--provider", "openai").code == 0
        first = (folder / "refresh-openai.toml").read_text().splitlines()[1:]  # after the line with the time read
        assert refresh(advisor, "--provider", "openai").code == 0
        assert (folder / "refresh-openai.toml").read_text().splitlines()[1:] == first
        assert sorted(path.name for path in folder.iterdir()) == ["refresh-openai.toml"]  # no temporary file left

    def test_a_dry_run_reads_and_says_but_writes_nothing(self, advisor, with_dates, folder) -> None:
        result = refresh(advisor, "--provider", "openai", "--dry-run")
        assert result.code == 0, result.err
        assert "dates differ: openai:gpt-4.1-mini" in result.out
        assert "dry run: nothing written (the file would hold 2 model(s))" in result.out
        assert not folder.exists()

    def test_a_shutdown_date_that_is_not_a_date_is_noted_not_written(self, advisor, with_dates, folder) -> None:
        with_dates.models = [model("gpt-5.4-2026-03-05", "next spring")]
        result = refresh(advisor, "--provider", "openai")
        assert result.code == 0
        assert "note: gpt-5.4-2026-03-05: its shutdown_date 'next spring' is not a date: ignored" in result.out
        assert parse_overlay((folder / "refresh-openai.toml").read_text(), "x").models == {}


@pytest.mark.usefixtures("wide_output")
class TestPricesFromTogether:
    def test_list_prices_that_differ_become_a_dated_change(self, advisor, with_prices, folder) -> None:
        result = refresh(advisor, "--provider", "together")
        assert result.code == 0, result.err
        assert "5 models listed, 2 of them in the price tables" in result.out  # all three pages were read
        pages = [path for method, path in with_prices.requests if path == "/v2/supported-models"]
        assert len(pages) == 3
        assert (
            f"price change: together:gpt-oss-20b input $0.05 -> $0.07 per 1M (openai/gpt-oss-20b), from {TODAY}"
        ) in result.out
        assert "output $0.20 -> $0.25 per 1M" in result.out
        assert (
            "note: meta-llama/Meta-Llama-3.1-8B-Instruct-Reference: Together's catalogue marks it deprecated, "
            "without a date"
        ) in result.out
        written = parse_overlay((folder / "refresh-together.toml").read_text(), "x")
        (change,) = written.models["openai/gpt-oss-20b"].fields["prices"]
        assert change == PriceChange(
            since=TODAY,
            source=f"{with_prices.base_url}/v2/supported-models",
            as_of=TODAY,
            input=Decimal("0.07"),
            output=Decimal("0.25"),
        )
        assert "acme/free-for-now" not in written.models  # and no row would have been priced at 0

    def test_the_price_applies_from_the_day_read_and_not_before(self, advisor, with_prices) -> None:
        assert refresh(advisor, "--provider", "together").code == 0
        assert "$0.07 / - / $0.25 per 1M" in show(advisor, "gpt-oss-20b", "together").out
        assert "$0.05 / - / $0.20 per 1M" in show(advisor, "gpt-oss-20b", "together", TODAY - timedelta(days=1)).out

    def test_a_price_still_listed_keeps_the_day_first_read(self, advisor, with_prices, folder) -> None:
        earlier = date(2026, 11, 1)
        write_earlier_refresh(folder, with_prices, since=earlier, input_price="0.07", output_price="0.25")
        assert refresh(advisor, "--provider", "together").code == 0
        (change,) = (
            parse_overlay((folder / "refresh-together.toml").read_text(), "x")
            .models["openai/gpt-oss-20b"]
            .fields["prices"]
        )
        assert (change.since, change.as_of, change.until) == (earlier, TODAY, None)

    def test_a_price_that_changed_again_keeps_the_earlier_one_until_today(self, advisor, with_prices, folder) -> None:
        earlier = date(2026, 11, 1)
        write_earlier_refresh(folder, with_prices, since=earlier, input_price="0.06", output_price="0.25")
        assert refresh(advisor, "--provider", "together").code == 0
        closed, new = (
            parse_overlay((folder / "refresh-together.toml").read_text(), "x")
            .models["openai/gpt-oss-20b"]
            .fields["prices"]
        )
        assert (closed.since, closed.until, closed.input) == (earlier, TODAY, Decimal("0.06"))
        assert (new.since, new.until, new.input) == (TODAY, None, Decimal("0.07"))
        assert "$0.06 / - / $0.25" in show(advisor, "gpt-oss-20b", "together", date(2026, 11, 15)).out


def write_earlier_refresh(folder: Path, api: FakeTogether, *, since: date, input_price: str, output_price: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "refresh-together.toml").write_text(
        f'# {MARK} on {since}\noverlay = true\nprovider = "together"\ncurrency = "USD"\nas_of = {since}\n'
        f'source = "{api.base_url}/v2/supported-models"\n\n[models."openai/gpt-oss-20b"]\n'
        f'prices = [{{ since = {since}, source = "{api.base_url}/v2/supported-models", as_of = {since}, '
        f"input = {input_price}, output = {output_price} }}]\n"
    )


class TestNothingChangesWithoutAGoodRead:
    def test_without_a_key_nothing_is_fetched_and_nothing_written(
        self, advisor, with_dates, folder, monkeypatch
    ) -> None:
        monkeypatch.delenv("OPENAI_API_KEY")
        result = refresh(advisor, "--provider", "openai")
        assert result.code == 3
        assert "openai: no key: set OPENAI_API_KEY; nothing fetched, nothing changed" in result.out
        assert with_dates.requests == [] and not folder.exists()

    def test_a_server_error_writes_nothing_and_keeps_the_earlier_file(self, advisor, with_dates, folder) -> None:
        assert refresh(advisor, "--provider", "openai").code == 0
        before = (folder / "refresh-openai.toml").read_bytes()
        with_dates.fail("GET", "/v1/models", status=500, retry_after="0", times=10)
        result = refresh(advisor, "--provider", "openai")
        assert result.code == 1
        assert "advisor: error: openai: could not list the models: " in result.err
        assert result.err.rstrip().endswith("nothing written") and "Traceback" not in result.err
        assert (folder / "refresh-openai.toml").read_bytes() == before
        assert sorted(path.name for path in folder.iterdir()) == ["refresh-openai.toml"]

    def test_a_timeout_writes_nothing(self, advisor, with_dates, folder, monkeypatch) -> None:
        monkeypatch.setenv("ADVISOR_OPENAI_TIMEOUT", "0.2")
        with_dates.fail("GET", "/v1/models", delay=1.0, times=10)
        result = refresh(advisor, "--provider", "openai")
        assert result.code == 1 and "timed out" in result.err and "nothing written" in result.err
        assert not folder.exists()

    def test_a_together_server_error_writes_nothing(self, advisor, with_prices, folder) -> None:
        with_prices.fail("GET", "/v2/supported-models", status=503, times=10)
        result = refresh(advisor, "--provider", "together")
        assert result.code == 1 and "advisor: error: together: could not list Together's models" in result.err
        assert not folder.exists()

    def test_a_file_of_the_users_is_never_overwritten(self, advisor, with_dates, folder) -> None:
        folder.mkdir(parents=True)
        mine = folder / "refresh-openai.toml"
        mine.write_text(FLAT_15)  # the user's own table, under the name a refresh would use
        before = mine.read_bytes()
        result = refresh(advisor, "--provider", "openai")
        assert result.code == 1
        assert f"{mine} was not written by advisor pricing refresh, so it is left as it is" in result.err
        assert mine.read_bytes() == before and with_dates.requests == []  # nothing fetched either

    def test_the_key_is_in_no_output_and_no_file(self, advisor, with_dates, with_prices, folder, monkeypatch) -> None:
        results = [refresh(advisor), refresh(advisor, "--dry-run")]
        with_dates.fail("GET", "/v1/models", status=401, times=1)
        results.append(refresh(advisor, "--provider", "openai"))
        for key in (with_dates.key, with_prices.key):
            assert all(key not in result.out + result.err for result in results)
            assert all(key.encode() not in path.read_bytes() for path in folder.iterdir())


@pytest.mark.usefixtures("wide_output")
class TestWhichProvidersAreAsked:
    def test_every_provider_that_can_answer_is_asked_and_a_missing_key_sets_the_status(
        self, advisor, with_dates, folder
    ) -> None:
        result = refresh(advisor)  # Together's key is not set
        assert result.code == 3
        assert "wrote " in result.out and (folder / "refresh-openai.toml").exists()
        assert "together: no key: set TOGETHER_API_KEY; nothing fetched, nothing changed" in result.out
        assert not (folder / "refresh-together.toml").exists()
        assert "not read: azure-openai, fireworks, local (their plugins read no model list)" in result.out

    def test_a_price_table_without_its_plugin_is_named(self, advisor, with_dates, monkeypatch) -> None:
        monkeypatch.setenv("ADVISOR_LOAD_PLUGINS", "openai,together,azure-openai,local")  # not fireworks
        result = refresh(advisor)
        assert "not read: fireworks (price tables only: no provider plugin is installed)" in result.out
        result = refresh(advisor, "--provider", "fireworks")
        assert result.code == 2 and (
            "no provider plugin for fireworks is installed (its price table is), so its API cannot be read"
            in result.err
        )

    def test_all_read_is_status_0(self, advisor, with_dates, with_prices) -> None:
        assert refresh(advisor).code == 0

    @pytest.mark.parametrize(
        ("provider", "said"),
        [
            ("fireworks", "the fireworks plugin cannot read the provider's model list"),
            ("azure-openai", "the azure-openai plugin cannot read the provider's model list"),
            ("acme", "no provider called 'acme'"),
        ],
    )
    def test_a_provider_that_cannot_be_read_is_refused(self, advisor, provider: str, said: str) -> None:
        result = refresh(advisor, "--provider", provider)
        assert result.code == 2
        assert f"advisor: error: {said}: nothing refreshed; providers that can be refreshed: openai, together" in (
            result.err
        )

    def test_the_capability_is_a_typed_protocol(self) -> None:
        assert isinstance(OpenAIProvider(), ReadsModelFacts) and isinstance(TogetherProvider(), ReadsModelFacts)
        assert not isinstance(AzureOpenAIProvider(), ReadsModelFacts)  # its model list has another shape


class TestHistoryAndUrls:
    def test_a_url_keeps_no_user_password_or_query(self) -> None:
        assert public_url("https://me:s3cret@proxy.example:8443/v1/models?key=abc") == (
            "https://proxy.example:8443/v1/models"
        )

    def test_an_unchanged_price_keeps_its_day_and_a_new_one_closes_it(self) -> None:
        first = PriceChange(since=date(2026, 11, 1), source="u", as_of=date(2026, 11, 1), input=Decimal(1))
        same = price_history([first], {"input": Decimal(1)}, TODAY, "u")
        assert same == [PriceChange(since=date(2026, 11, 1), source="u", as_of=TODAY, input=Decimal(1))]
        moved = price_history([first], {"input": Decimal(2)}, date(2026, 12, 7), "u")
        assert [(c.since, c.until, c.input) for c in moved] == [
            (date(2026, 11, 1), date(2026, 12, 7), 1),
            (date(2026, 12, 7), None, 2),
        ]
        back = price_history([first], {}, date(2026, 12, 7), "u")  # the tables now agree with the API
        assert [(c.since, c.until) for c in back] == [(date(2026, 11, 1), date(2026, 12, 7))]

    def test_facts_carry_where_and_when_they_were_read(self) -> None:
        fact = ModelFacts("m", "https://x/v1/models", datetime.now(UTC), shutdown=date(2027, 1, 1))
        assert fact.read_at.tzinfo is not None and fact.prices == {}
